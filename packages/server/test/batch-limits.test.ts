import { crmErrorCodes, isCrmErrorCode } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmServer, type CrmServer } from '../src/index.js';
import { engine } from './helpers/database.js';
import { startHarness, tableCounts, type Harness } from './helpers/harness.js';

let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'batches', role: 'admin' })).secret;
});
afterAll(() => h.close());

interface Call {
  path: string;
  input: unknown;
}
type CallAnswer = { result: { data: unknown } } | { error: { message: string; data: { crmCode: string; httpStatus: number } } };

/** Sends calls as one tRPC batch (POST for mutations, as httpBatchLink does). */
async function sendBatch(url: string, calls: Call[]): Promise<{ status: number; answers: CallAnswer[] }> {
  const body = Object.fromEntries(calls.map((call, i) => [i, call.input]));
  const res = await fetch(`${url}/${calls.map((c) => c.path).join(',')}?batch=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as CallAnswer[] | CallAnswer;
  return { status: res.status, answers: Array.isArray(json) ? json : [json] };
}

const creates = (n: number, label: string): Call[] => Array.from({ length: n }, (_, i) => ({ path: 'accounts.create', input: { name: `${label} ${i}` } }));

async function startSecondServer(options: { maxBatchSize?: number; batchTimeBudgetMs?: number }): Promise<{ crm: CrmServer; url: string }> {
  const crm = await createCrmServer({ databaseUrl: h.databaseUrl, migrate: false, ...options });
  const { url } = await crm.listen(0);
  return { crm, url };
}

describe(`batch limits (${engine})`, () => {
  it('answers a batch over the default cap of 50 calls with 413 PAYLOAD_TOO_LARGE before running any call', async () => {
    const before = await tableCounts(h.crm);
    const { status, answers } = await sendBatch(h.url, creates(51, 'Over the cap'));
    expect(status).toBe(413);
    expect(answers).toHaveLength(1);
    const error = (answers[0] as Extract<CallAnswer, { error: unknown }>).error;
    expect(error.message).toBe('a batch may carry at most 50 calls; this one carries 51');
    expect(error.data).toMatchObject({ crmCode: 'PAYLOAD_TOO_LARGE', httpStatus: 413, details: { maxBatchSize: 50, calls: 51 } });
    expect(await tableCounts(h.crm)).toEqual(before);
  });

  it('refuses a batch of 1,000 calls sent by GET the same way, through the fetch handler too', async () => {
    const paths = Array.from({ length: 1000 }, () => 'accounts.list').join(',');
    const headers = { authorization: `Bearer ${key}` };
    const viaNode = await fetch(`${h.url}/${paths}?batch=1`, { headers });
    expect(viaNode.status).toBe(413);
    const viaFetch = await h.crm.handleFetch(new Request(`http://host.example/trpc/${paths}?batch=1`, { headers }));
    expect(viaFetch.status).toBe(413);
    expect((await viaFetch.json()).error.data.crmCode).toBe('PAYLOAD_TOO_LARGE');
  });

  it('runs a batch of exactly the cap, every call answered', async () => {
    const { status, answers } = await sendBatch(h.url, creates(50, 'At the cap'));
    expect(status).toBe(200);
    expect(answers.map((a) => ('result' in a ? (a.result.data as { name: string }).name : a.error.message))).toEqual(creates(50, 'At the cap').map((c) => (c.input as { name: string }).name));
  });

  it('takes its cap from maxBatchSize', async () => {
    const second = await startSecondServer({ maxBatchSize: 2 });
    try {
      const before = await tableCounts(h.crm);
      const over = await sendBatch(second.url, creates(3, 'Small cap'));
      expect(over.status).toBe(413);
      expect((over.answers[0] as Extract<CallAnswer, { error: unknown }>).error.data).toMatchObject({ crmCode: 'PAYLOAD_TOO_LARGE', details: { maxBatchSize: 2, calls: 3 } });
      expect(await tableCounts(h.crm)).toEqual(before);
      expect((await sendBatch(second.url, creates(2, 'Small cap'))).status).toBe(200);
    } finally {
      await second.crm.close();
    }
  });

  it('answers the calls of a batch that has spent its time budget UNAVAILABLE (503, retryable), having run none of them', async () => {
    const second = await startSecondServer({ batchTimeBudgetMs: 0 });
    try {
      const before = await tableCounts(h.crm);
      const { status, answers } = await sendBatch(second.url, creates(3, 'Out of time'));
      expect(status).toBe(503);
      for (const answer of answers) {
        expect('error' in answer && answer.error.data).toMatchObject({ crmCode: 'UNAVAILABLE', httpStatus: 503 });
      }
      expect(await tableCounts(h.crm)).toEqual(before);
      // A single call is no batch: the budget does not apply to it.
      const single = await fetch(`${second.url}/accounts.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Single call' }),
      });
      expect(single.status).toBe(200);
    } finally {
      await second.crm.close();
    }
  });

  it('starts each call of a batch on its own turn of the event loop, so other requests are answered meanwhile', async () => {
    // Counts event-loop turns while a batch of 50 writes runs: paced, the batch cannot finish in fewer
    // turns than it has calls per slot (at most 4 run at once); unpaced, it ran as one chain of microtasks.
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns += 1;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      const { status } = await sendBatch(h.url, creates(50, 'Paced'));
      expect(status).toBe(200);
    } finally {
      counting = false;
    }
    expect(turns).toBeGreaterThanOrEqual(Math.ceil(50 / 4));
  });

  it('runs at most batchConcurrency calls of batches at once, all batches together, so batches cannot hold every pooled connection', async () => {
    // The same database through a client that counts the transactions in flight.
    let inFlight = 0;
    let most = 0;
    const db = h.crm.db;
    const counting = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== '$transaction') return Reflect.get(target, property, receiver);
        return async (...args: Parameters<typeof db.$transaction>) => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          try {
            return await (target.$transaction as (...a: unknown[]) => Promise<unknown>)(...args);
          } finally {
            inFlight -= 1;
          }
        };
      },
    });
    const defaultConcurrency = h.crm.provider === 'sqlite' ? 1 : 4;
    for (const concurrency of [undefined, 2]) {
      const crm = await createCrmServer({ prisma: { client: counting, provider: h.crm.provider }, ...(concurrency ? { batchConcurrency: concurrency } : {}) });
      try {
        const { url } = await crm.listen(0);
        most = 0;
        const results = await Promise.all([1, 2, 3].map((b) => sendBatch(url, creates(20, `Bounded ${concurrency ?? 'default'} ${b}`))));
        expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
        expect(most).toBeGreaterThanOrEqual(1);
        expect(most).toBeLessThanOrEqual(concurrency ?? defaultConcurrency);
      } finally {
        await crm.close();
      }
    }
  });

  it('answers several concurrent maximum-size batches and a concurrent update without a single 500', async () => {
    const shared = await h.adminA.accounts.create.mutate({ name: 'Shared while batches run' });
    const batches = Array.from({ length: 4 }, (_, b) => sendBatch(h.url, creates(50, `Concurrent ${b}`)));
    const updates = (async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        const current = await h.adminA.accounts.get.query({ id: shared.id });
        outcomes.push(
          await h.adminA.accounts.update.mutate({ id: shared.id, expectedVersion: current.version, name: `Shared ${i}` }).then(
            () => 'ok',
            (e: { data?: { crmCode?: string } }) => e.data?.crmCode ?? 'unknown',
          ),
        );
      }
      return outcomes;
    })();
    const results = await Promise.all(batches);
    const crmCodes = results.flatMap((r) => r.answers.map((a) => ('error' in a ? a.error.data.crmCode : 'ok')));
    expect(results.map((r) => r.status).filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(crmCodes.filter((c) => c !== 'ok' && c !== 'UNAVAILABLE')).toEqual([]);
    for (const answer of results.flatMap((r) => r.answers)) {
      if ('error' in answer && isCrmErrorCode(answer.error.data.crmCode)) expect(answer.error.data.httpStatus).toBe(crmErrorCodes[answer.error.data.crmCode].http);
    }
    expect((await updates).filter((o) => o !== 'ok' && o !== 'CONFLICT' && o !== 'UNAVAILABLE')).toEqual([]);
    const created = crmCodes.filter((c) => c === 'ok').length;
    expect(await h.crm.db.account.count({ where: { name: { startsWith: 'Concurrent ' } } })).toBe(created);
  }, 60_000);
});
