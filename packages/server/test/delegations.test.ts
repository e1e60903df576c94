import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, type Role } from '@crmkit/core';
import { crmCodeOf, errorOf, freshUsers, startHarness, type Client, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());


/** Tokens live 10 minutes of clock time: mint one right before use. */
const as = (userId: string, role: Role) => h.asUser(h.tenantA, userId, role);
const iso = (ms: number) => new Date(ms).toISOString();
const inDays = (days: number) => iso(h.clock.now().getTime() + days * DAY_MS);

describe('delegations.create', () => {
  it('delegates the caller’s own work by default and records who did it', async () => {
    const [li, zhao] = await freshUsers(h.adminA, 'li', 'zhao');
    const rep = await as(li!, 'rep');
    const d = await rep.delegations.create.mutate({ delegateId: zhao!, validFrom: inDays(1), validTo: inDays(8), reason: 'annual leave' });
    expect(d).toEqual({ id: expect.stringMatching(/^dlg_/), delegatorId: li, delegateId: zhao, scope: 'all', accountIds: [], validFrom: inDays(1), validTo: inDays(8), reason: 'annual leave', endedAt: null });
    const audit = await h.adminA.audit.list.query({ entityType: 'delegation', entityId: d.id });
    expect(audit.items.map((e) => [e.action, e.actor])).toEqual([['delegation.created', { type: 'user', id: li }]]);
  });

  it('lets only managers and admins delegate for someone else (FORBIDDEN for a rep); an API key names the delegator', async () => {
    const [li, zhao, chen, boss] = await freshUsers(h.adminA, 'li', 'zhao', 'chen', 'boss');
    await h.adminA.teams.create.mutate({ name: `Team ${boss}`, leaderId: boss!, memberIds: [chen!] });
    const rep = await as(li!, 'rep');
    expect(await crmCodeOf(rep.delegations.create.mutate({ delegatorId: chen!, delegateId: zhao!, validFrom: inDays(1), validTo: inDays(2), reason: 'not mine' }))).toBe('FORBIDDEN');
    const manager = await as(boss!, 'manager');
    const d = await manager.delegations.create.mutate({ delegatorId: chen!, delegateId: zhao!, validFrom: inDays(1), validTo: inDays(2), reason: 'sick leave' });
    expect(d.delegatorId).toBe(chen);
    const e = await errorOf(h.adminA.delegations.create.mutate({ delegateId: zhao!, validFrom: inDays(1), validTo: inDays(2), reason: 'whose?' }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.fieldErrors).toHaveProperty('delegatorId');
  });

  it('refuses a second delegation of the same work in an overlapping window with CONFLICT, and allows disjoint ones', async () => {
    const [li, zhao, chen] = await freshUsers(h.adminA, 'li', 'zhao', 'chen');
    const first = await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: zhao!, validFrom: inDays(1), validTo: inDays(5), reason: 'leave' });
    const e = await errorOf(h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: chen!, scope: 'complaints', validFrom: inDays(4), validTo: inDays(6), reason: 'overlap' }));
    expect(e.crmCode).toBe('CONFLICT');
    expect(e.details).toEqual({ delegationId: first.id });
    // Touching windows do not overlap (the first ends where the next starts).
    expect((await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: chen!, validFrom: inDays(5), validTo: inDays(6), reason: 'after' })).delegateId).toBe(chen);
    // Different scopes of one delegator can run side by side.
    const [wang, sun] = await freshUsers(h.adminA, 'wang', 'sun');
    await h.adminA.delegations.create.mutate({ delegatorId: wang!, delegateId: sun!, scope: 'complaints', validFrom: inDays(1), validTo: inDays(3), reason: 'complaints' });
    expect((await h.adminA.delegations.create.mutate({ delegatorId: wang!, delegateId: li!, scope: 'approvals', validFrom: inDays(1), validTo: inDays(3), reason: 'approvals' })).scope).toBe('approvals');
  });

  it('refuses a delegation that would close a loop with CYCLE, naming the path', async () => {
    const [a, b, c] = await freshUsers(h.adminA, 'a', 'b', 'c');
    const ab = await h.adminA.delegations.create.mutate({ delegatorId: a!, delegateId: b!, validFrom: inDays(1), validTo: inDays(10), reason: 'a away' });
    const bc = await h.adminA.delegations.create.mutate({ delegatorId: b!, delegateId: c!, validFrom: inDays(2), validTo: inDays(10), reason: 'b away' });
    const e = await errorOf(h.adminA.delegations.create.mutate({ delegatorId: c!, delegateId: a!, validFrom: inDays(3), validTo: inDays(4), reason: 'c away' }));
    expect(e.crmCode).toBe('CYCLE');
    expect(e.details).toEqual({ path: [c, a, b, c], delegationIds: [ab.id, bc.id] });
    // Outside the other windows there is no loop.
    expect((await h.adminA.delegations.create.mutate({ delegatorId: c!, delegateId: a!, validFrom: inDays(10), validTo: inDays(11), reason: 'later' })).delegatorId).toBe(c);
    expect((await errorOf(h.adminA.delegations.create.mutate({ delegatorId: a!, delegateId: a!, validFrom: inDays(20), validTo: inDays(21), reason: 'self' }))).fieldErrors).toHaveProperty('delegateId');
  });

  it('starts a backdated window now, and refuses one already over, unknown users and accounts outside the scope', async () => {
    const [li, zhao] = await freshUsers(h.adminA, 'li', 'zhao');
    const now = h.clock.now().toISOString();
    const d = await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: zhao!, validFrom: inDays(-3), validTo: inDays(2), reason: 'since Monday' });
    expect(d.validFrom).toBe(now);
    const over = await errorOf(h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: li!, validFrom: inDays(-3), validTo: inDays(-1), reason: 'past' }));
    expect(Object.keys(over.fieldErrors!)).toEqual(['validTo']);
    expect(Object.keys((await errorOf(h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: 'ghost', validFrom: inDays(3), validTo: inDays(4), reason: 'x' }))).fieldErrors!)).toEqual(['delegateId']);
    const account = await h.adminA.accounts.create.mutate({ name: 'Scoped' });
    await h.adminA.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: zhao!, reason: 'zhao holds it' });
    expect(Object.keys((await errorOf(h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: li!, scope: 'complaints', accountIds: [account.id], validFrom: inDays(3), validTo: inDays(4), reason: 'x' }))).fieldErrors!)).toEqual(['accountIds']);
    expect(Object.keys((await errorOf(h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: li!, scope: 'accounts', validFrom: inDays(3), validTo: inDays(4), reason: 'x' }))).fieldErrors!)).toEqual(['accountIds']);
    const scoped = await h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: li!, scope: 'accounts', accountIds: [account.id], validFrom: inDays(3), validTo: inDays(4), reason: 'that one account' });
    expect(scoped.accountIds).toEqual([account.id]);
  });
});

describe('delegations in routing, ending and listing', () => {
  it('routes to the delegate while the delegation runs, and back to the owner once it is ended early', async () => {
    const [lead, li, zhao] = await freshUsers(h.adminA, 'lead', 'li', 'zhao');
    const team = await h.adminA.teams.create.mutate({ name: `Renewals ${lead}`, leaderId: lead!, memberIds: [li!, zhao!] });
    const account = await h.adminA.accounts.create.mutate({ name: 'Cleaning contract customer' });
    await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, primaryOwnerId: li!, reason: 'li signed it' });
    const d = await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: zhao!, validFrom: inDays(1), validTo: inDays(15), reason: 'leave' });

    expect((await h.adminA.ownership.resolve.query({ accountId: account.id })).userId).toBe(li);
    h.clock.advance(2 * DAY_MS);
    const during = await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'renewal' });
    expect(during.userId).toBe(zhao);
    expect(during.explanation.map((s) => [s.rule, s.outcome, s.subjectId])).toEqual([
      ['delegation', 'applied', zhao],
      ['primary-owner', 'matched', zhao],
    ]);

    const endedAt = h.clock.now().toISOString();
    const zhaoClient = await as(zhao!, 'rep');
    const ended = await zhaoClient.delegations.end.mutate({ id: d.id, reason: 'li came back early' });
    expect(ended).toMatchObject({ id: d.id, validFrom: d.validFrom, validTo: endedAt, endedAt });
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id })).userId).toBe(li);
    // Ending it does not rewrite the past: asked as of the time it ran, the answer is still the delegate.
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'renewal', asOf: new Date(Date.parse(during.at) - HOUR_MS).toISOString() })).userId).toBe(zhao);
    // Ending again changes nothing.
    h.clock.advance(HOUR_MS);
    expect(await h.adminA.delegations.end.mutate({ id: d.id })).toEqual(ended);
    const audit = await h.adminA.audit.list.query({ entityType: 'delegation', entityId: d.id });
    expect(audit.items.map((e) => e.action).sort()).toEqual(['delegation.created', 'delegation.ended']);
    // The window is free again for a new delegation.
    expect((await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: lead!, validFrom: inDays(1), validTo: inDays(3), reason: 'away again' })).delegateId).toBe(lead);
  });

  it('ends a future delegation without touching its window, and only for those involved, managers and admins', async () => {
    const [li, zhao, stranger] = await freshUsers(h.adminA, 'li', 'zhao', 'stranger');
    const d = await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: zhao!, validFrom: inDays(5), validTo: inDays(9), reason: 'planned leave' });
    // A delegation the caller may not list is answered as an unknown one.
    expect(await crmCodeOf((await as(stranger!, 'rep')).delegations.end.mutate({ id: d.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.delegations.end.mutate({ id: d.id }))).toBe('NOT_FOUND');
    const ended = await (await as(li!, 'rep')).delegations.end.mutate({ id: d.id, reason: 'plans changed' });
    expect(ended).toMatchObject({ validFrom: d.validFrom, validTo: d.validTo, endedAt: h.clock.now().toISOString() });
  });

  it('lists delegations by user and by the instant they are active at; a rep sees only their own; tenants are apart', async () => {
    const [li, zhao, chen] = await freshUsers(h.adminA, 'li', 'zhao', 'chen');
    const d1 = await h.adminA.delegations.create.mutate({ delegatorId: li!, delegateId: zhao!, validFrom: inDays(1), validTo: inDays(3), reason: 'one' });
    const d2 = await h.adminA.delegations.create.mutate({ delegatorId: chen!, delegateId: li!, validFrom: inDays(5), validTo: inDays(7), reason: 'two' });
    const d3 = await h.adminA.delegations.create.mutate({ delegatorId: zhao!, delegateId: chen!, validFrom: inDays(5), validTo: inDays(7), reason: 'three' });
    const ids = async (input: Parameters<Client['delegations']['list']['query']>[0], client: Client = h.adminA) => (await client.delegations.list.query(input)).items.map((d) => d.id);
    expect(await ids({ userId: li! })).toEqual([d2.id, d1.id]);
    expect(await ids({ userId: chen!, activeAt: inDays(6) })).toEqual([d3.id, d2.id]);
    expect(await ids({ userId: li!, activeAt: inDays(2) })).toEqual([d1.id]);
    expect(await ids({ userId: li!, activeAt: inDays(4) })).toEqual([]);
    const ended = await h.adminA.delegations.end.mutate({ id: d2.id });
    expect(ended.endedAt).not.toBeNull();
    expect(await ids({ userId: li!, activeAt: inDays(6) })).toEqual([]);
    const asZhao = await as(zhao!, 'rep');
    expect(new Set(await ids({ limit: 200 }, asZhao))).toEqual(new Set([d1.id, d3.id]));
    expect(await ids({ userId: chen!, limit: 200 }, asZhao)).toEqual([d3.id]);
    expect(await ids({ limit: 200 }, h.adminB)).not.toContain(d1.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.adminA.delegations.list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(seen).toEqual(expect.arrayContaining([d1.id, d2.id, d3.id]));
  });
});

describe('availability.set', () => {
  it('marks oneself away, answers the stored window, and routing passes over the away owner to the secondary owner', async () => {
    const [lead, li, chen] = await freshUsers(h.adminA, 'lead', 'li', 'chen');
    const team = await h.adminA.teams.create.mutate({ name: `Away ${lead}`, leaderId: lead!, memberIds: [li!, chen!] });
    const account = await h.adminA.accounts.create.mutate({ name: 'Away customer' });
    await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, primaryOwnerId: chen!, secondaryOwnerId: li!, reason: 'renewal: chen primary, li secondary' });
    const now = h.clock.now().toISOString();
    const window = await (await as(chen!, 'rep')).availability.set.mutate({ awayFrom: inDays(-1), awayTo: inDays(3), reason: 'holiday' });
    // A window starting in the past starts now.
    expect(window).toEqual({ id: expect.stringMatching(/^awy_/), userId: chen, awayFrom: now, awayTo: inDays(3), reason: 'holiday' });
    const r = await h.adminA.ownership.resolve.query({ accountId: account.id });
    expect(r.userId).toBe(li);
    expect(r.explanation.map((s) => [s.rule, s.outcome, s.subjectId])).toEqual([
      ['availability', 'skipped', chen],
      ['secondary-owner', 'matched', li],
    ]);
    h.clock.advance(3 * DAY_MS);
    expect((await h.adminA.ownership.resolve.query({ accountId: account.id })).userId).toBe(chen);
    const audit = await h.adminA.audit.list.query({ entityType: 'user', entityId: chen! });
    expect(audit.items.map((e) => e.action)).toContain('user.away_set');
  });

  it('lets only managers and admins mark someone else away (FORBIDDEN for a rep), and refuses unknown users and empty windows', async () => {
    const [li, zhao, boss] = await freshUsers(h.adminA, 'li', 'zhao', 'boss');
    await h.adminA.teams.create.mutate({ name: `Team ${boss}`, leaderId: boss!, memberIds: [zhao!] });
    expect(await crmCodeOf((await as(li!, 'rep')).availability.set.mutate({ userId: zhao!, awayFrom: inDays(1), awayTo: inDays(2), reason: 'x' }))).toBe('FORBIDDEN');
    const byManager = await (await as(boss!, 'manager')).availability.set.mutate({ userId: zhao!, awayFrom: inDays(1), awayTo: inDays(2), reason: 'sick' });
    expect(byManager).toMatchObject({ userId: zhao, awayFrom: inDays(1), awayTo: inDays(2) });
    expect((await errorOf(h.adminA.availability.set.mutate({ userId: 'ghost', awayFrom: inDays(1), awayTo: inDays(2), reason: 'x' }))).fieldErrors).toHaveProperty('userId');
    expect((await errorOf(h.adminA.availability.set.mutate({ userId: zhao!, awayFrom: inDays(2), awayTo: inDays(1), reason: 'x' }))).fieldErrors).toHaveProperty('awayTo');
    expect((await errorOf(h.adminA.availability.set.mutate({ awayFrom: inDays(1), awayTo: inDays(2), reason: 'x' }))).fieldErrors).toHaveProperty('userId');
    expect((await errorOf(h.adminB.availability.set.mutate({ userId: zhao!, awayFrom: inDays(1), awayTo: inDays(2), reason: 'x' }))).fieldErrors).toHaveProperty('userId');
  });
});
