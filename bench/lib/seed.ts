import Database from 'better-sqlite3';
import { createFakeClock, newId, searchKey } from '@crmkit/core';
import { createCrmServer, createLogger, migrateDatabase } from '@crmkit/server';
import { createRandom, pick } from './random.js';

export interface SeededDatabase {
  databaseUrl: string;
  tenantId: string;
  apiKey: string;
  /** Every seeded account id, in creation (= id) order. */
  accountIds: string[];
  /** Rows per grade among the accounts accounts.list returns (not archived). */
  activeByGrade: Record<string, number>;
  seconds: number;
}

/**
 * How Prisma's SQLite adapter stores what crmkit writes (checked on a row written through
 * accounts.create): DateTime as TEXT `2026-01-01T00:00:00.000+00:00`, Boolean as INTEGER 0/1.
 */
export const sqliteDateTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '+00:00');

const companies = ['Hualian', 'Meridian', 'Northwind', 'Jiahe', 'Blue Harbor', 'Everbright', 'Contoso', 'Sunrise', 'Tianyu', 'Oakridge', 'Yongan', 'Redwood'];
const kinds = ['Supermarkets', 'Trading', 'Logistics', 'Foods', 'Retail', 'Pharmacy', 'Electronics', 'Textiles'];
const regions = ['East China', 'North China', 'South China', 'Southwest', 'Northeast', 'Hong Kong', 'Europe', 'North America'];
const currencies = ['CNY', 'CNY', 'CNY', 'USD', 'EUR', 'HKD'];
const grades = ['A', 'B', 'C', 'D'] as const;

/**
 * Creates a crmkit SQLite database at `path`: migrated by crmkit, one tenant and one admin API key
 * through crmkit's bootstrap, then `count` accounts inserted with the raw driver in one transaction.
 */
export async function seedDatabase(path: string, count: number, seed: number): Promise<SeededDatabase> {
  const started = performance.now();
  const databaseUrl = `file:${path}`;
  const random = createRandom(seed);

  // Ids first: newId is monotonic per process, so ids made from a past fake clock must come
  // before anything stamped with the system clock, or their time part would be "now".
  const clock = createFakeClock('2025-01-01T00:00:00Z');
  const tenantId = newId('ten', clock);
  const rows: unknown[][] = [];
  const accountIds: string[] = [];
  const topLevel: string[] = [];
  const activeByGrade: Record<string, number> = { A: 0, B: 0, C: 0, D: 0 };
  for (let i = 0; i < count; i++) {
    clock.advance(30_000 + Math.floor(random() * 60_000));
    const id = newId('acc', clock);
    const createdMs = clock.now().getTime();
    const name = `${pick(random, companies)} ${pick(random, kinds)} ${String(i + 1).padStart(6, '0')}`;
    // About one account in five is a branch of an earlier top-level account.
    const parentId = topLevel.length > 0 && random() < 0.2 ? pick(random, topLevel) : null;
    if (parentId === null) topLevel.push(id);
    const grade = pick(random, grades);
    const archived = random() < 0.02;
    if (!archived) activeByGrade[grade]! += 1;
    const edited = random() < 0.3;
    rows.push([
      id, tenantId, name, searchKey(name), parentId, grade,
      parentId !== null && random() < 0.5 ? 1 : 0,
      random() < 0.7 ? `91310000${String(Math.floor(random() * 1e10)).padStart(10, '0')}` : null,
      random() < 0.8 ? `+86 21 ${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null,
      random() < 0.6 ? `ap${i + 1}@example.com` : null,
      random() < 0.4 ? `https://www.example-${i + 1}.com` : null,
      pick(random, regions),
      pick(random, currencies),
      edited ? 2 : 1,
      sqliteDateTime(createdMs),
      sqliteDateTime(edited ? createdMs + 3_600_000 : createdMs),
      archived ? sqliteDateTime(createdMs + 86_400_000) : null,
    ]);
    accountIds.push(id);
  }
  for (let i = 1; i < accountIds.length; i++) {
    if (!(accountIds[i - 1]! < accountIds[i]!)) throw new Error(`seed ids do not sort by creation: ${accountIds[i - 1]} ≥ ${accountIds[i]}`);
  }

  await migrateDatabase(databaseUrl);
  const crm = await createCrmServer({ databaseUrl, migrate: false, logger: createLogger('warn') });
  let apiKey: string;
  try {
    await crm.bootstrap.createTenant({ id: tenantId, name: 'Bench Tenant' });
    apiKey = (await crm.bootstrap.createApiKey({ tenantId, name: 'bench', role: 'admin' })).secret;
  } finally {
    await crm.close();
  }

  const db = new Database(path);
  try {
    const insert = db.prepare(`INSERT INTO "Account" ("id", "tenantId", "name", "nameSearch", "parentId", "grade", "settlesOwnInvoices", "taxId", "phone", "email", "website", "region", "currency", "version", "createdAt", "updatedAt", "archivedAt")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    db.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
  } finally {
    db.close();
  }
  return { databaseUrl, tenantId, apiKey, accountIds, activeByGrade, seconds: (performance.now() - started) / 1000 };
}
