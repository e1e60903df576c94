import type Database from 'better-sqlite3';
import { Prisma } from '../../generated/sqlite/client.js';
import type { Db, Tx } from './client.js';
import { sqliteValue } from './sqlite-writer.js';

/**
 * The rows routing reads as of an instant (`loadAccountRoutingFacts` turns them into facts). Each
 * method reads only what is in force at `at`, through indexes on (tenant, subject, start).
 */
export interface RoutingRows {
  /** The account's ownership period in force at `at`, if any. */
  ownership(tenantId: string, accountId: string, at: Date): Promise<{ teamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null } | null>;
  leader(tenantId: string, teamId: string, at: Date): Promise<string | null>;
  /** The assignments of these product lines in the team in force at `at`, newest first. */
  members(tenantId: string, teamId: string, productLineIds: readonly string[], at: Date): Promise<{ productLineId: string; userId: string }[]>;
  overrides(tenantId: string, accountId: string, at: Date): Promise<{ id: string; productLineId: string | null; purpose: string | null; userId: string; actorId: string; reason: string; validFrom: Date }[]>;
  delegations(tenantId: string, at: Date): Promise<{ id: string; delegatorId: string; delegateId: string; scope: string; accountIds: string; validFrom: Date; validTo: Date }[]>;
  away(tenantId: string, at: Date): Promise<{ userId: string; awayFrom: Date; awayTo: Date }[]>;
  /** Who of `userIds` exists and was not inactive at `at`. */
  activeAt(tenantId: string, userIds: readonly string[], at: Date): Promise<Set<string>>;
  /** Whether the product line is one of the tenant's (archived or not). */
  productLineExists(tenantId: string, id: string): Promise<boolean>;
}

/** {@link RoutingRows} answered synchronously (SQLite's driver), for reads inside a driver transaction. */
export type SyncRoutingRows = { [K in keyof RoutingRows]: (...args: Parameters<RoutingRows[K]>) => Awaited<ReturnType<RoutingRows[K]>> };

/** Routing rows through Prisma (PostgreSQL, a host's own client, or inside a transaction). */
export function prismaRoutingRows(db: Db | Tx): RoutingRows {
  const inForce = (at: Date) => ({ validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] });
  return {
    ownership: (tenantId, accountId, at) =>
      db.accountOwnership.findFirst({ where: { tenantId, accountId, ...inForce(at) }, orderBy: { validFrom: 'desc' }, select: { teamId: true, primaryOwnerId: true, secondaryOwnerId: true } }),
    leader: async (tenantId, teamId, at) =>
      (await db.teamMembership.findFirst({ where: { tenantId, teamId, role: 'leader', ...inForce(at) }, orderBy: { validFrom: 'desc' }, select: { userId: true } }))?.userId ?? null,
    members: (tenantId, teamId, productLineIds, at) =>
      db.productLineAssignment.findMany({ where: { tenantId, teamId, productLineId: { in: [...productLineIds] }, ...inForce(at) }, orderBy: { validFrom: 'desc' }, select: { productLineId: true, userId: true } }),
    overrides: (tenantId, accountId, at) =>
      db.routingOverride.findMany({ where: { tenantId, accountId, ...inForce(at) }, select: { id: true, productLineId: true, purpose: true, userId: true, actorId: true, reason: true, validFrom: true } }),
    // A delegation ended early still answered for the times before it was ended.
    delegations: (tenantId, at) =>
      db.delegation.findMany({
        where: { tenantId, OR: [{ endedAt: null }, { endedAt: { gt: at } }], validFrom: { lte: at }, validTo: { gt: at } },
        select: { id: true, delegatorId: true, delegateId: true, scope: true, accountIds: true, validFrom: true, validTo: true },
      }),
    away: (tenantId, at) => db.availability.findMany({ where: { tenantId, awayFrom: { lte: at }, awayTo: { gt: at } }, select: { userId: true, awayFrom: true, awayTo: true } }),
    async activeAt(tenantId, userIds, at) {
      const rows = await db.$queryRaw<{ id: string }[]>`
        SELECT u."id" FROM "User" u
        WHERE u."tenantId" = ${tenantId} AND u."id" IN (${Prisma.join([...userIds])})
          AND NOT EXISTS (
            SELECT 1 FROM "UserInactivity" w
            WHERE w."tenantId" = u."tenantId" AND w."userId" = u."id" AND w."validFrom" <= ${at} AND (w."validTo" IS NULL OR w."validTo" > ${at}))`;
      return new Set(rows.map((r) => r.id));
    },
    productLineExists: async (tenantId, id) => (await db.productLine.count({ where: { tenantId, id } })) > 0,
  };
}

/**
 * Routing rows as cached prepared statements on SQLite's read-only connection: what
 * `ownership.resolve` and order confirmation read, at a fraction of the ORM's cost. Inside a write
 * transaction this is still exact: SQLite runs one writer at a time, the transaction holds the
 * write lock, and nothing a routing question reads has been written by it yet.
 */
export function sqliteRoutingRows(conn: Database.Database): RoutingRows & { sync: SyncRoutingRows } {
  const prepare = <R>(sql: string) => {
    const stmt = conn.prepare(sql);
    return (...params: unknown[]) => stmt.all(...params.map(sqliteValue)) as R[];
  };
  const date = (value: string) => new Date(value);
  const inForce = `"validFrom" <= ? AND ("validTo" IS NULL OR "validTo" > ?)`;
  const ownership = prepare<{ teamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null }>(
    `SELECT "teamId", "primaryOwnerId", "secondaryOwnerId" FROM "AccountOwnership" WHERE "tenantId" = ? AND "accountId" = ? AND ${inForce} ORDER BY "validFrom" DESC LIMIT 1`,
  );
  const leader = prepare<{ userId: string }>(`SELECT "userId" FROM "TeamMembership" WHERE "tenantId" = ? AND "teamId" = ? AND "role" = 'leader' AND ${inForce} ORDER BY "validFrom" DESC LIMIT 1`);
  const members = prepare<{ productLineId: string; userId: string }>(
    `SELECT "productLineId", "userId" FROM "ProductLineAssignment" WHERE "tenantId" = ? AND "teamId" = ? AND "productLineId" IN (SELECT value FROM json_each(?)) AND ${inForce} ORDER BY "validFrom" DESC`,
  );
  const overrides = prepare<{ id: string; productLineId: string | null; purpose: string | null; userId: string; actorId: string; reason: string; validFrom: string }>(
    `SELECT "id", "productLineId", "purpose", "userId", "actorId", "reason", "validFrom" FROM "RoutingOverride" WHERE "tenantId" = ? AND "accountId" = ? AND ${inForce}`,
  );
  const delegations = prepare<{ id: string; delegatorId: string; delegateId: string; scope: string; accountIds: string; validFrom: string; validTo: string }>(
    `SELECT "id", "delegatorId", "delegateId", "scope", "accountIds", "validFrom", "validTo" FROM "Delegation" WHERE "tenantId" = ? AND ("endedAt" IS NULL OR "endedAt" > ?) AND "validFrom" <= ? AND "validTo" > ?`,
  );
  const away = prepare<{ userId: string; awayFrom: string; awayTo: string }>(`SELECT "userId", "awayFrom", "awayTo" FROM "Availability" WHERE "tenantId" = ? AND "awayFrom" <= ? AND "awayTo" > ?`);
  const active = prepare<{ id: string }>(
    `SELECT u."id" FROM "User" u WHERE u."tenantId" = ? AND u."id" IN (SELECT value FROM json_each(?))
       AND NOT EXISTS (SELECT 1 FROM "UserInactivity" w WHERE w."tenantId" = u."tenantId" AND w."userId" = u."id" AND w."validFrom" <= ? AND (w."validTo" IS NULL OR w."validTo" > ?))`,
  );
  const productLine = prepare<{ id: string }>(`SELECT "id" FROM "ProductLine" WHERE "tenantId" = ? AND "id" = ?`);
  const sync: SyncRoutingRows = {
    ownership: (tenantId, accountId, at) => ownership(tenantId, accountId, at, at)[0] ?? null,
    leader: (tenantId, teamId, at) => leader(tenantId, teamId, at, at)[0]?.userId ?? null,
    members: (tenantId, teamId, productLineIds, at) => members(tenantId, teamId, JSON.stringify(productLineIds), at, at),
    overrides: (tenantId, accountId, at) => overrides(tenantId, accountId, at, at).map((o) => ({ ...o, validFrom: date(o.validFrom) })),
    delegations: (tenantId, at) => delegations(tenantId, at, at, at).map((d) => ({ ...d, validFrom: date(d.validFrom), validTo: date(d.validTo) })),
    away: (tenantId, at) => away(tenantId, at, at).map((a) => ({ userId: a.userId, awayFrom: date(a.awayFrom), awayTo: date(a.awayTo) })),
    activeAt: (tenantId, userIds, at) => new Set(active(tenantId, JSON.stringify(userIds), at, at).map((r) => r.id)),
    productLineExists: (tenantId, id) => productLine(tenantId, id).length > 0,
  };
  return {
    sync,
    productLineExists: async (...a) => sync.productLineExists(...a),
    ownership: async (...a) => sync.ownership(...a),
    leader: async (...a) => sync.leader(...a),
    members: async (...a) => sync.members(...a),
    overrides: async (...a) => sync.overrides(...a),
    delegations: async (...a) => sync.delegations(...a),
    away: async (...a) => sync.away(...a),
    activeAt: async (...a) => sync.activeAt(...a),
  };
}
