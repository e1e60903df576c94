import { cpSync, mkdtempSync, readdirSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmServer, migrateDatabase } from '../src/index.js';
import { bundledMigrations, readMigrations, schemaTextFor } from '../src/db/migrations.js';
import { diffMigrationsToSchema } from '../src/db/schema-engine.js';
import { engine, freshDatabaseUrl, postgresUrl } from './helpers/database.js';

const empty = (sql: string) => sql === '' || /^-- This is an empty migration\.?$/.test(sql);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('migrations', () => {
  it('SQLite migrations produce exactly the schema (a change to one without the other fails here)', async () => {
    const sql = await diffMigrationsToSchema(bundledMigrations('sqlite'), schemaTextFor('sqlite'));
    expect(empty(sql), `schema and SQLite migrations disagree; run npm run db:migration -- <name>\n${sql}`).toBe(true);
  });

  it.runIf(postgresUrl)('PostgreSQL migrations produce exactly the schema', async () => {
    const sql = await diffMigrationsToSchema(bundledMigrations('postgresql'), schemaTextFor('postgresql'), postgresUrl);
    expect(empty(sql), `schema and PostgreSQL migrations disagree; run npm run db:migration -- <name>\n${sql}`).toBe(true);
  });

  it('detects a schema change that has no migration yet', async () => {
    const changed = schemaTextFor('sqlite').replace('model Tenant {', 'model Tenant {\n  plan String?');
    const sql = await diffMigrationsToSchema(bundledMigrations('sqlite'), changed);
    expect(sql).toMatch(/plan/);
  });

  it('diffing removes its scratch SQLite folder from the temp directory, also when the diff fails', async () => {
    const scratch = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('crmkit-shadow-')));
    const before = scratch();
    await diffMigrationsToSchema(bundledMigrations('sqlite'), schemaTextFor('sqlite'));
    await expect(diffMigrationsToSchema(bundledMigrations('sqlite'), 'this is not a schema')).rejects.toThrow();
    expect([...scratch()].filter((n) => !before.has(n))).toEqual([]);
  });

  it('ships the same migration names for both providers', () => {
    expect(readMigrations(bundledMigrations('postgresql')).map((m) => m.name)).toEqual(readMigrations(bundledMigrations('sqlite')).map((m) => m.name));
  });

  it(`applies every migration once on ${engine}, records it in _prisma_migrations, and is a no-op the second time`, async () => {
    const db = await freshDatabaseUrl();
    cleanups.push(db.drop);
    const names = readMigrations(bundledMigrations(engine)).map((m) => m.name);
    expect(await migrateDatabase(db.url)).toEqual({ applied: names, alreadyApplied: [] });
    expect(await migrateDatabase(db.url)).toEqual({ applied: [], alreadyApplied: names });
    const crm = await createCrmServer({ databaseUrl: db.url, migrate: false });
    try {
      const rows = await crm.db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>('SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    } finally {
      await crm.close();
    }
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const db = await freshDatabaseUrl();
    cleanups.push(db.drop);
    await migrateDatabase(db.url);
    const set = bundledMigrations(engine);
    const copy = mkdtempSync(join(tmpdir(), 'crmkit-migrations-'));
    cleanups.push(async () => rmSync(copy, { recursive: true, force: true }));
    cpSync(set.dir, copy, { recursive: true });
    const first = readdirSync(copy).filter((n) => !n.endsWith('.toml')).sort()[0]!;
    appendFileSync(join(copy, first, 'migration.sql'), '\n-- edited\n');
    const { applyMigrations } = await import('../src/db/migrations.js');
    const { default: Database } = await import('better-sqlite3');
    if (engine === 'sqlite') {
      const raw = new Database(db.url.slice('file:'.length));
      try {
        const conn = {
          provider: 'sqlite' as const,
          exec: async (sql: string) => void raw.exec(sql),
          query: async <T,>(sql: string, params: unknown[] = []) => raw.prepare(sql).all(...params) as T[],
          transaction: async (fn: () => Promise<void>) => fn(),
          withLock: <T,>(fn: () => Promise<T>) => fn(),
        };
        await expect(applyMigrations(conn, { provider: 'sqlite', dir: copy })).rejects.toThrow(/edited after it was applied/);
      } finally {
        raw.close();
      }
    } else {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const conn = {
          provider: 'postgresql' as const,
          exec: async (sql: string) => void (await client.query(sql)),
          query: async <T,>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
          transaction: async (fn: () => Promise<void>) => fn(),
          withLock: <T,>(fn: () => Promise<T>) => fn(),
        };
        await expect(applyMigrations(conn, { provider: 'postgresql', dir: copy })).rejects.toThrow(/edited after it was applied/);
      } finally {
        await client.end();
      }
    }
  });
});
