import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '@crmkit/core';
import { errorOf, freshUsers, startHarness, type Harness } from './helpers/harness.js';

// Race tests: each round starts `users.deactivate` and a write that gives the leaver (or the heir)
// work at once, through HTTP. On SQLite one write transaction runs at a time; on PostgreSQL they
// interleave, and without the user-row locks both committed, leaving an inactive user holding work.
const ROUNDS = 10;

let h: Harness;
let productLineId: string;
beforeAll(async () => {
  h = await startHarness({ start: '2026-07-01T09:00:00Z' });
  productLineId = (await h.adminA.productLines.create.mutate({ code: 'RACE', name: 'Race line' })).id;
});
afterAll(() => h.close());

/** 'ok', or the crmkit code of a typed 4xx answer (anything else fails the test). */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    const e = await errorOf(Promise.reject(error));
    expect(e.httpStatus, `${e.crmCode}: ${e.message}`).toBeGreaterThanOrEqual(400);
    expect(e.httpStatus, `${e.crmCode}: ${e.message}`).toBeLessThan(500);
    return e.crmCode;
  }
}

/** Starts `call` after `ms` milliseconds. */
const after = <T>(ms: number, call: () => Promise<T>): Promise<T> => new Promise((resolve) => setTimeout(resolve, ms)).then(call);

/** The outcomes of `a` and `b` started at once, the other given a head start growing with the round (`a` in even rounds, `b` in odd). */
function race(round: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[string, string]> {
  const lead = Math.floor(round / 2) * 2;
  return Promise.all([outcome(round % 2 === 0 ? a() : after(lead, a)), outcome(round % 2 === 0 ? after(lead, b) : b())]);
}

/** What the user still holds now: owned accounts, open memberships (leadership included), product lines, overrides, delegations either way. */
async function holdings(userId: string) {
  const db = h.crm.db;
  const tenantId = h.tenantA;
  const now = h.clock.now();
  const open = { OR: [{ validTo: null }, { validTo: { gt: now } }] };
  const [accounts, memberships, productLines, overrides, delegations] = await Promise.all([
    db.account.count({ where: { tenantId, OR: [{ primaryOwnerId: userId }, { secondaryOwnerId: userId }] } }),
    db.teamMembership.count({ where: { tenantId, userId, ...open } }),
    db.productLineAssignment.count({ where: { tenantId, userId, ...open } }),
    db.routingOverride.count({ where: { tenantId, userId, ...open } }),
    db.delegation.count({ where: { tenantId, endedAt: null, validTo: { gt: now }, OR: [{ delegatorId: userId }, { delegateId: userId }] } }),
  ]);
  return { accounts, memberships, productLines, overrides, delegations };
}
const NOTHING = { accounts: 0, memberships: 0, productLines: 0, overrides: 0, delegations: 0 };

/**
 * Runs ROUNDS rounds of `users.deactivate({ userId: leaver, reassignTo: heir })` against `write`
 * (which gives the leaver work) and checks that the deactivation succeeded, the write succeeded or
 * got one of `refusals`, and the leaver holds nothing afterwards.
 */
async function raceDeactivation(write: (leaver: string, round: number) => Promise<() => Promise<unknown>>, refusals: string[] = ['VALIDATION']) {
  for (let round = 0; round < ROUNDS; round++) {
    const [leaver, heir] = await freshUsers(h.adminA, 'leaver', 'heir');
    const call = await write(leaver!, round);
    const deactivate = () => h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left the company' });
    const [left, written] = await race(round, deactivate, call);
    expect(left, `round ${round}: the deactivation`).toBe('ok');
    expect(['ok', ...refusals], `round ${round}: the write`).toContain(written);
    expect(await holdings(leaver!), `round ${round}: what the leaver still holds (the write answered ${written})`).toEqual(NOTHING);
  }
}

describe('users.deactivate racing a write that gives the leaver work', () => {
  it('ownership.assign to the leaver: the account ends with the heir, or the assignment is refused (VALIDATION)', async () => {
    await raceDeactivation(async (leaver, round) => {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Assigned to a leaver ${round} ${leaver}` });
      return () => h.adminA.ownership.assign.mutate({ accountId: id, primaryOwnerId: leaver, reason: 'territory' });
    });
  });

  it('teams.setLeader to the leaver: the team passes to the heir or the change is refused, never led by the leaver', async () => {
    await raceDeactivation(async (leaver, round) => {
      const [lead] = await freshUsers(h.adminA, 'lead');
      const team = await h.adminA.teams.create.mutate({ name: `Led by a leaver ${round} ${leaver}`, leaderId: lead! });
      return () => h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: leaver, reason: 'promotion' });
    });
  });

  it('teams.addMember of the leaver: no open membership is left for the leaver', async () => {
    await raceDeactivation(async (leaver, round) => {
      const [lead] = await freshUsers(h.adminA, 'lead');
      const team = await h.adminA.teams.create.mutate({ name: `Joined by a leaver ${round} ${leaver}`, leaderId: lead! });
      return () => h.adminA.teams.addMember.mutate({ teamId: team.id, userId: leaver, reason: 'joins' });
    });
  });

  it('teams.create led by the leaver: no team is left led by the leaver', async () => {
    await raceDeactivation(async (leaver, round) => () => h.adminA.teams.create.mutate({ name: `Founded by ${leaver} ${round}`, leaderId: leaver }));
  });

  it('delegations.create to the leaver: no delegation to the leaver is left open', async () => {
    await raceDeactivation(async (leaver) => {
      const [delegator] = await freshUsers(h.adminA, 'delegator');
      const now = h.clock.now().getTime();
      return () =>
        h.adminA.delegations.create.mutate({
          delegatorId: delegator!,
          delegateId: leaver,
          scope: 'all',
          validFrom: new Date(now).toISOString(),
          validTo: new Date(now + 7 * DAY_MS).toISOString(),
          reason: 'holiday cover',
        });
    });
  });

  it('productLines.assign to the leaver: no product-line assignment is left with the leaver', async () => {
    await raceDeactivation(async (leaver, round) => {
      const [lead] = await freshUsers(h.adminA, 'lead');
      const team = await h.adminA.teams.create.mutate({ name: `Product line for a leaver ${round} ${leaver}`, leaderId: lead!, memberIds: [leaver] });
      return () => h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId, userId: leaver, reason: 'their line' });
    });
  });

  it('pool.assign to the leaver: the account ends with the heir or the assignment is refused (PRECONDITION_FAILED)', async () => {
    await raceDeactivation(
      async (leaver, round) => {
        const { id } = await h.adminA.accounts.create.mutate({ name: `Pool account for a leaver ${round} ${leaver}` });
        return () => h.adminA.pool.assign.mutate({ accountId: id, userId: leaver, reason: 'territory' });
      },
      ['PRECONDITION_FAILED'],
    );
  });

  it('ownership.override to the leaver: no routing override is left naming the leaver', async () => {
    await raceDeactivation(async (leaver, round) => {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Routed to a leaver ${round} ${leaver}` });
      return () => h.adminA.ownership.override.mutate({ accountId: id, userId: leaver, reason: 'key account' });
    });
  });
});

describe('users.deactivate racing the deactivation of the heir', () => {
  it('never leaves work with an inactive heir: it moves on with the heir, or the first deactivation is refused (PRECONDITION_FAILED)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [leaver, heir, last] = await freshUsers(h.adminA, 'leaver', 'heir', 'last');
      const { id } = await h.adminA.accounts.create.mutate({ name: `Passed down ${round} ${leaver}` });
      await h.adminA.ownership.assign.mutate({ accountId: id, primaryOwnerId: leaver!, reason: 'territory' });
      const first = () => h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left' });
      const second = () => h.adminA.users.deactivate.mutate({ userId: heir!, reassignTo: last!, reason: 'left too' });
      const [a, b] = await race(round, first, second);
      expect(b, `round ${round}: the heir's deactivation`).toBe('ok');
      expect(['ok', 'PRECONDITION_FAILED'], `round ${round}: the leaver's deactivation`).toContain(a);
      expect(await holdings(heir!), `round ${round}: what the inactive heir holds`).toEqual(NOTHING);
      const owner = (await h.crm.db.account.findUniqueOrThrow({ where: { id }, select: { primaryOwnerId: true } })).primaryOwnerId;
      expect(owner, `round ${round}`).toBe(a === 'ok' ? last : leaver);
    }
  });
});

describe('users.deactivate racing the leaver’s own writes and a leader change', () => {
  it('the leaver claiming a pool account or creating one: they end up owning nothing', async () => {
    await raceDeactivation(
      async (leaver, round) => {
        const asLeaver = await h.asUser(h.tenantA, leaver, 'rep');
        if (round % 2 === 0) return () => asLeaver.accounts.create.mutate({ name: `Created by a leaver ${round} ${leaver}` });
        const { id } = await h.adminA.accounts.create.mutate({ name: `Claimed by a leaver ${round} ${leaver}` });
        return () => asLeaver.pool.claim.mutate({ accountId: id });
      },
      ['FORBIDDEN', 'UNAUTHORIZED'],
    );
  });

  it('teams.setLeader on a team the leaver leads: the team has exactly one leader afterwards', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [leaver, heir, other] = await freshUsers(h.adminA, 'leaver', 'heir', 'other');
      const team = await h.adminA.teams.create.mutate({ name: `Led by a leaver ${round}`, leaderId: leaver!, memberIds: [heir!, other!] });
      const deactivate = () => h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left' });
      const setLeader = () => h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: other!, reason: 'reorganised' });
      const [left, changed] = await race(round, deactivate, setLeader);
      expect(left, `round ${round}`).toBe('ok');
      expect(changed, `round ${round}`).toBe('ok');
      const leaders = await h.crm.db.teamMembership.findMany({ where: { teamId: team.id, role: 'leader', OR: [{ validTo: null }, { validTo: { gt: h.clock.now() } }] } });
      expect(leaders.map((m) => m.userId), `round ${round}`).toHaveLength(1);
      expect(leaders[0]!.userId).not.toBe(leaver);
    }
  });
});
