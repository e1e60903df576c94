import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmClient } from '@crmkit/client';
import { createCrmServer, type CrmServer, type CrmServerOptions } from '../src/index.js';
import { startHarness, TOKEN_SECRET, type Harness } from './helpers/harness.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

let h: Harness;
let key: string;
const opened: CrmServer[] = [];

beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'cors', role: 'admin' })).secret;
});
afterAll(async () => {
  for (const crm of opened) await crm.close();
  await h.close();
});

/** Another crmkit server over the harness's database with the given options. */
async function crmWith(options: Omit<CrmServerOptions, 'databaseUrl' | 'prisma'>): Promise<CrmServer> {
  const shared = { prisma: { client: h.crm.db, provider: h.crm.provider }, clock: h.clock, auth: { tokenSecret: TOKEN_SECRET } };
  const crm = await createCrmServer({ ...shared, ...options });
  opened.push(crm);
  return crm;
}

type Send = (method: string, path: string, headers?: Record<string, string>, body?: string) => Promise<Response>;

/** Sends raw requests to `crm` through its Node handler (over HTTP) or its fetch handler. */
async function senders(crm: CrmServer): Promise<[[string, Send], [string, Send]]> {
  const { url } = await crm.listen(0);
  const root = url.replace(/\/trpc$/, '');
  return [
    ['the Node handler', (method, path, headers, body) => fetch(`${root}${path}`, { method, headers, body })],
    ['the fetch handler', (method, path, headers, body) => crm.handleFetch(new Request(`http://host.example${path}`, { method, headers, body }))],
  ];
}

const preflight = (origin: string, method = 'POST', headers = 'authorization, content-type') => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': headers,
});

const varyOf = (res: Response) => (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

describe('CORS with allowed origins', () => {
  const sends: Array<[string, Send]> = [];
  beforeAll(async () => {
    sends.push(...(await senders(await crmWith({ cors: { origins: [APP], maxAgeSeconds: 300 } }))));
  });

  for (const which of ['the Node handler', 'the fetch handler']) {
    const send: Send = (...args) => sends.find(([name]) => name === which)![1](...args);

    describe(which, () => {
      it('answers an allowed origin\'s preflight 204 with that origin, the methods, the headers clients send, Max-Age and Vary: Origin', async () => {
        const res = await send('OPTIONS', '/trpc/accounts.create', preflight(APP));
        expect(res.status).toBe(204);
        expect(await res.text()).toBe('');
        expect(res.headers.get('access-control-allow-origin')).toBe(APP);
        expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
        expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, trpc-accept');
        expect(res.headers.get('access-control-max-age')).toBe('300');
        expect(res.headers.get('access-control-allow-credentials')).toBeNull();
        expect(varyOf(res)).toContain('origin');
      });

      it('refuses an unlisted origin\'s preflight with 403 FORBIDDEN and no CORS headers', async () => {
        const res = await send('OPTIONS', '/trpc/accounts.create', preflight(EVIL));
        expect(res.status).toBe(403);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect(res.headers.get('access-control-allow-methods')).toBeNull();
        expect((await res.json()).error.data.crmCode).toBe('FORBIDDEN');
      });

      it('answers a preflight for the health check too, and a preflight outside the endpoint 404', async () => {
        expect((await send('OPTIONS', '/healthz', preflight(APP, 'GET'))).headers.get('access-control-allow-origin')).toBe(APP);
        const outside = await send('OPTIONS', '/elsewhere', preflight(APP));
        expect(outside.status).toBe(404);
      });

      it('gives an allowed origin\'s query and mutation Access-Control-Allow-Origin and Vary: Origin beside tRPC\'s own Vary', async () => {
        const auth = { origin: APP, authorization: `Bearer ${key}` };
        const created = await send('POST', '/trpc/accounts.create', { ...auth, 'content-type': 'application/json' }, '{"name":"CORS Ltd"}');
        expect(created.status).toBe(200);
        expect(created.headers.get('access-control-allow-origin')).toBe(APP);
        expect(created.headers.get('access-control-expose-headers')).toBe('retry-after');
        expect(varyOf(created)).toEqual(expect.arrayContaining(['origin', 'trpc-accept']));
        const id = (await created.json()).result.data.id;
        const got = await send('GET', `/trpc/accounts.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, auth);
        expect(got.status).toBe(200);
        expect(got.headers.get('access-control-allow-origin')).toBe(APP);
        expect(varyOf(got)).toEqual(expect.arrayContaining(['origin', 'trpc-accept']));
        const batchInput = encodeURIComponent(JSON.stringify({ 0: { id }, 1: {} }));
        const batch = await send('GET', `/trpc/accounts.get,accounts.list?batch=1&input=${batchInput}`, auth);
        expect(batch.status).toBe(200);
        expect(batch.headers.get('access-control-allow-origin')).toBe(APP);
        const head = await send('HEAD', '/trpc/accounts.list', auth);
        expect(head.headers.get('access-control-allow-origin')).toBe(APP);
        expect(varyOf(head)).toContain('origin');
      });

      it('gives an unlisted origin\'s requests no CORS headers, so the browser refuses them, and still Vary: Origin', async () => {
        const res = await send('GET', '/trpc/accounts.list', { origin: EVIL, authorization: `Bearer ${key}` });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect(varyOf(res)).toContain('origin');
        const noOrigin = await send('GET', '/trpc/accounts.list', { authorization: `Bearer ${key}` });
        expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
      });

      it('gives error answers to an allowed origin CORS headers too: 401, 404 outside the endpoint, 400, 405, 413 and 415', async () => {
        const cases: Array<[number, string, string, Record<string, string>, string?]> = [
          [401, 'GET', '/trpc/accounts.list', {}],
          [404, 'GET', '/elsewhere', {}],
          [405, 'DELETE', '/trpc/accounts.list', { authorization: `Bearer ${key}` }],
          [413, 'GET', `/trpc/${Array(51).fill('accounts.list').join(',')}?batch=1`, { authorization: `Bearer ${key}` }],
          [415, 'POST', '/trpc/accounts.create', { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, '{}'],
          [400, 'POST', '/trpc/accounts.create', { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, '{"name":'],
        ];
        for (const [status, method, path, headers, body] of cases) {
          const res = await send(method, path, { ...headers, origin: APP }, body);
          expect(res.status, `${method} ${path}`).toBe(status);
          expect(res.headers.get('access-control-allow-origin'), `${method} ${path}`).toBe(APP);
          expect(varyOf(res), `${method} ${path}`).toContain('origin');
        }
      });

      it('keeps the wire answers of requests without Origin: OPTIONS without a preflight\'s headers is 204 with Allow', async () => {
        const res = await send('OPTIONS', '/trpc/accounts.list');
        expect(res.status).toBe(204);
        expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      });
    });
  }
});

describe('CORS options', () => {
  it('sends no CORS headers at all by default, even to a preflight', async () => {
    const [[, node], [, fetchHandler]] = await senders(await crmWith({}));
    for (const send of [node, fetchHandler]) {
      const pre = await send('OPTIONS', '/trpc/accounts.create', preflight(APP));
      expect(pre.status).toBe(204);
      expect(pre.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const res = await send('GET', '/trpc/accounts.list', { origin: APP, authorization: `Bearer ${key}` });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(varyOf(res)).not.toContain('origin');
    }
  });

  it('decides by a function, sends Allow-Credentials when asked, and allows the extra request headers named', async () => {
    const crm = await crmWith({ cors: { origins: (o) => o.endsWith('.example.org'), credentials: true, allowHeaders: ['X-Request-Id'] } });
    const [[, node], [, fetchHandler]] = await senders(crm);
    for (const send of [node, fetchHandler]) {
      const pre = await send('OPTIONS', '/trpc/accounts.list', preflight('https://widgets.example.org', 'GET', 'authorization, x-request-id'));
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://widgets.example.org');
      expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
      expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type, trpc-accept, x-request-id');
      expect(pre.headers.get('access-control-max-age')).toBe('600');
      expect((await send('OPTIONS', '/trpc/accounts.list', preflight('https://example.org.evil.net'))).status).toBe(403);
      const res = await send('GET', '/trpc/accounts.list', { origin: 'https://widgets.example.org' });
      expect(res.status).toBe(401);
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    }
  });

  it('lets @crmkit/client call with an Origin header and read the answers', async () => {
    const crm = await crmWith({ cors: { origins: [APP] } });
    const { url } = await crm.listen(0);
    const seen: Array<string | null> = [];
    const client = createCrmClient({
      url,
      apiKey: key,
      headers: { origin: APP },
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        seen.push(res.headers.get('access-control-allow-origin'));
        return res;
      },
    });
    const created = await client.accounts.create.mutate({ name: 'Widget Ltd' });
    expect((await client.accounts.get.query({ id: created.id })).name).toBe('Widget Ltd');
    expect(seen).toEqual([APP, APP]);
  });
});
