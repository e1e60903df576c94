import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Provider } from './url.js';

/** A provider's migrations folder in Prisma's own layout (`<name>/migration.sql` + `migration_lock.toml`). */
export interface MigrationSet {
  provider: Provider;
  dir: string;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function packageRoot(): string {
  // src/db/migrations.ts and dist/index.js both sit two or one levels below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The migrations shipped with @crmkit/server for a provider. */
export function bundledMigrations(provider: Provider): MigrationSet {
  return { provider, dir: join(packageRoot(), 'prisma', 'migrations', provider) };
}

export function schemaFilePath(): string {
  return join(packageRoot(), 'prisma', 'schema.prisma');
}

/** The schema text for a provider (the one schema, with its provider line rewritten). */
export function schemaTextFor(provider: Provider): string {
  const source = readFileSync(schemaFilePath(), 'utf8');
  return provider === 'sqlite' ? source : source.replace(/provider = "sqlite"/, `provider = "${provider}"`);
}

export function readMigrations(set: MigrationSet): Migration[] {
  if (!existsSync(set.dir)) return [];
  return readdirSync(set.dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(set.dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(set.dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** The migrations folder in the shape the schema engine takes. */
export async function loadMigrationList(set: MigrationSet) {
  const lockPath = join(set.dir, 'migration_lock.toml');
  return {
    baseDir: set.dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: readMigrations(set).map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: m.sql } },
    })),
  };
}

/** A minimal SQL connection: what the migrator needs from either driver. */
export interface MigrationConnection {
  provider: Provider;
  exec(sql: string): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn in a transaction on this connection. */
  transaction(fn: () => Promise<void>): Promise<void>;
  /** Serializes migrators across processes (an advisory lock on PostgreSQL; SQLite's write lock suffices). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

const migrationsTableDdl: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
};

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies pending migrations, each in its own transaction, recording them in Prisma's
 * `_prisma_migrations` table exactly as `prisma migrate deploy` does, so either tool can take
 * over. Refuses to run when an applied migration's file was edited since (checksum mismatch)
 * or a previous attempt failed half-way.
 */
export async function applyMigrations(conn: MigrationConnection, set: MigrationSet): Promise<MigrateResult> {
  const migrations = readMigrations(set);
  return conn.withLock(async () => {
    await conn.exec(migrationsTableDdl[conn.provider]);
    const rows = await conn.query<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const done = new Map<string, string>();
    for (const row of rows) {
      if (row.rolled_back_at != null) continue;
      if (row.finished_at == null) {
        throw new Error(`migration ${row.migration_name} failed or is in progress; resolve it before migrating again`);
      }
      done.set(row.migration_name, row.checksum);
    }
    const applied: string[] = [];
    const alreadyApplied: string[] = [];
    for (const m of migrations) {
      const checksum = done.get(m.name);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied (checksum mismatch)`);
        alreadyApplied.push(m.name);
        continue;
      }
      await conn.transaction(async () => {
        await conn.exec(m.sql);
        const now = new Date().toISOString();
        await conn.query(
          conn.provider === 'sqlite'
            ? 'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)'
            : 'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, 1)',
          [randomUUID(), m.checksum, m.name, now, now],
        );
      });
      applied.push(m.name);
    }
    return { applied, alreadyApplied };
  });
}
