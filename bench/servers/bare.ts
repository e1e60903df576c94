/**
 * The baseline: a bare node:http handler answering the same two calls as crmkit's
 * accounts.get and accounts.list with raw better-sqlite3 prepared statements on the same file.
 *
 * It does the same essential work per request — parse the tRPC-style URL and input, check the
 * API key by its SHA-256 (cached like crmkit's), run the same SQL Prisma generates, turn the
 * stored TEXT timestamps and INTEGER booleans into the same JSON — and answers the same body,
 * `{"result":{"data":…}}`. run.ts checks the bodies are byte-identical to crmkit's.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { accountIdPattern as accountId, columns, fail, grades, KEY_CACHE_MS, send, toAccount, type AccountRow } from './bare-accounts.js';
import { argValue, serveChild } from './child.js';

serveChild(async () => {
  const path = argValue('--database-url').replace(/^file:/, '');
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const getStmt = db.prepare<[string, string, number, number], AccountRow>(`SELECT ${columns} FROM "Account" WHERE ("id" = ? AND "tenantId" = ?) LIMIT ? OFFSET ?`);
  const listStmt = db.prepare<[string, string, number, number], AccountRow>(
    `SELECT ${columns} FROM "Account" WHERE ("tenantId" = ? AND "grade" = ? AND "archivedAt" IS NULL) ORDER BY "id" DESC LIMIT ? OFFSET ?`,
  );
  const keyStmt = db.prepare<[string], { tenantId: string; role: string; revokedAt: string | null; expiresAt: string | null }>(
    `SELECT "tenantId", "role", "revokedAt", "expiresAt" FROM "ApiKey" WHERE "secretHash" = ? LIMIT 1`,
  );
  const keyCache = new Map<string, { tenantId: string | null; checkedAt: number }>();

  function tenantOf(authorization: string | undefined): string | null {
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!secret) return null;
    const hash = createHash('sha256').update(secret).digest('hex');
    const now = Date.now();
    let cached = keyCache.get(hash);
    if (!cached || now - cached.checkedAt > KEY_CACHE_MS) {
      const row = keyStmt.get(hash);
      const valid = row && !row.revokedAt && (!row.expiresAt || new Date(row.expiresAt).getTime() > now);
      cached = { tenantId: valid ? row.tenantId : null, checkedAt: now };
      keyCache.set(hash, cached);
    }
    return cached.tenantId;
  }

  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    let input: Record<string, unknown>;
    try {
      const raw = q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('input');
      input = raw === null ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      return fail(res, 400, 'PARSE_ERROR', 'input is not JSON');
    }
    const tenantId = tenantOf(req.headers.authorization);
    if (!tenantId) return fail(res, 401, 'UNAUTHORIZED', 'missing or invalid credentials');

    if (pathname === '/trpc/accounts.get') {
      if (typeof input.id !== 'string' || !accountId.test(input.id)) return fail(res, 400, 'BAD_REQUEST', 'expected an account id');
      const row = getStmt.get(input.id, tenantId, 1, 0);
      if (!row) return fail(res, 404, 'NOT_FOUND', `account ${input.id} not found`);
      return send(res, 200, { result: { data: toAccount(row) } });
    }
    if (pathname === '/trpc/accounts.list') {
      const limit = input.limit ?? 50;
      if (typeof input.grade !== 'string' || !grades.has(input.grade)) return fail(res, 400, 'BAD_REQUEST', 'this baseline lists by grade only');
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 200) return fail(res, 400, 'BAD_REQUEST', 'limit must be 1–200');
      const rows = listStmt.all(tenantId, input.grade, limit + 1, 0);
      const items = rows.slice(0, limit).map(toAccount);
      const nextCursor = rows.length > limit ? Buffer.from(JSON.stringify({ id: items[items.length - 1]!.id })).toString('base64url') : null;
      return send(res, 200, { result: { data: { items, nextCursor } } });
    }
    return fail(res, 404, 'NOT_FOUND', `no procedure ${pathname}`);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
});
