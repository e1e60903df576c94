import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../src/index.js';
import { errorOf, startHarness, tableCounts, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function eventsFor(entityId: string) {
  const audit = await h.crm.db.auditEvent.findMany({ where: { entityId }, orderBy: { id: 'asc' } });
  const outbox = await h.crm.db.outboxEvent.findMany({ where: { entityId }, orderBy: { id: 'asc' } });
  return { audit, outbox };
}

/** Runs a write and checks it appended exactly one audit event and one outbox event for its entity. */
async function expectOneEvent<T>(action: string, write: () => Promise<T>, idOf: (r: T) => string = (r) => (r as { id: string }).id) {
  const before = await tableCounts(h.crm);
  const result = await write();
  const after = await tableCounts(h.crm);
  expect(after.audit - before.audit, action).toBe(1);
  expect(after.outbox - before.outbox, action).toBe(1);
  const { audit, outbox } = await eventsFor(idOf(result));
  const last = audit.at(-1)!;
  expect(last).toMatchObject({ action, tenantId: h.tenantA, actorType: 'apiKey', at: h.clock.now() });
  expect(outbox.at(-1)).toMatchObject({ type: action, tenantId: h.tenantA, entityId: idOf(result) });
  return { result, event: last };
}

describe('audit', () => {
  it('appends exactly one audit event and one outbox event for every write procedure', async () => {
    const a = h.adminA;
    const { result: hq, event: created } = await expectOneEvent('account.created', () => a.accounts.create.mutate({ name: 'Audit HQ' }));
    expect(created.before).toBeNull();
    expect(JSON.parse(created.after!)).toMatchObject({ id: hq.id, name: 'Audit HQ' });
    const { event: updated } = await expectOneEvent('account.updated', () => a.accounts.update.mutate({ id: hq.id, name: 'Audit HQ renamed' }));
    expect(JSON.parse(updated.before!).name).toBe('Audit HQ');
    expect(JSON.parse(updated.after!).name).toBe('Audit HQ renamed');
    const { result: branch } = await expectOneEvent('account.created', () => a.accounts.create.mutate({ name: 'Audit branch', parentId: hq.id }));
    await expectOneEvent('account.parent_changed', () => a.accounts.setParent.mutate({ id: branch.id, parentId: null }));
    await expectOneEvent('account.archived', () => a.accounts.archive.mutate({ id: branch.id }));
    const { result: contact } = await expectOneEvent('contact.created', () => a.contacts.create.mutate({ accountId: hq.id, name: 'Zhou Wei' }));
    await expectOneEvent('contact.updated', () => a.contacts.update.mutate({ id: contact.id, title: 'Buyer' }));
    const { result: key } = await expectOneEvent('apiKey.created', () => a.apiKeys.create.mutate({ name: 'audited', role: 'service' }), (r) => r.apiKey.id);
    await expectOneEvent('apiKey.revoked', () => a.apiKeys.revoke.mutate({ id: key.apiKey.id }));
    await expectOneEvent('user.created', () => a.users.upsert.mutate({ id: 'u-audit', displayName: 'Audited', role: 'rep' }));
    await expectOneEvent('user.updated', () => a.users.upsert.mutate({ id: 'u-audit', displayName: 'Audited', role: 'manager' }));
  });

  it('records nothing for a write that changes nothing', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Steady', grade: 'B' });
    const before = await tableCounts(h.crm);
    await h.adminA.accounts.update.mutate({ id: acc.id, grade: 'B', name: 'Steady' });
    await h.adminA.users.upsert.mutate({ id: 'u-audit', displayName: 'Audited', role: 'manager' });
    expect(await tableCounts(h.crm)).toEqual(before);
  });

  it('lists an entity’s trail newest first, with actor, before and after, paginated', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Trail v1' });
    for (let v = 2; v <= 4; v++) {
      h.clock.advance(1000);
      await h.adminA.accounts.update.mutate({ id: acc.id, name: `Trail v${v}` });
    }
    const first = await h.adminA.audit.list.query({ entityType: 'account', entityId: acc.id, limit: 3 });
    expect(first.items.map((e) => e.action)).toEqual(['account.updated', 'account.updated', 'account.updated']);
    expect(first.items.map((e) => (e.after as { name: string }).name)).toEqual(['Trail v4', 'Trail v3', 'Trail v2']);
    expect(first.items[0]!.actor.type).toBe('apiKey');
    const rest = await h.adminA.audit.list.query({ entityType: 'account', entityId: acc.id, limit: 3, cursor: first.nextCursor! });
    expect(rest.items.map((e) => e.action)).toEqual(['account.created']);
    expect(rest.nextCursor).toBeNull();
  });

  it('offers no procedure that edits or deletes audit events', () => {
    const procedures = Object.keys(appRouter._def.procedures);
    expect(procedures.filter((p) => p.startsWith('audit.'))).toEqual(['audit.list']);
  });
});

describe('atomicity', () => {
  async function failInserts(table: 'AuditEvent' | 'OutboxEvent') {
    const db = h.crm.db;
    if (h.crm.provider === 'sqlite') {
      await db.$executeRawUnsafe(`CREATE TRIGGER fail_${table} BEFORE INSERT ON "${table}" BEGIN SELECT RAISE(ABORT, 'store down'); END`);
      return () => db.$executeRawUnsafe(`DROP TRIGGER fail_${table}`);
    }
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION fail_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'store down'; END $$ LANGUAGE plpgsql`);
    await db.$executeRawUnsafe(`CREATE TRIGGER fail_${table} BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION fail_insert()`);
    return () => db.$executeRawUnsafe(`DROP TRIGGER fail_${table} ON "${table}"`);
  }

  for (const table of ['AuditEvent', 'OutboxEvent'] as const) {
    it(`leaves neither the row nor any event when writing the ${table} fails`, async () => {
      const acc = await h.adminA.accounts.create.mutate({ name: `Atomic ${table}` });
      const before = await tableCounts(h.crm);
      const restore = await failInserts(table);
      try {
        const created = await errorOf(h.adminA.accounts.create.mutate({ name: 'Never stored' }));
        expect(created.crmCode).toBe('INTERNAL');
        expect(created.message).toBe('internal error');
        expect(await errorOf(h.adminA.accounts.update.mutate({ id: acc.id, name: 'Never renamed' }))).toMatchObject({ crmCode: 'INTERNAL' });
      } finally {
        await restore();
      }
      expect(await tableCounts(h.crm)).toEqual(before);
      expect((await h.adminA.accounts.get.query({ id: acc.id })).name).toBe(`Atomic ${table}`);
      expect((await h.adminA.accounts.list.query({ search: 'Never stored' })).items).toEqual([]);
    });
  }
});
