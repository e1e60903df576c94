/**
 * The write baseline: a bare node:http handler answering crmkit's accounts.create, accounts.update,
 * accounts.get and accounts.list (tRPC's `httpLink` wire format, so `@crmkit/client` calls it as it
 * calls crmkit) with raw better-sqlite3 prepared statements. It imports nothing from crmkit.
 *
 * A write does the same essential work as crmkit's: parse and check the input, check the API key by
 * its SHA-256 (cached like crmkit's), and in one transaction that takes the write lock first
 * (`BEGIN IMMEDIATE`) write the same rows with the same columns and JSON sizes: the Account row
 * (nameSearch by the same NFKC-lowercase rule), an AuditEvent (before/after as the Account JSON) and
 * an OutboxEvent (`{actor, before, after}`). An admin API key owns nothing, so no AccountOwnership
 * row (crmkit writes none for that actor either). An update reads the row, writes only the changed
 * columns guarded by the version, and takes the new row from `UPDATE … RETURNING`.
 *
 * Durability: `--synchronous N` (0–3, as `PRAGMA synchronous` reports it) sets the level; writes.ts
 * passes the level crmkit's own connection reports. The child reports its effective settings,
 * which writes.ts checks against crmkit's.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { accountIdPattern, columns, fail, grades, KEY_CACHE_MS, send, toAccount, type Account, type AccountRow } from './bare-accounts.js';
import { argValue, serveChild } from './child.js';

interface Actor { tenantId: string; keyId: string }

/** The fields a create or update may set, with their maximum length (booleans: 0). */
const editable: Record<string, number> = { name: 200, grade: 1, settlesOwnInvoices: 0, taxId: 64, phone: 32, email: 254, website: 2048, region: 100, currency: 3 };

/** The same rule as crmkit's searchKey (NFKC, lower-case, whitespace collapsed), copied: the baseline imports nothing from crmkit. */
const searchKey = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
/** DateTime as Prisma's SQLite adapter stores it. */
const sqliteDateTime = (d: Date) => d.toISOString().replace(/Z$/, '+00:00');

/** A ULID-shaped id like crmkit's newId (`acc_` + 26 Crockford base32 characters). */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomBytes = new Uint8Array(16);
function newId(prefix: string): string {
  let time = Date.now();
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32]! + out;
    time = Math.floor(time / 32);
  }
  randomFillSync(randomBytes);
  for (const b of randomBytes) out += ALPHABET[b & 31]!;
  return `${prefix}_${out}`;
}


class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The input's editable fields, checked (types, lengths, trimmed text), or BAD_REQUEST. */
function fieldsOf(input: Record<string, unknown>, allowed: Set<string>, nullable: boolean): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!allowed.has(key)) throw new HttpError(400, 'BAD_REQUEST', `unknown field ${key}`);
    if (value === undefined) continue;
    if (value === null && nullable && key !== 'name' && key !== 'settlesOwnInvoices') out[key] = null;
    else if (key === 'settlesOwnInvoices' && typeof value === 'boolean') out[key] = value ? 1 : 0;
    else if (typeof value === 'string' && key !== 'settlesOwnInvoices') {
      const text = value.trim();
      if (text === '' || text.length > editable[key]! || text.includes('\u0000')) throw new HttpError(400, 'BAD_REQUEST', `invalid ${key}`);
      if (key === 'grade' && !grades.has(text)) throw new HttpError(400, 'BAD_REQUEST', 'invalid grade');
      out[key] = key === 'email' ? text.toLowerCase() : text;
    } else throw new HttpError(400, 'BAD_REQUEST', `invalid ${key}`);
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

serveChild(async () => {
  const path = argValue('--database-url').replace(/^file:/, '');
  const synchronous = Number(argValue('--synchronous'));
  if (![0, 1, 2, 3].includes(synchronous)) throw new Error(`--synchronous takes 0–3, got ${argValue('--synchronous')}`);
  const db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma(`synchronous = ${synchronous}`);
  // The effective settings, read after a first read of the file (SQLite applies WAL's default then).
  db.prepare('SELECT count(*) FROM "ApiKey"').get();
  const info = { synchronous: Number(db.pragma('synchronous', { simple: true })), journal_mode: String(db.pragma('journal_mode', { simple: true })) };

  const getStmt = db.prepare<[string, string], AccountRow>(`SELECT ${columns} FROM "Account" WHERE "id" = ? AND "tenantId" = ? LIMIT 1`);
  const listStmt = db.prepare<[string, string, number], AccountRow>(
    `SELECT ${columns} FROM "Account" WHERE "tenantId" = ? AND "grade" = ? AND "archivedAt" IS NULL ORDER BY "id" DESC LIMIT ?`,
  );
  const keyStmt = db.prepare<[string], { id: string; tenantId: string; role: string; revokedAt: string | null; expiresAt: string | null }>(
    `SELECT "id", "tenantId", "role", "revokedAt", "expiresAt" FROM "ApiKey" WHERE "secretHash" = ? LIMIT 1`,
  );
  const insertAccount = db.prepare(`INSERT INTO "Account" ("id", "tenantId", "name", "nameSearch", "parentId", "grade", "settlesOwnInvoices", "taxId", "phone",
    "email", "website", "region", "currency", "version", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`);
  const insertAudit = db.prepare(`INSERT INTO "AuditEvent" ("id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", "at")
    VALUES (?, ?, 'apiKey', ?, ?, 'account', ?, ?, ?, ?)`);
  const insertOutbox = db.prepare(`INSERT INTO "OutboxEvent" ("id", "tenantId", "type", "entityType", "entityId", "payload", "createdAt")
    VALUES (?, ?, ?, 'account', ?, ?, ?)`);
  /** UPDATE statements by the set of changed columns. */
  const updates = new Map<string, Database.Statement<unknown[], AccountRow>>();
  const updateStmt = (changed: string[]) => {
    const key = changed.join(',');
    let stmt = updates.get(key);
    if (!stmt) {
      const set = [...changed, 'nameSearch'].filter((c) => c !== 'nameSearch' || changed.includes('name')).map((c) => `"${c}" = ?`).join(', ');
      stmt = db.prepare(`UPDATE "Account" SET ${set}, "version" = "version" + 1, "updatedAt" = ? WHERE "id" = ? AND "tenantId" = ? AND "version" = ? RETURNING ${columns}`);
      updates.set(key, stmt);
    }
    return stmt;
  };
  const createAllowed = new Set(['name', 'grade', 'settlesOwnInvoices', 'taxId', 'phone', 'email', 'website', 'region', 'currency']);
  const updateAllowed = new Set([...createAllowed, 'id', 'expectedVersion']);

  const keyCache = new Map<string, { actor: Actor | null; checkedAt: number }>();
  function actorOf(authorization: string | undefined): Actor | null {
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!secret) return null;
    const hash = createHash('sha256').update(secret).digest('hex');
    const now = Date.now();
    let cached = keyCache.get(hash);
    if (!cached || now - cached.checkedAt > KEY_CACHE_MS) {
      const row = keyStmt.get(hash);
      const valid = row && !row.revokedAt && (!row.expiresAt || new Date(row.expiresAt).getTime() > now) && row.role === 'admin';
      cached = { actor: valid ? { tenantId: row.tenantId, keyId: row.id } : null, checkedAt: now };
      keyCache.set(hash, cached);
    }
    return cached.actor;
  }

  /** The audit and outbox rows of one change, in the caller's transaction. */
  function recordChange(actor: Actor, action: string, entityId: string, before: Account | null, after: Account, at: string) {
    insertAudit.run(newId('aud'), actor.tenantId, actor.keyId, action, entityId, before === null ? null : JSON.stringify(before), JSON.stringify(after), at);
    const payload = JSON.stringify({ actor: { type: 'apiKey', id: actor.keyId }, before, after });
    insertOutbox.run(newId('evt'), actor.tenantId, action, entityId, payload, at);
  }

  const create = db.transaction((actor: Actor, input: Record<string, unknown>): Account => {
    const f = fieldsOf(input, createAllowed, false);
    if (typeof f.name !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'name is required');
    const id = newId('acc');
    const now = new Date();
    const stamp = sqliteDateTime(now);
    const v = (k: string) => f[k] ?? null;
    insertAccount.run(id, actor.tenantId, f.name, searchKey(f.name), v('grade'), f.settlesOwnInvoices ?? 0, v('taxId'), v('phone'), v('email'), v('website'), v('region'), v('currency'), stamp, stamp);
    const account = toAccount({
      id, name: f.name, parentId: null, grade: v('grade') as string | null, settlesOwnInvoices: (f.settlesOwnInvoices as number | undefined) ?? 0,
      taxId: v('taxId') as string | null, phone: v('phone') as string | null, email: v('email') as string | null, website: v('website') as string | null,
      region: v('region') as string | null, currency: v('currency') as string | null, version: 1, createdAt: stamp, updatedAt: stamp, archivedAt: null,
    });
    recordChange(actor, 'account.created', id, null, account, stamp);
    return account;
  });

  const update = db.transaction((actor: Actor, input: Record<string, unknown>): Account => {
    const { id, expectedVersion, ...rest } = input;
    if (typeof id !== 'string' || !accountIdPattern.test(id)) throw new HttpError(400, 'BAD_REQUEST', 'expected an account id');
    const f = fieldsOf(rest, updateAllowed, true);
    const current = getStmt.get(id, actor.tenantId);
    if (!current) throw new HttpError(404, 'NOT_FOUND', `account ${id} not found`);
    if (current.archivedAt) throw new HttpError(412, 'PRECONDITION_FAILED', `account ${id} is archived`);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new HttpError(409, 'CONFLICT', `account ${id} is at version ${current.version}`);
    const changed = Object.keys(f).filter((k) => (current as unknown as Record<string, unknown>)[k] !== f[k]);
    const before = toAccount(current);
    if (changed.length === 0) return before;
    const values: unknown[] = changed.map((k) => f[k]);
    if (changed.includes('name')) values.push(searchKey(f.name as string));
    const stamp = sqliteDateTime(new Date());
    const row = updateStmt(changed).get(...values, stamp, id, actor.tenantId, current.version);
    if (!row) throw new HttpError(409, 'CONFLICT', `account ${id} changed during the update`);
    const after = toAccount(row);
    recordChange(actor, 'account.updated', id, before, after, stamp);
    return after;
  });

  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    void handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return fail(res, error.status, error.code, error.message);
      fail(res, 500, 'INTERNAL', error instanceof Error ? error.message : String(error));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    let input: Record<string, unknown>;
    try {
      const raw = req.method === 'POST' ? await readBody(req) : q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('input');
      input = raw === null || raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      throw new HttpError(400, 'PARSE_ERROR', 'input is not JSON');
    }
    const actor = actorOf(req.headers.authorization);
    if (!actor) throw new HttpError(401, 'UNAUTHORIZED', 'missing or invalid credentials');

    if (req.method === 'POST' && pathname === '/trpc/accounts.create') return send(res, 200, { result: { data: create.immediate(actor, input) } });
    if (req.method === 'POST' && pathname === '/trpc/accounts.update') return send(res, 200, { result: { data: update.immediate(actor, input) } });
    if (pathname === '/trpc/accounts.get') {
      if (typeof input.id !== 'string' || !accountIdPattern.test(input.id)) throw new HttpError(400, 'BAD_REQUEST', 'expected an account id');
      const row = getStmt.get(input.id, actor.tenantId);
      if (!row) throw new HttpError(404, 'NOT_FOUND', `account ${input.id} not found`);
      return send(res, 200, { result: { data: toAccount(row) } });
    }
    if (pathname === '/trpc/accounts.list') {
      const limit = input.limit ?? 50;
      if (typeof input.grade !== 'string' || !grades.has(input.grade)) throw new HttpError(400, 'BAD_REQUEST', 'this baseline lists by grade only');
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 200) throw new HttpError(400, 'BAD_REQUEST', 'limit must be 1–200');
      const rows = listStmt.all(actor.tenantId, input.grade, limit + 1);
      const items = rows.slice(0, limit).map(toAccount);
      const nextCursor = rows.length > limit ? Buffer.from(JSON.stringify({ id: items[items.length - 1]!.id })).toString('base64url') : null;
      return send(res, 200, { result: { data: { items, nextCursor } } });
    }
    throw new HttpError(404, 'NOT_FOUND', `no procedure ${pathname}`);
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    info,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
});
