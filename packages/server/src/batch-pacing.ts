import { setImmediate as nextTurn } from 'node:timers/promises';
import { CrmError } from '@crmkit/core';

/** Paces the calls of one batched request (see `createBatchPacing`). */
export interface BatchPacer {
  /**
   * Waits for a slot, then yields to the event loop once; resolves with the function that frees
   * the slot. Throws UNAVAILABLE when the batch's time budget is spent or its caller went away.
   */
  enter(signal?: AbortSignal): Promise<() => void>;
}

/** One server's slots for the calls of batched requests. */
export interface BatchPacing {
  /** The pacer of one batched request; its time budget starts now. */
  forBatch(): BatchPacer;
}

export interface BatchPacingOptions {
  /** Calls of batched requests that may run at once, all batches together. */
  concurrency: number;
  /** Milliseconds from a batch's arrival after which its calls that have not started are refused. */
  budgetMs: number;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
}

/**
 * Paces the calls of batched requests. At most `concurrency` of them run at once, whatever the
 * number of batches (so batches cannot hold every pooled connection, and single calls always find
 * one); waiting batches take turns, one call each; every call starts on its own turn of the event
 * loop (so a synchronous driver cannot starve other requests, /healthz among them); and no call
 * of a batch starts after its `budgetMs`. A refused call did nothing, so repeating it is safe.
 *
 * @example
 * const pacing = createBatchPacing({ concurrency: 4, budgetMs: 10_000 });
 * const pacer = pacing.forBatch(); // per request
 * const leave = await pacer.enter(signal);
 * try { await runTheCall() } finally { leave() }
 */
export function createBatchPacing(options: BatchPacingOptions): BatchPacing {
  const now = options.now ?? (() => performance.now());
  const concurrency = Math.max(1, options.concurrency);
  let running = 0;
  // The batches with calls waiting, in turn order; each queue leaves the rotation when it empties.
  const rotation: Array<Array<() => void>> = [];
  let turn = 0;

  // A freed slot passes straight to the next batch's waiting call, so `running` counts the slots taken.
  const free = () => {
    if (rotation.length === 0) {
      running -= 1;
      return;
    }
    turn %= rotation.length;
    const queue = rotation[turn]!;
    const next = queue.shift()!;
    if (queue.length === 0) rotation.splice(turn, 1);
    else turn += 1;
    next();
  };

  return {
    forBatch() {
      const deadline = now() + options.budgetMs;
      const queue: Array<() => void> = [];
      return {
        async enter(signal) {
          if (running < concurrency) running += 1;
          else {
            await new Promise<void>((resolve) => {
              if (queue.length === 0) rotation.push(queue);
              queue.push(resolve);
            });
          }
          await nextTurn();
          if (signal?.aborted) {
            free();
            throw new CrmError('UNAVAILABLE', 'the caller went away before this call of its batch started');
          }
          if (now() >= deadline) {
            free();
            throw new CrmError('UNAVAILABLE', `the batch spent its time budget (${options.budgetMs} ms) before this call started; retry it`, {
              details: { budgetMs: options.budgetMs },
            });
          }
          let left = false;
          return () => {
            if (left) return;
            left = true;
            free();
          };
        },
      };
    },
  };
}
