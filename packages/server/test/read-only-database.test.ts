import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';
import { createCrmServer } from '../src/index.js';
import { postgresUrl } from './helpers/database.js';

/**
 * Makes a file or directory unwritable for this process. Tests may run as root, whom permission
 * bits do not stop: then the immutable attribute (chattr +i) does, where the filesystem has it.
 */
function lockAgainstWrites(path: string, kind: 'file' | 'dir'): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', path]);
    return () => execFileSync('chattr', ['-i', path]);
  }
  chmodSync(path, kind === 'file' ? 0o444 : 0o555);
  return () => chmodSync(path, kind === 'file' ? 0o644 : 0o755);
}

/** Whether lockAgainstWrites works here (chattr needs ext2/3/4, xfs, btrfs…, not tmpfs). */
function canLockAgainstWrites(dir: string): boolean {
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  try {
    lockAgainstWrites(probe, 'file')();
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

describe.skipIf(postgresUrl)('a SQLite database crmkit cannot write', () => {
  let dir: string;
  let path: string;
  let lockable = false;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crmkit-ro-'));
    path = join(dir, 'crm.db');
    lockable = canLockAgainstWrites(dir);
    const crm = await createCrmServer({ databaseUrl: `file:${path}` });
    const tenant = await crm.bootstrap.createTenant({ id: 'ten_ro', name: 'Read-only' });
    await crm.createCaller({ tenantId: tenant.id, type: 'user', id: 'u1', role: 'admin', scopes: null }).accounts.create({ name: 'Written before' });
    await crm.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes createCrmServer fail at start-up, saying the file is read-only', async (ctx) => {
    if (!lockable) ctx.skip();
    const unlock = lockAgainstWrites(path, 'file');
    try {
      for (const migrate of [true, false]) {
        await expect(createCrmServer({ databaseUrl: `file:${path}`, migrate })).rejects.toThrow(`the SQLite database ${path} is read-only; crmkit needs to write to it`);
      }
    } finally {
      unlock();
    }
    const crm = await createCrmServer({ databaseUrl: `file:${path}` });
    await crm.close();
  });

  it('makes createCrmServer fail at start-up when the directory is not writable, as SQLite keeps the WAL there', async (ctx) => {
    if (!lockable) ctx.skip();
    const unlock = lockAgainstWrites(dirname(path), 'dir');
    try {
      await expect(createCrmServer({ databaseUrl: `file:${path}` })).rejects.toThrow(/^crmkit cannot write to .*, the directory of the SQLite database .*: SQLite keeps its -wal and -shm files there; make it writable$/);
    } finally {
      unlock();
    }
  });

  it('answers writes on a read-only connection UNAVAILABLE saying the database is read-only, and still answers reads', async () => {
    // A host's own Prisma client, opened read-only: crmkit does not open it, so only the runtime mapping stands between it and a 500.
    const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${path}`, readonly: true }) });
    const crm = await createCrmServer({ prisma: { client, provider: 'sqlite' } });
    try {
      const caller = crm.createCaller({ tenantId: 'ten_ro', type: 'user', id: 'u1', role: 'admin', scopes: null });
      const error = await caller.accounts.create({ name: 'Refused' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'the database is read-only: crmkit cannot write to it' });
      expect((error as { cause?: unknown }).cause).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503 });
      expect((await caller.accounts.list({})).items.map((a) => a.name)).toEqual(['Written before']);
    } finally {
      await crm.close();
      await client.$disconnect();
    }
  });
});
