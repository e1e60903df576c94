import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { createFakeClock } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';
import { createCrmServer, type CrmServer } from '../src/index.js';
import { migrateDatabase } from '../src/db/client.js';
import { engine } from './helpers/database.js';

// On a SQLite file crmkit opens itself, accounts.create, accounts.update and orders.confirm run on the driver
// (sqlite-writer.ts); given a host's Prisma client they run through the ORM. The two must write
// the same rows, audit and outbox events, and fail the same way.

const TABLES = ['Account', 'AccountOwnership', 'AuditEvent', 'OutboxEvent', 'Order', 'OrderLine', 'ExposureFigure', 'CreditLimit', 'CreditDecision'] as const;
const ID = /\b[a-z]{2,3}_[0-9A-Z]{26}\b/g;

/** Every row of the tables the two paths write, in creation order, ids replaced by their order of appearance. */
function dump(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const text = JSON.stringify(Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY ${t === 'ExposureFigure' ? '"accountId", "scope", "currency"' : t === 'CreditLimit' ? '"accountId", "scope"' : '"id"'}`).all()])));
    const seen = new Map<string, string>();
    return text.replace(ID, (id) => {
      if (!seen.has(id)) seen.set(id, `${id.slice(0, 3)}#${seen.size}`);
      return seen.get(id)!;
    });
  } finally {
    db.close();
  }
}

/** The same script of writes (and refusals) against one server; returns the answers, ids normalized the same way. */
async function script(crm: CrmServer): Promise<unknown[]> {
  await crm.bootstrap.createTenant({ id: 'ten_d', name: 'Driver' });
  const admin = crm.createCaller({ tenantId: 'ten_d', type: 'apiKey', id: 'key_admin', role: 'admin', scopes: null });
  const rep = crm.createCaller({ tenantId: 'ten_d', type: 'user', id: 'rep1', role: 'rep', scopes: null });
  const outcome = (p: Promise<unknown>) => p.then((v) => ({ ok: v }), (e: { cause?: { code?: string } }) => ({ error: e.cause?.code }));
  const answers: unknown[] = [];
  const hq = await admin.accounts.create({ name: 'Huadong Chain HQ', grade: 'A', currency: 'CNY', settlesOwnInvoices: true, taxId: '91310000X' });
  answers.push(hq);
  const branch = await admin.accounts.create({ name: 'Suzhou Store', parentId: hq.id, region: 'Jiangsu' });
  answers.push(branch);
  answers.push(await rep.accounts.create({ name: 'Rep Prospect Ltd', phone: '+86 21 5555 0101' }));
  answers.push(await outcome(rep.accounts.create({ name: 'Under an invisible parent', parentId: hq.id })));
  answers.push(await admin.accounts.update({ id: branch.id, expectedVersion: 1, name: 'Suzhou Store No. 1', grade: 'B', region: null, settlesOwnInvoices: true }));
  answers.push(await admin.accounts.update({ id: branch.id, name: 'Suzhou Store No. 1' })); // no change: no version, no event
  answers.push(await outcome(admin.accounts.update({ id: branch.id, expectedVersion: 1, email: 'ap@suzhou.example' })));
  answers.push(await outcome(rep.accounts.update({ id: hq.id, name: 'Not mine' })));
  await admin.accounts.archive({ id: branch.id });
  answers.push(await outcome(admin.accounts.update({ id: branch.id, name: 'Archived store' })));
  answers.push(await outcome(admin.accounts.create({ name: 'Under an archived parent', parentId: branch.id })));
  // orders.confirm: attribution through a team, a product-line member who delegates, an owner; exposure up the tree.
  await admin.users.upsert({ id: 'lead', displayName: 'Lead', role: 'manager' });
  await admin.users.upsert({ id: 'rep2', displayName: 'Rep 2', role: 'rep' });
  await admin.users.upsert({ id: 'rep1', displayName: 'Rep 1', role: 'rep' });
  const team = await admin.teams.create({ name: 'East', leaderId: 'lead', memberIds: ['rep1', 'rep2'] });
  const pl = await admin.productLines.create({ code: 'appliances', name: 'Appliances' });
  await admin.productLines.assign({ teamId: team.id, productLineId: pl.id, userId: 'rep2', reason: 'appliances' });
  const store = await admin.accounts.create({ name: 'Store under HQ', parentId: hq.id });
  await admin.ownership.assign({ accountId: store.id, teamId: team.id, primaryOwnerId: 'rep1', reason: 'territory' });
  await admin.delegations.create({ delegatorId: 'rep2', delegateId: 'rep1', validFrom: '2026-03-01T00:00:00.000Z', validTo: '2026-03-09T00:00:00.000Z', reason: 'leave' });
  const order = await admin.orders.create({
    orderingAccountId: store.id, currency: 'CNY',
    lines: [{ productLineId: pl.id, description: 'Fridge', quantity: 2, unitPriceMinor: 3_000_00 }, { description: 'Delivery', quantity: 1, unitPriceMinor: 50_00 }, { description: 'Discount', quantity: 1, unitPriceMinor: -100_00 }],
  });
  const pooled = await admin.orders.create({ orderingAccountId: hq.id, currency: 'USD', lines: [{ description: 'Sample', quantity: 1, unitPriceMinor: 10_00 }] });
  answers.push(await admin.orders.confirm({ id: order.id, expectedVersion: 1 }));
  answers.push(await admin.orders.confirm({ id: pooled.id }));
  answers.push(await outcome(admin.orders.confirm({ id: order.id })));
  answers.push(await outcome(rep.orders.confirm({ id: pooled.id })));
  const stale = await admin.orders.create({ orderingAccountId: store.id, currency: 'CNY', lines: [{ description: 'x', quantity: 1, unitPriceMinor: 1 }] });
  answers.push(await outcome(admin.orders.confirm({ id: stale.id, expectedVersion: 2 })));
  answers.push(await admin.accounts.exposure({ accountId: hq.id }));
  // The credit check on both paths: HQ's group limit leaves 79.00 (5,950.00 CNY + 10.00 USD at 7.1 = 6,021.00 of 6,100.00 taken).
  await admin.fx.setRate({ base: 'USD', quote: 'CNY', rate: '7.1', validFrom: '2026-01-01T00:00:00.000Z' });
  await admin.credit.setLimit({ accountId: hq.id, scope: 'group', amountMinor: 6_100_00, currency: 'CNY' });
  const over = await admin.orders.create({ orderingAccountId: store.id, currency: 'CNY', lines: [{ description: 'Kettle', quantity: 1, unitPriceMinor: 80_00 }] });
  answers.push(await outcome(admin.orders.confirm({ id: over.id })));
  const fits = await admin.orders.create({ orderingAccountId: store.id, currency: 'CNY', lines: [{ description: 'Kettle', quantity: 1, unitPriceMinor: 79_00 }] });
  answers.push(await admin.orders.confirm({ id: fits.id }));
  const seen = new Map<string, string>();
  return JSON.parse(JSON.stringify(answers).replace(ID, (id) => (seen.has(id) ? seen.get(id)! : (seen.set(id, `${id.slice(0, 3)}#${seen.size}`), seen.get(id)!))));
}

describe.skipIf(engine !== 'sqlite')('SQLite driver write paths (accounts.create, accounts.update, orders.confirm)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'crmkit-driver-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('write the same rows, audit and outbox events, and give the same answers and refusals as the ORM path', async () => {
    const driverPath = join(dir, 'driver.db');
    const ormPath = join(dir, 'orm.db');
    const viaDriver = await createCrmServer({ databaseUrl: `file:${driverPath}`, clock: createFakeClock('2026-03-01T09:00:00Z') });
    let driverAnswers: unknown[];
    try {
      driverAnswers = await script(viaDriver);
    } finally {
      await viaDriver.close();
    }
    await migrateDatabase(`file:${ormPath}`);
    const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${ormPath}` }) });
    const viaOrm = await createCrmServer({ prisma: { client, provider: 'sqlite' }, clock: createFakeClock('2026-03-01T09:00:00Z') });
    let ormAnswers: unknown[];
    try {
      ormAnswers = await script(viaOrm);
    } finally {
      await viaOrm.close();
      await client.$disconnect();
    }
    expect(driverAnswers).toEqual(ormAnswers);
    expect(driverAnswers.slice(3, 10)).toMatchObject([{ error: 'NOT_FOUND' }, { name: 'Suzhou Store No. 1', version: 2 }, { version: 2 }, { error: 'CONFLICT' }, { error: 'NOT_FOUND' }, { error: 'PRECONDITION_FAILED' }, { error: 'PRECONDITION_FAILED' }]);
    const driverRows = dump(driverPath);
    expect(driverRows).toBe(dump(ormPath));
    // Both wrote something to compare: the rep's account with its ownership period, and every event.
    const rows = JSON.parse(driverRows) as Record<string, unknown[]>;
    expect(rows.Account).toHaveLength(4);
    expect(rows.Order).toHaveLength(5);
    expect(driverAnswers.slice(10)).toMatchObject([
      { status: 'confirmed', lines: [{ attribution: { status: 'attributed', ownerOfRecord: { userId: 'rep2' }, acting: { userId: 'rep1' } } }, { attribution: { ownerOfRecord: { userId: 'rep1' } } }, {}] },
      { status: 'confirmed', lines: [{ attribution: { status: 'unattributed' } }] },
      { error: 'PRECONDITION_FAILED' },
      { error: 'NOT_FOUND' },
      { error: 'CONFLICT' },
      { group: [{ currency: 'CNY', ordersOpenMinor: 5_950_00 }, { currency: 'USD', ordersOpenMinor: 10_00 }] },
      { error: 'CREDIT_LIMIT_EXCEEDED' },
      { status: 'confirmed' },
    ]);
    expect(rows.CreditDecision).toHaveLength(2); // the refusal (recorded after its rollback) and the pass
    expect(rows.AccountOwnership).toHaveLength(2);
    expect(rows.AuditEvent!.length).toBeGreaterThanOrEqual(5);
  });

  it('serializes driver writes with Prisma transactions on the same connection: many of each at once all commit, none interleaved', async () => {
    const path = join(dir, 'mixed.db');
    const crm = await createCrmServer({ databaseUrl: `file:${path}`, clock: createFakeClock('2026-03-01T09:00:00Z') });
    try {
      await crm.bootstrap.createTenant({ id: 'ten_m', name: 'Mixed' });
      const admin = crm.createCaller({ tenantId: 'ten_m', type: 'apiKey', id: 'key_admin', role: 'admin', scopes: null });
      const parent = await admin.accounts.create({ name: 'Parent' });
      // accounts.create (driver) beside accounts.setParent and ownership.assign (Prisma transactions that await between statements).
      const children = await Promise.all(Array.from({ length: 20 }, (_, i) => admin.accounts.create({ name: `Child ${i}` })));
      const results = await Promise.allSettled([
        ...children.map((c) => admin.accounts.setParent({ id: c.id, parentId: parent.id })),
        ...Array.from({ length: 20 }, (_, i) => admin.accounts.create({ name: `Sibling ${i}`, parentId: parent.id })),
        ...children.map((c, i) => admin.accounts.update({ id: c.id, name: `Child ${i} renamed` })),
      ]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const db = new Database(path, { readonly: true });
      try {
        expect(db.prepare('SELECT COUNT(*) AS n FROM "Account" WHERE "parentId" = ?').get(parent.id)).toEqual({ n: 40 });
        expect(db.prepare(`SELECT COUNT(*) AS n FROM "Account" WHERE "name" LIKE '% renamed'`).get()).toEqual({ n: 20 });
        // Every write left its audit event and its outbox event.
        const audit = db.prepare('SELECT COUNT(*) AS n FROM "AuditEvent"').get() as { n: number };
        const outbox = db.prepare('SELECT COUNT(*) AS n FROM "OutboxEvent"').get() as { n: number };
        expect(audit.n).toBe(1 + 20 + 20 + 20 + 20);
        expect(outbox.n).toBe(audit.n);
      } finally {
        db.close();
      }
    } finally {
      await crm.close();
    }
  });

  it('rolls a failed driver write back whole and leaves the connection usable', async () => {
    const path = join(dir, 'rollback.db');
    const crm = await createCrmServer({ databaseUrl: `file:${path}`, clock: createFakeClock('2026-03-01T09:00:00Z') });
    try {
      await crm.bootstrap.createTenant({ id: 'ten_r', name: 'Rollback' });
      const admin = crm.createCaller({ tenantId: 'ten_r', type: 'apiKey', id: 'key_admin', role: 'admin', scopes: null });
      // The outbox insert fails after the account row and the audit row were written.
      const raw = new Database(path);
      raw.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON "OutboxEvent" WHEN NEW."type" = 'account.created' BEGIN SELECT RAISE(ABORT, 'outbox refused'); END`);
      const error = await admin.accounts.create({ name: 'Never stored' }).catch((e: { cause?: { code?: string } }) => e.cause?.code);
      expect(error).toBe('INTERNAL');
      raw.exec('DROP TRIGGER fail_outbox');
      raw.close();
      const db = new Database(path, { readonly: true });
      try {
        expect(db.prepare('SELECT COUNT(*) AS n FROM "Account"').get()).toEqual({ n: 0 });
        expect(db.prepare(`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "action" = 'account.created'`).get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
      // The next write, and a Prisma transaction after it, go through.
      const created = await admin.accounts.create({ name: 'Stored' });
      await admin.accounts.setParent({ id: created.id, parentId: null });
      expect(await admin.accounts.get({ id: created.id })).toMatchObject({ name: 'Stored' });
    } finally {
      await crm.close();
    }
  });
});
