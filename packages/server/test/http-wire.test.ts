import { request as httpRequest } from 'node:http';
import { crmErrorCodes, isCrmErrorCode } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let key: string;
let root: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'wire', role: 'admin' })).secret;
  root = h.url.replace(/\/trpc$/, '');
});
afterAll(() => h.close());

interface RawRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Expected {
  status: number;
  crmCode?: string;
  message?: string | RegExp;
  allow?: string;
  fieldErrors?: Record<string, string[]>;
}

const json = { 'content-type': 'application/json' };
const q = (input: unknown) => `?input=${encodeURIComponent(JSON.stringify(input))}`;

/** Raw requests as curl would send them, and what crmkit answers each. */
const cases = (): Array<[RawRequest, Expected]> => {
  const auth = { authorization: `Bearer ${key}` };
  return [
    [{ name: 'a query', method: 'GET', path: '/trpc/accounts.list', headers: auth }, { status: 200 }],
    [{ name: 'a mutation', method: 'POST', path: '/trpc/accounts.create', headers: { ...auth, ...json }, body: '{"name":"Wire Ltd"}' }, { status: 200 }],
    [{ name: 'the health check', method: 'GET', path: '/healthz' }, { status: 200 }],
    [{ name: 'the health check by HEAD', method: 'HEAD', path: '/healthz' }, { status: 200 }],
    [{ name: 'a malformed path by HEAD (the headers of its GET, no body)', method: 'HEAD', path: '/trpc/%' }, { status: 400 }],
    [{ name: 'OPTIONS on the health check', method: 'OPTIONS', path: '/healthz' }, { status: 204, allow: 'GET, HEAD, OPTIONS' }],
    [{ name: 'POST on the health check', method: 'POST', path: '/healthz', headers: json, body: '{}' }, { status: 405, crmCode: 'METHOD_NOT_SUPPORTED', allow: 'GET, HEAD, OPTIONS' }],
    [{ name: 'OPTIONS', method: 'OPTIONS', path: '/trpc/accounts.create' }, { status: 204, allow: 'GET, HEAD, POST, OPTIONS' }],
    ...(['PUT', 'DELETE', 'PATCH'] as const).map((method): [RawRequest, Expected] => [
      { name: method, method, path: '/trpc/accounts.create', headers: { ...auth, ...json }, ...(method === 'DELETE' ? {} : { body: '{"name":"x"}' }) },
      { status: 405, crmCode: 'METHOD_NOT_SUPPORTED', allow: 'GET, HEAD, POST, OPTIONS', message: `crmkit answers GET, HEAD, POST, OPTIONS, not ${method}: queries are GET, mutations POST` },
    ]),
    [{ name: 'a mutation by GET', method: 'GET', path: `/trpc/accounts.create${q({ name: 'x' })}`, headers: auth }, { status: 405, crmCode: 'METHOD_NOT_SUPPORTED', allow: 'POST' }],
    [{ name: 'a query by POST', method: 'POST', path: '/trpc/accounts.list', headers: { ...auth, ...json }, body: '{}' }, { status: 405, crmCode: 'METHOD_NOT_SUPPORTED', allow: 'GET, HEAD' }],
    [
      { name: 'a text/plain body', method: 'POST', path: '/trpc/accounts.create', headers: { ...auth, 'content-type': 'text/plain' }, body: '{"name":"x"}' },
      { status: 415, crmCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'crmkit accepts request bodies of type application/json, not "text/plain"' },
    ],
    [
      { name: 'a body without content-type', method: 'POST', path: '/trpc/accounts.create', headers: auth, body: '{"name":"x"}' },
      { status: 415, crmCode: 'UNSUPPORTED_MEDIA_TYPE', message: 'a POST needs the header content-type: application/json' },
    ],
    [
      { name: 'bad JSON in the input parameter', method: 'GET', path: '/trpc/accounts.get?input=%7B%22id%22%3A', headers: auth },
      { status: 400, crmCode: 'VALIDATION', message: 'the `input` query parameter is not valid JSON', fieldErrors: { '': ['the `input` query parameter is not valid JSON'] } },
    ],
    [
      { name: 'a bad JSON body', method: 'POST', path: '/trpc/accounts.create', headers: { ...auth, ...json }, body: '{"name":' },
      { status: 400, crmCode: 'VALIDATION', message: 'the request body is not valid JSON', fieldErrors: { '': ['the request body is not valid JSON'] } },
    ],
    [{ name: 'an invalid input', method: 'POST', path: '/trpc/accounts.create', headers: { ...auth, ...json }, body: '{"name":""}' }, { status: 400, crmCode: 'VALIDATION' }],
    [
      { name: 'a body over the size limit', method: 'POST', path: '/trpc/accounts.create', headers: { ...auth, ...json }, body: JSON.stringify({ name: 'x'.repeat(1024 * 1024) }) },
      { status: 413, crmCode: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this server accepts (1048576 bytes)' },
    ],
    [
      { name: 'a batch over the cap', method: 'GET', path: `/trpc/${Array(51).fill('accounts.list').join(',')}?batch=1`, headers: auth },
      { status: 413, crmCode: 'PAYLOAD_TOO_LARGE', message: 'a batch may carry at most 50 calls; this one carries 51' },
    ],
    [
      { name: 'a path that is not URL encoding', method: 'GET', path: '/trpc/%E0%A4%A', headers: auth },
      { status: 400, crmCode: 'VALIDATION', message: 'the procedure path is not valid URL encoding' },
    ],
    [{ name: 'a lone %', method: 'GET', path: '/trpc/%' }, { status: 400, crmCode: 'VALIDATION' }],
    [{ name: 'an unknown procedure', method: 'GET', path: '/trpc/accounts.nope', headers: auth }, { status: 404, crmCode: 'NOT_FOUND' }],
    [{ name: 'a path outside the endpoint', method: 'GET', path: '/elsewhere' }, { status: 404, crmCode: 'NOT_FOUND', message: 'not found; crmkit answers under /trpc/' }],
    [{ name: 'no credentials', method: 'GET', path: '/trpc/accounts.list' }, { status: 401, crmCode: 'UNAUTHORIZED' }],
    [{ name: 'a missing account', method: 'GET', path: `/trpc/accounts.get${q({ id: `acc_${'0'.repeat(26)}` })}`, headers: auth }, { status: 404, crmCode: 'NOT_FOUND' }],
  ];
};

/** Sends one raw request through node:http (no fetch rules on methods or bodies) to the listening server. */
function sendRaw(req: RawRequest): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(root);
    const r = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers: req.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** What every answer must be: an error's HTTP status is its code's status in the one table. */
function checkAnswer(req: RawRequest, expected: Expected, status: number, allow: string | undefined | null, body: string) {
  expect(status, req.name).toBe(expected.status);
  if (expected.allow !== undefined) expect(allow, req.name).toBe(expected.allow);
  if (status === 204 || req.method === 'HEAD') {
    expect(body, req.name).toBe('');
    return;
  }
  const parsed = JSON.parse(body) as { error?: { message: string; data: { crmCode: string; httpStatus: number; fieldErrors: unknown } } };
  if (status < 300) {
    expect(parsed.error, req.name).toBeUndefined();
    return;
  }
  const data = parsed.error!.data;
  expect(isCrmErrorCode(data.crmCode), req.name).toBe(true);
  expect(status, `${req.name}: ${data.crmCode}`).toBe(crmErrorCodes[data.crmCode as keyof typeof crmErrorCodes].http);
  expect(data.httpStatus, req.name).toBe(status);
  expect(data.crmCode, req.name).toBe(expected.crmCode);
  if (expected.message !== undefined) expect(parsed.error!.message, req.name).toMatch(typeof expected.message === 'string' ? new RegExp(`^${expected.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : expected.message);
  if (expected.fieldErrors !== undefined) expect(data.fieldErrors, req.name).toEqual(expected.fieldErrors);
}

describe('wire answers agree with the error table', () => {
  it('answers raw HTTP requests with the HTTP status of their crmCode in the table, over node:http', async () => {
    for (const [req, expected] of cases()) {
      const res = await sendRaw(req);
      checkAnswer(req, expected, res.status, res.headers.allow as string | undefined, res.body);
    }
  });

  it('gives the same answers through the fetch handler', async () => {
    for (const [req, expected] of cases()) {
      // Bytes, not a string: fetch would add content-type text/plain to a string body.
      const body = req.body === undefined ? {} : { body: new TextEncoder().encode(req.body) };
      const res = await h.crm.handleFetch(new Request(`http://host.example${req.path}`, { method: req.method, headers: req.headers ?? {}, ...body }));
      checkAnswer(req, expected, res.status, res.headers.get('allow'), await res.text());
    }
  });

  it('refuses a chunked body over the size limit with 413, though it declared no length', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(root);
      const r = httpRequest(
        { host: url.hostname, port: url.port, method: 'POST', path: '/trpc/accounts.create', headers: { authorization: `Bearer ${key}`, ...json, 'transfer-encoding': 'chunked' } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, body }));
        },
      );
      r.on('error', reject);
      r.write('{"name":"');
      for (let i = 0; i < 20; i += 1) r.write('x'.repeat(64 * 1024));
      r.end('"}');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({
      message: 'the request body is larger than this server accepts (1048576 bytes)',
      data: { crmCode: 'PAYLOAD_TOO_LARGE', httpStatus: 413, details: { maxBodySize: 1048576 } },
    });
  });

  it('refuses through the fetch handler a streamed body over the size limit with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 40) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await h.crm.handleFetch(
      new Request('http://host.example/trpc/accounts.create', { method: 'POST', headers: { authorization: `Bearer ${key}`, ...json }, body, duplex: 'half' } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error.data.crmCode).toBe('PAYLOAD_TOO_LARGE');
  });
});
