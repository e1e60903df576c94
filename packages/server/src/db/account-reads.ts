import type Database from 'better-sqlite3';
import type { Db } from './client.js';
import { containsPattern, nameSearchWhere } from './name-search.js';
import type { Provider } from './url.js';

/** The columns of an account answer, as services use them. */
export interface AccountRow {
  id: string;
  name: string;
  parentId: string | null;
  grade: string | null;
  settlesOwnInvoices: boolean;
  taxId: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  region: string | null;
  currency: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
}

export const accountColumns = [
  'id', 'name', 'parentId', 'grade', 'settlesOwnInvoices', 'taxId', 'phone', 'email', 'website', 'region', 'currency', 'version', 'createdAt', 'updatedAt', 'archivedAt',
] as const satisfies readonly (keyof AccountRow)[];

/** The current owners of an account (mirrors of its open ownership period), for visibility checks. */
export interface AccountOwners {
  ownerTeamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
}

/** An account row with its current owners. */
export type OwnedAccountRow = AccountRow & AccountOwners;

export const ownerColumns = ['ownerTeamId', 'primaryOwnerId', 'secondaryOwnerId'] as const satisfies readonly (keyof AccountOwners)[];

/**
 * Which accounts a caller may see: one matching any of these sets (the owning team, the primary or
 * secondary owner, or the account itself). Absent: the whole tenant. See `visibilityScope` in core.
 */
export interface AccountVisibility {
  teamIds: readonly string[];
  ownerIds: readonly string[];
  accountIds: readonly string[];
}

/** The filters of a count: those of a list, without paging. */
export interface AccountCountQuery {
  tenantId: string;
  /** A normalized search key matched anywhere in `nameSearch`. */
  nameContains?: string | undefined;
  /** `null`: top-level accounts only. */
  parentId?: string | null | undefined;
  grade?: string | undefined;
  archived: 'exclude' | 'include' | 'only';
  /** Only accounts inside this visibility (absent: every account of the tenant). */
  visibility?: AccountVisibility | undefined;
}

export interface AccountListQuery extends AccountCountQuery {
  /** Only ids below this one (newest-first paging). */
  beforeId?: string | undefined;
  take: number;
}

/**
 * The hot, non-transactional account reads (`accounts.get`, `accounts.list`, `accounts.count`). On SQLite they run
 * as cached prepared statements on a read-only connection of the driver (WAL lets it read beside
 * Prisma's writer), which costs a fraction of an ORM call per request; elsewhere they are Prisma
 * queries. Reads inside a write transaction always go through the transaction instead.
 *
 * `byId` answers the owner columns too, so the caller checks visibility on the row it already has;
 * `list` and `count` apply the caller's visibility inside the query.
 */
export interface AccountReads {
  byId(tenantId: string, id: string): Promise<OwnedAccountRow | null>;
  list(query: AccountListQuery): Promise<AccountRow[]>;
  /** How many accounts `list` would page through with the same filters. */
  count(query: AccountCountQuery): Promise<number>;
  close(): void;
}

/** The Prisma `select` for exactly these columns, so rows never leak other fields. */
export const accountSelect = Object.fromEntries(accountColumns.map((c) => [c, true])) as Record<(typeof accountColumns)[number], true>;
/** `accountSelect` plus the current owners. */
export const ownedAccountSelect = { ...accountSelect, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } as const;

/** The Prisma `where` fragment for a visibility (an `OR` of the four sets). */
export function visibilityWhere(v: AccountVisibility) {
  return {
    OR: [
      { ownerTeamId: { in: [...v.teamIds] } },
      { primaryOwnerId: { in: [...v.ownerIds] } },
      { secondaryOwnerId: { in: [...v.ownerIds] } },
      { id: { in: [...v.accountIds] } },
    ],
  };
}

/** Account reads through Prisma; the name search is the shared literal one (`nameSearchWhere`). */
export function prismaAccountReads(db: Db, provider: Provider): AccountReads {
  const filters = async (q: AccountCountQuery) => ({
    tenantId: q.tenantId,
    ...(q.nameContains ? await nameSearchWhere(db, provider, 'Account', q.tenantId, q.nameContains) : {}),
    ...(q.parentId !== undefined ? { parentId: q.parentId } : {}),
    ...(q.grade ? { grade: q.grade } : {}),
    ...(q.archived === 'exclude' ? { archivedAt: null } : q.archived === 'only' ? { archivedAt: { not: null } } : {}),
    ...(q.visibility ? { AND: [visibilityWhere(q.visibility)] } : {}),
  });
  return {
    byId: (tenantId, id) => db.account.findFirst({ where: { id, tenantId }, select: ownedAccountSelect }),
    list: async (q) =>
      db.account.findMany({
        where: { ...(await filters(q)), ...(q.beforeId ? { id: { lt: q.beforeId } } : {}) },
        orderBy: { id: 'desc' },
        take: q.take,
        select: accountSelect,
      }),
    count: async (q) => db.account.count({ where: await filters(q) }),
    close: () => {},
  };
}

export interface SqliteAccountRow extends Omit<AccountRow, 'settlesOwnInvoices' | 'createdAt' | 'updatedAt' | 'archivedAt'> {
  settlesOwnInvoices: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

export interface SqliteOwnedAccountRow extends SqliteAccountRow, AccountOwners {}

/** An account row as the driver reads it (Prisma's SQLite adapter stores DateTime as ISO text and Boolean as 0/1). */
export function fromSqlite(row: SqliteAccountRow): AccountRow {
  return {
    ...row,
    settlesOwnInvoices: row.settlesOwnInvoices === 1,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    archivedAt: row.archivedAt === null ? null : new Date(row.archivedAt),
  };
}

/** An account row with its owners as the driver reads it. */
export function fromSqliteOwned(row: SqliteOwnedAccountRow): OwnedAccountRow {
  return { ...fromSqlite(row), ownerTeamId: row.ownerTeamId, primaryOwnerId: row.primaryOwnerId, secondaryOwnerId: row.secondaryOwnerId };
}

/** The quoted column lists of an account answer, without and with its owners. */
export const columnList = accountColumns.map((c) => `"${c}"`).join(', ');
export const ownedColumnList = [...accountColumns, ...ownerColumns].map((c) => `"${c}"`).join(', ');
/** The statement that reads one account with its owners on the driver (parameters: id, tenantId). */
export const ownedAccountByIdSql = `SELECT ${ownedColumnList} FROM "Account" WHERE "id" = ? AND "tenantId" = ? LIMIT 1`;

/**
 * The visibility filter as SQL. Each set is bound as one JSON array parameter read by
 * `json_each`, so the statement text (and the cached prepared statement) does not depend on how
 * many teams, owners or accounts the caller has.
 */
const visibilitySql =
  '("ownerTeamId" IN (SELECT value FROM json_each(?)) OR "primaryOwnerId" IN (SELECT value FROM json_each(?))' +
  ' OR "secondaryOwnerId" IN (SELECT value FROM json_each(?)) OR "id" IN (SELECT value FROM json_each(?)))';

/** Account reads on a read-only better-sqlite3 connection (the caller opens and closes it). */
export function sqliteAccountReads(conn: Database.Database): AccountReads {
  const byId = conn.prepare<[string, string], SqliteOwnedAccountRow>(ownedAccountByIdSql);
  const statements = new Map<string, Database.Statement<unknown[], unknown>>();
  const prepared = <R>(sql: string) => {
    let stmt = statements.get(sql);
    if (!stmt) statements.set(sql, (stmt = conn.prepare(sql)));
    return stmt as Database.Statement<unknown[], R>;
  };
  const where = (q: AccountCountQuery, beforeId?: string) => {
    const clauses = ['"tenantId" = ?'];
    const params: unknown[] = [q.tenantId];
    if (beforeId) clauses.push('"id" < ?'), params.push(beforeId);
    if (q.nameContains) clauses.push(`"nameSearch" LIKE ? ESCAPE '\\'`), params.push(containsPattern(q.nameContains));
    if (q.parentId === null) clauses.push('"parentId" IS NULL');
    else if (q.parentId !== undefined) clauses.push('"parentId" = ?'), params.push(q.parentId);
    if (q.grade) clauses.push('"grade" = ?'), params.push(q.grade);
    if (q.archived === 'exclude') clauses.push('"archivedAt" IS NULL');
    else if (q.archived === 'only') clauses.push('"archivedAt" IS NOT NULL');
    if (q.visibility) {
      const { teamIds, ownerIds, accountIds } = q.visibility;
      clauses.push(visibilitySql), params.push(JSON.stringify(teamIds), JSON.stringify(ownerIds), JSON.stringify(ownerIds), JSON.stringify(accountIds));
    }
    return { sql: clauses.join(' AND '), params };
  };
  return {
    async byId(tenantId, id) {
      const row = byId.get(id, tenantId);
      return row ? fromSqliteOwned(row) : null;
    },
    async list(q) {
      const w = where(q, q.beforeId);
      return prepared<SqliteAccountRow>(`SELECT ${columnList} FROM "Account" WHERE ${w.sql} ORDER BY "id" DESC LIMIT ?`).all(...w.params, q.take).map(fromSqlite);
    },
    async count(q) {
      const w = where(q);
      return prepared<{ n: number }>(`SELECT COUNT(*) AS n FROM "Account" WHERE ${w.sql}`).get(...w.params)!.n;
    },
    close: () => {},
  };
}
