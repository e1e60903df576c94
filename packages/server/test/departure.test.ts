import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, newId, type Role } from '@crmkit/core';
import type { Actor } from '../src/context.js';
import { inTransaction } from '../src/services/audit/record.js';
import { changeOwnership, type OwnershipState } from '../src/services/ownership/change-ownership.js';
import { engine } from './helpers/database.js';
import { crmCodeOf, errorOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: '2026-05-04T09:00:00Z' });
  const users: [string, Role][] = [
    ['leaver', 'rep'], ['heir', 'rep'], ['colleague', 'rep'], ['lead-2', 'manager'], ['leaver-2', 'manager'], ['leaver-3', 'rep'], ['fragile', 'rep'], ['gone', 'rep'],
  ];
  for (const [id, role] of users) await h.adminA.users.upsert.mutate({ id, displayName: id, role });
});
afterAll(() => h.close());

// Teams, product lines and delegations are set up in the database directly, so these tests
// exercise departure alone.
const setupActor = (): Actor => ({ tenantId: h.tenantA, type: 'system', id: 'test-setup', role: 'admin', scopes: null });
async function account(name: string, owners: Partial<OwnershipState>): Promise<string> {
  const { id } = await h.adminA.accounts.create.mutate({ name });
  const ctx = h.crm.serviceContext(setupActor());
  await inTransaction(ctx, (tx) => changeOwnership(tx, ctx, id, { teamId: null, primaryOwnerId: null, secondaryOwnerId: null, ...owners }, { cause: 'assign' }));
  return id;
}
async function team(name: string, leaderId: string, memberIds: string[]): Promise<string> {
  const id = newId('tm', h.clock);
  const now = h.clock.now();
  await h.crm.db.team.create({ data: { id, tenantId: h.tenantA, name, createdAt: now } });
  for (const [userId, role] of [[leaderId, 'leader'], ...memberIds.map((m) => [m, 'member'])] as const) {
    await h.crm.db.teamMembership.create({ data: { id: newId('mbr', h.clock), tenantId: h.tenantA, teamId: id, userId, role, validFrom: now, reason: 'setup', actorId: 'test' } });
  }
  return id;
}
async function productLine(code: string, teamId: string, userId: string): Promise<string> {
  const id = newId('pl', h.clock);
  const now = h.clock.now();
  await h.crm.db.productLine.create({ data: { id, tenantId: h.tenantA, code, name: code, createdAt: now } });
  await h.crm.db.productLineAssignment.create({ data: { id: newId('pla', h.clock), tenantId: h.tenantA, teamId, productLineId: id, userId, validFrom: now, reason: 'setup', actorId: 'test' } });
  return id;
}
async function delegation(delegatorId: string, delegateId: string, fromDays: number, toDays: number): Promise<string> {
  const id = newId('dlg', h.clock);
  const now = h.clock.now().getTime();
  await h.crm.db.delegation.create({
    data: { id, tenantId: h.tenantA, delegatorId, delegateId, scope: 'all', accountIds: '[]', validFrom: new Date(now + fromDays * DAY_MS), validTo: new Date(now + toDays * DAY_MS), reason: 'setup', createdBy: 'test', createdAt: new Date(now) },
  });
  return id;
}
const ownersOf = async (id: string) => h.crm.db.account.findUniqueOrThrow({ where: { id }, select: { ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } });
const periodsOf = async (accountId: string) =>
  (await h.crm.db.accountOwnership.findMany({ where: { accountId }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] })).map((p) => ({
    primaryOwnerId: p.primaryOwnerId, secondaryOwnerId: p.secondaryOwnerId, teamId: p.teamId, cause: p.cause, reason: p.reason, validFrom: p.validFrom.toISOString(), validTo: p.validTo?.toISOString() ?? null,
  }));

/** Every row departure may touch, in a stable order: equal dumps mean nothing was written. */
async function dump() {
  const db = h.crm.db;
  const order = { orderBy: { id: 'asc' } } as const;
  return JSON.stringify([
    await db.user.findMany({ orderBy: [{ tenantId: 'asc' }, { id: 'asc' }] }), await db.account.findMany(order), await db.accountOwnership.findMany(order), await db.teamMembership.findMany(order),
    await db.productLineAssignment.findMany(order), await db.delegation.findMany(order), await db.routingOverride.findMany(order), await db.auditEvent.findMany(order), await db.outboxEvent.findMany(order),
  ]);
}

describe('users.deactivate with reassignTo', () => {
  const s = {} as Record<'t1' | 't2' | 'a1' | 'a2' | 'a3' | 'a4' | 'a5' | 'p1' | 'p2' | 'p3' | 'dFrom' | 'dTo' | 'dOther' | 'override', string>;
  let at: string;
  beforeAll(async () => {
    s.t1 = await team('Appliances', 'leaver', ['heir']);
    s.t2 = await team('Power tools', 'lead-2', ['leaver', 'colleague']);
    s.p1 = await productLine('APPL', s.t1, 'leaver');
    s.p2 = await productLine('TOOLS', s.t2, 'leaver');
    s.p3 = await productLine('KITCHEN', s.t1, 'heir');
    s.a1 = await account('Leaver own', { primaryOwnerId: 'leaver' });
    s.a2 = await account('Leaver secondary', { primaryOwnerId: 'colleague', secondaryOwnerId: 'leaver' });
    s.a3 = await account('Team account', { teamId: s.t2, primaryOwnerId: 'leaver' });
    s.a4 = await account('Shared with heir', { primaryOwnerId: 'leaver', secondaryOwnerId: 'heir' });
    s.a5 = await account('Not theirs', { primaryOwnerId: 'colleague' });
    s.dFrom = await delegation('leaver', 'colleague', 3, 10);
    s.dTo = await delegation('colleague', 'leaver', 0, 5);
    s.dOther = await delegation('heir', 'colleague', 0, 5);
    s.override = newId('ovr', h.clock);
    await h.crm.db.routingOverride.create({ data: { id: s.override, tenantId: h.tenantA, accountId: s.a3, userId: 'leaver', validFrom: h.clock.now(), reason: 'setup', actorId: 'test' } });
    h.clock.advance(DAY_MS);
    at = h.clock.now().toISOString();
  });

  it('is refused to reps and managers, for unknown or other tenants\' users, and for reassigning to oneself', async () => {
    expect(await crmCodeOf((await h.asUser(h.tenantA, 'colleague', 'rep')).users.deactivate.mutate({ userId: 'leaver', toPool: true, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await h.asUser(h.tenantA, 'lead-2', 'manager')).users.deactivate.mutate({ userId: 'leaver', toPool: true, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(h.adminA.users.deactivate.mutate({ userId: 'nobody', toPool: true, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.users.deactivate.mutate({ userId: 'leaver', toPool: true, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminA.users.deactivate.mutate({ userId: 'leaver', reassignTo: 'nobody', reason: 'x' }))).toBe('NOT_FOUND');
    expect((await errorOf(h.adminA.users.deactivate.mutate({ userId: 'leaver', reassignTo: 'leaver', reason: 'x' }))).fieldErrors).toHaveProperty('reassignTo');
  });

  it('moves every account, team leadership, product line, override and delegation in one call and answers the summary', async () => {
    const summary = await h.adminA.users.deactivate.mutate({ userId: 'leaver', reassignTo: 'heir', reason: 'left the company' });
    expect({ ...summary, teams: [...summary.teams].sort() }).toEqual({
      userId: 'leaver',
      reassignedTo: 'heir',
      accounts: [s.a1, s.a2, s.a3, s.a4].sort(),
      teams: [s.t1, s.t2].sort(),
      productLineAssignments: 2,
      delegationsEnded: 2,
    });
    expect(await ownersOf(s.a1)).toEqual({ ownerTeamId: null, primaryOwnerId: 'heir', secondaryOwnerId: null });
    expect(await ownersOf(s.a2)).toEqual({ ownerTeamId: null, primaryOwnerId: 'colleague', secondaryOwnerId: 'heir' });
    expect(await ownersOf(s.a3)).toEqual({ ownerTeamId: s.t2, primaryOwnerId: 'heir', secondaryOwnerId: null });
    expect(await ownersOf(s.a4)).toEqual({ ownerTeamId: null, primaryOwnerId: 'heir', secondaryOwnerId: null });
    expect(await ownersOf(s.a5)).toEqual({ ownerTeamId: null, primaryOwnerId: 'colleague', secondaryOwnerId: null });
    const user = (await h.adminA.users.list.query({ active: false })).items.map((u) => u.id);
    expect(user).toEqual(['leaver']);
  });

  it('keeps history: the leaver\'s periods are closed at the departure, none deleted, and new ones say why', async () => {
    const setupAt = new Date(Date.parse(at) - DAY_MS).toISOString();
    expect(await periodsOf(s.a1)).toEqual([
      { primaryOwnerId: 'leaver', secondaryOwnerId: null, teamId: null, cause: 'assign', reason: '', validFrom: setupAt, validTo: at },
      { primaryOwnerId: 'heir', secondaryOwnerId: null, teamId: null, cause: 'departure', reason: 'left the company', validFrom: at, validTo: null },
    ]);
    expect((await periodsOf(s.a5)).map((p) => p.cause)).toEqual(['assign']);
    const memberships = await h.crm.db.teamMembership.findMany({ where: { teamId: s.t1 }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] });
    expect(memberships.map((m) => [m.userId, m.role, m.validFrom.toISOString(), m.validTo?.toISOString() ?? null])).toEqual([
      ['leaver', 'leader', setupAt, at],
      ['heir', 'member', setupAt, at],
      ['heir', 'leader', at, null],
    ]);
    const t2 = await h.crm.db.teamMembership.findMany({ where: { teamId: s.t2, userId: 'leaver' } });
    expect(t2.map((m) => m.validTo?.toISOString())).toEqual([at]);
    // Product lines pass to the heir only in a team the heir belongs to.
    const lines = await h.crm.db.productLineAssignment.findMany({ orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] });
    expect(lines.map((l) => [l.productLineId, l.userId, l.validTo?.toISOString() ?? null])).toEqual([
      [s.p1, 'leaver', at],
      [s.p2, 'leaver', at],
      [s.p3, 'heir', null],
      [s.p1, 'heir', null],
    ]);
    const delegations = await h.crm.db.delegation.findMany({ orderBy: { id: 'asc' } });
    expect(delegations.map((d) => [d.id, d.endedAt?.toISOString() ?? null])).toEqual([[s.dFrom, at], [s.dTo, at], [s.dOther, null]]);
    const overrides = await h.crm.db.routingOverride.findMany({ orderBy: { validFrom: 'asc' } });
    expect(overrides.map((o) => [o.userId, o.validTo?.toISOString() ?? null])).toEqual([['leaver', at], ['heir', null]]);
    const trail = await h.adminA.audit.list.query({ entityType: 'user', entityId: 'leaver', limit: 1 });
    expect(trail.items[0]).toMatchObject({ action: 'user.deactivated', before: { active: true }, after: { active: false, reason: 'left the company', reassignedTo: 'heir' } });
  });

  it('a deactivated user cannot be deactivated again, claim, take over, or be assigned pool accounts', async () => {
    expect(await crmCodeOf(h.adminA.users.deactivate.mutate({ userId: 'leaver', toPool: true, reason: 'again' }))).toBe('PRECONDITION_FAILED');
    expect(await crmCodeOf(h.adminA.users.deactivate.mutate({ userId: 'colleague', reassignTo: 'leaver', reason: 'x' }))).toBe('PRECONDITION_FAILED');
    const poolAccount = (await h.adminA.accounts.create.mutate({ name: 'Unclaimed' })).id;
    // Their token is refused before any procedure runs; a host's own caller still meets the service's check.
    expect(await crmCodeOf((await h.asUser(h.tenantA, 'leaver', 'rep')).pool.claim.mutate({ accountId: poolAccount }))).toBe('UNAUTHORIZED');
    const hostCaller = h.crm.createCaller({ tenantId: h.tenantA, type: 'user', id: 'leaver', role: 'rep', scopes: null });
    await expect(hostCaller.pool.claim({ accountId: poolAccount })).rejects.toMatchObject({ cause: { code: 'FORBIDDEN' } });
    expect(await crmCodeOf(h.adminA.pool.assign.mutate({ accountId: poolAccount, userId: 'leaver', reason: 'x' }))).toBe('PRECONDITION_FAILED');
  });
});

describe('users.deactivate to the pool', () => {
  const s = {} as Record<'t3' | 'b1' | 'b2' | 'b3', string>;
  beforeAll(async () => {
    h.clock.advance(DAY_MS);
    s.t3 = await team('Kitchen', 'leaver-2', ['leaver-3']);
    await productLine('PANS', s.t3, 'leaver-3');
    s.b1 = await account('Personal', { primaryOwnerId: 'leaver-3', secondaryOwnerId: 'colleague' });
    s.b2 = await account('Kitchen team account', { teamId: s.t3, primaryOwnerId: 'leaver-3' });
    s.b3 = await account('Colleague\'s', { primaryOwnerId: 'colleague', secondaryOwnerId: 'leaver-3' });
    h.clock.advance(DAY_MS);
  });

  it('is refused for a team leader, naming the teams whose leader must change first, and writes nothing', async () => {
    const before = await dump();
    const e = await errorOf(h.adminA.users.deactivate.mutate({ userId: 'leaver-2', toPool: true, reason: 'left' }));
    expect(e).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { userId: 'leaver-2', teamIds: [s.t3] } });
    expect(e.message).toContain(s.t3);
    expect(await dump()).toBe(before);
  });

  it('sends personal accounts to the pool whole, keeps team accounts with the team, and clears secondary ownership', async () => {
    const summary = await h.adminA.users.deactivate.mutate({ userId: 'leaver-3', toPool: true, reason: 'contract ended' });
    expect(summary).toEqual({ userId: 'leaver-3', reassignedTo: null, accounts: [s.b1, s.b2, s.b3].sort(), teams: [s.t3], productLineAssignments: 1, delegationsEnded: 0 });
    expect(await ownersOf(s.b1)).toEqual({ ownerTeamId: null, primaryOwnerId: null, secondaryOwnerId: null });
    expect(await ownersOf(s.b2)).toEqual({ ownerTeamId: s.t3, primaryOwnerId: null, secondaryOwnerId: null });
    expect(await ownersOf(s.b3)).toEqual({ ownerTeamId: null, primaryOwnerId: 'colleague', secondaryOwnerId: null });
    expect((await h.adminA.pool.list.query({})).items.map((a) => a.id)).toContain(s.b1);
    expect((await periodsOf(s.b1)).map((p) => [p.primaryOwnerId, p.cause, p.reason, p.validTo === null])).toEqual([
      ['leaver-3', 'assign', '', false],
      [null, 'departure', 'contract ended', true],
    ]);
    const open = await h.crm.db.productLineAssignment.count({ where: { userId: 'leaver-3', validTo: null } });
    expect(open).toBe(0);
  });
});

describe('users.deactivate is one transaction', () => {
  it('a failure at its last write leaves every account, period, membership and delegation as it was', async () => {
    const t = await team('Fragile team', 'lead-2', ['fragile']);
    await productLine('FRAGILE', t, 'fragile');
    const c1 = await account('Fragile own', { primaryOwnerId: 'fragile' });
    await account('Fragile team account', { teamId: t, primaryOwnerId: 'fragile', secondaryOwnerId: 'colleague' });
    await delegation('fragile', 'colleague', 0, 3);
    // The user row is written last: make that write fail.
    if (engine === 'postgresql') {
      await h.crm.db.$executeRawUnsafe(`CREATE FUNCTION refuse_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$`);
      await h.crm.db.$executeRawUnsafe(`CREATE TRIGGER refuse_deactivation BEFORE UPDATE ON "User" FOR EACH ROW WHEN (NEW."id" = 'fragile') EXECUTE FUNCTION refuse_deactivation()`);
    } else {
      await h.crm.db.$executeRawUnsafe(`CREATE TRIGGER refuse_deactivation BEFORE UPDATE ON "User" WHEN NEW."id" = 'fragile' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
    }
    h.clock.advance(DAY_MS);
    const before = await dump();
    expect(await crmCodeOf(h.adminA.users.deactivate.mutate({ userId: 'fragile', reassignTo: 'colleague', reason: 'left' }))).toBe('INTERNAL');
    expect(await dump()).toBe(before);

    await h.crm.db.$executeRawUnsafe(engine === 'postgresql' ? `DROP TRIGGER refuse_deactivation ON "User"` : `DROP TRIGGER refuse_deactivation`);
    const summary = await h.adminA.users.deactivate.mutate({ userId: 'fragile', reassignTo: 'colleague', reason: 'left' });
    expect(summary.accounts).toHaveLength(2);
    expect(await ownersOf(c1)).toEqual({ ownerTeamId: null, primaryOwnerId: 'colleague', secondaryOwnerId: null });
  });

  it('a user who owns nothing is simply marked inactive', async () => {
    expect(await h.adminA.users.deactivate.mutate({ userId: 'gone', toPool: true, reason: 'never started' })).toEqual({
      userId: 'gone', reassignedTo: null, accounts: [], teams: [], productLineAssignments: 0, delegationsEnded: 0,
    });
  });
});
