import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, newId, type Role } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

/**
 * Access that leaks through writes (issue 7, items 2, 3 and 6): a delegation passes on only work
 * the delegator holds; a manager manages only the teams they lead and their sub-teams; errors
 * name only what the caller may see.
 */

let h: Harness;
let serviceKey: Client;
let integrationKey: Client;
beforeAll(async () => {
  h = await startHarness();
  serviceKey = h.clientWith((await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'service', role: 'service' })).secret);
  integrationKey = h.clientWith((await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'erp', role: 'integration' })).secret);
});
afterAll(() => h.close());

const iso = (ms: number) => new Date(ms).toISOString();
const inDays = (days: number) => iso(h.clock.now().getTime() + days * DAY_MS);
const window = () => ({ validFrom: inDays(1), validTo: inDays(5) });

let worldSeq = 0;

/**
 * A fresh world: team A (led by mgrA) with its sub-team Sub (led by mgrSub), and team B (led by
 * mgrB). Each team owns an account held by one of its reps; repB also owns `personalB` outside
 * every team; `pool` is unowned.
 */
async function world() {
  worldSeq += 1;
  const people: Record<string, Role> = { admin: 'admin', mgrA: 'manager', mgrSub: 'manager', mgrB: 'manager', repA: 'rep', repA2: 'rep', repSub: 'rep', repB: 'rep', repB2: 'rep' };
  const id = Object.fromEntries(Object.keys(people).map((k) => [k, `${k}-${worldSeq}`])) as Record<keyof typeof people, string>;
  for (const [key, role] of Object.entries(people)) await h.adminA.users.upsert.mutate({ id: id[key]!, displayName: id[key]!, role });
  const teamA = await h.adminA.teams.create.mutate({ name: `A ${worldSeq}`, leaderId: id.mgrA!, memberIds: [id.repA!, id.repA2!] });
  const teamSub = await h.adminA.teams.create.mutate({ name: `A sub ${worldSeq}`, leaderId: id.mgrSub!, memberIds: [id.repSub!], parentTeamId: teamA.id });
  const teamB = await h.adminA.teams.create.mutate({ name: `B ${worldSeq}`, leaderId: id.mgrB!, memberIds: [id.repB!, id.repB2!] });
  const account = async (name: string, teamId: string | null, primaryOwnerId: string | null) => {
    const created = await h.adminA.accounts.create.mutate({ name: `${name} ${worldSeq}` });
    if (teamId || primaryOwnerId) await h.adminA.ownership.assign.mutate({ accountId: created.id, teamId, primaryOwnerId, reason: 'setup' });
    return created.id;
  };
  const accounts = {
    a: await account('Team A customer', teamA.id, id.repA!),
    sub: await account('Sub-team customer', teamSub.id, id.repSub!),
    b: await account('Team B customer', teamB.id, id.repB!),
    personalB: await account('Rep B personal customer', null, id.repB!),
    pool: await account('Pool customer', null, null),
  };
  /** A client acting as one of the world's people, through a freshly minted token. */
  const as = (key: keyof typeof people) => h.asUser(h.tenantA, id[key]!, people[key]!);
  return { id, teams: { a: teamA.id, sub: teamSub.id, b: teamB.id }, accounts, as };
}

/** The ids a caller sees through accounts.list. */
async function listedIds(client: Client) {
  return (await client.accounts.list.query({ limit: 200 })).items.map((a) => a.id);
}

async function membersOf(teamId: string) {
  return (await h.adminA.teams.get.query({ id: teamId })).members.map((m) => m.userId).sort();
}

describe('a manager manages the teams they lead and their sub-teams; admins manage all', () => {
  it('refuses teams.addMember on another team (the issue’s attack: a manager adding themselves), and the manager still cannot see that team’s accounts', async () => {
    const w = await world();
    const before = await membersOf(w.teams.b);
    const attack = await errorOf((await w.as('mgrA')).teams.addMember.mutate({ teamId: w.teams.b, userId: w.id.mgrA!, reason: 'let me in' }));
    expect(attack).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await membersOf(w.teams.b)).toEqual(before);
    const mgrA = await w.as('mgrA');
    expect(await crmCodeOf(mgrA.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    expect(await listedIds(mgrA)).not.toContain(w.accounts.b);
    // The manager of a sub-team does not manage the team above it; a rep and the service and integration keys manage no team.
    expect(await crmCodeOf((await w.as('mgrSub')).teams.addMember.mutate({ teamId: w.teams.a, userId: w.id.mgrSub!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('repA')).teams.addMember.mutate({ teamId: w.teams.a, userId: w.id.repB!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(serviceKey.teams.addMember.mutate({ teamId: w.teams.a, userId: w.id.repB!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(integrationKey.teams.addMember.mutate({ teamId: w.teams.a, userId: w.id.repB!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await membersOf(w.teams.a)).toEqual([w.id.mgrA, w.id.repA, w.id.repA2].sort());
  });

  it('lets the team’s manager, the manager of its parent team, an admin user and an admin key add members', async () => {
    const w = await world();
    const [n1, n2, n3, n4] = ['new-1', 'new-2', 'new-3', 'new-4'].map((n) => `${n}-${worldSeq}`);
    for (const n of [n1, n2, n3, n4]) await h.adminA.users.upsert.mutate({ id: n!, displayName: n!, role: 'rep' });
    expect((await (await w.as('mgrA')).teams.addMember.mutate({ teamId: w.teams.a, userId: n1!, reason: 'hire' })).members.map((m) => m.userId)).toContain(n1);
    expect((await (await w.as('mgrA')).teams.addMember.mutate({ teamId: w.teams.sub, userId: n2!, reason: 'hire for the sub-team' })).members.map((m) => m.userId)).toContain(n2);
    expect((await (await w.as('admin')).teams.addMember.mutate({ teamId: w.teams.b, userId: n3!, reason: 'admin user' })).members.map((m) => m.userId)).toContain(n3);
    expect((await h.adminA.teams.addMember.mutate({ teamId: w.teams.b, userId: n4!, reason: 'admin key' })).members.map((m) => m.userId)).toContain(n4);
  });

  it('allows teams.removeMember and teams.setLeader only on managed teams', async () => {
    const w = await world();
    const mgrA = await w.as('mgrA');
    expect(await errorOf(mgrA.teams.removeMember.mutate({ teamId: w.teams.b, userId: w.id.repB2!, reason: 'x' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await errorOf(mgrA.teams.setLeader.mutate({ teamId: w.teams.b, userId: w.id.mgrA!, reason: 'x' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await crmCodeOf((await w.as('mgrSub')).teams.removeMember.mutate({ teamId: w.teams.a, userId: w.id.repA2!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('mgrB')).teams.setLeader.mutate({ teamId: w.teams.sub, userId: w.id.mgrB!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('repA')).teams.removeMember.mutate({ teamId: w.teams.a, userId: w.id.repA2!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(serviceKey.teams.setLeader.mutate({ teamId: w.teams.a, userId: w.id.repA!, reason: 'x' }))).toBe('FORBIDDEN');
    expect((await h.adminA.teams.get.query({ id: w.teams.b })).leaderId).toBe(w.id.mgrB);
    expect(await membersOf(w.teams.a)).toEqual([w.id.mgrA, w.id.repA, w.id.repA2].sort());

    // The parent team's manager changes the sub-team; each manager changes their own; an admin user any.
    expect((await mgrA.teams.setLeader.mutate({ teamId: w.teams.sub, userId: w.id.repSub!, reason: 'promotion' })).leaderId).toBe(w.id.repSub);
    expect((await (await w.as('mgrA')).teams.removeMember.mutate({ teamId: w.teams.a, userId: w.id.repA2!, reason: 'moves on' })).members.map((m) => m.userId)).not.toContain(w.id.repA2);
    expect((await (await w.as('mgrB')).teams.removeMember.mutate({ teamId: w.teams.b, userId: w.id.repB2!, reason: 'moves on' })).members.map((m) => m.userId)).not.toContain(w.id.repB2);
    expect((await (await w.as('admin')).teams.setLeader.mutate({ teamId: w.teams.b, userId: w.id.repB!, reason: 'admin decides' })).leaderId).toBe(w.id.repB);
  });

  it('allows productLines.assign only on managed teams (and to the team’s own leader)', async () => {
    const w = await world();
    const pl = await h.adminA.productLines.create.mutate({ code: `kettles-${worldSeq}`, name: 'Kettles' });
    const assign = (client: Client, teamId: string, userId: string) => client.productLines.assign.mutate({ teamId, productLineId: pl.id, userId, reason: 'territory' });
    expect(await errorOf(assign(await w.as('mgrA'), w.teams.b, w.id.repB!))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await crmCodeOf(assign(await w.as('mgrSub'), w.teams.a, w.id.repA!))).toBe('FORBIDDEN');
    expect(await crmCodeOf(assign(await w.as('repA'), w.teams.a, w.id.repA!))).toBe('FORBIDDEN');
    expect(await crmCodeOf(assign(serviceKey, w.teams.a, w.id.repA!))).toBe('FORBIDDEN');
    expect((await h.adminA.teams.get.query({ id: w.teams.b })).productLines).toEqual([]);

    expect((await assign(await w.as('mgrA'), w.teams.sub, w.id.repSub!)).productLines.map((p) => p.userId)).toEqual([w.id.repSub]);
    expect((await assign(await w.as('mgrSub'), w.teams.sub, w.id.mgrSub!)).productLines.map((p) => p.userId)).toEqual([w.id.mgrSub]);
    expect((await assign(await w.as('mgrB'), w.teams.b, w.id.repB!)).productLines.map((p) => p.userId)).toEqual([w.id.repB]);
    expect((await assign(await w.as('admin'), w.teams.a, w.id.repA!)).productLines.map((p) => p.userId)).toEqual([w.id.repA]);
    expect((await assign(h.adminA, w.teams.a, w.id.repA2!)).productLines.map((p) => p.userId)).toEqual([w.id.repA2]);
  });

  it('lets a manager create only sub-teams of managed teams; a top-level team takes an admin', async () => {
    const w = await world();
    const create = async (client: Client, parentTeamId?: string) => client.teams.create.mutate({ name: `New ${worldSeq}`, leaderId: w.id.repA!, ...(parentTeamId ? { parentTeamId } : {}) });
    expect(await errorOf(create(await w.as('mgrA')))).toMatchObject({ crmCode: 'FORBIDDEN', details: { parentTeamId: null } });
    expect(await errorOf(create(await w.as('mgrA'), w.teams.b))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await crmCodeOf(create(await w.as('mgrSub'), w.teams.a))).toBe('FORBIDDEN');
    expect(await crmCodeOf(create(await w.as('repA'), w.teams.a))).toBe('FORBIDDEN');
    expect(await crmCodeOf(create(serviceKey))).toBe('FORBIDDEN');
    const teamsBefore = (await h.adminA.teams.list.query({ limit: 200 })).items.length;

    expect((await create(await w.as('mgrA'), w.teams.a)).parentTeamId).toBe(w.teams.a);
    expect((await create(await w.as('mgrA'), w.teams.sub)).parentTeamId).toBe(w.teams.sub);
    expect((await create(await w.as('mgrSub'), w.teams.sub)).parentTeamId).toBe(w.teams.sub);
    expect((await create(await w.as('admin'))).parentTeamId).toBeNull();
    expect((await create(h.adminA)).parentTeamId).toBeNull();
    expect((await h.adminA.teams.list.query({ limit: 200 })).items.length).toBe(teamsBefore + 5);
  });

  it('lets a manager assign ownership only of accounts they see, and only to teams they manage or to no team', async () => {
    const w = await world();
    const mgrA = await w.as('mgrA');
    expect(await crmCodeOf(mgrA.ownership.assign.mutate({ accountId: w.accounts.b, teamId: w.teams.a, reason: 'take it' }))).toBe('NOT_FOUND');
    expect(await errorOf(mgrA.ownership.assign.mutate({ accountId: w.accounts.a, teamId: w.teams.b, reason: 'give it away' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await crmCodeOf((await w.as('mgrSub')).ownership.assign.mutate({ accountId: w.accounts.sub, teamId: w.teams.a, reason: 'up' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('repA')).ownership.assign.mutate({ accountId: w.accounts.a, primaryOwnerId: w.id.repA2!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(serviceKey.ownership.assign.mutate({ accountId: w.accounts.a, primaryOwnerId: w.id.repA2!, reason: 'x' }))).toBe('FORBIDDEN');
    expect((await h.adminA.ownership.history.query({ accountId: w.accounts.a })).periods.at(-1)).toMatchObject({ teamId: w.teams.a, primaryOwnerId: w.id.repA });

    expect(await mgrA.ownership.assign.mutate({ accountId: w.accounts.a, teamId: w.teams.sub, primaryOwnerId: w.id.repSub!, reason: 'to the sub-team' })).toMatchObject({ teamId: w.teams.sub, primaryOwnerId: w.id.repSub });
    expect(await mgrA.ownership.assign.mutate({ accountId: w.accounts.sub, teamId: null, reason: 'personal account now' })).toMatchObject({ teamId: null });
    expect(await (await w.as('mgrB')).ownership.assign.mutate({ accountId: w.accounts.b, teamId: w.teams.b, primaryOwnerId: w.id.repB2!, reason: 'rebalance' })).toMatchObject({ primaryOwnerId: w.id.repB2 });
    expect(await (await w.as('admin')).ownership.assign.mutate({ accountId: w.accounts.pool, teamId: w.teams.b, reason: 'admin user' })).toMatchObject({ teamId: w.teams.b });
    expect(await integrationKey.ownership.assign.mutate({ accountId: w.accounts.personalB, teamId: w.teams.a, reason: 'from the ERP' })).toMatchObject({ teamId: w.teams.a });
  });

  it('lets ownership.override act only on accounts the caller sees', async () => {
    const w = await world();
    const override = (client: Client, accountId: string) => client.ownership.override.mutate({ accountId, userId: w.id.repA!, reason: 'route here' });
    expect(await crmCodeOf(override(await w.as('mgrA'), w.accounts.b))).toBe('NOT_FOUND');
    expect(await crmCodeOf((await w.as('mgrA')).ownership.clearOverride.mutate({ accountId: w.accounts.b, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(override(await w.as('mgrB'), w.accounts.a))).toBe('NOT_FOUND');
    expect(await crmCodeOf(override(await w.as('repA'), w.accounts.a))).toBe('FORBIDDEN');
    expect(await crmCodeOf(override(serviceKey, w.accounts.a))).toBe('FORBIDDEN');
    expect((await h.adminA.ownership.resolve.query({ accountId: w.accounts.b })).userId).toBe(w.id.repB);

    expect((await override(await w.as('mgrA'), w.accounts.sub)).userId).toBe(w.id.repA);
    expect((await override(await w.as('mgrB'), w.accounts.b)).userId).toBe(w.id.repA);
    expect((await override(await w.as('admin'), w.accounts.personalB)).userId).toBe(w.id.repA);
  });

  it('lets a manager hand a pool account only to themselves or a member of a managed team, and only into a managed team', async () => {
    const w = await world();
    const pool = async () => (await h.adminA.accounts.create.mutate({ name: `Pool ${worldSeq}` })).id;
    const p1 = await pool();
    const mgrA = await w.as('mgrA');
    expect(await errorOf(mgrA.pool.assign.mutate({ accountId: p1, userId: w.id.repB!, reason: 'x' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { userId: w.id.repB } });
    expect(await errorOf(mgrA.pool.assign.mutate({ accountId: p1, userId: w.id.repB!, teamId: w.teams.b, reason: 'x' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { teamId: w.teams.b } });
    expect(await crmCodeOf(mgrA.pool.assign.mutate({ accountId: p1, userId: w.id.mgrA!, teamId: w.teams.b, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('mgrSub')).pool.assign.mutate({ accountId: p1, userId: w.id.repA!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('mgrB')).pool.assign.mutate({ accountId: p1, userId: w.id.repA!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('repA')).pool.assign.mutate({ accountId: p1, userId: w.id.repA!, reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(serviceKey.pool.assign.mutate({ accountId: p1, userId: w.id.repA!, reason: 'x' }))).toBe('FORBIDDEN');
    expect((await h.adminA.pool.list.query({ limit: 200 })).items.map((a) => a.id)).toContain(p1);

    expect(await mgrA.pool.assign.mutate({ accountId: p1, userId: w.id.repSub!, teamId: w.teams.sub, reason: 'sub-team lead' })).toMatchObject({ teamId: w.teams.sub, primaryOwnerId: w.id.repSub });
    expect(await (await w.as('mgrA')).pool.assign.mutate({ accountId: await pool(), userId: w.id.mgrA!, reason: 'mine' })).toMatchObject({ primaryOwnerId: w.id.mgrA });
    expect(await (await w.as('mgrB')).pool.assign.mutate({ accountId: await pool(), userId: w.id.repB2!, reason: 'B lead' })).toMatchObject({ primaryOwnerId: w.id.repB2 });
    expect(await (await w.as('admin')).pool.assign.mutate({ accountId: await pool(), userId: w.id.repA!, teamId: w.teams.a, reason: 'admin user' })).toMatchObject({ teamId: w.teams.a });
    expect(await h.adminA.pool.assign.mutate({ accountId: await pool(), userId: w.id.repB!, reason: 'admin key' })).toMatchObject({ primaryOwnerId: w.id.repB });
  });

  it('refuses delegating another team’s rep’s work to oneself (the issue’s attack), and the manager still cannot see that team’s accounts', async () => {
    const w = await world();
    const mgrA = await w.as('mgrA');
    const attack = await errorOf(mgrA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.mgrA!, ...window(), reason: 'cover for B' }));
    expect(attack).toMatchObject({ crmCode: 'FORBIDDEN', details: { delegatorId: w.id.repB } });
    expect(await crmCodeOf(mgrA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.mgrA!, scope: 'accounts', accountIds: [w.accounts.b], ...window(), reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('mgrSub')).delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.mgrSub!, ...window(), reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf((await w.as('repA')).delegations.create.mutate({ delegatorId: w.id.repA2!, delegateId: w.id.repA!, ...window(), reason: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(serviceKey.delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.repA2!, ...window(), reason: 'x' }))).toBe('FORBIDDEN');
    expect((await h.adminA.delegations.list.query({ userId: w.id.repB!, limit: 200 })).items).toEqual([]);
    h.clock.advance(2 * DAY_MS);
    const later = await w.as('mgrA');
    expect(await crmCodeOf(later.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(later.accounts.get.query({ id: w.accounts.personalB }))).toBe('NOT_FOUND');
    expect(await listedIds(later)).not.toContain(w.accounts.b);
  });

  it('refuses the two-step attack too: adding another team’s rep to one’s own team does not let one delegate their outside work to oneself', async () => {
    const w = await world();
    // Allowed: mgrA manages team A, and may bring someone into it.
    await (await w.as('mgrA')).teams.addMember.mutate({ teamId: w.teams.a, userId: w.id.repB!, reason: 'borrowed' });
    const mgrA = await w.as('mgrA');
    expect(await errorOf(mgrA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.mgrA!, ...window(), reason: 'all of it' }))).toMatchObject({ crmCode: 'FORBIDDEN', details: { delegatorId: w.id.repB } });
    expect(await crmCodeOf(mgrA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.mgrA!, scope: 'accounts', accountIds: [w.accounts.personalB], ...window(), reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(mgrA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.mgrA!, scope: 'accounts', accountIds: [w.accounts.b], ...window(), reason: 'x' }))).toBe('NOT_FOUND');
    h.clock.advance(2 * DAY_MS);
    const later = await w.as('mgrA');
    expect(await crmCodeOf(later.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(later.accounts.get.query({ id: w.accounts.personalB }))).toBe('NOT_FOUND');
    // What is in the manager's view may be passed on: team A's account, held by repB as a member now.
    const ok = await later.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repA2!, scope: 'accounts', accountIds: [w.accounts.a], ...window(), reason: 'cover' });
    expect(ok.accountIds).toEqual([w.accounts.a]);
  });

  it('lets a manager delegate for the people of the teams they manage (sub-teams included), and admins for anyone', async () => {
    const w = await world();
    const d1 = await (await w.as('mgrA')).delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.repA2!, ...window(), reason: 'leave' });
    expect(d1).toMatchObject({ delegatorId: w.id.repA, delegateId: w.id.repA2 });
    expect((await (await w.as('mgrA')).delegations.create.mutate({ delegatorId: w.id.repSub!, delegateId: w.id.mgrSub!, ...window(), reason: 'leave' })).delegatorId).toBe(w.id.repSub);
    expect((await (await w.as('mgrB')).delegations.create.mutate({ delegatorId: w.id.repB2!, delegateId: w.id.repB!, ...window(), reason: 'leave' })).delegatorId).toBe(w.id.repB2);
    // repB owns an account outside every team, which mgrB does not see: all of repB's work takes an admin.
    expect(await crmCodeOf((await w.as('mgrB')).delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repB2!, ...window(), reason: 'leave' }))).toBe('FORBIDDEN');
    expect((await (await w.as('admin')).delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repA!, ...window(), reason: 'leave' })).delegatorId).toBe(w.id.repB);
    expect((await h.adminA.delegations.create.mutate({ delegatorId: w.id.mgrB!, delegateId: w.id.repA!, ...window(), reason: 'leave' })).delegatorId).toBe(w.id.mgrB);
  });

  it('lets a manager mark away only themselves and the people of the teams they manage', async () => {
    const w = await world();
    const away = (client: Client, userId: string) => client.availability.set.mutate({ userId, awayFrom: inDays(1), awayTo: inDays(2), reason: 'leave' });
    expect(await errorOf(away(await w.as('mgrA'), w.id.repB!))).toMatchObject({ crmCode: 'FORBIDDEN', details: { userId: w.id.repB } });
    expect(await crmCodeOf(away(await w.as('mgrSub'), w.id.repA!))).toBe('FORBIDDEN');
    expect(await crmCodeOf(away(await w.as('repA'), w.id.repA2!))).toBe('FORBIDDEN');
    expect(await crmCodeOf(away(serviceKey, w.id.repA!))).toBe('FORBIDDEN');
    expect((await h.adminA.audit.list.query({ entityType: 'user', entityId: w.id.repB! })).items.map((e) => e.action)).not.toContain('user.away_set');

    expect((await away(await w.as('mgrA'), w.id.repSub!)).userId).toBe(w.id.repSub);
    expect((await away(await w.as('mgrA'), w.id.mgrA!)).userId).toBe(w.id.mgrA);
    expect((await away(await w.as('mgrB'), w.id.repB!)).userId).toBe(w.id.repB);
    expect((await away(await w.as('admin'), w.id.repA!)).userId).toBe(w.id.repA);
    expect((await away(h.adminA, w.id.repB2!)).userId).toBe(w.id.repB2);
  });

  it('lets a manager end only delegations of the people they manage; those involved and admins end any of theirs', async () => {
    const w = await world();
    const inB = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repB2!, ...window(), reason: 'B cover' });
    const inSub = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repSub!, delegateId: w.id.repB!, ...window(), reason: 'across teams' });
    const inA = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.repA2!, ...window(), reason: 'A cover' });
    const other = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repA2!, delegateId: w.id.repB2!, scope: 'complaints', ...window(), reason: 'x' });
    // Delegations delegations.list does not show the caller answer NOT_FOUND, as an unknown id does.
    expect(await errorOf((await w.as('mgrA')).delegations.end.mutate({ id: inB.id }))).toMatchObject({ crmCode: 'NOT_FOUND', details: { id: inB.id } });
    expect(await crmCodeOf((await w.as('mgrSub')).delegations.end.mutate({ id: inA.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf((await w.as('repA2')).delegations.end.mutate({ id: inB.id }))).toBe('NOT_FOUND');
    expect((await h.adminA.delegations.list.query({ userId: w.id.repB2!, limit: 200 })).items.every((d) => d.endedAt === null)).toBe(true);

    expect((await (await w.as('mgrA')).delegations.end.mutate({ id: inSub.id })).endedAt).not.toBeNull(); // its delegator is in a sub-team
    expect((await (await w.as('mgrB')).delegations.end.mutate({ id: inB.id })).endedAt).not.toBeNull();
    expect((await (await w.as('repA2')).delegations.end.mutate({ id: inA.id })).endedAt).not.toBeNull(); // the delegate
    expect((await (await w.as('admin')).delegations.end.mutate({ id: other.id })).endedAt).not.toBeNull();
  });

  it('lists to a manager only the delegations of the people they manage, to a rep only their own, to admins all', async () => {
    const w = await world();
    const d = {
      aToA2: await h.adminA.delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.repA2!, ...window(), reason: 'x' }),
      subToB: await h.adminA.delegations.create.mutate({ delegatorId: w.id.repSub!, delegateId: w.id.repB!, ...window(), reason: 'x' }),
      bToB2: await h.adminA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repB2!, scope: 'complaints', ...window(), reason: 'x' }),
      mgrBToA: await h.adminA.delegations.create.mutate({ delegatorId: w.id.mgrB!, delegateId: w.id.mgrA!, ...window(), reason: 'x' }),
    };
    const mine = new Set(Object.values(d).map((x) => x.id));
    const listed = async (client: Client) => new Set((await client.delegations.list.query({ limit: 200 })).items.map((x) => x.id).filter((id) => mine.has(id)));
    expect(await listed(await w.as('mgrA'))).toEqual(new Set([d.aToA2.id, d.subToB.id, d.mgrBToA.id]));
    expect(await listed(await w.as('mgrSub'))).toEqual(new Set([d.subToB.id]));
    expect(await listed(await w.as('mgrB'))).toEqual(new Set([d.subToB.id, d.bToB2.id, d.mgrBToA.id]));
    expect(await listed(await w.as('repA2'))).toEqual(new Set([d.aToA2.id]));
    expect(await listed(await w.as('admin'))).toEqual(mine);
    expect(await listed(h.adminA)).toEqual(mine);
    expect(await listed(serviceKey)).toEqual(mine);
    // Naming someone outside one's teams lists nothing of theirs.
    expect((await (await w.as('mgrA')).delegations.list.query({ userId: w.id.repB2! })).items).toEqual([]);
  });
});

describe('a delegation passes on only work the delegator holds', () => {
  it('refuses a rep delegating an account they cannot see with NOT_FOUND, as for an unknown id, and the colleague gets nothing (the issue’s attack)', async () => {
    const w = await world();
    const repA = await w.as('repA');
    expect(await crmCodeOf(repA.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    const attack = await errorOf(repA.delegations.create.mutate({ delegateId: w.id.repA2!, scope: 'accounts', accountIds: [w.accounts.b], ...window(), reason: 'hand it over' }));
    const unknownId = newId('acc', h.clock);
    const unknown = await errorOf(repA.delegations.create.mutate({ delegateId: w.id.repA2!, scope: 'accounts', accountIds: [unknownId], ...window(), reason: 'x' }));
    expect(attack).toMatchObject({ crmCode: 'NOT_FOUND', httpStatus: 404, message: unknown.message.replace(unknownId, w.accounts.b), details: { ...unknown.details, id: w.accounts.b } });
    expect((await h.adminA.delegations.list.query({ userId: w.id.repA!, limit: 200 })).items).toEqual([]);
    h.clock.advance(2 * DAY_MS);
    const colleague = await w.as('repA2');
    expect(await crmCodeOf(colleague.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(colleague.accounts.update.mutate({ id: w.accounts.b, name: 'hijacked' }))).toBe('NOT_FOUND');
    expect(await listedIds(colleague)).not.toContain(w.accounts.b);
  });

  it('answers VALIDATION on accountIds.<i> for an account the caller sees but the delegator does not hold', async () => {
    const w = await world();
    // An admin sees everything; repA holds team A's account, not team B's.
    const e = await errorOf(h.adminA.delegations.create.mutate({ delegatorId: w.id.repA!, delegateId: w.id.repA2!, scope: 'accounts', accountIds: [w.accounts.a, w.accounts.b], ...window(), reason: 'x' }));
    expect(e).toMatchObject({ crmCode: 'VALIDATION' });
    expect(Object.keys(e.fieldErrors!)).toEqual(['accountIds.1']);
    expect(e.fieldErrors!['accountIds.1']![0]).toContain('does not hold');
    // A rep cannot pass on what was delegated to them: they see it, but do not hold it.
    const fromB = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repA!, scope: 'accounts', accountIds: [w.accounts.b], validFrom: inDays(0), validTo: inDays(9), reason: 'cover' });
    const repA = await w.as('repA');
    expect((await repA.accounts.get.query({ id: w.accounts.b })).id).toBe(w.accounts.b);
    const onward = await errorOf(repA.delegations.create.mutate({ delegateId: w.id.repA2!, scope: 'accounts', accountIds: [w.accounts.b], ...window(), reason: 'pass it on' }));
    expect(onward.crmCode).toBe('VALIDATION');
    expect(Object.keys(onward.fieldErrors!)).toEqual(['accountIds.0']);
    // What the delegator holds passes.
    const ok = await repA.delegations.create.mutate({ delegateId: w.id.repA2!, scope: 'accounts', accountIds: [w.accounts.a], ...window(), reason: 'cover mine' });
    expect(ok.accountIds).toEqual([w.accounts.a]);
    expect(fromB.delegatorId).toBe(w.id.repB);
  });

  it('stops showing a delegated account to the delegate once it is reassigned away from the delegator, and shows it again when it comes back', async () => {
    const w = await world();
    const d = await h.adminA.delegations.create.mutate({ delegatorId: w.id.repB!, delegateId: w.id.repA!, scope: 'accounts', accountIds: [w.accounts.personalB], validFrom: inDays(0), validTo: inDays(9), reason: 'cover' });
    expect(d.accountIds).toEqual([w.accounts.personalB]);
    expect((await (await w.as('repA')).accounts.get.query({ id: w.accounts.personalB })).id).toBe(w.accounts.personalB);
    await h.adminA.ownership.assign.mutate({ accountId: w.accounts.personalB, primaryOwnerId: w.id.repB2!, reason: 'repB2 takes over' });
    const repA = await w.as('repA');
    expect(await crmCodeOf(repA.accounts.get.query({ id: w.accounts.personalB }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(repA.accounts.update.mutate({ id: w.accounts.personalB, region: 'East' }))).toBe('NOT_FOUND');
    expect(await listedIds(repA)).not.toContain(w.accounts.personalB);
    expect((await repA.accounts.count.query({ search: 'Rep B personal' })).count).toBe(0);
    await h.adminA.ownership.assign.mutate({ accountId: w.accounts.personalB, primaryOwnerId: w.id.repB!, reason: 'back to repB' });
    expect(await listedIds(await w.as('repA'))).toContain(w.accounts.personalB);
  });

  it('never widens the delegate beyond the delegator: a stored delegation naming accounts its delegator does not hold grants none of them', async () => {
    const w = await world();
    const own = (await h.adminA.accounts.create.mutate({ name: `Rep A personal ${worldSeq}` })).id;
    await h.adminA.ownership.assign.mutate({ accountId: own, primaryOwnerId: w.id.repA!, reason: 'repA holds it' });
    // A row as an older crmkit could have written it: repA "delegating" team B's account and the pool account.
    const at = h.clock.now();
    await h.crm.db.delegation.create({
      data: {
        id: newId('dlg', h.clock), tenantId: h.tenantA, delegatorId: w.id.repA!, delegateId: w.id.repA2!, scope: 'accounts',
        accountIds: JSON.stringify([w.accounts.b, w.accounts.pool, own]), validFrom: at, validTo: new Date(at.getTime() + DAY_MS), reason: 'legacy', createdBy: 'test', createdAt: at,
      },
    });
    const colleague = await w.as('repA2');
    expect(await crmCodeOf(colleague.accounts.get.query({ id: w.accounts.b }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(colleague.accounts.get.query({ id: w.accounts.pool }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(colleague.contacts.create.mutate({ accountId: w.accounts.b, name: 'x' }))).toBe('NOT_FOUND');
    expect((await colleague.accounts.get.query({ id: own })).id).toBe(own);
    const listed = await listedIds(colleague);
    expect(listed).toContain(own);
    expect(listed).not.toContain(w.accounts.b);
    expect(listed).not.toContain(w.accounts.pool);
  });
});

describe('a CYCLE answer names only the delegations the caller may see', () => {
  it('tells a rep about a loop rep1 → rep2 → mgr2 → rep1 without naming the delegation delegations.list hides from them; an admin sees the whole path', async () => {
    const w = await world();
    const [rep1, rep2, mgr2] = [w.id.repA!, w.id.repB!, w.id.mgrB!];
    const hidden = await h.adminA.delegations.create.mutate({ delegatorId: rep2, delegateId: mgr2, ...window(), reason: 'rep2 away' });
    const shown = await h.adminA.delegations.create.mutate({ delegatorId: mgr2, delegateId: rep1, ...window(), reason: 'mgr2 away' });
    const asRep1 = await w.as('repA');
    const listedToRep1 = (await asRep1.delegations.list.query({ limit: 200 })).items.map((d) => d.id);
    expect(listedToRep1).toEqual([shown.id]);

    const e = await errorOf(asRep1.delegations.create.mutate({ delegateId: rep2, ...window(), reason: 'rep1 away' }));
    expect(e.crmCode).toBe('CYCLE');
    expect(e.details).toEqual({ delegationIds: [shown.id] });
    expect(e.fieldErrors).toEqual({ delegateId: ['this delegation would close a loop'] });
    expect(e.message).toBe('the delegation would close a loop through delegations you cannot see');
    expect(JSON.stringify(e)).not.toContain(hidden.id);
    expect(JSON.stringify(e)).not.toContain(mgr2);

    const full = await errorOf(h.adminA.delegations.create.mutate({ delegatorId: rep1, delegateId: rep2, ...window(), reason: 'rep1 away' }));
    expect(full.crmCode).toBe('CYCLE');
    expect(full.details).toEqual({ path: [rep1, rep2, mgr2, rep1], delegationIds: [hidden.id, shown.id] });
    expect(full.message).toContain(`${rep1} → ${rep2} → ${mgr2} → ${rep1}`);
  });

  it('shows the whole loop to a manager who manages everyone on it', async () => {
    const w = await world();
    const [a, a2, sub] = [w.id.repA!, w.id.repA2!, w.id.repSub!];
    const d1 = await h.adminA.delegations.create.mutate({ delegatorId: a2, delegateId: sub, ...window(), reason: 'x' });
    const d2 = await h.adminA.delegations.create.mutate({ delegatorId: sub, delegateId: a, ...window(), reason: 'x' });
    const e = await errorOf((await w.as('mgrA')).delegations.create.mutate({ delegatorId: a, delegateId: a2, ...window(), reason: 'x' }));
    expect(e).toMatchObject({ crmCode: 'CYCLE', details: { path: [a, a2, sub, a], delegationIds: [d1.id, d2.id] } });
  });
});
