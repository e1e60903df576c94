import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

// Race tests: each round starts two calls at once through HTTP. On SQLite one write transaction
// runs at a time; on PostgreSQL they interleave, and the loser may read the account only after the
// winner committed.
const ROUNDS = 12;

let h: Harness;
let repA: Client;
let repB: Client;
let manager: Client;
beforeAll(async () => {
  h = await startHarness({ start: '2026-06-01T09:00:00Z' });
  for (const [id, role] of [['race-a', 'rep'], ['race-b', 'rep'], ['race-mgr', 'manager']] as const) await h.adminA.users.upsert.mutate({ id, displayName: id, role });
  // The manager leads a team race-b belongs to, so may hand pool accounts to race-b; neither rep sees the other's accounts.
  await h.adminA.teams.create.mutate({ name: 'Race team', leaderId: 'race-mgr', memberIds: ['race-b'] });
  await h.adminA.pool.setPolicy.mutate({ policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 1_000 }] });
  [repA, repB, manager] = await Promise.all([h.asUser(h.tenantA, 'race-a', 'rep'), h.asUser(h.tenantA, 'race-b', 'rep'), h.asUser(h.tenantA, 'race-mgr', 'manager')]);
});
afterAll(() => h.close());

/** The code of a settled call: 'ok' or its crmkit error code. */
async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (e: unknown) => crmCodeOf(Promise.reject(e)),
  );
}

/** Starts `call` after `ms` milliseconds: rounds with a growing head start cover the loser reading before and after the winner commits. */
const after = <T>(ms: number, call: () => Promise<T>): Promise<T> => new Promise((resolve) => setTimeout(resolve, ms)).then(call);

/** Those of the given (once owned) accounts that have more than one open ownership period. */
async function withSeveralOpenPeriods(ids: string[]): Promise<string[]> {
  const open = await h.crm.db.accountOwnership.groupBy({ by: ['accountId'], where: { accountId: { in: ids }, validTo: null }, _count: { _all: true } });
  return open.filter((g) => g._count._all > 1).map((g) => g.accountId);
}

describe('two callers taking one pool account at once', () => {
  it('two reps claiming the same account: one gets it, the other is told CONFLICT (taken meanwhile), never NOT_FOUND', async () => {
    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Contested ${round}` });
      ids.push(id);
      const results = await Promise.all([outcome(repA.pool.claim.mutate({ accountId: id })), outcome(after(round * 3, () => repB.pool.claim.mutate({ accountId: id })))]);
      expect(results.sort(), `round ${round}`).toEqual(['CONFLICT', 'ok']);
    }
    expect(await withSeveralOpenPeriods(ids)).toEqual([]);
  });

  it('a manager assigning while a rep claims: one wins, the other is told CONFLICT', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Assigned or claimed ${round}` });
      const results = await Promise.all([
        outcome(manager.pool.assign.mutate({ accountId: id, userId: 'race-b', reason: 'territory' })),
        outcome(after(round * 3, () => repA.pool.claim.mutate({ accountId: id }))),
      ]);
      expect(results.sort(), `round ${round}`).toEqual(['CONFLICT', 'ok']);
    }
  });

  it('an owner releasing an account twice at once: it returns to the pool once, with one open period and one change event', async () => {
    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Released twice ${round}` });
      ids.push(id);
      await repA.pool.claim.mutate({ accountId: id });
      const results = await Promise.all([
        outcome(repA.pool.release.mutate({ accountId: id, reason: 'not a fit' })),
        outcome(repA.pool.release.mutate({ accountId: id, reason: 'not a fit' })),
      ]);
      // The second finds it back in the pool: hidden from the rep now (as when released one after the other) or already in the pool.
      expect(results.filter((r) => r === 'ok'), `round ${round}`).toEqual(['ok']);
      expect(['NOT_FOUND', 'PRECONDITION_FAILED'], `round ${round}`).toContain(results.find((r) => r !== 'ok'));
      const releases = await h.crm.db.accountOwnership.count({ where: { accountId: id, cause: 'release' } });
      expect(releases, `round ${round}`).toBe(1);
      expect(await h.crm.db.outboxEvent.count({ where: { entityId: id, type: 'account.ownership_changed' } }), `round ${round}: claim and release`).toBe(2);
    }
    expect(await withSeveralOpenPeriods(ids)).toEqual([]);
  });
});

describe('claiming an account someone took from the pool earlier', () => {
  it('answers CONFLICT without owners for an account taken from the pool, NOT_FOUND for one that never was in it', async () => {
    const claimed = await h.adminA.accounts.create.mutate({ name: 'Claimed earlier' });
    await repA.pool.claim.mutate({ accountId: claimed.id });
    const taken = await repB.pool.claim.mutate({ accountId: claimed.id }).catch((e: unknown) => e);
    expect(await crmCodeOf(Promise.reject(taken))).toBe('CONFLICT');
    expect(JSON.stringify((taken as { data?: unknown }).data)).not.toContain('race-a');

    // Created by a rep (cause create), or assigned by an admin (cause assign): never in the pool, so as if absent.
    const created = await repA.accounts.create.mutate({ name: 'Created by a rep' });
    expect(await crmCodeOf(repB.pool.claim.mutate({ accountId: created.id }))).toBe('NOT_FOUND');
    const assigned = await h.adminA.accounts.create.mutate({ name: 'Assigned by an admin' });
    await h.adminA.ownership.assign.mutate({ accountId: assigned.id, primaryOwnerId: 'race-a', reason: 'her territory' });
    expect(await crmCodeOf(repB.pool.claim.mutate({ accountId: assigned.id }))).toBe('NOT_FOUND');
    // Taken from the pool, then reassigned: the period in force no longer says it left the pool.
    await h.adminA.ownership.assign.mutate({ accountId: claimed.id, primaryOwnerId: 'race-b', reason: 'swap' });
    await h.adminA.ownership.assign.mutate({ accountId: claimed.id, primaryOwnerId: 'race-a', reason: 'swap back' });
    expect(await crmCodeOf(repB.pool.claim.mutate({ accountId: claimed.id }))).toBe('NOT_FOUND');
  });

  it('answers CONFLICT without owners to a caller who can see the account too (a teammate, an admin), and PRECONDITION_FAILED to whoever took it', async () => {
    // race-b is in the manager's team: the manager's assignment to race-b is visible to the manager and to an admin.
    const assigned = await h.adminA.accounts.create.mutate({ name: 'Assigned to a teammate' });
    const teamId = (await h.adminA.teams.list.query({ memberId: 'race-b' })).items[0]!.id;
    await manager.pool.assign.mutate({ accountId: assigned.id, userId: 'race-b', teamId, reason: 'territory' });
    const teammate = await errorOf((await h.asUser(h.tenantA, 'race-mgr', 'manager')).pool.claim.mutate({ accountId: assigned.id }));
    expect(teammate).toMatchObject({ crmCode: 'PRECONDITION_FAILED' }); // the manager took it: not in the pool, with its owners
    const admin = await errorOf(h.adminA.pool.assign.mutate({ accountId: assigned.id, userId: 'race-a', reason: 'mine now' }));
    expect(admin).toMatchObject({ crmCode: 'CONFLICT', details: { accountId: assigned.id } });
    expect(JSON.stringify(admin)).not.toContain('race-b');
    const owner = await errorOf((await h.asUser(h.tenantA, 'race-b', 'rep')).pool.claim.mutate({ accountId: assigned.id }));
    expect(owner).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { primaryOwnerId: 'race-b' } });
  });
});

// Last: it moves the clock by months, past the lifetime of the clients made in beforeAll.
describe('the sweep and an owner at once', () => {
  it('a due account released while the sweep returns it goes back to the pool once: one of the two acts, the other finds it there', async () => {
    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Swept or released ${round}` });
      ids.push(id);
      await (await h.asUser(h.tenantA, 'race-a', 'rep')).pool.claim.mutate({ accountId: id });
      h.clock.advance(31 * DAY_MS); // due: 30 days without a follow-up
      const rep = await h.asUser(h.tenantA, 'race-a', 'rep');
      const [swept, released] = await Promise.all([
        h.adminA.pool.sweep.mutate({}),
        outcome(after(round % 4, () => rep.pool.release.mutate({ accountId: id, reason: 'handing it back' }))),
      ]);
      const returned = swept.returned.some((r) => r.accountId === id);
      expect([returned, released], `round ${round}`).toEqual(returned ? [true, 'NOT_FOUND'] : [false, 'ok']);
      const causes = await h.crm.db.accountOwnership.findMany({ where: { accountId: id }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }], select: { cause: true } });
      expect(causes.map((c) => c.cause), `round ${round}`).toEqual(['claim', returned ? 'pool-return' : 'release']);
    }
    expect(await withSeveralOpenPeriods(ids)).toEqual([]);
  });
});

describe('archiving a pool account while it is taken or followed up', () => {
  /** Whether the account's history holds anything after its archive: an ownership change or a follow-up. */
  async function touchedAfterArchive(id: string): Promise<boolean> {
    const trail = await h.crm.db.auditEvent.findMany({ where: { entityType: 'account', entityId: id }, orderBy: { id: 'asc' }, select: { action: true } });
    const archivedAt = trail.findIndex((e) => e.action === 'account.archived');
    return archivedAt >= 0 && trail.slice(archivedAt + 1).some((e) => e.action === 'account.ownership_changed' || e.action === 'account.activity_logged');
  }

  it('an archive racing a claim or a pool assignment: an archived account never leaves the pool', async () => {
    // Fresh tokens: the tests above move the clock past the first ones' lifetime.
    [repA, manager] = await Promise.all([h.asUser(h.tenantA, 'race-a', 'rep'), h.asUser(h.tenantA, 'race-mgr', 'manager')]);
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Archived or taken ${round}` });
      const take = round % 2 === 0 ? () => repA.pool.claim.mutate({ accountId: id }) : () => manager.pool.assign.mutate({ accountId: id, userId: 'race-b', reason: 'territory' });
      const results = await Promise.all([outcome(h.adminA.accounts.archive.mutate({ id })), outcome(after(round % 6, take))]);
      const account = await h.adminA.accounts.get.query({ id });
      if (account.archivedAt) {
        // Nothing happens to it after its archive. A take that committed first is legitimate (an
        // owned account may be archived): its change then precedes the archive in the trail.
        expect(await touchedAfterArchive(id), `round ${round}: ${results.join(', ')}`).toBe(false);
        if (results[1] !== 'ok') expect(['PRECONDITION_FAILED', 'CONFLICT', 'NOT_FOUND']).toContain(results[1]);
      }
      const owned = await h.crm.db.account.findUnique({ where: { id }, select: { archivedAt: true, primaryOwnerId: true } });
      // Archived and owned only when the take won the race and the archive came after it.
      if (owned!.archivedAt !== null && owned!.primaryOwnerId !== null) expect(results, `round ${round}: archived and owned`).toEqual(['ok', 'ok']);
    }
  });

  it('an archive racing a follow-up: no activity is logged on an archived account', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Archived or followed up ${round}` });
      const results = await Promise.all([outcome(h.adminA.accounts.archive.mutate({ id })), outcome(after(round % 6, () => h.adminA.activities.log.mutate({ accountId: id, kind: 'call' })))]);
      expect(await touchedAfterArchive(id), `round ${round}: ${results.join(', ')}`).toBe(false);
      expect(results, `round ${round}`).toContain('ok');
    }
  });
});
