import { createServer } from 'node:net';
import { createTRPCClient, httpLink } from '@trpc/client';
import { bypass, delay, http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '@crmkit/server';
import { createCrmClient, crmRetryLink, isCrmError, type CrmClientOptions, type CrmError } from '../src/index.js';
import { rejectionOf, startServer, type TestServer } from './helpers/server.js';

const msw = setupServer();
let s: TestServer;

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: 'bypass' });
  s = await startServer();
});
afterEach(() => {
  msw.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(async () => {
  msw.close();
  await s.close();
});
beforeEach(() => s.resetRequests());

type Fault = Response | undefined | Promise<Response | undefined>;

/**
 * Puts an msw handler in front of one procedure that counts the attempts reaching the network. `fault(n)`
 * answers attempt n (1-based) itself, or returns undefined to pass the request through to crmkit.
 */
function intercept(method: 'get' | 'post', procedure: string, fault: (attempt: number, request: Request) => Fault): { attempts: number } {
  const seen = { attempts: 0 };
  msw.use(
    http[method](`${s.url}/${procedure}`, async ({ request }) => {
      seen.attempts += 1;
      return (await fault(seen.attempts, request)) ?? passthrough();
    }),
  );
  return seen;
}

/** A client with an admin key and fast retries; `options` override. */
function client(options: Partial<CrmClientOptions> = {}) {
  return createCrmClient({ url: s.url, apiKey: s.adminKey, ...options, retry: { baseDelayMs: 1, ...options.retry } } as CrmClientOptions);
}

async function crmErrorOf(promise: Promise<unknown>): Promise<CrmError> {
  const error = await rejectionOf(promise);
  expect(isCrmError(error), String(error)).toBe(true);
  return error as CrmError;
}

let serial = 0;
/** A name no other test uses, to find exactly this test's accounts. */
const uniqueName = (label: string) => `${label} ${process.pid}-${++serial}`;

const unavailablePage = () => new HttpResponse('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', { status: 503, headers: { 'content-type': 'text/html' } });

describe('retries on 503 and 429', () => {
  it.each([
    ['an HTML page', unavailablePage],
    ['an empty body', () => new HttpResponse(null, { status: 503 })],
    ['JSON that is not crmkit’s', () => HttpResponse.json({ message: 'upstream overloaded' }, { status: 503 })],
  ])('retries a query refused once with HTTP 503 carrying %s and returns the real account', async (_, respond) => {
    const account = await client().accounts.create.mutate({ name: uniqueName('Retry Read Foods') });
    s.resetRequests();
    const seen = intercept('get', 'accounts.get', (n) => (n === 1 ? respond() : undefined));

    expect(await client().accounts.get.query({ id: account.id })).toEqual(account);
    expect(seen.attempts).toBe(2);
    expect(s.requestsFor('accounts.get')).toBe(1);
  });

  it('fails with UNAVAILABLE once the attempts are used up, having tried exactly that often', async () => {
    const seen = intercept('get', 'accounts.list', () => unavailablePage());
    const error = await crmErrorOf(client({ retry: { attempts: 2 } }).accounts.list.query({}));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toEqual({ status: 503 });
    expect(error.retryable).toBe(true);
    expect(seen.attempts).toBe(2);
    expect(s.requestsFor('accounts.list')).toBe(0);
  });

  it('retries a mutation refused with 503 and creates the account exactly once', async () => {
    const name = uniqueName('Retry Write Metals');
    const seen = intercept('post', 'accounts.create', (n) => (n === 1 ? unavailablePage() : undefined));

    const created = await client().accounts.create.mutate({ name });
    expect(created.name).toBe(name);
    expect(seen.attempts).toBe(2);
    expect(s.requestsFor('accounts.create')).toBe(1);
    expect((await client().accounts.list.query({ search: name })).items).toEqual([created]);
  });

  it('retries a query answered 429 with Retry-After: 0', async () => {
    const seen = intercept('get', 'accounts.list', (n) =>
      n === 1 ? new HttpResponse('Too Many Requests', { status: 429, headers: { 'retry-after': '0', 'content-type': 'text/plain' } }) : undefined,
    );
    const page = await client().accounts.list.query({ limit: 1 });
    expect(page.items.length).toBeLessThanOrEqual(1);
    expect(seen.attempts).toBe(2);
    expect(s.requestsFor('accounts.list')).toBe(1);
  });

  it('retries a mutation answered 429 and creates the account exactly once', async () => {
    const name = uniqueName('Rate Limited Paper');
    const seen = intercept('post', 'accounts.create', (n) => (n === 1 ? HttpResponse.json({ message: 'slow down' }, { status: 429, headers: { 'retry-after': '0' } }) : undefined));
    const created = await client().accounts.create.mutate({ name });
    expect(seen.attempts).toBe(2);
    expect((await client().accounts.list.query({ search: name })).items.map((a) => a.id)).toEqual([created.id]);
  });

  it('fails with RATE_LIMITED when every attempt is answered 429', async () => {
    const seen = intercept('get', 'accounts.list', () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } }));
    const error = await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.list.query({}));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toEqual({ status: 429 });
    expect(seen.attempts).toBe(3);
  });

  it.each([502, 504])('reports a proxy’s HTTP %i page as UNAVAILABLE with its status', async (status) => {
    intercept('get', 'accounts.list', () => new HttpResponse('<html>Bad Gateway</html>', { status, headers: { 'content-type': 'text/html' } }));
    const error = await crmErrorOf(client({ retry: { attempts: 1 } }).accounts.list.query({}));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toEqual({ status });
  });

  it('asks getToken again for the retried attempt', async () => {
    let calls = 0;
    const crm = createCrmClient({
      url: s.url,
      getToken: () => {
        calls += 1;
        return s.tokenFor('usr_retry', 'manager');
      },
      retry: { baseDelayMs: 1 },
    });
    const seen = intercept('get', 'accounts.list', (n) => (n === 1 ? unavailablePage() : undefined));
    await crm.accounts.list.query({});
    expect(seen.attempts).toBe(2);
    expect(calls).toBe(2);
  });

  it('retries a batched request refused with 503 and resolves every call in it', async () => {
    const a = await client().accounts.create.mutate({ name: uniqueName('Batch Retry North') });
    const b = await client().accounts.create.mutate({ name: uniqueName('Batch Retry South') });
    let faults = 0;
    msw.use(
      http.get(`${s.url}/*`, () => {
        faults += 1;
        return unavailablePage();
      }, { once: true }),
    );
    const crm = client({ batch: true });
    const [gotA, gotB] = await Promise.all([crm.accounts.get.query({ id: a.id }), crm.accounts.get.query({ id: b.id })]);
    expect(faults).toBe(1);
    expect(gotA).toEqual(a);
    expect(gotB).toEqual(b);
  });
});

describe('waits between attempts (crmRetryLink with a recording sleep)', () => {
  /** A raw tRPC client over crmRetryLink whose sleeps only record their length. */
  function recordingClient(options: Parameters<typeof crmRetryLink>[0]) {
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const trpc = createTRPCClient<AppRouter>({
      links: [crmRetryLink(options, sleep), httpLink({ url: s.url, headers: { authorization: `Bearer ${s.adminKey}` } })],
    });
    return { trpc, waits };
  }

  const json503 = (retryAfter?: string) => HttpResponse.json({ message: 'busy' }, { status: 503, ...(retryAfter === undefined ? {} : { headers: { 'retry-after': retryAfter } }) });

  it('waits what Retry-After asks (seconds or a date), capped by maxDelayMs', async () => {
    const script: Record<number, () => Response> = {
      1: () => json503('0'),
      2: () => HttpResponse.json({ message: 'slow down' }, { status: 429, headers: { 'retry-after': '2' } }),
      3: () => json503('3600'),
      4: () => json503(new Date(0).toUTCString()),
    };
    const seen = intercept('get', 'accounts.list', (n) => script[n]?.());
    const { trpc, waits } = recordingClient({ attempts: 5, baseDelayMs: 1, maxDelayMs: 10_000 });
    const page = await trpc.accounts.list.query({ limit: 1 });
    expect(Array.isArray(page.items)).toBe(true);
    expect(seen.attempts).toBe(5);
    expect(waits).toEqual([0, 2000, 10_000, 0]);
  });

  it('backs off exponentially from baseDelayMs with full jitter, each wait capped by maxDelayMs', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const seen = intercept('get', 'accounts.list', (n) => (n <= 3 ? json503() : undefined));
    const { trpc, waits } = recordingClient({ attempts: 4, baseDelayMs: 100, maxDelayMs: 300 });
    await trpc.accounts.list.query({});
    expect(seen.attempts).toBe(4);
    // 0.5 × min(300, 100 · 2^(n−1)) for n = 1, 2, 3
    expect(waits).toEqual([50, 100, 150]);
  });

  it('makes only the first attempt when attempts is 1', async () => {
    const seen = intercept('get', 'accounts.list', () => json503('0'));
    const { trpc, waits } = recordingClient({ attempts: 1 });
    await rejectionOf(trpc.accounts.list.query({}));
    expect(seen.attempts).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('network errors', () => {
  it('retries a query whose connection failed and returns the real data of the next attempt', async () => {
    const account = await client().accounts.create.mutate({ name: uniqueName('Flaky Link Chemicals') });
    s.resetRequests();
    const seen = intercept('get', 'accounts.get', (n) => (n === 1 ? HttpResponse.error() : undefined));
    expect(await client().accounts.get.query({ id: account.id })).toEqual(account);
    expect(seen.attempts).toBe(2);
    expect(s.requestsFor('accounts.get')).toBe(1);
  });

  it('does not retry a mutation whose connection failed: it fails with NETWORK and nothing is created', async () => {
    const name = uniqueName('Never Written Textiles');
    const seen = intercept('post', 'accounts.create', () => HttpResponse.error());
    const error = await crmErrorOf(client({ retry: { attempts: 5 } }).accounts.create.mutate({ name }));
    expect(error.code).toBe('NETWORK');
    expect(seen.attempts).toBe(1);
    expect(s.requestsFor('accounts.create')).toBe(0);
    expect((await client().accounts.list.query({ search: name })).items).toEqual([]);
  });

  it('fails a query with NETWORK after every attempt failed to connect', async () => {
    const seen = intercept('get', 'accounts.list', () => HttpResponse.error());
    expect((await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.list.query({}))).code).toBe('NETWORK');
    expect(seen.attempts).toBe(3);
  });

  it('reports NETWORK when nothing listens at the url', async () => {
    const closedPort = await new Promise<number>((resolve, reject) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close((err) => (err ? reject(err) : resolve(port)));
      });
    });
    const crm = createCrmClient({ url: `http://127.0.0.1:${closedPort}/trpc`, apiKey: s.adminKey, retry: { attempts: 2, baseDelayMs: 1 } });
    const error = await crmErrorOf(crm.accounts.list.query({}));
    expect(error.code).toBe('NETWORK');
    expect(error.retryable).toBe(true);
  });
});

// The timeout tests get a 5 s budget (25× their timeoutMs): a client that ignored timeoutMs would wait its
// 10 s default and fail here rather than pass slowly.
const timeoutBudget = { timeout: 5_000 };

describe('timeouts', () => {
  it('fails a query with TIMEOUT when crmkit does not answer within timeoutMs', timeoutBudget, async () => {
    const seen = intercept('get', 'accounts.list', async () => {
      await delay('infinite');
      return undefined;
    });
    const error = await crmErrorOf(client({ timeoutMs: 200, retry: { attempts: 1 } }).accounts.list.query({}));
    expect(error.code).toBe('TIMEOUT');
    expect(seen.attempts).toBe(1);
  });

  it('gives each attempt its own timeout, so a query that timed out once succeeds on the retry', timeoutBudget, async () => {
    const account = await client().accounts.create.mutate({ name: uniqueName('Slow Start Ceramics') });
    const seen = intercept('get', 'accounts.get', async (n) => {
      if (n === 1) await delay('infinite');
      return undefined;
    });
    expect(await client({ timeoutMs: 200, retry: { attempts: 2 } }).accounts.get.query({ id: account.id })).toEqual(account);
    expect(seen.attempts).toBe(2);
  });

  it('does not retry a mutation that timed out, so a write that reached crmkit is applied once', timeoutBudget, async () => {
    const name = uniqueName('Slow Answer Glassworks');
    let forwarded: Promise<Response> | undefined;
    const seen = intercept('post', 'accounts.create', async (_, request) => {
      // crmkit gets the write (without the client's abort signal), but its answer never comes back
      const body = await request.text();
      forwarded = fetch(bypass(request.url, { method: 'POST', headers: request.headers, body }));
      await forwarded;
      await delay('infinite');
      return undefined;
    });
    const error = await crmErrorOf(client({ timeoutMs: 200, retry: { attempts: 5 } }).accounts.create.mutate({ name }));
    expect(error.code).toBe('TIMEOUT');
    expect(seen.attempts).toBe(1);
    expect(forwarded).toBeDefined();
    expect((await forwarded!).status).toBe(200);
    expect((await client().accounts.list.query({ search: name })).items.map((a) => a.name)).toEqual([name]);
  });
});

describe('malformed answers', () => {
  it('reports BAD_RESPONSE for a 200 whose body is not JSON, and does not retry it', async () => {
    const seen = intercept('get', 'accounts.list', () => new HttpResponse('not json', { status: 200, headers: { 'content-type': 'text/html' } }));
    const error = await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.list.query({}));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(seen.attempts).toBe(1);
  });

  it('reports BAD_RESPONSE for a 200 JSON body that is not a tRPC envelope', async () => {
    const seen = intercept('get', 'accounts.list', () => HttpResponse.json({ hello: 1 }));
    const error = await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.list.query({}));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.details).toEqual({ status: 200 });
    expect(seen.attempts).toBe(1);
  });

  it('reports BAD_RESPONSE with the status for an HTML 404 page, without retrying', async () => {
    const seen = intercept('get', 'accounts.list', () => new HttpResponse('<html>Not Found</html>', { status: 404, headers: { 'content-type': 'text/html' } }));
    const error = await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.list.query({}));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.details).toEqual({ status: 404 });
    expect(error.message).toContain('HTTP 404');
    expect(seen.attempts).toBe(1);
  });

  it('does not retry a mutation whose answer was malformed', async () => {
    const seen = intercept('post', 'accounts.create', () => new HttpResponse('garbage', { status: 200, headers: { 'content-type': 'text/plain' } }));
    const error = await crmErrorOf(client({ retry: { attempts: 3 } }).accounts.create.mutate({ name: uniqueName('Garbled Reply') }));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(seen.attempts).toBe(1);
  });
});
