import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, type Role } from '@crmkit/core';
import { crmCodeOf, errorOf, freshUsers, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());


/** A team with a leader and two reps each answering for a product line, owning a fresh account. */
async function ownedAccount() {
  const [lead, wang, zhao] = await freshUsers(h.adminA, 'lead', 'wang', 'zhao');
  const team = await h.adminA.teams.create.mutate({ name: `Team ${lead}`, leaderId: lead!, memberIds: [wang!, zhao!] });
  const appliances = await h.adminA.productLines.create.mutate({ code: `appliances-${lead}`, name: 'Small appliances' });
  const tools = await h.adminA.productLines.create.mutate({ code: `tools-${lead}`, name: 'Power tools' });
  await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: appliances.id, userId: wang!, reason: 'appliance rep' });
  await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: tools.id, userId: zhao!, reason: 'power-tool rep' });
  const account = await h.adminA.accounts.create.mutate({ name: `Hualian Supermarkets ${lead}` });
  await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, reason: 'chain account' });
  return { lead: lead!, wang: wang!, zhao: zhao!, team, appliances, tools, account };
}

const as = (userId: string, role: Role) => h.asUser(h.tenantA, userId, role);

describe('ownership.assign and history', () => {
  it('records each change as a new period, oldest first, closing the previous one at the same instant', async () => {
    const [lead, li, chen] = await freshUsers(h.adminA, 'lead', 'li', 'chen');
    const team = await h.adminA.teams.create.mutate({ name: 'Cleaning services', leaderId: lead! });
    const account = await h.adminA.accounts.create.mutate({ name: 'Office park' });
    expect((await h.adminA.ownership.history.query({ accountId: account.id })).periods).toEqual([]);

    const t1 = h.clock.now().toISOString();
    const first = await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, primaryOwnerId: li!, reason: 'signed the contract' });
    expect(first).toMatchObject({ accountId: account.id, teamId: team.id, primaryOwnerId: li, secondaryOwnerId: null, validFrom: t1, validTo: null, cause: 'assign', reason: 'signed the contract' });
    expect(first!.actorId).toMatch(/^apiKey:key_/);
    h.clock.advance(30 * DAY_MS);
    const t2 = h.clock.now().toISOString();
    // Fields left out keep their value.
    const second = await h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: chen!, secondaryOwnerId: li!, reason: 'renewal won by chen' });
    expect(second).toMatchObject({ teamId: team.id, primaryOwnerId: chen, secondaryOwnerId: li, validFrom: t2, validTo: null });

    const history = await h.adminA.ownership.history.query({ accountId: account.id });
    expect(history.periods.map((p) => [p.primaryOwnerId, p.secondaryOwnerId, p.validFrom, p.validTo])).toEqual([
      [li, null, t1, t2],
      [chen, li, t2, null],
    ]);
    // The same state again is no change: no new period, the current one answered.
    expect(await h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: chen!, reason: 'again' })).toEqual(history.periods[1]);
    expect((await h.adminA.ownership.history.query({ accountId: account.id })).periods).toHaveLength(2);
    const audit = await h.adminA.audit.list.query({ entityType: 'account', entityId: account.id });
    expect(audit.items.filter((e) => e.action === 'account.ownership_changed')).toHaveLength(2);
  });

  it('refuses unknown owners with VALIDATION on the field, an unknown team with NOT_FOUND, and the same person as both owners', async () => {
    const [li] = await freshUsers(h.adminA, 'li');
    const account = await h.adminA.accounts.create.mutate({ name: 'Strict owners' });
    const e = await errorOf(h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: 'not-a-user', reason: 'x' }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(Object.keys(e.fieldErrors!)).toEqual(['primaryOwnerId']);
    expect(Object.keys((await errorOf(h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: li!, secondaryOwnerId: 'ghost', reason: 'x' }))).fieldErrors!)).toEqual(['secondaryOwnerId']);
    expect(await crmCodeOf(h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: 'tm_00000000000000000000000000', reason: 'x' }))).toBe('NOT_FOUND');
    expect((await errorOf(h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: li!, secondaryOwnerId: li!, reason: 'x' }))).fieldErrors).toHaveProperty('secondaryOwnerId');
    expect((await h.adminA.ownership.history.query({ accountId: account.id })).periods).toEqual([]);
  });

  it('does not let a rep assign ownership (FORBIDDEN)', async () => {
    const { wang, account } = await ownedAccount();
    const rep = await as(wang, 'rep');
    expect(await crmCodeOf(rep.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: wang, reason: 'mine now' }))).toBe('FORBIDDEN');
    expect((await h.adminA.ownership.history.query({ accountId: account.id })).periods.at(-1)!.primaryOwnerId).toBeNull();
  });
});

describe('ownership.resolve', () => {
  it('routes each product line to its rep, and an unmatched one to the leader, saying why', async () => {
    const { lead, wang, zhao, appliances, tools, account } = await ownedAccount();
    const other = await h.adminA.productLines.create.mutate({ code: `garden-${lead}`, name: 'Garden' });
    const forLine = (productLineId: string) => h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'order', productLineId });
    const a = await forLine(appliances.id);
    expect(a).toMatchObject({ accountId: account.id, userId: wang, at: h.clock.now().toISOString() });
    expect(a.explanation).toEqual([{ rule: 'product-line', outcome: 'matched', message: expect.stringContaining(appliances.id), subjectId: wang }]);
    expect((await forLine(tools.id)).userId).toBe(zhao);
    const fallback = await forLine(other.id);
    expect(fallback.userId).toBe(lead);
    expect(fallback.explanation.map((s) => [s.rule, s.outcome, s.subjectId])).toEqual([
      ['product-line', 'skipped', null],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'skipped', null],
      ['team-leader', 'fallback', lead],
    ]);
  });

  it('answers as of a past instant with the assignments in force then', async () => {
    const { lead, wang, zhao, team, appliances, account } = await ownedAccount();
    const then = h.clock.now();
    h.clock.advance(10 * DAY_MS);
    await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: appliances.id, userId: zhao, reason: 'wang moves to tools' });
    await h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: wang, reason: 'promotion' });
    const [newLead] = await freshUsers(h.adminA, 'new-lead');
    const otherTeam = await h.adminA.teams.create.mutate({ name: 'Takes over', leaderId: newLead! });
    h.clock.advance(DAY_MS);
    await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: otherTeam.id, reason: 'moved to the key-account team' });

    const past = await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id, asOf: then.toISOString() });
    expect(past).toMatchObject({ userId: wang, at: then.toISOString() });
    const pastLeader = await h.adminA.ownership.resolve.query({ accountId: account.id, asOf: then.toISOString() });
    expect(pastLeader.userId).toBe(lead);
    const midway = new Date(then.getTime() + 10 * DAY_MS + HOUR_MS).toISOString();
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id, asOf: midway })).userId).toBe(zhao);
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, asOf: midway })).userId).toBe(wang);
    const now = await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id });
    expect(now.userId).toBe(newLead);
    expect(now.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'fallback', subjectId: newLead });
  });

  it('answers an account without owners as in the pool, with nobody', async () => {
    const account = await h.adminA.accounts.create.mutate({ name: 'Unowned' });
    const r = await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'complaint' });
    expect(r.userId).toBeNull();
    expect(r.explanation).toEqual([{ rule: 'pool', outcome: 'matched', message: expect.stringContaining('pool'), subjectId: null }]);
  });

  it('puts the order line’s rep first for order purposes', async () => {
    const { wang, zhao, appliances, account } = await ownedAccount();
    const r = await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'complaint', productLineId: appliances.id, orderRepId: zhao });
    expect(r.userId).toBe(zhao);
    expect(r.explanation.at(-1)).toMatchObject({ rule: 'order-rep', outcome: 'matched', subjectId: zhao });
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'renewal', productLineId: appliances.id, orderRepId: zhao })).userId).toBe(wang);
  });

  it('answers an unknown product line with NOT_FOUND', async () => {
    const { account } = await ownedAccount();
    expect(await crmCodeOf(h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: 'pl_00000000000000000000000000' }))).toBe('NOT_FOUND');
  });
});

describe('routing overrides', () => {
  it('lets the owning team’s leader override routing; the override wins and is explained with who and why', async () => {
    const { lead, wang, zhao, appliances, account } = await ownedAccount();
    h.clock.advance(HOUR_MS);
    let leader = await as(lead, 'rep'); // tokens live 10 minutes of clock time
    const override = await leader.ownership.override.mutate({ accountId: account.id, productLineId: appliances.id, userId: zhao, reason: 'zhao knows their buyer' });
    expect(override).toMatchObject({ accountId: account.id, productLineId: appliances.id, purpose: null, userId: zhao, validFrom: h.clock.now().toISOString(), validTo: null, reason: 'zhao knows their buyer', actorId: `user:${lead}` });
    expect(override.id).toMatch(/^ovr_/);

    const r = await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id });
    expect(r.userId).toBe(zhao);
    expect(r.explanation).toHaveLength(1);
    expect(r.explanation[0]).toMatchObject({ rule: 'override', outcome: 'matched', subjectId: zhao });
    expect(r.explanation[0]!.message).toContain(`user:${lead}`);
    expect(r.explanation[0]!.message).toContain('zhao knows their buyer');
    // Other product lines are untouched; before the override the rep was chosen.
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id, asOf: new Date(h.clock.now().getTime() - 1).toISOString() })).userId).toBe(wang);

    h.clock.advance(HOUR_MS);
    leader = await as(lead, 'rep');
    const cleared = await leader.ownership.clearOverride.mutate({ accountId: account.id, productLineId: appliances.id, reason: 'back to normal' });
    expect(cleared).toMatchObject({ id: override.id, validTo: h.clock.now().toISOString() });
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, productLineId: appliances.id })).userId).toBe(wang);
    expect(await leader.ownership.clearOverride.mutate({ accountId: account.id, productLineId: appliances.id, reason: 'nothing left' })).toBeNull();
    const audit = await h.adminA.audit.list.query({ entityType: 'account', entityId: account.id });
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['account.routing_overridden', 'account.routing_override_cleared']));
  });

  it('replaces the previous override for the same account, product line and purpose', async () => {
    const { lead, wang, zhao, account } = await ownedAccount();
    const first = await h.adminA.ownership.override.mutate({ accountId: account.id, purpose: 'complaint', userId: wang, reason: 'wang handles complaints' });
    h.clock.advance(HOUR_MS);
    const second = await h.adminA.ownership.override.mutate({ accountId: account.id, purpose: 'complaint', userId: zhao, reason: 'zhao now' });
    expect(second.id).not.toBe(first.id);
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'complaint' })).userId).toBe(zhao);
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'complaint', asOf: first.validFrom })).userId).toBe(wang);
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'approval' })).userId).toBe(lead);
  });

  it('refuses overrides by a team member who does not lead it (FORBIDDEN) and to unknown users (VALIDATION)', async () => {
    const { wang, zhao, account } = await ownedAccount();
    const member = await as(wang, 'rep');
    expect(await crmCodeOf(member.ownership.override.mutate({ accountId: account.id, userId: wang, reason: 'me' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(member.ownership.clearOverride.mutate({ accountId: account.id, reason: 'me' }))).toBe('FORBIDDEN');
    expect((await errorOf(h.adminA.ownership.override.mutate({ accountId: account.id, userId: 'ghost', reason: 'x' }))).fieldErrors).toHaveProperty('userId');
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id })).userId).not.toBe(zhao);
  });
});

describe('tenancy and visibility', () => {
  it('answers another tenant’s account ids with NOT_FOUND on every ownership procedure', async () => {
    const { lead, appliances, account } = await ownedAccount();
    const b = h.adminB;
    expect(await crmCodeOf(b.ownership.resolve.query({ accountId: account.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(b.ownership.history.query({ accountId: account.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(b.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: null, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(b.ownership.override.mutate({ accountId: account.id, userId: lead, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(b.ownership.clearOverride.mutate({ accountId: account.id, reason: 'x' }))).toBe('NOT_FOUND');
    const bAccount = await b.accounts.create.mutate({ name: 'B account' });
    expect(await crmCodeOf(b.ownership.resolve.query({ accountId: bAccount.id, productLineId: appliances.id }))).toBe('NOT_FOUND');
    expect((await h.adminA.ownership.history.query({ accountId: account.id })).periods).toHaveLength(1);
  });

  it('answers NOT_FOUND to a rep asking about an account they cannot see, and answers one they can', async () => {
    const { wang, account } = await ownedAccount();
    const [stranger] = await freshUsers(h.adminA, 'stranger');
    const outsider = await as(stranger!, 'rep');
    expect(await crmCodeOf(outsider.ownership.resolve.query({ accountId: account.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(outsider.ownership.history.query({ accountId: account.id }))).toBe('NOT_FOUND');
    const member = await as(wang, 'rep');
    expect((await member.ownership.history.query({ accountId: account.id })).periods).toHaveLength(1);
  });
});
