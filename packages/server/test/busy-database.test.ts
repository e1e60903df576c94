import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from './helpers/database.js';
import { errorOf, startHarness, tableCounts, type Harness } from './helpers/harness.js';

// SQLite only: another process holding the write lock past the busy timeout (5 s). On PostgreSQL
// writers queue on row locks, and write conflicts are P2034, already UNAVAILABLE.
describe.skipIf(postgresUrl)('a database locked by another writer', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({});
  });
  afterAll(() => h.close());

  it('answers UNAVAILABLE (retryable, 503), not INTERNAL, and writes nothing', async () => {
    const before = await tableCounts(h.crm);
    // Stands for another process: a connection of its own holding the write lock throughout the call.
    const other = new Database(h.databaseUrl.replace(/^file:/, ''));
    other.exec('BEGIN IMMEDIATE');
    let error;
    try {
      error = await errorOf(h.adminA.accounts.create.mutate({ name: 'Blocked Ltd' }));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(error).toMatchObject({ crmCode: 'UNAVAILABLE', httpStatus: 503 });
    expect(await tableCounts(h.crm)).toEqual(before);
    // Once the lock is gone the same write goes through.
    await expect(h.adminA.accounts.create.mutate({ name: 'Blocked Ltd' })).resolves.toMatchObject({ name: 'Blocked Ltd' });
  }, 20_000);
});
