import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '@crmkit/core';
import { crmCodeOf, errorOf, freshUsers, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());


const leaderIds = (team: { members: { userId: string; role: string }[] }) => team.members.filter((m) => m.role === 'leader').map((m) => m.userId);

describe('teams', () => {
  it('creates a team with its leader first among the members, from now on, and audits it', async () => {
    const [lead, a, b] = await freshUsers(h.adminA, 'lead', 'a', 'b');
    const team = await h.adminA.teams.create.mutate({ name: 'Appliances East', leaderId: lead!, memberIds: [a!, b!, lead!, a!] });
    const now = h.clock.now().toISOString();
    expect(team).toMatchObject({ name: 'Appliances East', parentTeamId: null, leaderId: lead, productLines: [], createdAt: now, archivedAt: null });
    expect(team.id).toMatch(/^tm_[0-9A-Z]{26}$/);
    expect(team.members).toEqual([
      { userId: lead, role: 'leader', since: now },
      { userId: a, role: 'member', since: now },
      { userId: b, role: 'member', since: now },
    ]);
    expect(await h.adminA.teams.get.query({ id: team.id })).toEqual(team);
    const audit = await h.adminA.audit.list.query({ entityType: 'team', entityId: team.id });
    expect(audit.items.map((e) => e.action)).toEqual(['team.created']);
    expect(audit.items[0]!.after).toMatchObject({ leaderId: lead, reason: 'team created' });
  });

  it('refuses a leader or member who is not an active user of the tenant with VALIDATION on that field', async () => {
    const [lead] = await freshUsers(h.adminA, 'lead');
    const e = await errorOf(h.adminA.teams.create.mutate({ name: 'Ghosts', leaderId: 'nobody-here' }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(Object.keys(e.fieldErrors!)).toEqual(['leaderId']);
    const m = await errorOf(h.adminA.teams.create.mutate({ name: 'Ghosts', leaderId: lead!, memberIds: [lead!, 'ghost'] }));
    expect(Object.keys(m.fieldErrors!)).toEqual(['memberIds.1']);
    // A user of tenant A is nobody in tenant B.
    expect((await errorOf(h.adminB.teams.create.mutate({ name: 'Other tenant', leaderId: lead! }))).fieldErrors).toHaveProperty('leaderId');
  });

  it('has exactly one leader at every instant across a leader change, and the old leader stays a member', async () => {
    const [li, zhao] = await freshUsers(h.adminA, 'li', 'zhao');
    const team = await h.adminA.teams.create.mutate({ name: 'Power tools', leaderId: li!, memberIds: [zhao!] });
    const created = h.clock.now();
    h.clock.advance(DAY_MS);
    const changedAt = h.clock.now();
    const after = await h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: zhao!, reason: 'li moves to key accounts' });
    expect(after.leaderId).toBe(zhao);
    expect(after.members).toEqual([
      { userId: zhao, role: 'leader', since: changedAt.toISOString() },
      { userId: li, role: 'member', since: changedAt.toISOString() },
    ]);

    const asOf = (t: number) => h.adminA.teams.get.query({ id: team.id, asOf: new Date(t).toISOString() });
    const before = await asOf(changedAt.getTime() - 1);
    expect(before.leaderId).toBe(li);
    expect(leaderIds(before)).toEqual([li]);
    expect(before.members.map((m) => [m.userId, m.role])).toEqual([[li, 'leader'], [zhao, 'member']]);
    for (const t of [created.getTime(), created.getTime() + HOUR_MS, changedAt.getTime() - 1, changedAt.getTime(), changedAt.getTime() + 1, h.clock.now().getTime() + DAY_MS]) {
      expect(leaderIds(await asOf(t)), new Date(t).toISOString()).toHaveLength(1);
    }
    expect(leaderIds(await asOf(changedAt.getTime()))).toEqual([zhao]);
    // Before the team existed there was nobody.
    expect(await asOf(created.getTime() - 1)).toMatchObject({ leaderId: null, members: [] });

    // Setting the current leader again changes nothing and records nothing.
    expect(await h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: zhao!, reason: 'again' })).toEqual(after);
    const audit = await h.adminA.audit.list.query({ entityType: 'team', entityId: team.id });
    expect(audit.items.map((e) => e.action).sort()).toEqual(['team.created', 'team.leader_changed']);
  });

  it('makes a non-member leader directly, closing the old leader’s period', async () => {
    const [li, wang] = await freshUsers(h.adminA, 'li', 'wang');
    const team = await h.adminA.teams.create.mutate({ name: 'Outsider lead', leaderId: li! });
    h.clock.advance(HOUR_MS);
    const after = await h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: wang!, reason: 'new hire leads' });
    expect(after.members.map((m) => [m.userId, m.role])).toEqual([[wang, 'leader'], [li, 'member']]);
  });

  it('refuses to remove the leader with PRECONDITION_FAILED, and removing a member ends their product lines too', async () => {
    const [lead, rep] = await freshUsers(h.adminA, 'lead', 'rep');
    const team = await h.adminA.teams.create.mutate({ name: 'Removals', leaderId: lead!, memberIds: [rep!] });
    const pl = await h.adminA.productLines.create.mutate({ code: `kettles-${lead}`, name: 'Kettles' });
    await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: rep!, reason: 'kettle expert' });
    const e = await errorOf(h.adminA.teams.removeMember.mutate({ teamId: team.id, userId: lead!, reason: 'try' }));
    expect(e.crmCode).toBe('PRECONDITION_FAILED');
    expect(e.details).toEqual({ teamId: team.id, leaderId: lead });
    expect((await h.adminA.teams.get.query({ id: team.id })).leaderId).toBe(lead);

    h.clock.advance(HOUR_MS);
    const removedAt = h.clock.now();
    const after = await h.adminA.teams.removeMember.mutate({ teamId: team.id, userId: rep!, reason: 'left the team' });
    expect(after.members.map((m) => m.userId)).toEqual([lead]);
    expect(after.productLines).toEqual([]);
    // Nothing overwritten: just before the removal the member and their product line were there.
    const then = await h.adminA.teams.get.query({ id: team.id, asOf: new Date(removedAt.getTime() - 1).toISOString() });
    expect(then.members.map((m) => m.userId)).toEqual([lead, rep]);
    expect(then.productLines).toEqual([{ productLineId: pl.id, userId: rep, since: expect.any(String) }]);
    expect((await errorOf(h.adminA.teams.removeMember.mutate({ teamId: team.id, userId: rep!, reason: 'again' }))).fieldErrors).toHaveProperty('userId');
  });

  it('adds a member from now on; adding someone already in the team changes nothing', async () => {
    const [lead, rep] = await freshUsers(h.adminA, 'lead', 'rep');
    const team = await h.adminA.teams.create.mutate({ name: 'Growing', leaderId: lead! });
    h.clock.advance(HOUR_MS);
    const added = await h.adminA.teams.addMember.mutate({ teamId: team.id, userId: rep!, reason: 'joins' });
    expect(added.members).toEqual([
      { userId: lead, role: 'leader', since: team.createdAt },
      { userId: rep, role: 'member', since: h.clock.now().toISOString() },
    ]);
    expect(await h.adminA.teams.addMember.mutate({ teamId: team.id, userId: lead!, reason: 'already the leader' })).toEqual(added);
    expect((await h.adminA.teams.get.query({ id: team.id, asOf: team.createdAt })).members.map((m) => m.userId)).toEqual([lead]);
  });

  it('lists teams, optionally only those a user belongs to now', async () => {
    const [lead, rep] = await freshUsers(h.adminA, 'lead', 'rep');
    const t1 = await h.adminA.teams.create.mutate({ name: 'List one', leaderId: lead!, memberIds: [rep!] });
    const t2 = await h.adminA.teams.create.mutate({ name: 'List two', leaderId: rep! });
    const t3 = await h.adminA.teams.create.mutate({ name: 'List three', leaderId: lead! });
    expect((await h.adminA.teams.list.query({ memberId: rep! })).items.map((t) => t.id)).toEqual([t1.id, t2.id]);
    h.clock.advance(HOUR_MS);
    await h.adminA.teams.removeMember.mutate({ teamId: t1.id, userId: rep!, reason: 'moves' });
    expect((await h.adminA.teams.list.query({ memberId: rep! })).items.map((t) => t.id)).toEqual([t2.id]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.adminA.teams.list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining([t1.id, t2.id, t3.id]));
    expect((await h.adminB.teams.list.query({})).items.map((t) => t.id)).not.toContain(t1.id);
  });

  it('nests a sub-team under a parent of the same tenant; an unknown parent is NOT_FOUND', async () => {
    const [lead, sub] = await freshUsers(h.adminA, 'lead', 'sub');
    const parent = await h.adminA.teams.create.mutate({ name: 'Region', leaderId: lead! });
    const child = await h.adminA.teams.create.mutate({ name: 'Region city', leaderId: sub!, parentTeamId: parent.id });
    expect(child.parentTeamId).toBe(parent.id);
    const [bLead] = await freshUsers(h.adminB, 'b-lead');
    expect(await crmCodeOf(h.adminB.teams.create.mutate({ name: 'x', leaderId: bLead!, parentTeamId: parent.id }))).toBe('NOT_FOUND');
  });

  it('answers another tenant’s team ids with NOT_FOUND everywhere', async () => {
    const [lead] = await freshUsers(h.adminA, 'lead');
    const [bUser] = await freshUsers(h.adminB, 'b-user');
    const team = await h.adminA.teams.create.mutate({ name: 'Private', leaderId: lead! });
    const plB = await h.adminB.productLines.create.mutate({ code: `b-line-${lead}`, name: 'B line' });
    expect(await crmCodeOf(h.adminB.teams.get.query({ id: team.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.teams.addMember.mutate({ teamId: team.id, userId: bUser!, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.teams.setLeader.mutate({ teamId: team.id, userId: bUser!, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.teams.removeMember.mutate({ teamId: team.id, userId: lead!, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.productLines.assign.mutate({ teamId: team.id, productLineId: plB.id, userId: null, reason: 'x' }))).toBe('NOT_FOUND');
    expect((await h.adminA.teams.get.query({ id: team.id })).members.map((m) => m.userId)).toEqual([lead]);
  });

  it('lets reps read teams but not manage them (FORBIDDEN)', async () => {
    const [lead] = await freshUsers(h.adminA, 'lead');
    const rep = await h.asUser(h.tenantA, lead!, 'rep');
    expect(await crmCodeOf(rep.teams.create.mutate({ name: 'Mine', leaderId: lead! }))).toBe('FORBIDDEN');
    const team = await h.adminA.teams.create.mutate({ name: 'Readable', leaderId: lead! });
    expect((await rep.teams.get.query({ id: team.id })).id).toBe(team.id);
    expect(await crmCodeOf(rep.productLines.create.mutate({ code: 'nope', name: 'Nope' }))).toBe('FORBIDDEN');
  });
});

describe('product lines', () => {
  it('creates product lines with a code unique in the tenant (CONFLICT on a repeat) and lists them', async () => {
    const a = await h.adminA.productLines.create.mutate({ code: 'small-appliances', name: 'Small appliances' });
    expect(a).toMatchObject({ code: 'small-appliances', name: 'Small appliances', archivedAt: null, createdAt: h.clock.now().toISOString() });
    expect(a.id).toMatch(/^pl_/);
    expect(await crmCodeOf(h.adminA.productLines.create.mutate({ code: 'small-appliances', name: 'Again' }))).toBe('CONFLICT');
    // Codes are per tenant.
    expect((await h.adminB.productLines.create.mutate({ code: 'small-appliances', name: 'B too' })).code).toBe('small-appliances');
    const listed = await h.adminA.productLines.list.query({ limit: 200 });
    expect(listed.items).toContainEqual(a);
    expect(listed.items.every((p) => p.name !== 'B too')).toBe(true);
    expect((await h.adminA.audit.list.query({ entityType: 'productLine', entityId: a.id })).items.map((e) => e.action)).toEqual(['productLine.created']);
  });

  it('assigns a product line to a team member, refuses a non-member with VALIDATION, and keeps the previous assignment as history', async () => {
    const [lead, wang, zhao, outsider] = await freshUsers(h.adminA, 'lead', 'wang', 'zhao', 'outsider');
    const team = await h.adminA.teams.create.mutate({ name: 'Appliance team', leaderId: lead!, memberIds: [wang!, zhao!] });
    const pl = await h.adminA.productLines.create.mutate({ code: `rice-cookers-${lead}`, name: 'Rice cookers' });
    const e = await errorOf(h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: outsider!, reason: 'not in the team' }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(Object.keys(e.fieldErrors!)).toEqual(['userId']);

    const first = await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: wang!, reason: 'wang knows them' });
    const firstAt = h.clock.now();
    expect(first.productLines).toEqual([{ productLineId: pl.id, userId: wang, since: firstAt.toISOString() }]);
    h.clock.advance(DAY_MS);
    const second = await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: zhao!, reason: 'rebalancing' });
    expect(second.productLines).toEqual([{ productLineId: pl.id, userId: zhao, since: h.clock.now().toISOString() }]);
    expect((await h.adminA.teams.get.query({ id: team.id, asOf: firstAt.toISOString() })).productLines.map((p) => p.userId)).toEqual([wang]);
    // The leader counts as a member; null unassigns.
    h.clock.advance(HOUR_MS);
    expect((await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: lead!, reason: 'leader takes it' })).productLines[0]!.userId).toBe(lead);
    h.clock.advance(HOUR_MS);
    expect((await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: null, reason: 'nobody for now' })).productLines).toEqual([]);
    const audit = await h.adminA.audit.list.query({ entityType: 'team', entityId: team.id });
    expect(audit.items.filter((a) => a.action === 'team.product_line_assigned')).toHaveLength(4);
  });

  it('lets a team’s own leader assign its product lines, but not another team’s', async () => {
    const [lead, rep, otherLead] = await freshUsers(h.adminA, 'lead', 'rep', 'other-lead');
    const team = await h.adminA.teams.create.mutate({ name: 'Led by a rep', leaderId: lead!, memberIds: [rep!] });
    const other = await h.adminA.teams.create.mutate({ name: 'Someone else’s', leaderId: otherLead!, memberIds: [rep!] });
    const pl = await h.adminA.productLines.create.mutate({ code: `irons-${lead}`, name: 'Irons' });
    const leader = await h.asUser(h.tenantA, lead!, 'rep');
    const assigned = await leader.productLines.assign.mutate({ teamId: team.id, productLineId: pl.id, userId: rep!, reason: 'leader decides' });
    expect(assigned.productLines.map((p) => p.userId)).toEqual([rep]);
    expect(await crmCodeOf(leader.productLines.assign.mutate({ teamId: other.id, productLineId: pl.id, userId: rep!, reason: 'not mine' }))).toBe('FORBIDDEN');
  });
});
