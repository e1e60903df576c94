import { CrmError, type Account, type AccountGrade } from '@crmkit/core';
import { accountSelect, type AccountRow } from '../../db/account-reads.js';
import type { ServiceContext } from '../../context.js';
import { assertVersion as assertAtVersion } from '../versions.js';
import type { Db, Tx } from '../../db/client.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';

export { accountSelect };
export type AccountSelected = AccountRow;

export function toAccount(row: AccountSelected): Account {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    grade: row.grade as AccountGrade | null,
    settlesOwnInvoices: row.settlesOwnInvoices,
    taxId: row.taxId,
    phone: row.phone,
    email: row.email,
    website: row.website,
    region: row.region,
    currency: row.currency,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    archivedAt: row.archivedAt?.toISOString() ?? null,
  };
}

/** An account of the actor's tenant, or NOT_FOUND (also for another tenant's id). */
export async function loadAccount(db: Db | Tx, tenantId: string, id: string): Promise<AccountSelected> {
  const row = await db.account.findFirst({ where: { id, tenantId }, select: accountSelect });
  if (!row) throw CrmError.notFound('account', id);
  return row;
}

/** CONFLICT unless the account is at `expectedVersion` (when given). */
export const assertVersion = (row: { id: string; version: number }, expectedVersion: number | undefined): void => assertAtVersion('account', row, expectedVersion);

export function assertActive(row: { id: string; archivedAt: Date | null }, entity = 'account'): void {
  if (row.archivedAt) throw new CrmError('PRECONDITION_FAILED', `${entity} ${row.id} is archived`, { details: { id: row.id } });
}

const MAX_WALK = 64; // guards the recursive queries against rows corrupted outside crmkit
// The recursive steps read `chain CROSS JOIN Account`: SQLite then walks the chain and looks each
// parent up by its key. Written as `Account JOIN chain`, its planner scanned the tenant's accounts
// through an index on tenantId at every step (5 ms a walk at 20,000 accounts). PostgreSQL plans
// CROSS JOIN … WHERE like any join.

export interface ChainLink {
  id: string;
  parentId: string | null;
  settlesOwnInvoices: boolean;
}

type ChainRow = { id: string; parentId: string | null; settles: unknown; lvl: unknown };
const toLinks = (rows: ChainRow[]): ChainLink[] => rows.map((r) => ({ id: r.id, parentId: r.parentId, settlesOwnInvoices: r.settles === true || r.settles === 1 || r.settles === 1n }));

/** {@link ancestorChain} in a driver transaction. */
export function ancestorChainOn(w: SqliteWrite, tenantId: string, id: string): ChainLink[] {
  return toLinks(
    w.all<ChainRow>(
      `WITH RECURSIVE chain(id, "parentId", settles, lvl) AS (
        SELECT id, "parentId", "settlesOwnInvoices", 0 FROM "Account" WHERE id = ? AND "tenantId" = ?
        UNION ALL
        SELECT a.id, a."parentId", a."settlesOwnInvoices", c.lvl + 1
        FROM chain c CROSS JOIN "Account" a
        WHERE a.id = c."parentId" AND a."tenantId" = ? AND c.lvl < ?
      )
      SELECT id, "parentId", settles, lvl FROM chain ORDER BY lvl`,
      id, tenantId, tenantId, MAX_WALK,
    ),
  );
}

/** The account and its ancestors, nearest first, in one recursive query. */
export async function ancestorChain(db: Db | Tx, tenantId: string, id: string): Promise<ChainLink[]> {
  const rows = await db.$queryRaw<ChainRow[]>`
    WITH RECURSIVE chain(id, "parentId", settles, lvl) AS (
      SELECT id, "parentId", "settlesOwnInvoices", 0 FROM "Account" WHERE id = ${id} AND "tenantId" = ${tenantId}
      UNION ALL
      SELECT a.id, a."parentId", a."settlesOwnInvoices", c.lvl + 1
      FROM chain c CROSS JOIN "Account" a
      WHERE a.id = c."parentId" AND a."tenantId" = ${tenantId} AND c.lvl < ${MAX_WALK}
    )
    SELECT id, "parentId", settles, lvl FROM chain ORDER BY lvl`;
  return toLinks(rows);
}

/** Ids in the account's subtree (itself included) with their depth below it (1 for itself). */
export async function subtreeIds(db: Db | Tx, tenantId: string, id: string): Promise<{ id: string; lvl: number }[]> {
  const rows = await db.$queryRaw<{ id: string; lvl: unknown }[]>`
    WITH RECURSIVE sub(id, lvl) AS (
      SELECT id, 1 FROM "Account" WHERE id = ${id} AND "tenantId" = ${tenantId}
      UNION ALL
      SELECT a.id, s.lvl + 1 FROM sub s CROSS JOIN "Account" a
      WHERE a."parentId" = s.id AND a."tenantId" = ${tenantId} AND s.lvl < ${MAX_WALK}
    )
    SELECT id, lvl FROM sub`;
  return rows.map((r) => ({ id: r.id, lvl: Number(r.lvl) }));
}

/**
 * Serializes hierarchy changes within a tenant (creating or moving an account under a parent,
 * archiving one), so two concurrent re-parentings cannot each pass the cycle check and an archive
 * cannot miss a branch being added under it. Writers that roll figures up the tree (exposure) take
 * it in `read` mode: many at once, never beside a change of the tree. Take it before the first read: on PostgreSQL (READ
 * COMMITTED) every later statement then sees what the previous holder committed. SQLite already
 * runs one write transaction at a time.
 */
export async function lockHierarchy(tx: Tx, ctx: ServiceContext, mode: 'change' | 'read' = 'change'): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const key = `crmkit:hierarchy:${ctx.actor.tenantId}`;
  if (mode === 'read') await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock_shared(hashtext(${key}))) AS l`;
  else await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${key}))) AS l`;
}
