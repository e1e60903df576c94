/**
 * EXPERIMENT (run with `--experiments`; not part of the acceptance figures): crmkit with the
 * changes the profile points at, made from outside so no server code changes.
 *
 *   --fast-path        GET queries skip tRPC's node-http → Fetch API conversion: the procedure is
 *                      called with callTRPCProcedure and the JSON written with one res.end().
 *                      Everything else goes to crm.nodeHandler unchanged.
 *   --statement-cache  Prisma's better-sqlite3 adapter re-prepares every statement on every
 *                      query; this caches prepared statements by SQL text.
 *   --raw-reads        (with --fast-path) accounts.get and the first page of accounts.list by grade
 *                      read through cached better-sqlite3 statements instead of Prisma, in
 *                      procedures with the same input/output schemas, middleware and authorization.
 *
 * Auth, context, middleware, input and output validation, the services and Prisma stay as they are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { callTRPCProcedure, getTRPCErrorFromUnknown, getTRPCErrorShape } from '@trpc/server';
import type Database from 'better-sqlite3';
import DatabaseDriver from 'better-sqlite3';
import { createCrmServer, createLogger, type RequestContext } from '@crmkit/server';
import { accountPageSchema, accountSchema, CrmError, getAccountInputSchema, listAccountsInputSchema, systemClock, type Account, type AccountGrade } from '@crmkit/core';
// Internals, imported by path for this experiment only.
import { PrismaClient } from '../../packages/server/generated/sqlite/client.js';
import { createAuthenticator } from '../../packages/server/src/auth/authenticate.js';
import { authorize } from '../../packages/server/src/context.js';
import { listAccounts } from '../../packages/server/src/services/accounts/list.js';
import { authedProcedure, router } from '../../packages/server/src/trpc.js';
import { argValue, serveChild } from './child.js';

type Stmt = Database.Statement<unknown[], unknown>;

/** Makes `db.prepare` return cached statements that tolerate the adapter's `prepare(sql).bind(args)` per query. */
function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db) as (sql: string) => Stmt;
  const cache = new Map<string, Stmt>();
  const bound = (stmt: Stmt, args: unknown[]) => ({
    reader: stmt.reader,
    columns: () => stmt.columns(),
    raw: () => ({
      all: () => {
        stmt.raw(true);
        try {
          return stmt.all(args);
        } finally {
          stmt.raw(false);
        }
      },
    }),
    run: () => stmt.run(args),
    all: () => stmt.all(args),
    get: () => stmt.get(args),
  });
  (db as { prepare: unknown }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    const s = stmt;
    return new Proxy(s, {
      get(target, key) {
        if (key === 'bind') return (args: unknown[]) => bound(s, args);
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}

class CachingAdapterFactory extends PrismaBetterSqlite3 {
  override async connect() {
    const adapter = await super.connect();
    cacheStatements((adapter as unknown as { client: Database.Database }).client);
    return adapter;
  }
}

interface AccountRow {
  id: string; name: string; parentId: string | null; grade: string | null; settlesOwnInvoices: number;
  taxId: string | null; phone: string | null; email: string | null; website: string | null; region: string | null;
  currency: string | null; version: number; createdAt: string; updatedAt: string; archivedAt: string | null;
}
const rowToAccount = (row: AccountRow): Account => ({
  ...row,
  grade: row.grade as AccountGrade | null,
  settlesOwnInvoices: row.settlesOwnInvoices === 1,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
  archivedAt: row.archivedAt === null ? null : new Date(row.archivedAt).toISOString(),
});

/** accounts.get and accounts.list as crmkit defines them, reading through cached driver statements. */
function rawReadsRouter(path: string) {
  const db = new DatabaseDriver(path, { fileMustExist: true });
  const columns = '"id", "name", "parentId", "grade", "settlesOwnInvoices", "taxId", "phone", "email", "website", "region", "currency", "version", "createdAt", "updatedAt", "archivedAt"';
  const getStmt = db.prepare<[string, string], AccountRow>(`SELECT ${columns} FROM "Account" WHERE "id" = ? AND "tenantId" = ?`);
  const listStmt = db.prepare<[string, string, number], AccountRow>(`SELECT ${columns} FROM "Account" WHERE "tenantId" = ? AND "grade" = ? AND "archivedAt" IS NULL ORDER BY "id" DESC LIMIT ?`);
  return router({
    accounts: router({
      get: authedProcedure.input(getAccountInputSchema).output(accountSchema).query(({ ctx, input }) => {
        authorize(ctx.service.actor, 'accounts:read');
        const row = getStmt.get(input.id, ctx.service.actor.tenantId);
        if (!row) throw CrmError.notFound('account', input.id);
        return rowToAccount(row);
      }),
      list: authedProcedure.input(listAccountsInputSchema).output(accountPageSchema).query(({ ctx, input }) => {
        const { grade, limit, cursor, search, parentId, archived } = input;
        if (!grade || cursor || search || parentId !== undefined || archived !== 'exclude') return listAccounts(ctx.service, input);
        authorize(ctx.service.actor, 'accounts:read');
        const rows = listStmt.all(ctx.service.actor.tenantId, grade, limit + 1);
        const items = rows.slice(0, limit).map(rowToAccount);
        return { items, nextCursor: rows.length > limit ? Buffer.from(JSON.stringify({ id: items[items.length - 1]!.id })).toString('base64url') : null };
      }),
    }),
  });
}

serveChild(async () => {
  const databaseUrl = argValue('--database-url');
  const fastPath = process.argv.includes('--fast-path');
  const statementCache = process.argv.includes('--statement-cache');
  const rawReads = process.argv.includes('--raw-reads') ? rawReadsRouter(databaseUrl.replace(/^file:/, '')) : null;
  if (rawReads && !fastPath) throw new Error('--raw-reads needs --fast-path');
  const logger = createLogger();

  const adapter = statementCache ? new CachingAdapterFactory({ url: databaseUrl }) : new PrismaBetterSqlite3({ url: databaseUrl });
  const prisma = new PrismaClient({ adapter });
  const crm = await createCrmServer({ prisma: { client: prisma, provider: 'sqlite' }, migrate: false, logger });
  // The same authenticator crmkit builds (same defaults: API keys cached 10 s).
  const auth = createAuthenticator(prisma, systemClock, logger);
  const config = crm.router._def._config;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    if (!fastPath || req.method !== 'GET' || !pathname.startsWith('/trpc/') || params.has('batch')) return crm.nodeHandler(req, res);
    const path = decodeURIComponent(pathname.slice('/trpc/'.length));
    void (async () => {
      let ctx: RequestContext | undefined;
      let input: unknown;
      try {
        const raw = params.get('input');
        input = raw === null ? undefined : (JSON.parse(raw) as unknown);
        ctx = crm.contextFor(await auth.authenticate(req.headers.authorization).catch(() => null));
        const target = rawReads && (path === 'accounts.get' || path === 'accounts.list') ? rawReads : crm.router;
        const data: unknown = await callTRPCProcedure({ router: target, path, getRawInput: async () => input, ctx, type: 'query', signal: undefined, batchIndex: 0 });
        send(res, 200, { result: { data } });
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        const shape = getTRPCErrorShape({ config, error, type: 'query', path, input, ctx });
        send(res, shape.data.httpStatus, { error: shape });
      }
    })();
  };

  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let requests = 0;
  server.on('request', () => void (requests += 1));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/trpc`,
    requests: () => requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await crm.close();
      await prisma.$disconnect();
    },
  };
});
