import { isCrmError } from '@crmkit/core';
import { describe, expect, it } from 'vitest';
import { createBatchPacing } from '../src/batch-pacing.js';

/** Runs `calls` of each batch through the pacing, each call taking a macrotask; returns the order they started in. */
async function runBatches(pacing: ReturnType<typeof createBatchPacing>, batches: Record<string, number>) {
  const started: string[] = [];
  let inFlight = 0;
  let most = 0;
  await Promise.all(
    Object.entries(batches).map(([name, calls]) => {
      const pacer = pacing.forBatch();
      return Promise.all(
        Array.from({ length: calls }, async (_, i) => {
          const leave = await pacer.enter();
          inFlight += 1;
          most = Math.max(most, inFlight);
          started.push(`${name}${i}`);
          await new Promise((r) => setTimeout(r, 1));
          inFlight -= 1;
          leave();
        }),
      );
    }),
  );
  return { started, most };
}

describe('batch pacing', () => {
  it('runs at most `concurrency` calls at once, all batches together', async () => {
    const { started, most } = await runBatches(createBatchPacing({ concurrency: 3, budgetMs: 60_000 }), { a: 10, b: 10, c: 5 });
    expect(started).toHaveLength(25);
    expect(most).toBe(3);
  });

  it('lets waiting batches take turns, one call each, so a small batch is not stuck behind a large one', async () => {
    const { started } = await runBatches(createBatchPacing({ concurrency: 1, budgetMs: 60_000 }), { a: 6, b: 2 });
    // a0 took the free slot; then the batches alternate while both wait.
    expect(started).toEqual(['a0', 'a1', 'b0', 'a2', 'b1', 'a3', 'a4', 'a5']);
  });

  it('refuses, UNAVAILABLE and retryable, the calls that would start after the batch’s budget, and frees their slots', async () => {
    let now = 0;
    const pacing = createBatchPacing({ concurrency: 1, budgetMs: 100, now: () => now });
    const pacer = pacing.forBatch();
    const leave = await pacer.enter();
    now = 100;
    const late = pacer.enter();
    leave();
    const error = await late.catch((e: unknown) => e);
    expect(isCrmError(error) && error.code).toBe('UNAVAILABLE');
    expect(isCrmError(error) && error.retryable).toBe(true);
    expect((error as Error).message).toBe('the batch spent its time budget (100 ms) before this call started; retry it');
    // Another batch, with its own budget, still gets the slot.
    const other = await pacing.forBatch().enter();
    other();
  });

  it('refuses the calls of a batch whose caller went away', async () => {
    const pacer = createBatchPacing({ concurrency: 1, budgetMs: 60_000 }).forBatch();
    const controller = new AbortController();
    controller.abort();
    await expect(pacer.enter(controller.signal)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
