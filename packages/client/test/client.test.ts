import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createCrmClient, CrmError, isCrmError, type CrmClient, type RouterOutputs } from '../src/index.js';
import { MISSING_ACCOUNT_ID, rejectionOf, startServer, type TestServer } from './helpers/server.js';

let s: TestServer;
let admin: CrmClient;

beforeAll(async () => {
  s = await startServer();
  admin = createCrmClient({ url: s.url, apiKey: s.adminKey, retry: { baseDelayMs: 1 } });
});
afterAll(() => s.close());
beforeEach(() => s.resetRequests());

/** The CrmError a call failed with (asserting that it is one). */
async function crmErrorOf(promise: Promise<unknown>): Promise<CrmError> {
  const error = await rejectionOf(promise);
  expect(isCrmError(error), String(error)).toBe(true);
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

describe('with an API key', () => {
  it('creates an account, reads it back by id and finds it in the list, with typed results', async () => {
    const created = await admin.accounts.create.mutate({ name: '  Hualian Supermarkets  ', grade: 'A', currency: 'CNY' });
    expect(created).toMatchObject({ name: 'Hualian Supermarkets', grade: 'A', currency: 'CNY', parentId: null, version: 1, archivedAt: null });
    expect(created.id).toMatch(/^acc_[0-9A-Z]{26}$/);

    const fetched = await admin.accounts.get.query({ id: created.id });
    expect(fetched).toEqual(created);

    const page = await admin.accounts.list.query({ search: 'hualian' });
    expect(page.items).toEqual([created]);
    expect(page.nextCursor).toBeNull();

    expectTypeOf(created).toEqualTypeOf<RouterOutputs['accounts']['create']>();
    expectTypeOf(fetched.grade).toEqualTypeOf<'A' | 'B' | 'C' | 'D' | null>();
    expectTypeOf(page.items).toEqualTypeOf<RouterOutputs['accounts']['get'][]>();
    expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
  });

  it('sends the key as a Bearer credential together with the extra headers', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, headers: { 'x-request-source': 'erp-sync' } });
    await crm.accounts.list.query({ limit: 1 });
    expect(s.requestHeaders).toHaveLength(1);
    expect(s.requestHeaders[0]).toMatchObject({ authorization: `Bearer ${s.adminKey}`, 'x-request-source': 'erp-sync' });
  });

  it('keeps the API key as the credential when the extra headers also carry an authorization header', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, headers: { authorization: 'Bearer crm_not_a_real_key' } });
    await crm.accounts.list.query({ limit: 1 }); // would fail UNAUTHORIZED if the bogus header won
    expect(s.requestHeaders[0]?.authorization).toBe(`Bearer ${s.adminKey}`);
  });
});

describe('with user tokens', () => {
  it('calls getToken once per request and acts as that user', async () => {
    let calls = 0;
    const crm = createCrmClient({
      url: s.url,
      getToken: async () => {
        calls += 1;
        return s.tokenFor('usr_mei', 'rep');
      },
    });
    const created = await crm.accounts.create.mutate({ name: 'Token Holder Trading' });
    expect(calls).toBe(1);
    expect((await crm.accounts.get.query({ id: created.id })).name).toBe('Token Holder Trading');
    expect(calls).toBe(2);
    expect((await crm.accounts.list.query({ search: 'Token Holder' })).items.map((a) => a.id)).toEqual([created.id]);
    expect(calls).toBe(3);

    // A rep who creates an account becomes its owner: two events, both by that user.
    const audit = await admin.audit.list.query({ entityType: 'account', entityId: created.id });
    expect(audit.items.map((e) => [e.action, e.actor])).toEqual([
      ['account.ownership_changed', { type: 'user', id: 'usr_mei' }],
      ['account.created', { type: 'user', id: 'usr_mei' }],
    ]);
  });

  it('uses whatever getToken returns now, so a token that went bad fails the next request with UNAUTHORIZED', async () => {
    let token = await s.tokenFor('usr_li', 'manager');
    const crm = createCrmClient({ url: s.url, getToken: () => token, retry: { baseDelayMs: 1 } });
    expect(Array.isArray((await crm.accounts.list.query({})).items)).toBe(true);
    token = 'not-a-token';
    expect((await crmErrorOf(crm.accounts.list.query({}))).code).toBe('UNAUTHORIZED');
  });

  it('fails with a CrmError when getToken throws, without sending a request', async () => {
    const crm = createCrmClient({
      url: s.url,
      getToken: () => {
        throw new Error('session expired');
      },
      retry: { attempts: 1 },
    });
    const error = await crmErrorOf(crm.accounts.list.query({}));
    expect(error.message).toContain('session expired');
    expect(s.requestsFor('accounts.list')).toBe(0);
  });
});

describe('server errors become CrmError', () => {
  it('reports NOT_FOUND for an account id the tenant does not have', async () => {
    const error = await crmErrorOf(admin.accounts.get.query({ id: MISSING_ACCOUNT_ID }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(MISSING_ACCOUNT_ID);
    expect(error.fieldErrors).toBeUndefined();
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBe(404);
  });

  it('reports VALIDATION with fieldErrors naming the field for an empty name', async () => {
    const error = await crmErrorOf(admin.accounts.create.mutate({ name: '' }));
    expect(error.code).toBe('VALIDATION');
    expect(Object.keys(error.fieldErrors ?? {})).toEqual(['name']);
    expect(error.fieldErrors?.name?.length).toBeGreaterThan(0);
    expect(error.fieldErrors?.name?.every((m) => typeof m === 'string' && m.length > 0)).toBe(true);
  });

  it('reports UNAUTHORIZED for a key crmkit does not know', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: 'crm_this_key_does_not_exist' });
    const error = await crmErrorOf(crm.accounts.list.query({}));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.fieldErrors).toBeUndefined();
    expect(error.httpStatus).toBe(401);
  });

  it("reports FORBIDDEN when a rep's token tries to create an API key", async () => {
    const rep = createCrmClient({ url: s.url, getToken: () => s.tokenFor('usr_rep', 'rep') });
    const error = await crmErrorOf(rep.apiKeys.create.mutate({ name: 'sneaky', role: 'admin' }));
    expect(error.code).toBe('FORBIDDEN');
    const keys = await admin.apiKeys.list.query({});
    expect(keys.items.map((k) => k.name)).not.toContain('sneaky');
  });
});

describe('non-retryable failures are sent once', () => {
  it('does not repeat a query that failed with NOT_FOUND', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, retry: { attempts: 5, baseDelayMs: 1 } });
    expect((await crmErrorOf(crm.accounts.get.query({ id: MISSING_ACCOUNT_ID }))).code).toBe('NOT_FOUND');
    expect(s.requestsFor('accounts.get')).toBe(1);
  });

  it('does not repeat a query or a mutation that failed with VALIDATION', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, retry: { attempts: 5, baseDelayMs: 1 } });
    expect((await crmErrorOf(crm.accounts.get.query({ id: 'not-an-id' }))).code).toBe('VALIDATION');
    expect((await crmErrorOf(crm.accounts.create.mutate({ name: '' }))).code).toBe('VALIDATION');
    expect(s.requestsFor('accounts.get')).toBe(1);
    expect(s.requestsFor('accounts.create')).toBe(1);
  });

  it('does not repeat a call refused with UNAUTHORIZED', async () => {
    const crm = createCrmClient({ url: s.url, apiKey: 'crm_wrong', retry: { attempts: 5, baseDelayMs: 1 } });
    expect((await crmErrorOf(crm.accounts.list.query({}))).code).toBe('UNAUTHORIZED');
    expect(s.requestsFor('accounts.list')).toBe(1);
  });
});

describe('batch mode', () => {
  it('answers two concurrent queries correctly from one HTTP request', async () => {
    const a = await admin.accounts.create.mutate({ name: 'Batch Alpha Foods', grade: 'B' });
    const b = await admin.accounts.create.mutate({ name: 'Batch Beta Logistics', grade: 'C' });
    s.resetRequests();
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, batch: true });
    const [gotA, gotB] = await Promise.all([crm.accounts.get.query({ id: a.id }), crm.accounts.get.query({ id: b.id })]);
    expect(gotA).toEqual(a);
    expect(gotB).toEqual(b);
    expect(s.requests).toEqual(['/trpc/accounts.get,accounts.get']);
  });

  it('splits calls beyond maxBatchSize into several requests, so a burst never exceeds the server cap', async () => {
    const a = await admin.accounts.create.mutate({ name: 'Batch Split Foods' });
    s.resetRequests();
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, batch: true, maxBatchSize: 2 });
    const got = await Promise.all([1, 2, 3, 4, 5].map(() => crm.accounts.get.query({ id: a.id })));
    expect(got).toEqual([a, a, a, a, a]);
    expect(s.requests.map((r) => r.split(',').length).sort()).toEqual([1, 2, 2]);
  });

  it('keeps a burst larger than the server default under it by default (50 calls a request)', async () => {
    const a = await admin.accounts.create.mutate({ name: 'Batch Burst Foods' });
    s.resetRequests();
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, batch: true });
    const got = await Promise.all(Array.from({ length: 60 }, () => crm.accounts.get.query({ id: a.id })));
    expect(got).toHaveLength(60);
    expect(s.requests.map((r) => r.split(',').length).sort((x, y) => x - y)).toEqual([10, 50]);
  });

  it('splits a batch whose GET URL would grow too long (long CJK searches), so the server never refuses its head', async () => {
    s.resetRequests();
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, batch: true });
    const search = '华联超市杭州分店'.repeat(18);
    const pages = await Promise.all(Array.from({ length: 50 }, () => crm.accounts.list.query({ search })));
    expect(pages.every((p) => p.items.length === 0)).toBe(true);
    expect(s.requests.length).toBeGreaterThan(1);
  });

  it('fails only the call that failed when a batch mixes success and NOT_FOUND', async () => {
    const a = await admin.accounts.create.mutate({ name: 'Batch Gamma Textiles' });
    const crm = createCrmClient({ url: s.url, apiKey: s.adminKey, batch: true });
    const [found, missing, listed] = await Promise.allSettled([
      crm.accounts.get.query({ id: a.id }),
      crm.accounts.get.query({ id: MISSING_ACCOUNT_ID }),
      crm.accounts.list.query({ search: 'Batch Gamma' }),
    ]);
    expect(found).toEqual({ status: 'fulfilled', value: a });
    expect(listed).toEqual({ status: 'fulfilled', value: { items: [a], nextCursor: null } });
    expect(missing.status).toBe('rejected');
    const reason = (missing as PromiseRejectedResult).reason as unknown;
    expect(isCrmError(reason) && reason.code).toBe('NOT_FOUND');
  });
});
