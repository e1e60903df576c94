import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../../generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from '../../generated/postgresql/client.js';
import { applyMigrations, bundledMigrations, type MigrateResult, type MigrationConnection } from './migrations.js';
import { providerOf, sqlitePathOf, type Provider } from './url.js';
import { prismaAccountReads, sqliteAccountReads, type AccountReads } from './account-reads.js';
import { sqliteRoutingRows, type RoutingRows, type SyncRoutingRows } from './routing-reads.js';
import { guardTransactions, sqliteWriter, WriteLock, type SqliteWriter } from './sqlite-writer.js';

/**
 * The Prisma client crmkit's services use. Both providers' clients are generated from one
 * schema and expose the same model API; the SQLite client's type stands for both.
 */
export type Db = SqliteClient;
/** A Prisma interactive-transaction client. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Hot read paths that bypass the ORM where the driver allows (see account-reads.ts). */
export interface Reads {
  accounts: AccountReads;
  /** SQLite: routing's rows on the driver (see routing-reads.ts), also synchronously; absent elsewhere (Prisma then). */
  routing?: RoutingRows & { sync: SyncRoutingRows };
}

export interface Database_ {
  provider: Provider;
  prisma: Db;
  reads: Reads;
  /** SQLite: hot writes on the driver (see sqlite-writer.ts); absent on PostgreSQL. */
  writer?: SqliteWriter;
  close(): Promise<void>;
}

/**
 * The file path of a `file:` URL, its directory created. crmkit opens a SQLite database from
 * several connections (migrator, writer, reader), each of which would get its own `:memory:`.
 */
function sqliteFileOf(databaseUrl: string): string {
  const path = sqlitePathOf(databaseUrl);
  if (path === ':memory:' || path.startsWith('file::memory:')) throw new Error('crmkit needs a SQLite file, not :memory: (use a file in a temporary directory)');
  mkdirSync(dirname(resolve(path)), { recursive: true });
  assertWritable(path);
  return path;
}

/**
 * Refuses a database crmkit could read but not write: SQLite would open it read-only without a
 * word, the server would start, and every write would fail. The directory must be writable too:
 * SQLite keeps the WAL's `-wal` and `-shm` files beside the database.
 */
function assertWritable(path: string): void {
  const dir = dirname(resolve(path));
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(`crmkit cannot write to ${dir}, the directory of the SQLite database ${path}: SQLite keeps its -wal and -shm files there; make it writable`);
  }
  if (!existsSync(path)) return;
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new Error(`the SQLite database ${path} is read-only; crmkit needs to write to it`);
  }
}

/** Whether a write on this connection is refused: what file permissions do not tell (a read-only mount, for one). */
function probeWrite(db: Database.Database, path: string): void {
  try {
    // A write that is rolled back: it needs the write lock and a writable file, and changes nothing.
    db.exec('BEGIN IMMEDIATE; CREATE TABLE "_crmkit_write_probe" (x); ROLLBACK');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return; // another writer holds the lock: the file takes writes
    if (typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'))) {
      throw new Error(`the SQLite database ${path} is read-only (${code}); crmkit needs to write to it and to its directory`, { cause: error });
    }
    throw error;
  }
}

/**
 * How SQLite commits in WAL mode: `FULL` (the default) syncs every commit, so what an ERP was told
 * is stored survives a power cut; `NORMAL` syncs at checkpoints only, faster, and may lose the last
 * commits on power loss (never corrupts).
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface OpenDatabaseOptions {
  /** SQLite only (default `FULL`). */
  synchronous?: SqliteSynchronous;
}

/**
 * Prisma's better-sqlite3 adapter opens its connection with the library's defaults, which in WAL
 * mode commit with `synchronous=NORMAL` (better-sqlite3 is built with that WAL default): set the
 * durability crmkit promises on each connection it opens. Each connection's transactions also take
 * crmkit's write lock, shared with the driver writer, and `onConnect` learns the connection.
 */
function withConnectionSetup(factory: PrismaBetterSqlite3, synchronous: SqliteSynchronous, lock: WriteLock, onConnect: (db: Database.Database) => void): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const guarded = adapter as unknown as Parameters<typeof guardTransactions>[0];
    guarded.client.pragma(`synchronous = ${synchronous}`);
    guardTransactions(guarded, lock);
    onConnect(guarded.client);
    return adapter;
  };
  return factory;
}

/** Opens Prisma on `file:` (SQLite, created if missing) or `postgres://` with the matching driver adapter. */
export function openDatabase(databaseUrl: string, options: OpenDatabaseOptions = {}): Database_ {
  const provider = providerOf(databaseUrl);
  if (provider === 'sqlite') {
    const path = sqliteFileOf(databaseUrl);
    // WAL lets the read-only connection below read while Prisma's connection writes.
    const setup = new Database(path);
    try {
      setup.pragma('busy_timeout = 5000');
      setup.pragma('journal_mode = WAL');
      probeWrite(setup, path);
    } finally {
      setup.close();
    }
    const lock = new WriteLock();
    let connection: Database.Database | null = null;
    const factory = withConnectionSetup(new PrismaBetterSqlite3({ url: `file:${path}` }), options.synchronous ?? 'FULL', lock, (db) => (connection = db));
    const prisma = new SqliteClient({ adapter: factory });
    // One read-only connection serves the hot reads (accounts, routing): WAL lets it read beside the writer.
    const reader = new Database(path, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    const accounts = sqliteAccountReads(reader);
    const routing = sqliteRoutingRows(reader);
    const writer = sqliteWriter(lock, async () => {
      if (!connection?.open) await prisma.$connect();
      if (!connection?.open) throw new Error('crmkit: Prisma connected without opening its SQLite connection');
      return connection;
    });
    return {
      provider,
      prisma,
      reads: { accounts, routing },
      writer,
      close: async () => {
        reader.close();
        await prisma.$disconnect();
      },
    };
  }
  const adapter = new PrismaPg({ connectionString: databaseUrl });
  const prisma = new PostgresClient({ adapter }) as unknown as Db;
  return { provider, prisma, reads: { accounts: prismaAccountReads(prisma, provider) }, close: () => prisma.$disconnect() };
}

/** Applies crmkit's pending migrations to the database at `databaseUrl` with the raw driver. */
export async function migrateDatabase(databaseUrl: string): Promise<MigrateResult> {
  const provider = providerOf(databaseUrl);
  const set = bundledMigrations(provider);
  if (provider === 'sqlite') {
    const path = sqliteFileOf(databaseUrl);
    const db = new Database(path);
    try {
      db.pragma('busy_timeout = 5000');
      const conn: MigrationConnection = {
        provider,
        exec: async (sql) => void db.exec(sql),
        query: async <T>(sql: string, params: unknown[] = []) => {
          const stmt = db.prepare(sql);
          return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
        },
        transaction: async (fn) => {
          db.exec('BEGIN IMMEDIATE');
          try {
            await fn();
            db.exec('COMMIT');
          } catch (error) {
            db.exec('ROLLBACK');
            throw error;
          }
        },
        withLock: (fn) => fn(),
      };
      return await applyMigrations(conn, set);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const conn: MigrationConnection = {
      provider,
      exec: async (sql) => void (await client.query(sql)),
      query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
      transaction: async (fn) => {
        await client.query('BEGIN');
        try {
          await fn();
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      },
      withLock: async (fn) => {
        // The same key `prisma migrate deploy` takes, so crmkit and Prisma's CLI never migrate at once.
        await client.query('SELECT pg_advisory_lock(72707369)');
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock(72707369)');
        }
      },
    };
    return await applyMigrations(conn, set);
  } finally {
    await client.end();
  }
}
