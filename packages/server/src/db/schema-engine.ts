import { inspect } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Provider } from './url.js';
import { createScratchDatabase, dropScratchDatabase } from './postgres-admin.js';
import { loadMigrationList, type MigrationSet } from './migrations.js';

const require = createRequire(import.meta.url);
let engineModule: Promise<typeof import('@prisma/schema-engine-wasm')> | undefined;

/**
 * Loads Prisma's schema engine compiled to WebAssembly. Its ES entry imports a `.wasm` file,
 * which Node refuses, so the bytes are instantiated here against the module's JS glue.
 */
function loadEngineModule() {
  engineModule ??= (async () => {
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const dir = dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bytes = await readFile(join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start: () => void };
    (glue as unknown as { __wbg_set_wasm: (w: unknown) => void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return glue as unknown as typeof import('@prisma/schema-engine-wasm');
  })();
  return engineModule;
}

/**
 * Opens the schema engine against a scratch database of the provider: an in-memory SQLite
 * database, or the given PostgreSQL URL (used as the engine's shadow database).
 */
export async function openSchemaEngine(provider: Provider, schemaText: string, postgresUrl?: string): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadEngineModule();
  let factory;
  let scratchDir: string | null = null;
  if (provider === 'sqlite') {
    scratchDir = mkdtempSync(join(tmpdir(), 'crmkit-shadow-'));
    factory = withScriptFallback(new PrismaBetterSqlite3({ url: 'file:' + join(scratchDir, 'shadow.db') }));
  } else {
    if (!postgresUrl) throw new Error('a PostgreSQL URL is needed to diff PostgreSQL migrations');
    factory = withCharAsText(new PrismaPg({ connectionString: postgresUrl }));
  }
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const removeScratch = () => scratchDir && rmSync(scratchDir, { recursive: true, force: true });
  let engine: SchemaEngine;
  try {
    engine = await SchemaEngine.new({ datamodels: [['schema.prisma', schemaText]] }, () => {}, bound);
  } catch (error) {
    removeScratch();
    throw error;
  }
  // Freeing the engine also removes its scratch SQLite folder, so no run leaves one in the temp directory.
  const free = engine.free.bind(engine);
  engine.free = () => {
    free();
    removeScratch();
  };
  return Object.assign(engine, { errorRegistry: bound.errorRegistry });
}

type SqliteFactory = PrismaBetterSqlite3;
type Connected = Awaited<ReturnType<SqliteFactory['connect']>>;

/**
 * The engine replays migrations through `executeRaw`, whole files at a time, and better-sqlite3
 * prepares one statement only; such scripts are sent through `executeScript` instead.
 */
function withScriptFallback(factory: SqliteFactory): SqliteFactory {
  const patch = (adapter: Connected): Connected => {
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      try {
        return await executeRaw(query);
      } catch (error) {
        if (query.args.length === 0 && error instanceof RangeError && /more than one statement/.test(error.message)) {
          await adapter.executeScript(query.sql);
          return 0;
        }
        throw error;
      }
    };
    return adapter;
  };
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patch(await connect());
  factory.connectToShadowDb = async () => patch(await connectToShadowDb());
  return factory;
}

type PgFactory = PrismaPg;
type PgConnected = Awaited<ReturnType<PgFactory['connect']>>;

/**
 * The engine's catalog queries return PostgreSQL's one-byte `"char"` columns (pg_class.relkind…),
 * a type adapter-pg does not map; they are read as text, which is what they hold.
 */
function withCharAsText(factory: PgFactory): PgFactory {
  const patch = (adapter: PgConnected): PgConnected => {
    const io = adapter as unknown as { performIO: (q: unknown) => Promise<{ fields: { dataTypeID: number }[] }> };
    const performIO = io.performIO.bind(adapter);
    io.performIO = async (query) => {
      const result = await performIO(query);
      for (const field of result.fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    };
    // The adapter splits a script on every `;`, even inside comments, strings and `$$` function
    // bodies (a trigger); PostgreSQL's simple query protocol runs the whole script as it is.
    const client = (adapter as unknown as { client: { query(sql: string): Promise<unknown> } }).client;
    adapter.executeScript = async (script) => void (await client.query(script));
    return adapter;
  };
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => patch(await connect());
  factory.connectToShadowDb = async () => patch(await connectToShadowDb());
  return factory;
}

const noFilters = { externalTables: [], externalEnums: [] };

/** The SQL that takes a database built by the migrations in `set` to the schema (empty when they agree). */
export async function diffMigrationsToSchema(set: MigrationSet, schemaText: string, postgresUrl?: string): Promise<string> {
  if (set.provider === 'postgresql') {
    if (!postgresUrl) throw new Error('a PostgreSQL URL is needed to diff PostgreSQL migrations');
    // The engine replays the migrations into its database, so it gets one of its own.
    const scratch = await createScratchDatabase(postgresUrl, 'crmkit_shadow');
    try {
      return await diffWith(set, schemaText, scratch);
    } finally {
      await dropScratchDatabase(scratch, postgresUrl);
    }
  }
  return diffWith(set, schemaText);
}

async function diffWith(set: MigrationSet, schemaText: string, postgresUrl?: string): Promise<string> {
  const engine = await openSchemaEngine(set.provider, schemaText, postgresUrl);
  try {
    const list = await loadMigrationList(set);
    const from = list.migrationDirectories.length === 0 ? { tag: 'empty' as const } : { tag: 'migrations' as const, ...list };
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schemaText }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return (result.stdout ?? '').trim();
  } catch (error) {
    // The engine reports driver failures as "External error id#N"; the cause sits in the registry.
    const id = /External error id#(\d+)/.exec(String(error))?.[1];
    const cause = id === undefined ? undefined : (engine as unknown as { errorRegistry: { consumeError(id: number): { error: unknown } | undefined } }).errorRegistry.consumeError(Number(id));
    if (cause) throw new Error(`${String(error).split('\n')[0]}: ${inspect(cause.error)}`, { cause: error });
    throw error;
  } finally {
    engine.free();
  }
}
