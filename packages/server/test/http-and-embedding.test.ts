import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCrmError } from '@crmkit/core';
import { initTRPC } from '@trpc/server';
import { appRouter, type RequestContext } from '../src/index.js';
import { startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'raw http', role: 'admin' })).secret;
});
afterAll(() => h.close());

const auth = () => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

describe('HTTP edge cases never answer 500', () => {
  it('answers a malformed JSON body with 400 VALIDATION', async () => {
    const res = await fetch(`${h.url}/accounts.create`, { method: 'POST', headers: auth(), body: '{"name": "x",' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.data).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { '': ['the request body is not valid JSON'] } });
  });

  it('answers an unknown procedure with 404 NOT_FOUND and a mutation called with GET with 405', async () => {
    const unknown = await fetch(`${h.url}/accounts.delete`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.data.crmCode).toBe('NOT_FOUND');
    const wrongMethod = await fetch(`${h.url}/accounts.create?input=${encodeURIComponent('{"name":"x"}')}`, { headers: auth() });
    expect(wrongMethod.status).toBe(405);
    expect((await wrongMethod.json()).error.data.crmCode).toBe('METHOD_NOT_SUPPORTED');
  });

  it('refuses a body over the size limit with 413 PAYLOAD_TOO_LARGE, storing nothing', async () => {
    const res = await fetch(`${h.url}/accounts.create`, { method: 'POST', headers: auth(), body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(body.error.data.crmCode).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toMatch(/large|size/i);
    expect(await h.crm.db.account.count({ where: { name: { startsWith: 'xxxx' } } })).toBe(0);
  });

  it('answers paths outside the endpoint with 404 and serves a health check', async () => {
    const root = h.url.replace(/\/trpc$/, '');
    expect((await fetch(`${root}/elsewhere`)).status).toBe(404);
    expect(await (await fetch(`${root}/healthz`)).json()).toEqual({ ok: true });
  });
});

describe('embedding', () => {
  it('serves the same API through the fetch-style handler', async () => {
    const req = new Request('http://host.example/trpc/accounts.create', { method: 'POST', headers: auth(), body: JSON.stringify({ name: 'Via fetch handler' }) });
    const res = await h.crm.handleFetch(req);
    expect(res.status).toBe(200);
    const created = (await res.json()).result.data;
    expect(created.name).toBe('Via fetch handler');
    const get = await h.crm.handleFetch(new Request(`http://host.example/trpc/accounts.get?input=${encodeURIComponent(JSON.stringify({ id: created.id }))}`, { headers: auth() }));
    expect((await get.json()).result.data.id).toBe(created.id);
    const anon = await h.crm.handleFetch(new Request('http://host.example/trpc/accounts.list'));
    expect(anon.status).toBe(401);
  });

  it('runs procedures in-process as a host-supplied actor, with the same rules and errors', async () => {
    const caller = h.crm.createCaller({ tenantId: h.tenantA, type: 'user', id: 'host-user-1', role: 'rep', scopes: null });
    const acc = await caller.accounts.create({ name: 'From the host' });
    expect((await h.adminA.accounts.get.query({ id: acc.id })).name).toBe('From the host');
    const audit = await h.adminA.audit.list.query({ entityType: 'account', entityId: acc.id });
    expect(audit.items[0]!.actor).toEqual({ type: 'user', id: 'host-user-1' });
    const error = await caller.apiKeys.list({}).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('FORBIDDEN');
    expect(isCrmError((error as { cause?: unknown }).cause)).toBe(true);
  });

  it('merges into a host’s own tRPC router', async () => {
    const t = initTRPC.context<RequestContext>().create();
    const hostRouter = t.router({ crm: appRouter, hello: t.procedure.query(() => 'host') });
    const caller = hostRouter.createCaller(h.crm.contextFor({ tenantId: h.tenantA, type: 'user', id: 'host-user-2', role: 'admin', scopes: null }));
    expect(await caller.hello()).toBe('host');
    expect((await caller.crm.accounts.list({ search: 'From the host' })).items.map((a) => a.name)).toEqual(['From the host']);
  });
});
