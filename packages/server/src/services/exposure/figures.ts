import { mergeDeltas, type ExposureDelta, type ExposureFigures } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { ancestorChain, ancestorChainOn, lockHierarchy } from '../accounts/account-rows.js';

// Exposure figures are kept incrementally: every change that moves them (an order confirmed or
// invoiced, an invoice settled, a payment received…) adds its deltas here, in its own transaction.
// Each delta changes the account's `own` row and the `group` row of the account and each ancestor,
// so a read costs a few rows whatever the history.

type Scope = 'own' | 'group';
interface FigureRow extends ExposureFigures {
  accountId: string;
  scope: Scope;
  currency: string;
}

/**
 * Takes the hierarchy in read mode (PostgreSQL): figures roll up the tree, which must not move
 * under them. Call it before the transaction's first read of what it will change.
 */
export const lockForExposure = (tx: Tx, ctx: ServiceContext) => lockHierarchy(tx, ctx, 'read');

/** Applies the deltas to the own and group figures, in one fixed order (account, scope, currency) so concurrent writers cannot deadlock. */
export async function applyExposure(tx: Tx, ctx: ServiceContext, deltas: readonly ExposureDelta[]): Promise<void> {
  const merged = mergeDeltas(deltas);
  if (merged.length === 0) return;
  const chains = new Map<string, string[]>();
  for (const d of merged) if (!chains.has(d.accountId)) chains.set(d.accountId, (await ancestorChain(tx, ctx.actor.tenantId, d.accountId)).map((c) => c.id));
  await upsertFigures(tx, ctx.actor.tenantId, figureRows(merged, chains));
}

/** {@link applyExposure} in a driver transaction (SQLite's hot write paths): the same rows. */
export function applyExposureOn(w: SqliteWrite, ctx: ServiceContext, deltas: readonly ExposureDelta[]): void {
  const merged = mergeDeltas(deltas);
  if (merged.length === 0) return;
  const { tenantId } = ctx.actor;
  const chains = new Map<string, string[]>();
  for (const d of merged) if (!chains.has(d.accountId)) chains.set(d.accountId, ancestorChainOn(w, tenantId, d.accountId).map((c) => c.id));
  for (const r of figureRows(merged, chains)) w.run(UPSERT_SQL, tenantId, r.accountId, r.scope, r.currency, r.ordersOpenMinor, r.invoicesOpenMinor, r.onAccountCreditMinor);
}

/** The own row of each delta's account and the group rows of it and its ancestors (`chains`: the account first), sorted. */
function figureRows(merged: ReturnType<typeof mergeDeltas>, chains: ReadonlyMap<string, readonly string[]>): FigureRow[] {
  const rows = new Map<string, FigureRow>();
  const addRow = (accountId: string, scope: Scope, currency: string, d: ExposureFigures) => {
    const key = `${accountId}\u0000${scope}\u0000${currency}`;
    const row = rows.get(key) ?? { accountId, scope, currency, ordersOpenMinor: 0, invoicesOpenMinor: 0, onAccountCreditMinor: 0 };
    row.ordersOpenMinor += d.ordersOpenMinor;
    row.invoicesOpenMinor += d.invoicesOpenMinor;
    row.onAccountCreditMinor += d.onAccountCreditMinor;
    rows.set(key, row);
  };
  for (const d of merged) {
    addRow(d.accountId, 'own', d.currency, d);
    for (const id of chains.get(d.accountId) ?? []) addRow(id, 'group', d.currency, d);
  }
  return [...rows.values()].sort((a, b) => compare(a.accountId, b.accountId) || compare(a.scope, b.scope) || compare(a.currency, b.currency));
}

const UPSERT_SQL = `INSERT INTO "ExposureFigure" ("tenantId", "accountId", "scope", "currency", "ordersOpenMinor", "invoicesOpenMinor", "onAccountCreditMinor")
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT ("tenantId", "accountId", "scope", "currency") DO UPDATE SET
    "ordersOpenMinor" = "ExposureFigure"."ordersOpenMinor" + excluded."ordersOpenMinor",
    "invoicesOpenMinor" = "ExposureFigure"."invoicesOpenMinor" + excluded."invoicesOpenMinor",
    "onAccountCreditMinor" = "ExposureFigure"."onAccountCreditMinor" + excluded."onAccountCreditMinor"`;

/**
 * Moves a subtree's group figures from its old ancestors to its new ones (`accounts.setParent`):
 * `oldAncestors` and `newAncestors` exclude the moved account itself, whose figures do not change.
 */
export async function moveGroupFigures(tx: Tx, ctx: ServiceContext, accountId: string, oldAncestors: readonly string[], newAncestors: readonly string[]): Promise<void> {
  const { tenantId } = ctx.actor;
  const subtree = await tx.exposureFigure.findMany({ where: { tenantId, accountId, scope: 'group' } });
  if (subtree.length === 0) return;
  const rows: FigureRow[] = [];
  for (const f of subtree) {
    const figures = { ordersOpenMinor: Number(f.ordersOpenMinor), invoicesOpenMinor: Number(f.invoicesOpenMinor), onAccountCreditMinor: Number(f.onAccountCreditMinor) };
    for (const id of oldAncestors) rows.push({ accountId: id, scope: 'group', currency: f.currency, ordersOpenMinor: -figures.ordersOpenMinor, invoicesOpenMinor: -figures.invoicesOpenMinor, onAccountCreditMinor: -figures.onAccountCreditMinor });
    for (const id of newAncestors) rows.push({ accountId: id, scope: 'group', currency: f.currency, ...figures });
  }
  // An ancestor shared by the old and new paths nets to zero.
  const merged = new Map<string, FigureRow>();
  for (const r of rows) {
    const key = `${r.accountId}\u0000${r.currency}`;
    const m = merged.get(key);
    if (!m) merged.set(key, { ...r });
    else {
      m.ordersOpenMinor += r.ordersOpenMinor;
      m.invoicesOpenMinor += r.invoicesOpenMinor;
      m.onAccountCreditMinor += r.onAccountCreditMinor;
    }
  }
  await upsertFigures(tx, tenantId, [...merged.values()].filter((r) => r.ordersOpenMinor !== 0 || r.invoicesOpenMinor !== 0 || r.onAccountCreditMinor !== 0));
}

async function upsertFigures(tx: Tx, tenantId: string, rows: FigureRow[]): Promise<void> {
  rows.sort((a, b) => compare(a.accountId, b.accountId) || compare(a.scope, b.scope) || compare(a.currency, b.currency));
  for (const r of rows) {
    await tx.$executeRaw`
      INSERT INTO "ExposureFigure" ("tenantId", "accountId", "scope", "currency", "ordersOpenMinor", "invoicesOpenMinor", "onAccountCreditMinor")
      VALUES (${tenantId}, ${r.accountId}, ${r.scope}, ${r.currency}, ${BigInt(r.ordersOpenMinor)}, ${BigInt(r.invoicesOpenMinor)}, ${BigInt(r.onAccountCreditMinor)})
      ON CONFLICT ("tenantId", "accountId", "scope", "currency") DO UPDATE SET
        "ordersOpenMinor" = "ExposureFigure"."ordersOpenMinor" + excluded."ordersOpenMinor",
        "invoicesOpenMinor" = "ExposureFigure"."invoicesOpenMinor" + excluded."invoicesOpenMinor",
        "onAccountCreditMinor" = "ExposureFigure"."onAccountCreditMinor" + excluded."onAccountCreditMinor"`;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reads one account's figures (own and group), per currency, as numbers. */
export async function readFigures(db: Tx | ServiceContext['db'], tenantId: string, accountId: string): Promise<FigureRow[]> {
  const rows = await db.exposureFigure.findMany({ where: { tenantId, accountId }, orderBy: [{ scope: 'asc' }, { currency: 'asc' }] });
  return rows.map((r) => ({
    accountId: r.accountId,
    scope: r.scope as Scope,
    currency: r.currency,
    ordersOpenMinor: Number(r.ordersOpenMinor),
    invoicesOpenMinor: Number(r.invoicesOpenMinor),
    onAccountCreditMinor: Number(r.onAccountCreditMinor),
  }));
}

export type { FigureRow };
