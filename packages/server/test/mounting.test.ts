import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmClient, isCrmError, type CrmClient } from '@crmkit/client';
import { createCrmServer, type CrmServer, type CrmServerOptions } from '../src/index.js';
import { startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let key: string;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'mounting', role: 'admin' })).secret;
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
  await h.close();
});

/** Another crmkit server over the harness's database, configured as a host would. */
async function crmWith(options: Omit<CrmServerOptions, 'databaseUrl' | 'prisma'> = {}): Promise<CrmServer> {
  const crm = await createCrmServer({ prisma: { client: h.crm.db, provider: h.crm.provider }, clock: h.clock, ...options });
  opened.push(crm);
  return crm;
}

/** Serves an Express app on a free port; resolves with its base URL. */
async function serve(app: express.Express): Promise<string> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A query, a mutation and a batch through `@crmkit/client` all reach the procedures behind `url`. */
async function expectProceduresAnswer(url: string, fetchImpl?: typeof fetch) {
  const client: CrmClient = createCrmClient({ url, apiKey: key, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const created = await client.accounts.create.mutate({ name: `Mounted at ${url}` });
  expect(await client.accounts.get.query({ id: created.id })).toEqual(created);

  const batching: CrmClient = createCrmClient({ url, apiKey: key, batch: true, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const [again, list] = await Promise.all([batching.accounts.get.query({ id: created.id }), batching.accounts.list.query({ limit: 5 })]);
  expect(again.id).toBe(created.id);
  expect(Array.isArray(list.items)).toBe(true);

  const missing = await client.accounts.get.query({ id: 'acc_00000000000000000000000000' }).catch((e: unknown) => e);
  expect(isCrmError(missing) && missing.code).toBe('NOT_FOUND');
}

describe('mounted in Express 5', () => {
  let base: string;
  beforeAll(async () => {
    const crm = await crmWith();
    const app = express();
    app.use('/crm', crm.nodeHandler);
    app.use('/trpc', crm.nodeHandler);
    const nested = express.Router();
    nested.use('/crm', crm.nodeHandler);
    app.use('/api', nested);
    app.get('/', (_req, res) => {
      res.send('the host app');
    });
    base = await serve(app);
  });

  it('answers a query, a mutation and a batch through @crmkit/client under app.use("/crm", crm.nodeHandler)', async () => {
    await expectProceduresAnswer(`${base}/crm`);
  });

  it('answers under app.use("/trpc", crm.nodeHandler) as the getting-started page shows', async () => {
    await expectProceduresAnswer(`${base}/trpc`);
  });

  it('answers under a router mounted inside another mount (app.use("/api", router); router.use("/crm", …))', async () => {
    await expectProceduresAnswer(`${base}/api/crm`);
  });

  it('serves the health check at the mount point, and the host keeps every path outside the mount', async () => {
    const health = await fetch(`${base}/crm/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(await (await fetch(`${base}/`)).text()).toBe('the host app');
    const outside = await fetch(`${base}/elsewhere/accounts.list`, { headers: { authorization: `Bearer ${key}` } });
    expect(outside.status).toBe(404);
  });

  it('answers the mount point itself and an unknown procedure under it with crmkit 404s naming the mount', async () => {
    const atMount = await fetch(`${base}/crm`);
    expect(atMount.status).toBe(404);
    expect((await atMount.json()).error).toMatchObject({ message: 'not found; crmkit answers under /crm/', data: { crmCode: 'NOT_FOUND' } });
    const unknown = await fetch(`${base}/crm/accounts.nothing`, { headers: { authorization: `Bearer ${key}` } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.data.crmCode).toBe('NOT_FOUND');
  });

  it('keeps the request screen under a mount: 415 for a non-JSON POST, 405 for a mutation by GET, 413 for an oversized batch', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const text = await fetch(`${base}/crm/accounts.create`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' });
    expect(text.status).toBe(415);
    const byGet = await fetch(`${base}/crm/accounts.create`, { headers: auth });
    expect(byGet.status).toBe(405);
    expect(byGet.headers.get('allow')).toBe('POST');
    const batch = await fetch(`${base}/crm/${Array(51).fill('accounts.list').join(',')}?batch=1`, { headers: auth });
    expect(batch.status).toBe(413);
  });

  it('answers behind express.json(), which reads the body before crmkit sees it', async () => {
    const crm = await crmWith();
    const app = express();
    app.use(express.json());
    app.use('/crm', crm.nodeHandler);
    await expectProceduresAnswer(`${await serve(app)}/crm`);
  });

  it('answers a CORS preflight under a mount, and its answers carry the CORS headers', async () => {
    const origin = 'https://app.example.com';
    const crm = await crmWith({ cors: { origins: [origin] } });
    const app = express();
    app.use('/crm', crm.nodeHandler);
    const at = await serve(app);
    const pre = await fetch(`${at}/crm/accounts.create`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    const anonymous = await fetch(`${at}/crm/accounts.list`, { headers: { origin } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('reads a full path under the configured endpoint when the host mounts crmkit higher up (endpoint /api/crm, app.use("/api", …))', async () => {
    const crm = await crmWith({ endpoint: '/api/crm' });
    const app = express();
    app.use('/api', crm.nodeHandler);
    const at = await serve(app);
    await expectProceduresAnswer(`${at}/api/crm`);
    expect((await fetch(`${at}/api/crm/healthz`)).status).toBe(200);
  });
});

describe('mounted in fetch-style frameworks', () => {
  it('answers under a Hono route app.all("/api/crm/*") with endpoint /api/crm, and 404s outside it', async () => {
    const crm = await crmWith({ endpoint: '/api/crm' });
    const app = new Hono();
    app.all('/api/crm/*', (c) => crm.handleFetch(c.req.raw));
    const viaHono = ((input: RequestInfo | URL, init?: RequestInit) => app.fetch(new Request(input, init))) as typeof fetch;
    await expectProceduresAnswer('http://host.example/api/crm', viaHono);

    expect(await (await viaHono('http://host.example/api/crm/healthz')).json()).toEqual({ ok: true });
    expect((await viaHono('http://host.example/trpc/accounts.list')).status).toBe(404);
    expect((await viaHono('http://host.example/elsewhere')).status).toBe(404);
  });

  it('answers as a Next route handler (app/api/crm/[...trpc]/route.ts exporting GET and POST)', async () => {
    const crm = await crmWith({ endpoint: '/api/crm' });
    const route = { GET: (req: Request) => crm.handleFetch(req), POST: (req: Request) => crm.handleFetch(req) };
    const viaNext = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      return req.method === 'POST' ? route.POST(req) : route.GET(req);
    }) as typeof fetch;
    await expectProceduresAnswer('https://app.example/api/crm', viaNext);

    const outside = await crm.handleFetch(new Request('https://app.example/api/other/accounts.list'));
    expect(outside.status).toBe(404);
    expect((await outside.json()).error).toMatchObject({ message: 'not found; crmkit answers under /api/crm/', data: { crmCode: 'NOT_FOUND' } });
  });

  it('answers under a full-path endpoint with the Node handler too (Fastify routes, node:http)', async () => {
    const crm = await crmWith({ endpoint: '/api/crm' });
    const { url } = await crm.listen(0);
    expect(url).toMatch(/\/api\/crm$/);
    await expectProceduresAnswer(url);
    expect((await fetch(url.replace(/\/api\/crm$/, '/trpc/accounts.list'))).status).toBe(404);
  });
});
