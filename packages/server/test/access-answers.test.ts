import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, newId, type Role } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

/**
 * Answers that leaked what the caller may not see (issue 7, review of items 3 and 6): a hierarchy
 * CYCLE naming an account out of view, `delegations.end` telling a hidden delegation from an
 * unknown id, and audit trails read by other rules than the entities' reads.
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
 * A fresh world: team AA led by manager `am`, with rep a1; team BB led by mgrBB, with reps b1 and
 * b2 and `am` as a plain member; team CC led by mgrCC, with rep c1.
 */
async function world() {
  worldSeq += 1;
  const people: Record<string, Role> = { admin: 'admin', am: 'manager', a1: 'rep', mgrBB: 'manager', b1: 'rep', b2: 'rep', mgrCC: 'manager', c1: 'rep' };
  const id = Object.fromEntries(Object.keys(people).map((k) => [k, `${k}-${worldSeq}`])) as Record<keyof typeof people, string>;
  for (const [key, role] of Object.entries(people)) await h.adminA.users.upsert.mutate({ id: id[key]!, displayName: id[key]!, role });
  const teams = {
    aa: (await h.adminA.teams.create.mutate({ name: `AA ${worldSeq}`, leaderId: id.am!, memberIds: [id.a1!] })).id,
    bb: (await h.adminA.teams.create.mutate({ name: `BB ${worldSeq}`, leaderId: id.mgrBB!, memberIds: [id.b1!, id.b2!, id.am!] })).id,
    cc: (await h.adminA.teams.create.mutate({ name: `CC ${worldSeq}`, leaderId: id.mgrCC!, memberIds: [id.c1!] })).id,
  };
  const as = (key: keyof typeof people) => h.asUser(h.tenantA, id[key]!, people[key]!);
  return { id, teams, as };
}

/** An account created by the admin, under `parentId`, owned as given. */
async function account(name: string, owners: { teamId?: string | null; primaryOwnerId?: string | null; parentId?: string }) {
  const created = await h.adminA.accounts.create.mutate({ name: `${name} ${worldSeq}`, ...(owners.parentId ? { parentId: owners.parentId } : {}) });
  await h.adminA.ownership.assign.mutate({ accountId: created.id, teamId: owners.teamId ?? null, primaryOwnerId: owners.primaryOwnerId ?? null, reason: 'setup' });
  return created.id;
}

describe('a hierarchy CYCLE names only accounts the caller may see', () => {
  /** The reviewer's setup: TopA (repA) → MidB (team BB, b1) → LeafA (repA); repA is a1. */
  async function group() {
    const w = await world();
    const top = await account('TopA', { primaryOwnerId: w.id.a1 });
    const mid = await account('MidB', { teamId: w.teams.bb, primaryOwnerId: w.id.b1, parentId: top });
    const leaf = await account('LeafA', { primaryOwnerId: w.id.a1, parentId: mid });
    return { w, top, mid, leaf };
  }

  it('tells a rep the move would loop without naming the account between, which they cannot see; an admin sees the whole path', async () => {
    const { w, top, mid, leaf } = await group();
    const repA = await w.as('a1');
    expect(await crmCodeOf(repA.accounts.get.query({ id: mid }))).toBe('NOT_FOUND');

    const e = await errorOf(repA.accounts.setParent.mutate({ id: top, parentId: leaf }));
    expect(e.crmCode).toBe('CYCLE');
    expect(e.httpStatus).toBe(422);
    expect(e.details).toEqual({ accountIds: [top, leaf] });
    expect(e.fieldErrors).toEqual({ parentId: ['the new parent is a descendant of this account'] });
    expect(e.message).toBe('the new parent is a descendant of this account through accounts you cannot see');
    expect(JSON.stringify(e)).not.toContain(mid);

    const full = await errorOf(h.adminA.accounts.setParent.mutate({ id: top, parentId: leaf }));
    expect(full).toMatchObject({ crmCode: 'CYCLE', details: { path: [top, leaf, mid, top] } });
    const adminUser = await errorOf((await w.as('admin')).accounts.setParent.mutate({ id: top, parentId: leaf }));
    expect(adminUser.details).toEqual({ path: [top, leaf, mid, top] });
    expect((await h.adminA.accounts.get.query({ id: top })).parentId).toBeNull();
  });

  it('names the whole loop when the caller sees every account on it', async () => {
    const { w, top, leaf } = await group();
    const own = await account('LeafA2', { primaryOwnerId: w.id.a1, parentId: top });
    const repA = await w.as('a1');
    expect((await errorOf(repA.accounts.setParent.mutate({ id: top, parentId: own }))).details).toEqual({ path: [top, own, top] });
    expect((await errorOf(repA.accounts.setParent.mutate({ id: leaf, parentId: leaf }))).details).toEqual({ path: [leaf, leaf] });
  });

  it('answers a too-deep move and an archive with hidden branches with counts, never the hidden accounts', async () => {
    const { w, top, mid, leaf } = await group();
    // top → mid → leaf → d4 … d8: eight levels, the most allowed.
    let parent = leaf;
    const chain: string[] = [];
    for (let level = 4; level <= 8; level++) chain.push((parent = await account(`D${level}`, { primaryOwnerId: w.id.a1, parentId: parent })));
    const mover = await account('Mover', { primaryOwnerId: w.id.a1 });
    const repA = await w.as('a1');
    const deep = await errorOf(repA.accounts.setParent.mutate({ id: mover, parentId: chain.at(-1)! }));
    expect(deep).toMatchObject({ crmCode: 'VALIDATION', details: { depth: 9, maxDepth: 8 } });
    expect(JSON.stringify(deep)).not.toContain(mid);

    const hiddenChild = await account('Hidden child', { teamId: w.teams.cc, primaryOwnerId: w.id.c1, parentId: mover });
    const archive = await errorOf(repA.accounts.archive.mutate({ id: mover }));
    expect(archive).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { childIds: [] } });
    expect(JSON.stringify(archive)).not.toContain(hiddenChild);
    expect(JSON.stringify(await errorOf(repA.accounts.archive.mutate({ id: top })))).not.toContain(mid);
  });
});

describe('delegations.end answers NOT_FOUND for a delegation delegations.list does not show the caller', () => {
  it('gives a manager of another team and an uninvolved rep the same answer as an unknown id, and ends nothing', async () => {
    const w = await world();
    const inBB = await h.adminA.delegations.create.mutate({ delegatorId: w.id.b1!, delegateId: w.id.b2!, ...window(), reason: 'BB cover' });
    const unknownId = newId('dlg', h.clock);
    const unknown = await errorOf(h.adminA.delegations.end.mutate({ id: unknownId }));
    expect(unknown.crmCode).toBe('NOT_FOUND');

    for (const who of ['am', 'mgrCC', 'a1', 'c1'] as const) {
      const caller = await w.as(who);
      expect((await caller.delegations.list.query({ limit: 200 })).items.map((d) => d.id)).not.toContain(inBB.id);
      const e = await errorOf(caller.delegations.end.mutate({ id: inBB.id, reason: 'probe' }));
      expect(e, who).toMatchObject({ crmCode: 'NOT_FOUND', httpStatus: 404, message: unknown.message.replace(unknownId, inBB.id), details: { ...unknown.details, id: inBB.id } });
    }
    expect((await h.adminA.delegations.list.query({ userId: w.id.b1!, limit: 10 })).items[0]).toMatchObject({ id: inBB.id, endedAt: null });

    // A role without the permission is still FORBIDDEN, before anything is looked up.
    expect(await crmCodeOf(serviceKey.delegations.end.mutate({ id: inBB.id }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(integrationKey.delegations.end.mutate({ id: unknownId }))).toBe('FORBIDDEN');

    // Those who see it end it: its manager, and (for another one) its delegate.
    expect((await (await w.as('mgrBB')).delegations.end.mutate({ id: inBB.id })).endedAt).not.toBeNull();
    const again = await h.adminA.delegations.create.mutate({ delegatorId: w.id.b1!, delegateId: w.id.b2!, ...window(), reason: 'BB cover again' });
    expect((await (await w.as('b2')).delegations.end.mutate({ id: again.id })).endedAt).not.toBeNull();
  });
});

describe('audit.list reads a trail by the rule of the entity’s own reads', () => {
  it('shows a manager a delegation’s trail exactly when delegations.list shows them the delegation', async () => {
    const w = await world();
    const d = {
      // b1 → b2 in BB, where am is only a member: the reviewer's case.
      inBB: await h.adminA.delegations.create.mutate({ delegatorId: w.id.b1!, delegateId: w.id.b2!, ...window(), reason: 'BB cover' }),
      aToB: await h.adminA.delegations.create.mutate({ delegatorId: w.id.a1!, delegateId: w.id.b1!, scope: 'complaints', ...window(), reason: 'x' }),
      toAm: await h.adminA.delegations.create.mutate({ delegatorId: w.id.c1!, delegateId: w.id.am!, scope: 'approvals', ...window(), reason: 'x' }),
      inCC: await h.adminA.delegations.create.mutate({ delegatorId: w.id.c1!, delegateId: w.id.mgrCC!, scope: 'complaints', ...window(), reason: 'x' }),
    };
    await h.adminA.delegations.end.mutate({ id: d.inBB.id, reason: 'back early' });
    for (const who of ['am', 'mgrBB', 'mgrCC', 'admin'] as const) {
      const caller = await w.as(who);
      const listed = new Set((await caller.delegations.list.query({ limit: 200 })).items.map((x) => x.id));
      for (const [name, delegation] of Object.entries(d)) {
        const trail = caller.audit.list.query({ entityType: 'delegation', entityId: delegation.id });
        if (listed.has(delegation.id)) expect((await trail).items.length, `${who} ${name}`).toBeGreaterThan(0);
        else expect(await crmCodeOf(trail), `${who} ${name}`).toBe('NOT_FOUND');
      }
    }
    const am = await w.as('am');
    expect(await crmCodeOf(am.audit.list.query({ entityType: 'delegation', entityId: d.inBB.id }))).toBe('NOT_FOUND');
    expect((await am.audit.list.query({ entityType: 'delegation', entityId: d.aToB.id })).items.map((e) => e.action)).toEqual(['delegation.created']);
    expect((await (await w.as('mgrBB')).audit.list.query({ entityType: 'delegation', entityId: d.inBB.id })).items.map((e) => e.action)).toEqual(['delegation.ended', 'delegation.created']);
  });

  it('leaves out of a user’s trail the ids of accounts the manager cannot see, counting them; an admin reads it whole', async () => {
    const w = await world();
    const leaver = `leaver-${worldSeq}`;
    await h.adminA.users.upsert.mutate({ id: leaver, displayName: leaver, role: 'rep' });
    await h.adminA.teams.addMember.mutate({ teamId: w.teams.aa, userId: leaver, reason: 'hire' });
    const inAA = await account('Leaver AA', { teamId: w.teams.aa, primaryOwnerId: leaver });
    const personal = await account('Leaver personal', { primaryOwnerId: leaver });
    const inCC = await account('Leaver CC', { teamId: w.teams.cc, primaryOwnerId: leaver });
    await h.adminA.users.deactivate.mutate({ userId: leaver, reassignTo: w.id.c1!, reason: 'left the company' });

    const am = await w.as('am');
    expect(await crmCodeOf(am.accounts.get.query({ id: personal }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(am.accounts.get.query({ id: inCC }))).toBe('NOT_FOUND');
    const trail = await am.audit.list.query({ entityType: 'user', entityId: leaver });
    const deactivated = trail.items.find((e) => e.action === 'user.deactivated')!;
    expect(deactivated.after).toMatchObject({ accounts: [inAA], hiddenAccounts: 2, userId: leaver, reassignedTo: w.id.c1 });
    expect(JSON.stringify(trail)).not.toContain(personal);
    expect(JSON.stringify(trail)).not.toContain(inCC);

    // mgrCC sees the CC account; not the AA one, nor the personal one c1 took over (a manager does not see members' own accounts).
    const mgrCC = await (await w.as('mgrCC')).audit.list.query({ entityType: 'user', entityId: leaver });
    expect(mgrCC.items.find((e) => e.action === 'user.deactivated')!.after).toMatchObject({ accounts: [inCC], hiddenAccounts: 2 });

    const whole = (await h.adminA.audit.list.query({ entityType: 'user', entityId: leaver })).items.find((e) => e.action === 'user.deactivated')!;
    expect((whole.after as { accounts: string[] }).accounts.sort()).toEqual([inAA, personal, inCC].sort());
    expect(whole.after).not.toHaveProperty('hiddenAccounts');
  });

  it('keeps account and contact trails to the accounts the manager sees, and API key trails to admins', async () => {
    const w = await world();
    const inCC = await account('CC customer', { teamId: w.teams.cc, primaryOwnerId: w.id.c1 });
    const inBB = await account('BB customer', { teamId: w.teams.bb, primaryOwnerId: w.id.b1 });
    const contactCC = await h.adminA.contacts.create.mutate({ accountId: inCC, name: 'Ms CC' });
    const contactBB = await h.adminA.contacts.create.mutate({ accountId: inBB, name: 'Mr BB' });
    const am = await w.as('am');
    expect(await crmCodeOf(am.audit.list.query({ entityType: 'account', entityId: inCC }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(am.audit.list.query({ entityType: 'contact', entityId: contactCC.id }))).toBe('NOT_FOUND');
    // am belongs to BB and so sees its accounts, and their trails.
    expect((await am.audit.list.query({ entityType: 'account', entityId: inBB })).items.length).toBeGreaterThan(0);
    expect((await am.audit.list.query({ entityType: 'contact', entityId: contactBB.id })).items.map((e) => e.action)).toEqual(['contact.created']);
    const key = await h.adminA.apiKeys.create.mutate({ name: `erp ${worldSeq}`, role: 'integration' });
    expect(await crmCodeOf(am.audit.list.query({ entityType: 'apiKey', entityId: key.apiKey.id }))).toBe('FORBIDDEN');
  });
});
