import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, newId, type Role } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';
import { createCrmServer, createLogger } from '../src/index.js';
import { postgresUrl } from './helpers/database.js';

const policies = [
  { grade: '*' as const, returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 3 },
  { grade: 'A' as const, returnAfterDays: 20, reclaimBlockDays: 14, reminderDays: 5, maxClaimsPerRep: 2 },
];

/** A harness on tenant A with the users of these tests and the pool policy above. */
async function poolWorld(start: string) {
  const h = await startHarness({ start });
  const users: [string, Role][] = [['rep-1', 'rep'], ['rep-2', 'rep'], ['rep-3', 'rep'], ['mgr-1', 'manager']];
  for (const [id, role] of users) await h.adminA.users.upsert.mutate({ id, displayName: id, role });
  await h.adminA.pool.setPolicy.mutate({ policies });
  // Tokens live 10 minutes of the fake clock: mint one per use.
  const as = (userId: string, role: Role = 'rep'): Promise<Client> => h.asUser(h.tenantA, userId, role);
  return { h, as };
}

const iso = (d: string | number | Date) => new Date(d).toISOString();

/** Everything the pool writes, so a repeated sweep can be shown to change nothing. */
async function poolState(h: Harness) {
  const db = h.crm.db;
  return JSON.stringify({
    accounts: await db.account.findMany({ orderBy: { id: 'asc' }, select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true, ownedSince: true, lastFollowUpAt: true, updatedAt: true, version: true } }),
    periods: await db.accountOwnership.count(),
    openPeriods: await db.accountOwnership.count({ where: { validTo: null } }),
    audit: await db.auditEvent.count(),
    outbox: await db.outboxEvent.count(),
    activities: await db.activity.count(),
  });
}

async function periodsOf(h: Harness, accountId: string) {
  const rows = await h.crm.db.accountOwnership.findMany({ where: { accountId }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({ primaryOwnerId: r.primaryOwnerId, teamId: r.teamId, cause: r.cause, reason: r.reason, validFrom: iso(r.validFrom), validTo: r.validTo ? iso(r.validTo) : null }));
}

describe('pool policy', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-01-05T09:00:00Z');
  });
  afterAll(() => w.h.close());

  it('is set per grade with a * default by managers, read by reps, and answers the policy applying to a grade', async () => {
    const { h, as } = w;
    const rep = await as('rep-1');
    expect((await rep.pool.policy.query({})).policies).toEqual([policies[1], policies[0]]);
    expect((await rep.pool.policy.query({ grade: 'A' })).policies).toEqual([policies[1]]);
    expect((await rep.pool.policy.query({ grade: 'C' })).policies).toEqual([policies[0]]);
    expect(await crmCodeOf(rep.pool.setPolicy.mutate({ policies }))).toBe('FORBIDDEN');

    const mgr = await as('mgr-1', 'manager');
    const onlyDefault = await mgr.pool.setPolicy.mutate({ policies: [{ ...policies[0]!, returnAfterDays: 45 }] });
    expect(onlyDefault.policies).toEqual([{ ...policies[0], returnAfterDays: 45 }]);
    expect((await rep.pool.policy.query({ grade: 'A' })).policies).toEqual([{ ...policies[0], returnAfterDays: 45 }]);
    await h.adminA.pool.setPolicy.mutate({ policies });
    expect((await h.adminB.pool.policy.query({})).policies).toEqual([]);
  });

  it('refuses a grade given twice, and setting the same policy again writes nothing', async () => {
    const { h } = w;
    const e = await errorOf(h.adminA.pool.setPolicy.mutate({ policies: [policies[0]!, { ...policies[0]!, returnAfterDays: 9 }] }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.fieldErrors).toHaveProperty(['policies.1.grade']);
    const before = await h.crm.db.auditEvent.count();
    await h.adminA.pool.setPolicy.mutate({ policies: [policies[1]!, policies[0]!] });
    expect(await h.crm.db.auditEvent.count()).toBe(before);
  });
});

describe('pool list, claim, release and assign', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-01-10T09:00:00Z');
  });
  afterAll(() => w.h.close());

  it('lists unowned active accounts newest first, by page, grade and name; claimed and archived ones leave the list', async () => {
    const { h, as } = w;
    const a1 = await h.adminA.accounts.create.mutate({ name: 'Pool Alpha', grade: 'B' });
    const a2 = await h.adminA.accounts.create.mutate({ name: 'Pool Beta', grade: 'A' });
    const a3 = await h.adminA.accounts.create.mutate({ name: 'Pool Gamma', grade: 'B' });
    const rep = await as('rep-1');
    const first = await rep.pool.list.query({ limit: 2 });
    expect(first.items.map((a) => a.id)).toEqual([a3.id, a2.id]);
    const second = await rep.pool.list.query({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((a) => a.id)).toEqual([a1.id]);
    expect(second.nextCursor).toBeNull();
    expect((await rep.pool.list.query({ grade: 'B' })).items.map((a) => a.id)).toEqual([a3.id, a1.id]);
    expect((await rep.pool.list.query({ search: 'beta' })).items.map((a) => a.id)).toEqual([a2.id]);

    await rep.pool.claim.mutate({ accountId: a3.id });
    await h.adminA.accounts.archive.mutate({ id: a1.id });
    expect((await rep.pool.list.query({})).items.map((a) => a.id)).toEqual([a2.id]);
    expect(await crmCodeOf(rep.pool.claim.mutate({ accountId: a1.id }))).toBe('PRECONDITION_FAILED');
    expect((await h.adminB.pool.list.query({})).items).toEqual([]);
  });

  it('a claim makes the rep primary owner (cause claim) and starts the pool clock; an owned account cannot be claimed', async () => {
    const { h, as } = w;
    const acc = await h.adminA.accounts.create.mutate({ name: 'Claim Me', grade: 'C' });
    const period = await (await as('rep-2')).pool.claim.mutate({ accountId: acc.id });
    expect(period).toMatchObject({ accountId: acc.id, primaryOwnerId: 'rep-2', teamId: null, cause: 'claim', reason: '', validFrom: iso(h.clock.now()), validTo: null, actorId: 'user:rep-2' });
    const row = await h.crm.db.account.findUniqueOrThrow({ where: { id: acc.id } });
    expect(row.ownedSince?.toISOString()).toBe(iso(h.clock.now()));
    // rep-1 cannot see it: it was taken from the pool (CONFLICT), not by whom; the owner sees why.
    expect(await errorOf((await as('rep-1')).pool.claim.mutate({ accountId: acc.id }))).toMatchObject({ crmCode: 'CONFLICT', details: { accountId: acc.id } });
    expect(await crmCodeOf((await as('rep-2')).pool.claim.mutate({ accountId: acc.id }))).toBe('PRECONDITION_FAILED');
    expect(await crmCodeOf(h.adminA.pool.claim.mutate({ accountId: acc.id }))).toBe('FORBIDDEN');
  });

  it('caps claims per rep: per grade for a graded policy, and over all held accounts for *', async () => {
    const { h, as } = w;
    const make = (name: string, grade: 'A' | 'C') => h.adminA.accounts.create.mutate({ name, grade });
    const [a1, a2, a3, c1, c2] = [await make('Cap A1', 'A'), await make('Cap A2', 'A'), await make('Cap A3', 'A'), await make('Cap C1', 'C'), await make('Cap C2', 'C')];
    const rep = await as('rep-3');
    await rep.pool.claim.mutate({ accountId: a1.id });
    await rep.pool.claim.mutate({ accountId: a2.id });
    const overA = await errorOf(rep.pool.claim.mutate({ accountId: a3.id }));
    expect(overA).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { rule: 'claim-cap', held: 2, limit: 2, grade: 'A' } });
    // Grade C falls under *, which counts every account the rep holds (the two A's too).
    await rep.pool.claim.mutate({ accountId: c1.id });
    const overAll = await errorOf(rep.pool.claim.mutate({ accountId: c2.id }));
    expect(overAll).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { rule: 'claim-cap', held: 3, limit: 3, grade: '*' } });
    // Releasing one makes room again.
    await rep.pool.release.mutate({ accountId: c1.id, reason: 'not a fit' });
    await rep.pool.claim.mutate({ accountId: c2.id });
    expect((await h.crm.db.account.findMany({ where: { primaryOwnerId: 'rep-3' }, select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id)).toEqual([a1.id, a2.id, c2.id]);
  });

  it('release gives the account back (owners cleared, cause release) and blocks the releasing rep from reclaiming for K days', async () => {
    const { h, as } = w;
    const acc = await h.adminA.accounts.create.mutate({ name: 'Release Me', grade: 'B' });
    await (await as('rep-1')).pool.claim.mutate({ accountId: acc.id });
    expect(await crmCodeOf((await as('rep-2')).pool.release.mutate({ accountId: acc.id, reason: 'not mine' }))).toBe('NOT_FOUND');
    const released = await (await as('rep-1')).pool.release.mutate({ accountId: acc.id, reason: 'moved away' });
    expect(released).toMatchObject({ primaryOwnerId: null, teamId: null, secondaryOwnerId: null, cause: 'release', reason: 'moved away' });
    expect(await crmCodeOf((await as('rep-1')).pool.release.mutate({ accountId: acc.id, reason: 'again' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminA.pool.release.mutate({ accountId: acc.id, reason: 'again' }))).toBe('PRECONDITION_FAILED');

    const releasedAt = h.clock.now().getTime();
    h.clock.advance(7 * DAY_MS - 1);
    const blocked = await errorOf((await as('rep-1')).pool.claim.mutate({ accountId: acc.id }));
    expect(blocked).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { rule: 'reclaim-block', until: iso(releasedAt + 7 * DAY_MS) } });
    h.clock.advance(1);
    expect((await (await as('rep-1')).pool.claim.mutate({ accountId: acc.id })).primaryOwnerId).toBe('rep-1');
  });

  it('a manager assigns a pool account to a rep (cause pool-assign), optionally for a team the rep belongs to', async () => {
    const { h, as } = w;
    const db = h.crm.db;
    const now = h.clock.now();
    const teamId = newId('tm', h.clock);
    await db.team.create({ data: { id: teamId, tenantId: h.tenantA, name: 'East', createdAt: now } });
    await db.teamMembership.createMany({
      data: [
        { id: newId('mbr', h.clock), tenantId: h.tenantA, teamId, userId: 'mgr-1', role: 'leader', validFrom: now, reason: 'setup', actorId: 'test' },
        { id: newId('mbr', h.clock), tenantId: h.tenantA, teamId, userId: 'rep-2', role: 'member', validFrom: now, reason: 'setup', actorId: 'test' },
      ],
    });
    const acc = await h.adminA.accounts.create.mutate({ name: 'Assign Me', grade: 'A' });
    const mgr = await as('mgr-1', 'manager');
    expect(await crmCodeOf((await as('rep-2')).pool.assign.mutate({ accountId: acc.id, userId: 'rep-2', reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(mgr.pool.assign.mutate({ accountId: acc.id, userId: 'nobody', reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(mgr.pool.assign.mutate({ accountId: acc.id, userId: 'rep-1', teamId, reason: 'x' }))).toBe('PRECONDITION_FAILED');
    const period = await mgr.pool.assign.mutate({ accountId: acc.id, userId: 'rep-2', teamId, reason: 'regional lead' });
    expect(period).toMatchObject({ teamId, primaryOwnerId: 'rep-2', cause: 'pool-assign', reason: 'regional lead', actorId: 'user:mgr-1' });
    expect(await crmCodeOf(mgr.pool.assign.mutate({ accountId: acc.id, userId: 'rep-1', reason: 'again' }))).toBe('PRECONDITION_FAILED');
    expect((await mgr.pool.list.query({})).items.some((a) => a.id === acc.id)).toBe(false);
  });

  it('answers NOT_FOUND for another tenant\'s accounts and users', async () => {
    const { h } = w;
    const acc = await h.adminA.accounts.create.mutate({ name: 'Tenant A only' });
    await h.adminB.users.upsert.mutate({ id: 'rep-b', displayName: 'B rep', role: 'rep' });
    const repB = await h.asUser(h.tenantB, 'rep-b', 'rep');
    expect(await crmCodeOf(repB.pool.claim.mutate({ accountId: acc.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(repB.pool.release.mutate({ accountId: acc.id, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.pool.assign.mutate({ accountId: acc.id, userId: 'rep-b', reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminA.pool.assign.mutate({ accountId: acc.id, userId: 'rep-b', reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.activities.log.mutate({ accountId: acc.id, kind: 'call' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.activities.list.query({ accountId: acc.id }))).toBe('NOT_FOUND');
  });
});

describe('pool returns over a month end', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  let accountId: string;
  const due = '2026-03-02T10:00:00.000Z';
  beforeAll(async () => {
    w = await poolWorld('2026-01-20T08:00:00Z');
    const { h, as } = w;
    accountId = (await h.adminA.accounts.create.mutate({ name: 'Month End Co', grade: 'C' })).id;
    await (await as('rep-1')).pool.claim.mutate({ accountId });
    h.clock.set('2026-01-31T10:00:00Z');
    await (await as('rep-1')).activities.log.mutate({ accountId, kind: 'visit', note: 'quarterly visit' });
  });
  afterAll(() => w.h.close());

  it('previews the return at the last follow-up + N days, reminding R days before', async () => {
    const { h } = w;
    h.clock.set('2026-02-20T00:00:00Z');
    const preview = await h.adminA.pool.preview.query({ withinDays: 10 });
    expect(preview).toMatchObject({ at: '2026-02-20T00:00:00.000Z', until: '2026-03-02T00:00:00.000Z', returns: [] });
    const wider = await h.adminA.pool.preview.query({ withinDays: 11 });
    expect(wider.returns).toEqual([
      {
        accountId,
        accountName: 'Month End Co',
        primaryOwnerId: 'rep-1',
        ownerTeamId: null,
        dueAt: due,
        remindAt: '2026-02-27T10:00:00.000Z',
        rule: 'no-follow-up',
        explanation: [
          { rule: 'pool-policy', outcome: 'applied', message: 'policy for grade *: return after 30 days', subjectId: null },
          { rule: 'no-follow-up', outcome: 'matched', message: 'last follow-up 2026-01-31T10:00:00.000Z; returns after 30 days without a follow-up', subjectId: accountId },
        ],
      },
    ]);
    // The rep sees their own account in the preview; another rep does not.
    expect((await (await w.as('rep-1')).pool.preview.query({ withinDays: 11 })).returns.map((r) => r.accountId)).toEqual([accountId]);
    expect((await (await w.as('rep-2')).pool.preview.query({ withinDays: 11 })).returns).toEqual([]);
  });

  it('does not return a day early, nor a millisecond early, and returns exactly at the due time', async () => {
    const { h } = w;
    h.clock.set(new Date(Date.parse(due) - DAY_MS));
    expect((await h.adminA.pool.sweep.mutate({})).returned).toEqual([]);
    h.clock.set(new Date(Date.parse(due) - 1));
    expect((await h.adminA.pool.preview.query({})).returns).toEqual([]);
    expect((await h.adminA.pool.sweep.mutate({})).returned).toEqual([]);
    h.clock.set(due);
    const preview = await h.adminA.pool.preview.query({});
    const sweep = await h.adminA.pool.sweep.mutate({});
    expect(sweep.at).toBe(due);
    expect(sweep.returned).toEqual(preview.returns);
    expect(sweep.returned.map((r) => r.accountId)).toEqual([accountId]);
    expect((await h.adminA.pool.list.query({})).items.map((a) => a.id)).toEqual([accountId]);
  });

  it('records the return as an ownership period with cause pool-return, and notifies the previous owner by event', async () => {
    const { h } = w;
    expect(await periodsOf(h, accountId)).toEqual([
      { primaryOwnerId: 'rep-1', teamId: null, cause: 'claim', reason: '', validFrom: '2026-01-20T08:00:00.000Z', validTo: due },
      { primaryOwnerId: null, teamId: null, cause: 'pool-return', reason: '', validFrom: due, validTo: null },
    ]);
    const events = await h.crm.db.outboxEvent.findMany({ where: { entityId: accountId, createdAt: new Date(due) }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['account.ownership_changed', 'pool.return_notice']);
    const notice = JSON.parse(events[1]!.payload) as { actor: unknown; after: Record<string, unknown> };
    expect(notice.actor).toEqual({ type: 'apiKey', id: expect.any(String) });
    expect(notice.after).toMatchObject({ accountId, previousOwnerId: 'rep-1', notify: 'rep-1', dueAt: due, returnedAt: due, rule: 'no-follow-up' });
    const trail = await h.adminA.audit.list.query({ entityType: 'account', entityId: accountId, limit: 1 });
    expect(trail.items[0]).toMatchObject({
      action: 'account.ownership_changed',
      before: { primaryOwnerId: 'rep-1', cause: 'pool-return', reason: '' },
      after: { primaryOwnerId: null, cause: 'pool-return', reason: '' },
    });
  });

  it('keeps the previous owner from reclaiming within K days, while another rep may claim at once', async () => {
    const { h, as } = w;
    h.clock.set(new Date(Date.parse(due) + 7 * DAY_MS - 1));
    const blocked = await errorOf((await as('rep-1')).pool.claim.mutate({ accountId }));
    expect(blocked).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { rule: 'reclaim-block', until: '2026-03-09T10:00:00.000Z' } });
    h.clock.set('2026-03-09T10:00:00Z');
    const reclaimed = await (await as('rep-1')).pool.claim.mutate({ accountId });
    expect(reclaimed).toMatchObject({ primaryOwnerId: 'rep-1', cause: 'claim' });
    // A returned account is open to others immediately.
    const other = await h.adminA.accounts.create.mutate({ name: 'Other Co', grade: 'B' });
    await (await as('rep-1')).pool.claim.mutate({ accountId: other.id });
    h.clock.advance(30 * DAY_MS);
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => r.accountId).sort()).toEqual([accountId, other.id].sort());
    expect((await (await as('rep-2')).pool.claim.mutate({ accountId: other.id })).primaryOwnerId).toBe('rep-2');
  });
});

describe('pool returns over a year end', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-12-15T12:00:00Z');
  });
  afterAll(() => w.h.close());

  it('an account assigned on 2026-12-15 without follow-up returns on 2027-01-04 (grade A: 20 days), not a day early', async () => {
    const { h, as } = w;
    const acc = await h.adminA.accounts.create.mutate({ name: 'Year End Co', grade: 'A' });
    await h.adminA.pool.assign.mutate({ accountId: acc.id, userId: 'rep-2', reason: 'new year push' });
    const preview = await h.adminA.pool.preview.query({ withinDays: 20 });
    expect(preview.returns.map((r) => [r.accountId, r.dueAt, r.remindAt])).toEqual([[acc.id, '2027-01-04T12:00:00.000Z', '2026-12-30T12:00:00.000Z']]);
    expect(preview.returns[0]!.explanation[1]!.message).toBe('owned since 2026-12-15T12:00:00.000Z with no follow-up; returns after 20 days without a follow-up');

    h.clock.set('2027-01-03T12:00:00Z');
    expect((await h.adminA.pool.sweep.mutate({})).returned).toEqual([]);
    h.clock.set('2027-01-04T11:59:59.999Z');
    expect((await h.adminA.pool.sweep.mutate({})).returned).toEqual([]);
    h.clock.set('2027-01-04T12:00:00Z');
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => [r.accountId, r.dueAt])).toEqual([[acc.id, '2027-01-04T12:00:00.000Z']]);
    expect((await periodsOf(h, acc.id)).map((p) => [p.cause, p.reason, p.validFrom])).toEqual([
      ['pool-assign', 'new year push', '2026-12-15T12:00:00.000Z'],
      ['pool-return', '', '2027-01-04T12:00:00.000Z'],
    ]);
    // Reclaim block for grade A is 14 days: until 2027-01-18.
    expect((await errorOf((await as('rep-2')).pool.claim.mutate({ accountId: acc.id }))).details).toMatchObject({ rule: 'reclaim-block', until: '2027-01-18T12:00:00.000Z' });
  });
});

/** 40 accounts owned by rep-1/rep-2 and a team, with tenures and follow-ups spread over two months; their ids. */
async function seedSweepAccounts(h: Harness): Promise<string[]> {
  const ids: string[] = [];
  const db = h.crm.db;
  // 40 accounts owned by rep-1/rep-2 and a team, with tenures and follow-ups spread over two months.
  const teamId = newId('tm', h.clock);
  await db.team.create({ data: { id: teamId, tenantId: h.tenantA, name: 'Sweep team', createdAt: h.clock.now() } });
  await db.teamMembership.create({ data: { id: newId('mbr', h.clock), tenantId: h.tenantA, teamId, userId: 'mgr-1', role: 'leader', validFrom: h.clock.now(), reason: 'setup', actorId: 'test' } });
  for (let i = 0; i < 40; i++) {
    const grade = (['A', 'B', 'C', null] as const)[i % 4]!;
    const acc = await h.adminA.accounts.create.mutate({ name: `Sweep ${i}`, ...(grade ? { grade } : {}) });
    ids.push(acc.id);
    const ownedSince = new Date(Date.parse('2026-03-01T00:00:00Z') + ((i * 37) % 50) * DAY_MS + i * 3_600_000);
    const lastFollowUpAt = i % 3 === 0 ? null : new Date(ownedSince.getTime() + ((i * 11) % 20) * DAY_MS);
    await db.account.update({
      where: { id: acc.id },
      data: { primaryOwnerId: i % 5 === 4 ? null : i % 2 ? 'rep-1' : 'rep-2', ownerTeamId: i % 5 === 4 ? teamId : null, ownedSince, lastFollowUpAt },
    });
    await db.accountOwnership.create({
      data: { id: newId('own', h.clock), tenantId: h.tenantA, accountId: acc.id, teamId: i % 5 === 4 ? teamId : null, primaryOwnerId: i % 5 === 4 ? null : i % 2 ? 'rep-1' : 'rep-2', validFrom: ownedSince, cause: 'assign', reason: '', actorId: 'test' },
    });
  }
  return ids;
}

describe('a sweep in small batches', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-04-01T00:00:00Z');
    await seedSweepAccounts(w.h);
  });
  afterAll(() => w.h.close());

  it('returns and reminds exactly what the preview says, with batches holding both returns and reminders', async () => {
    const { h } = w;
    h.clock.set('2026-04-20T00:00:00Z');
    const at = h.clock.now().toISOString();
    const dueNow = (await h.adminA.pool.preview.query({ withinDays: 0 })).returns;
    const remindNow = (await h.adminA.pool.preview.query({ withinDays: 30 })).returns.filter((r) => r.remindAt <= at && r.dueAt > at);
    // Batches of 3 over the returns then the reminders: one batch holds the last returns and the first reminders.
    expect(dueNow.length % 3).not.toBe(0);
    expect(remindNow.length).toBeGreaterThan(0);
    const sweep = await h.adminA.pool.sweep.mutate({ batchSize: 3 });
    expect(sweep.returned).toEqual(dueNow);
    expect([...sweep.reminded].sort()).toEqual(remindNow.map((r) => r.accountId).sort());
    const events = await h.crm.db.outboxEvent.findMany({ where: { type: { in: ['pool.return_notice', 'pool.reminder', 'account.ownership_changed'] } }, select: { type: true, entityId: true } });
    const ofType = (type: string) => events.filter((e) => e.type === type).map((e) => e.entityId).sort();
    expect(ofType('pool.return_notice')).toEqual(dueNow.map((r) => r.accountId).sort());
    expect(ofType('account.ownership_changed')).toEqual(dueNow.map((r) => r.accountId).sort());
    expect(ofType('pool.reminder')).toEqual(remindNow.map((r) => r.accountId).sort());
    // Nothing is left to do at the same instant.
    expect(await h.adminA.pool.sweep.mutate({ batchSize: 3 })).toMatchObject({ returned: [], reminded: [] });
  });
});

describe('two sweeps at once', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-04-01T00:00:00Z');
    await seedSweepAccounts(w.h);
  });
  afterAll(() => w.h.close());

  // Two instances in one process on SQLite would stall each other: the driver is synchronous, so one
  // waiting for the write lock blocks the event loop of the one holding it. (Separate processes wait their turn.)
  it.runIf(postgresUrl)('return each due account once between them, and remind each owner once', async () => {
    const { h } = w;
    h.clock.set('2026-04-20T00:00:00Z');
    const due = (await h.adminA.pool.preview.query({ withinDays: 0 })).returns.map((r) => r.accountId).sort();
    expect(due.length).toBeGreaterThan(3);
    // A second instance on the same database (its own connections), as two processes running the job would be.
    const other = await createCrmServer({ databaseUrl: h.databaseUrl, migrate: false, clock: h.clock, logger: createLogger('warn') });
    const [a, b] = await Promise.all([h.crm.jobs.poolSweep({ batchSize: 2 }), other.jobs.poolSweep({ batchSize: 3 })]).finally(() => other.close());
    const returned = [...a[h.tenantA]!.returned, ...b[h.tenantA]!.returned].map((r) => r.accountId).sort();
    expect(returned).toEqual(due);
    const reminded = [...a[h.tenantA]!.reminded, ...b[h.tenantA]!.reminded];
    expect(new Set(reminded).size).toBe(reminded.length);
    const periods = await h.crm.db.accountOwnership.findMany({ where: { cause: 'pool-return' }, select: { accountId: true } });
    expect(periods.map((p) => p.accountId).sort()).toEqual(due);
    expect(await h.crm.db.outboxEvent.count({ where: { type: 'pool.reminder' } })).toBe(reminded.length);
  });
});

describe('pool preview and sweep agree', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  let ids: string[] = [];
  beforeAll(async () => {
    w = await poolWorld('2026-04-01T00:00:00Z');
    ids = await seedSweepAccounts(w.h);
  });
  afterAll(() => w.h.close());

  it('the accounts previewed with withinDays 0 at T are exactly those the sweep at T returns, in the same order', async () => {
    const { h } = w;
    h.clock.set('2026-04-15T00:00:00Z');
    const preview = await h.adminA.pool.preview.query({ withinDays: 0 });
    expect(preview.returns.length).toBeGreaterThan(3);
    const sweep = await h.adminA.pool.sweep.mutate({ batchSize: 2 });
    expect(sweep.returned).toEqual(preview.returns);
    const dues = sweep.returned.map((r) => r.dueAt);
    expect([...dues].sort()).toEqual(dues);
  });

  it('what a preview lists for the next 3 days returns when the clock is advanced 3 days, and nothing else', async () => {
    const { h } = w;
    const preview = await h.adminA.pool.preview.query({ withinDays: 3 });
    expect(preview.returns.length).toBeGreaterThan(0);
    expect(preview.returns.every((r) => r.dueAt > preview.at && r.dueAt <= preview.until)).toBe(true);
    h.clock.advance(3 * DAY_MS);
    const sweep = await h.adminA.pool.sweep.mutate({});
    expect(sweep.returned).toEqual(preview.returns);
  });

  it('a second sweep at the same instant changes nothing', async () => {
    const { h } = w;
    h.clock.advance(5 * DAY_MS);
    const first = await h.adminA.pool.sweep.mutate({});
    expect(first.returned.length).toBeGreaterThan(0);
    const before = await poolState(h);
    const again = await h.adminA.pool.sweep.mutate({});
    expect(again.returned).toEqual([]);
    expect(await poolState(h)).toBe(before);
  });

  it('a team-owned account returns with the notice addressed to the team leader', async () => {
    const { h } = w;
    h.clock.advance(60 * DAY_MS);
    await h.adminA.pool.sweep.mutate({});
    const notices = await h.crm.db.outboxEvent.findMany({ where: { type: 'pool.return_notice' } });
    const teamNotices = notices.map((n) => (JSON.parse(n.payload) as { after: { previousTeamId: string | null; notify: string | null } }).after).filter((a) => a.previousTeamId !== null);
    expect(teamNotices).toHaveLength(8);
    expect(teamNotices.every((a) => a.notify === 'mgr-1')).toBe(true);
    // Every account owned at the start has returned now, each once.
    const returnedPeriods = await h.crm.db.accountOwnership.findMany({ where: { cause: 'pool-return' }, select: { accountId: true } });
    expect(returnedPeriods.map((p) => p.accountId).sort()).toEqual([...ids].sort());
  });

  it('is for admins only (managers and reps are refused), and runs as the job for every tenant', async () => {
    const { h, as } = w;
    expect(await crmCodeOf((await as('mgr-1', 'manager')).pool.sweep.mutate({}))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await as('rep-1')).pool.sweep.mutate({}))).toBe('FORBIDDEN');
    const { runPoolSweepForAllTenants } = await import('../src/services/pool/sweep.js');
    const results = await runPoolSweepForAllTenants(h.crm);
    expect(Object.keys(results).sort()).toEqual([h.tenantA, h.tenantB]);
    expect(results[h.tenantA]!.returned).toEqual([]);
  });
});

describe('pool reminders', () => {
  let w: Awaited<ReturnType<typeof poolWorld>>;
  beforeAll(async () => {
    w = await poolWorld('2026-06-01T09:00:00Z');
  });
  afterAll(() => w.h.close());

  const reminders = (h: Harness, accountId: string) => h.crm.db.outboxEvent.findMany({ where: { type: 'pool.reminder', entityId: accountId }, orderBy: { id: 'asc' } });

  it('reminds the owner once inside the reminder window, again after a follow-up moves the return, and never after the return', async () => {
    const { h, as } = w;
    const acc = await h.adminA.accounts.create.mutate({ name: 'Remind Me', grade: 'C' });
    await (await as('rep-1')).pool.claim.mutate({ accountId: acc.id });
    // Due 2026-07-01T09:00Z, reminded from 2026-06-28T09:00Z.
    h.clock.set('2026-06-28T08:59:59.999Z');
    await h.adminA.pool.sweep.mutate({});
    expect(await reminders(h, acc.id)).toHaveLength(0);
    h.clock.set('2026-06-28T09:00:00Z');
    await h.adminA.pool.sweep.mutate({});
    const first = await reminders(h, acc.id);
    expect(first).toHaveLength(1);
    expect(JSON.parse(first[0]!.payload).after).toMatchObject({ accountId: acc.id, notify: 'rep-1', dueAt: '2026-07-01T09:00:00.000Z', remindAt: '2026-06-28T09:00:00.000Z' });
    const before = await poolState(h);
    h.clock.advance(DAY_MS);
    await h.adminA.pool.sweep.mutate({});
    expect(await poolState(h)).toBe(before);

    await (await as('rep-1')).activities.log.mutate({ accountId: acc.id, kind: 'call' });
    h.clock.set('2026-07-26T09:00:00Z'); // the follow-up on 06-29 moved the return to 07-29
    await h.adminA.pool.sweep.mutate({});
    expect(await reminders(h, acc.id)).toHaveLength(2);
    h.clock.set('2026-07-29T09:00:00Z');
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => r.accountId)).toEqual([acc.id]);
    await h.adminA.pool.sweep.mutate({});
    expect(await reminders(h, acc.id)).toHaveLength(2);
  });
});
