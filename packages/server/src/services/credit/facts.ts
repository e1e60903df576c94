import { addDays, canSee, daysBetween, localDateOf, type VisibilityScope, type CreditPolicy, type ExchangeRateFact, type ExposureFigures, type OverdueInvoiceFact, type PathNode, type AccountExposureFacts } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { sqliteValue, type SqliteWrite } from '../../db/sqlite-writer.js';
import { creditPolicyOf } from '../tenants/settings.js';

// The facts of a credit check, read in the caller's transaction with the same SQL on both write
// paths: a Prisma transaction (both engines) and SQLite's driver transaction (orders.confirm's hot
// path). The reading is written once, as a generator that yields each query and receives its rows;
// `runOnTx` and `runOnDriver` answer the queries.

interface Query {
  sql: string;
  params: unknown[];
}
type Row = Record<string, unknown>;
type Reading<T> = Generator<Query, T, Row[]>;

/** The deepest hierarchy crmkit walks (the same bound as the account hierarchy's). */
const MAX_WALK = 64;
/** Overdue invoices named in a decision, at most (the oldest first). */
const MAX_OVERDUE = 20;

const q = (sql: string, ...params: unknown[]): Query => ({ sql, params });
/** One account's credit lock (PostgreSQL advisory lock, held to the end of the transaction). */
const LOCK_SQL = 'SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(?))) AS l';
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const num = (v: unknown): number => Number(v);

/** What a check of an order billed to `path[0]` rests on, as of `at`. */
export interface CreditFacts {
  at: Date;
  policy: CreditPolicy;
  timeZone: string;
  /** The bill-to account first, then each ancestor. */
  path: PathNode[];
  exposures: Record<string, AccountExposureFacts>;
  rates: ExchangeRateFact[];
  overdue: OverdueInvoiceFact[];
}

/** The tenant's credit policy and time zone. */
export function* readPolicy(tenantId: string): Reading<{ policy: CreditPolicy; timeZone: string }> {
  const [row] = yield q(
    `SELECT "timeZone", "creditCheckAt", "creditOnBreach", "creditOverrunBps", "creditMaxOverdueDays", "creditApprovalDays" FROM "Tenant" WHERE "id" = ?`,
    tenantId,
  );
  if (!row) throw new Error(`tenant ${tenantId} is missing`);
  return {
    timeZone: String(row.timeZone),
    policy: creditPolicyOf({
      creditCheckAt: String(row.creditCheckAt),
      creditOnBreach: String(row.creditOnBreach),
      creditOverrunBps: num(row.creditOverrunBps),
      creditMaxOverdueDays: row.creditMaxOverdueDays == null ? null : num(row.creditMaxOverdueDays),
      creditApprovalDays: num(row.creditApprovalDays),
    }),
  };
}

/** The account and its ancestors, nearest first. */
export function* readPath(tenantId: string, accountId: string): Reading<string[]> {
  const rows = yield q(
    `WITH RECURSIVE chain(id, "parentId", lvl) AS (
      SELECT id, "parentId", 0 FROM "Account" WHERE id = ? AND "tenantId" = ?
      UNION ALL
      SELECT a.id, a."parentId", c.lvl + 1 FROM chain c CROSS JOIN "Account" a
      WHERE a.id = c."parentId" AND a."tenantId" = ? AND c.lvl < ${MAX_WALK}
    )
    SELECT id FROM chain ORDER BY lvl`,
    accountId, tenantId, tenantId,
  );
  return rows.map((r) => String(r.id));
}

/**
 * Everything a check of an order of `orderCurrency` billed to `billToId` needs (`orderCurrency`
 * null: a status, no order): the path with its limits and holds, the figures of its accounts, the
 * rates in force at `at` for every conversion it could need, and (when the policy blocks them) the
 * path's invoices overdue beyond the policy, oldest first.
 */
export function* readCreditFacts(
  tenantId: string,
  billToId: string,
  at: Date,
  orderCurrency: string | null,
  known?: { policy: CreditPolicy; timeZone: string },
  knownPath?: string[],
  options: { lockChecked?: boolean; limitCurrencies?: readonly string[] } = {},
): Reading<CreditFacts> {
  const { policy, timeZone } = known ?? (yield* readPolicy(tenantId));
  const ids = knownPath ?? (yield* readPath(tenantId, billToId));
  const nodes = new Map<string, PathNode>(ids.map((id) => [id, { accountId: id, ownLimit: null, groupLimit: null, hold: null }]));
  const inIds = marks(ids.length);
  for (const r of yield q(`SELECT "accountId", "scope", "amountMinor", "currency" FROM "CreditLimit" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`, tenantId, ...ids)) {
    const node = nodes.get(String(r.accountId));
    const limit = { amountMinor: num(r.amountMinor), currency: String(r.currency) };
    if (node) node[r.scope === 'own' ? 'ownLimit' : 'groupLimit'] = limit;
  }
  for (const r of yield q(`SELECT "accountId", "reason", "by", "at" FROM "CreditHold" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`, tenantId, ...ids)) {
    const node = nodes.get(String(r.accountId));
    if (node) node.hold = { reason: String(r.reason), by: String(r.by), at: new Date(r.at as string | Date) };
  }
  if (options.lockChecked) {
    // PostgreSQL: the accounts whose limits an order billed to the path's first account is checked
    // against (its own limit, every group limit), root first. Limits cannot change meanwhile: their
    // writers take the hierarchy lock exclusively, and every checked decision holds it shared.
    const checked = ids.filter((id, i) => nodes.get(id)!.groupLimit || (i === 0 && nodes.get(id)!.ownLimit));
    for (const id of checked.reverse()) yield q(LOCK_SQL, `crmkit:credit:${tenantId}:${id}`);
  }
  const exposures: Record<string, AccountExposureFacts> = {};
  const figureCurrencies = new Set<string>();
  for (const r of yield q(
    `SELECT "accountId", "scope", "currency", "ordersOpenMinor", "invoicesOpenMinor", "onAccountCreditMinor" FROM "ExposureFigure" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`,
    tenantId, ...ids,
  )) {
    const figures: ExposureFigures = { ordersOpenMinor: num(r.ordersOpenMinor), invoicesOpenMinor: num(r.invoicesOpenMinor), onAccountCreditMinor: num(r.onAccountCreditMinor) };
    const account = (exposures[String(r.accountId)] ??= {}) as { own?: Record<string, ExposureFigures>; group?: Record<string, ExposureFigures> };
    (account[r.scope === 'own' ? 'own' : 'group'] ??= {})[String(r.currency)] = figures;
    figureCurrencies.add(String(r.currency));
  }
  const path = ids.map((id) => nodes.get(id)!);
  const limitCurrencies = new Set([...path.flatMap((n) => [n.ownLimit?.currency, n.groupLimit?.currency]).filter((c): c is string => !!c), ...(options.limitCurrencies ?? [])]);
  if (orderCurrency) figureCurrencies.add(orderCurrency);
  const rates: ExchangeRateFact[] = [];
  const at_ = bindTime(at);
  for (const from of figureCurrencies) {
    for (const to of limitCurrencies) {
      if (from === to) continue;
      for (const [base, quote] of [[from, to], [to, from]] as const) {
        const [r] = yield q(
          `SELECT "base", "quote", "rate", "validFrom" FROM "ExchangeRate" WHERE "tenantId" = ? AND "base" = ? AND "quote" = ? AND "validFrom" <= ? ORDER BY "validFrom" DESC LIMIT 1`,
          tenantId, base, quote, at_,
        );
        if (r) rates.push({ base: String(r.base), quote: String(r.quote), rate: String(r.rate), validFrom: new Date(r.validFrom as string | Date) });
      }
    }
  }
  const overdue: OverdueInvoiceFact[] = [];
  if (policy.maxOverdueDays !== null) {
    const today = localDateOf(at, timeZone);
    // daysPastDue > N  ⇔  dueDate < today − N
    const cutoff = addDays(today, -policy.maxOverdueDays);
    for (const r of yield q(
      `SELECT "id", "billToAccountId", "dueDate" FROM "Invoice" WHERE "tenantId" = ? AND "billToAccountId" IN (${inIds}) AND "kind" = 'invoice' AND "status" = 'open' AND "openMinor" > 0 AND "dueDate" < ? ORDER BY "dueDate", "id" LIMIT ${MAX_OVERDUE}`,
      tenantId, ...ids, cutoff,
    )) {
      const due = String(r.dueDate);
      overdue.push({ accountId: String(r.billToAccountId), invoiceId: String(r.id), daysPastDue: daysBetween(due, today) });
    }
  }
  return { at, policy, timeZone, path, exposures, rates, overdue };
}

/** Which of these accounts the caller may see (one read; every one when the caller sees the whole tenant). */
export function* readVisibleAmong(tenantId: string, accountIds: Iterable<string>, scope: VisibilityScope): Reading<(id: string) => boolean> {
  const ids = [...new Set(accountIds)];
  if (scope.all) return () => true;
  if (ids.length === 0) return () => false;
  const rows = yield q(`SELECT "id", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId" FROM "Account" WHERE "tenantId" = ? AND "id" IN (${marks(ids.length)})`, tenantId, ...ids);
  const seen = new Set(
    rows
      .map((r) => ({ id: String(r.id), ownerTeamId: (r.ownerTeamId as string | null) ?? null, primaryOwnerId: (r.primaryOwnerId as string | null) ?? null, secondaryOwnerId: (r.secondaryOwnerId as string | null) ?? null }))
      .filter((a) => canSee(scope, a))
      .map((a) => a.id),
  );
  return (id) => seen.has(id);
}

/** {@link readVisibleAmong} in a Prisma transaction or on the client. */
export const visibleAmong = (db: Tx | ServiceContext['db'], ctx: ServiceContext, scope: VisibilityScope, accountIds: Iterable<string>) =>
  runOnTx(db, ctx, readVisibleAmong(ctx.actor.tenantId, accountIds, scope));

/**
 * Marks a time parameter: both runners bind it as their engine stores it (SQLite: the adapter's
 * ISO text, so text comparison orders instants; PostgreSQL: a timestamp).
 */
class TimeParam {
  constructor(readonly at: Date) {}
}
const bindTime = (at: Date) => new TimeParam(at);

/** Answers a reading's queries on SQLite's driver, synchronously. */
export function runOnDriver<T>(w: SqliteWrite, reading: Reading<T>): T {
  let step = reading.next();
  while (!step.done) {
    const params = step.value.params.map((p) => (p instanceof TimeParam ? sqliteValue(p.at) : p));
    step = reading.next(w.all<Row>(step.value.sql, ...params));
  }
  return step.value;
}

/** Answers a reading's queries in a Prisma transaction (or on the client) on either engine. */
export async function runOnTx<T>(db: Tx | ServiceContext['db'], ctx: Pick<ServiceContext, 'provider'>, reading: Reading<T>): Promise<T> {
  const pg = ctx.provider === 'postgresql';
  let step = reading.next();
  while (!step.done) {
    let n = 0;
    const sql = pg ? step.value.sql.replace(/\?/g, () => `$${++n}`) : step.value.sql;
    const params = step.value.params.map((p) => (p instanceof TimeParam ? (pg ? p.at : sqliteValue(p.at)) : p));
    step = reading.next(await db.$queryRawUnsafe<Row[]>(sql, ...params));
  }
  return step.value;
}

export type { Reading };
