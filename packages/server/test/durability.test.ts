import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrmServer } from '../src/index.js';
import { engine } from './helpers/database.js';

const dir = mkdtempSync(join(tmpdir(), 'crmkit-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `synchronous` setting of the connection crmkit writes through (0 OFF, 1 NORMAL, 2 FULL). */
async function synchronousOf(options: { sqliteSynchronous?: 'FULL' | 'NORMAL' }, file: string): Promise<number> {
  const crm = await createCrmServer({ databaseUrl: `file:${join(dir, file)}`, ...options });
  try {
    const [row] = await crm.db.$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
    return Number(row!.synchronous);
  } finally {
    await crm.close();
  }
}

describe.runIf(engine === 'sqlite')('SQLite commit durability', () => {
  it('writes with synchronous=FULL by default, so a commit survives a power cut', async () => {
    expect(await synchronousOf({}, 'default.db')).toBe(2);
  });

  it('writes with synchronous=NORMAL when the host chooses it', async () => {
    expect(await synchronousOf({ sqliteSynchronous: 'NORMAL' }, 'normal.db')).toBe(1);
  });
});
