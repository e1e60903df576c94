import Database from 'better-sqlite3';
import type { Db } from './client.js';
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

export interface AccountListQuery {
  tenantId: string;
  /** Only ids below this one (newest-first paging). */
  beforeId?: string | undefined;
  /** A normalized search key matched anywhere in `nameSearch`. */
  nameContains?: string | undefined;
  /** `null`: top-level accounts only. */
  parentId?: string | null | undefined;
  grade?: string | undefined;
  archived: 'exclude' | 'include' | 'only';
  take: number;
}

/**
 * The hot, non-transactional account reads (`accounts.get`, `accounts.list`). On SQLite they run
 * as cached prepared statements on a read-only connection of the driver (WAL lets it read beside
 * Prisma's writer), which costs a fraction of an ORM call per request; elsewhere they are Prisma
 * queries. Reads inside a write transaction always go through the transaction instead.
 */
export interface AccountReads {
  byId(tenantId: string, id: string): Promise<AccountRow | null>;
  list(query: AccountListQuery): Promise<AccountRow[]>;
  close(): void;
}

/** The Prisma `select` for exactly these columns, so rows never leak other fields. */
export const accountSelect = Object.fromEntries(accountColumns.map((c) => [c, true])) as Record<(typeof accountColumns)[number], true>;

/**
 * Account reads through Prisma. Prisma's `contains` does not escape LIKE wildcards, so `%` and
 * `_` in a search are escaped here (PostgreSQL's LIKE takes backslash escapes by default).
 */
export function prismaAccountReads(db: Db, provider: Provider): AccountReads {
  const literal = (text: string) => (provider === 'postgresql' ? likeEscape(text) : text);
  return {
    byId: (tenantId, id) => db.account.findFirst({ where: { id, tenantId }, select: accountSelect }),
    list: (q) =>
      db.account.findMany({
        where: {
          tenantId: q.tenantId,
          ...(q.beforeId ? { id: { lt: q.beforeId } } : {}),
          ...(q.nameContains ? { nameSearch: { contains: literal(q.nameContains) } } : {}),
          ...(q.parentId !== undefined ? { parentId: q.parentId } : {}),
          ...(q.grade ? { grade: q.grade } : {}),
          ...(q.archived === 'exclude' ? { archivedAt: null } : q.archived === 'only' ? { archivedAt: { not: null } } : {}),
        },
        orderBy: { id: 'desc' },
        take: q.take,
        select: accountSelect,
      }),
    close: () => {},
  };
}

interface SqliteAccountRow extends Omit<AccountRow, 'settlesOwnInvoices' | 'createdAt' | 'updatedAt' | 'archivedAt'> {
  settlesOwnInvoices: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

// Prisma's SQLite adapter stores DateTime as ISO text and Boolean as 0/1.
function fromSqlite(row: SqliteAccountRow): AccountRow {
  return {
    ...row,
    settlesOwnInvoices: row.settlesOwnInvoices === 1,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    archivedAt: row.archivedAt === null ? null : new Date(row.archivedAt),
  };
}

const columnList = accountColumns.map((c) => `"${c}"`).join(', ');
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Account reads on a read-only better-sqlite3 connection to the file at `path`. */
export function sqliteAccountReads(path: string): AccountReads {
  const conn = new Database(path, { readonly: true, fileMustExist: true });
  conn.pragma('busy_timeout = 5000');
  const byId = conn.prepare<[string, string], SqliteAccountRow>(`SELECT ${columnList} FROM "Account" WHERE "id" = ? AND "tenantId" = ? LIMIT 1`);
  const lists = new Map<string, Database.Statement<unknown[], SqliteAccountRow>>();
  return {
    async byId(tenantId, id) {
      const row = byId.get(id, tenantId);
      return row ? fromSqlite(row) : null;
    },
    async list(q) {
      const clauses = ['"tenantId" = ?'];
      const params: unknown[] = [q.tenantId];
      if (q.beforeId) clauses.push('"id" < ?'), params.push(q.beforeId);
      if (q.nameContains) clauses.push(`"nameSearch" LIKE ? ESCAPE '\\'`), params.push(`%${likeEscape(q.nameContains)}%`);
      if (q.parentId === null) clauses.push('"parentId" IS NULL');
      else if (q.parentId !== undefined) clauses.push('"parentId" = ?'), params.push(q.parentId);
      if (q.grade) clauses.push('"grade" = ?'), params.push(q.grade);
      if (q.archived === 'exclude') clauses.push('"archivedAt" IS NULL');
      else if (q.archived === 'only') clauses.push('"archivedAt" IS NOT NULL');
      const sql = `SELECT ${columnList} FROM "Account" WHERE ${clauses.join(' AND ')} ORDER BY "id" DESC LIMIT ?`;
      let stmt = lists.get(sql);
      if (!stmt) lists.set(sql, (stmt = conn.prepare(sql)));
      return stmt.all(...params, q.take).map(fromSqlite);
    },
    close: () => conn.close(),
  };
}
