import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from './helpers/database.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * Audit events are append-only in the database itself (triggers of the hardening migration), so
 * no application path and no ordinary SQL statement can edit history; writes still append.
 */
let h: Harness;
let accountId: string;

beforeAll(async () => {
  h = await startHarness();
  accountId = (await h.adminA.accounts.create.mutate({ name: 'Audited' })).id;
  await h.adminA.accounts.update.mutate({ id: accountId, name: 'Audited again' });
});
afterAll(() => h.close());

const trail = () => h.crm.db.auditEvent.findMany({ orderBy: { id: 'asc' } });

/** The failure of a statement the database must refuse, asserting that it is the audit trigger's. */
async function refusal(statement: () => Promise<unknown>): Promise<string> {
  const error = await statement().then(
    () => expect.fail('the database accepted a change to an audit event'),
    (e: unknown) => e,
  );
  const text = String((error as Error).message) + JSON.stringify((error as { meta?: unknown }).meta ?? null);
  expect(text).toMatch(/audit events are append-only/);
  return text;
}

describe(`audit events on ${engine}`, () => {
  it('refuses UPDATE and DELETE in ordinary SQL and leaves every event as it was', async () => {
    const before = await trail();
    expect(before.length).toBeGreaterThanOrEqual(2);
    const db = h.crm.db;
    expect(await refusal(() => db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'account.forged'`))).toMatch(/UPDATE/);
    expect(await refusal(() => db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "after" = NULL WHERE "id" = '${before[0]!.id}'`))).toMatch(/UPDATE/);
    expect(await refusal(() => db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "id" = '${before[0]!.id}'`))).toMatch(/DELETE/);
    expect(await refusal(() => db.$executeRawUnsafe('DELETE FROM "AuditEvent"'))).toMatch(/DELETE/);
    if (engine === 'postgresql') expect(await refusal(() => db.$executeRawUnsafe('TRUNCATE "AuditEvent"'))).toMatch(/TRUNCATE/);
    expect(await trail()).toEqual(before);
  });

  it('refuses update and delete through the Prisma model API and leaves every event as it was', async () => {
    const before = await trail();
    const db = h.crm.db;
    const first = before[0]!;
    await refusal(() => db.auditEvent.update({ where: { id: first.id }, data: { actorId: 'someone-else' } }));
    await refusal(() => db.auditEvent.updateMany({ data: { entityId: 'acc_forged' } }));
    await refusal(() => db.auditEvent.delete({ where: { id: first.id } }));
    await refusal(() => db.auditEvent.deleteMany({ where: { entityId: accountId } }));
    await refusal(() => db.auditEvent.deleteMany());
    // Inside a transaction too: the refusal rolls the whole transaction back.
    await refusal(() =>
      db.$transaction(async (tx) => {
        await tx.auditEvent.deleteMany({ where: { id: first.id } });
      }),
    );
    expect(await trail()).toEqual(before);
  });

  it('still appends: every write adds its audit event, and an INSERT in SQL is accepted', async () => {
    const before = await trail();
    await h.adminA.accounts.update.mutate({ id: accountId, name: 'Audited thrice' });
    const after = await trail();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => [e.action, e.entityId])).toEqual([['account.updated', accountId]]);
    await h.crm.db.$executeRawUnsafe(
      `INSERT INTO "AuditEvent" ("id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", "at")
       VALUES ('aud_sql_insert', '${h.tenantA}', 'system', 'test', 'account.noted', 'account', '${accountId}', NULL, NULL, $1)`.replace('$1', engine === 'postgresql' ? 'now()' : `'2026-03-01T09:00:00.000+00:00'`),
    );
    expect((await trail()).map((e) => e.id)).toContain('aud_sql_insert');
  });
});
