import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, dropScratchDatabase } from '../../src/db/postgres-admin.js';

/** The PostgreSQL server the suite runs against, when the PostgreSQL pass is on. */
export const postgresUrl = process.env.CRMKIT_TEST_POSTGRES_URL || undefined;
export const engine = postgresUrl ? 'postgresql' : 'sqlite';

/** A fresh, empty database for one test file: a temp SQLite file, or a scratch PostgreSQL database. */
export async function freshDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  if (postgresUrl) {
    const url = await createScratchDatabase(postgresUrl, 'crmkit_test');
    return { url, drop: () => dropScratchDatabase(url, postgresUrl) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'crmkit-test-'));
  return { url: `file:${join(dir, 'crm.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
