import { DAY_MS, canSee, newId, type AccountTreeNode, type Role } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/context.js';
import { inTransaction } from '../src/services/audit/record.js';
import { changeOwnership, type OwnershipState } from '../src/services/ownership/change-ownership.js';
import { visibilityOf } from '../src/services/visibility.js';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

/**
 * Who sees which account, per role, through every account read: get, list (with and without
 * search, paged), count, tree, orderParties, contacts and the audit trail.
 *
 * Teams: T (led by `mgr`), S a sub-team of T, U (led by `mgr-u`). Accounts (all named "Vis …",
 * so one search matches every one of them):
 *
 *   hq (team T)                       pool (no team, no owner)
 *   ├── branch (team T, primary rep-t)       own-top (primary rep-own)
 *   │   ├── store (team S)                   └── own-mid (team U)
 *   │   └── u-under-t (team U, primary rep-own, secondary rep-sec)      └── own-leaf (primary rep-own)
 *   └── archived-t (team T, archived)
 *   u-plain (team U, primary mgr-u)     sec-only (team U, primary mgr-u, secondary rep-sec)
 *   mgr-own (team U, primary mgr)
 *
 * Delegations: rep-own → rep-del (all work, 30 days); mgr-u → rep-acc (accounts: u-plain);
 * rep-sec → rep-exp (all work, ends on day 5); rep-own → rep-out ended early (endedAt set) and
 * mgr-u → rep-out starting on day 40 (not yet in force). Memberships: rep-t in T, rep-s in S,
 * rep-ended in T until day 10.
 */

const names = ['hq', 'branch', 'store', 'u-under-t', 'archived-t', 'pool', 'own-top', 'own-mid', 'own-leaf', 'u-plain', 'sec-only', 'mgr-own'] as const;
type Name = (typeof names)[number];

let h: Harness;
const id = {} as Record<Name, string>;
const contactOf = {} as Record<Name, string>;
let nameOf: Map<string, Name>;
let foreignAccountId: string;
let integration: Client;
let t0: number;

const team = { T: '', S: '', U: '' };

const everyone = [...names];
/** What each user sees at the start, by the rule in DOMAIN.md §10. */
const expectedAtStart: Record<string, readonly Name[]> = {
  'admin-1': everyone,
  svc: everyone,
  mgr: ['hq', 'branch', 'store', 'archived-t', 'mgr-own'],
  'mgr-u': ['u-under-t', 'own-mid', 'u-plain', 'sec-only', 'mgr-own'],
  'rep-t': ['hq', 'branch', 'archived-t'],
  'rep-s': ['store'],
  'rep-own': ['u-under-t', 'own-top', 'own-leaf'],
  'rep-sec': ['u-under-t', 'sec-only'],
  'rep-del': ['u-under-t', 'own-top', 'own-leaf'],
  'rep-acc': ['u-plain'],
  'rep-exp': ['u-under-t', 'sec-only'],
  'rep-ended': ['hq', 'branch', 'archived-t'],
  'rep-out': [],
};
const roles: Record<string, Role> = {
  'admin-1': 'admin', svc: 'service', mgr: 'manager', 'mgr-u': 'manager',
  'rep-t': 'rep', 'rep-s': 'rep', 'rep-own': 'rep', 'rep-sec': 'rep', 'rep-del': 'rep', 'rep-acc': 'rep', 'rep-exp': 'rep', 'rep-ended': 'rep', 'rep-out': 'rep',
};

const system = (tenantId: string): Actor => ({ tenantId, type: 'system', id: 'visibility-test', role: 'admin', scopes: null });

async function setOwners(tenantId: string, accountId: string, state: OwnershipState) {
  const ctx = h.crm.serviceContext(system(tenantId));
  await inTransaction(ctx, (tx) => changeOwnership(tx, ctx, accountId, state, { cause: 'assign' }));
}

const at = (days: number) => new Date(t0 + days * DAY_MS);

beforeAll(async () => {
  h = await startHarness();
  t0 = h.clock.now().getTime();
  const db = h.crm.db;
  const A = h.tenantA;
  for (const [userId, role] of Object.entries(roles)) await h.adminA.users.upsert.mutate({ id: userId, displayName: userId, role });

  for (const key of ['T', 'S', 'U'] as const) {
    team[key] = newId('tm', h.clock);
    await db.team.create({ data: { id: team[key], tenantId: A, name: `Team ${key}`, parentTeamId: key === 'S' ? team.T : null, createdAt: at(-30) } });
  }
  const membership = (teamId: string, userId: string, role: 'leader' | 'member', validTo: Date | null = null) =>
    db.teamMembership.create({ data: { id: newId('mbr', h.clock), tenantId: A, teamId, userId, role, validFrom: at(-30), validTo, reason: 'setup', actorId: 'system:test' } });
  await membership(team.T, 'mgr', 'leader');
  await membership(team.U, 'mgr-u', 'leader');
  await membership(team.T, 'rep-t', 'member');
  await membership(team.S, 'rep-s', 'member');
  await membership(team.T, 'rep-ended', 'member', at(10));
  // A membership that ended before today grants nothing.
  await db.teamMembership.create({ data: { id: newId('mbr', h.clock), tenantId: A, teamId: team.U, userId: 'rep-t', role: 'member', validFrom: at(-30), validTo: at(-1), reason: 'setup', actorId: 'system:test' } });

  const delegation = (delegatorId: string, delegateId: string, scope: 'all' | 'accounts', from: number, to: number, extra: { accountIds?: string[]; endedAt?: Date } = {}) =>
    db.delegation.create({
      data: {
        id: newId('dlg', h.clock), tenantId: A, delegatorId, delegateId, scope, accountIds: JSON.stringify(extra.accountIds ?? []),
        validFrom: at(from), validTo: at(to), reason: 'setup', createdBy: delegatorId, createdAt: at(-2), endedAt: extra.endedAt ?? null,
      },
    });

  const create = async (name: Name, parent?: Name) => {
    const account = await h.adminA.accounts.create.mutate({ name: `Vis ${name}`, ...(parent ? { parentId: id[parent] } : {}) });
    id[name] = account.id;
    contactOf[name] = (await h.adminA.contacts.create.mutate({ accountId: account.id, name: `Contact of ${name}` })).id;
  };
  await create('hq');
  await create('branch', 'hq');
  await create('store', 'branch');
  await create('u-under-t', 'branch');
  await create('archived-t', 'hq');
  await create('pool');
  await create('own-top');
  await create('own-mid', 'own-top');
  await create('own-leaf', 'own-mid');
  await create('u-plain');
  await create('sec-only');
  await create('mgr-own');
  nameOf = new Map(names.map((n) => [id[n], n]));

  const owners: [Name, OwnershipState][] = [
    ['hq', { teamId: team.T, primaryOwnerId: null, secondaryOwnerId: null }],
    ['branch', { teamId: team.T, primaryOwnerId: 'rep-t', secondaryOwnerId: null }],
    ['store', { teamId: team.S, primaryOwnerId: null, secondaryOwnerId: null }],
    ['u-under-t', { teamId: team.U, primaryOwnerId: 'rep-own', secondaryOwnerId: 'rep-sec' }],
    ['archived-t', { teamId: team.T, primaryOwnerId: null, secondaryOwnerId: null }],
    ['own-top', { teamId: null, primaryOwnerId: 'rep-own', secondaryOwnerId: null }],
    ['own-mid', { teamId: team.U, primaryOwnerId: null, secondaryOwnerId: null }],
    ['own-leaf', { teamId: null, primaryOwnerId: 'rep-own', secondaryOwnerId: null }],
    ['u-plain', { teamId: team.U, primaryOwnerId: 'mgr-u', secondaryOwnerId: null }],
    ['sec-only', { teamId: team.U, primaryOwnerId: 'mgr-u', secondaryOwnerId: 'rep-sec' }],
    ['mgr-own', { teamId: team.U, primaryOwnerId: 'mgr', secondaryOwnerId: null }],
  ];
  for (const [name, state] of owners) await setOwners(A, id[name], state);
  await h.adminA.accounts.archive.mutate({ id: id['archived-t'] });

  await delegation('rep-own', 'rep-del', 'all', -1, 30);
  await delegation('mgr-u', 'rep-acc', 'accounts', -1, 30, { accountIds: [id['u-plain']] });
  await delegation('rep-sec', 'rep-exp', 'all', -1, 5);
  await delegation('rep-own', 'rep-out', 'all', -3, 30, { endedAt: at(-1) });
  await delegation('mgr-u', 'rep-out', 'all', 40, 50);

  // Another tenant whose rows name the same user and team ids: none of it is visible from A.
  const foreign = await h.adminB.accounts.create.mutate({ name: 'Vis foreign' });
  await h.adminB.contacts.create.mutate({ accountId: foreign.id, name: 'Contact of foreign' });
  await setOwners(h.tenantB, foreign.id, { teamId: team.T, primaryOwnerId: 'rep-own', secondaryOwnerId: 'rep-t' });
  foreignAccountId = foreign.id;

  integration = h.clientWith((await h.crm.bootstrap.createApiKey({ tenantId: A, name: 'integration', role: 'integration' })).secret);
});
afterAll(() => h.close());

const as = (userId: string) => h.asUser(h.tenantA, userId, roles[userId]!);
const sorted = (list: readonly Name[]) => [...list].sort();
const namesOf = (ids: readonly string[]) => ids.map((x) => nameOf.get(x) ?? `foreign:${x}`).sort();
const archivedNames = new Set<Name>(['archived-t']);

function treeIds(node: AccountTreeNode): string[] {
  return [node.account.id, ...node.children.flatMap(treeIds)];
}

async function allPages(client: Client, input: { search?: string; archived?: 'include' | 'exclude' | 'only'; parentId?: string | null }) {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.accounts.list.query({ ...input, limit: 2, ...(cursor ? { cursor } : {}) });
    expect(page.items.length === 2 || page.nextCursor === null).toBe(true); // pages are full: hidden rows are filtered in the query
    seen.push(...page.items.map((a) => a.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return seen;
}

/** Asserts that a caller sees exactly `expected` through every account read procedure. */
async function expectSeesExactly(client: Client, expected: readonly Name[], label: string, options: { audit: boolean }) {
  const visible = new Set(expected);
  const active = expected.filter((n) => !archivedNames.has(n));

  // list: plain, archived included, searched, paged; count with the same filters.
  expect(namesOf((await client.accounts.list.query({ limit: 200 })).items.map((a) => a.id)), `${label} list`).toEqual(sorted(active));
  expect(namesOf((await client.accounts.list.query({ limit: 200, archived: 'include' })).items.map((a) => a.id)), `${label} list+archived`).toEqual(sorted(expected));
  expect(namesOf((await client.accounts.list.query({ limit: 200, search: 'vis', archived: 'include' })).items.map((a) => a.id)), `${label} search`).toEqual(sorted(expected));
  expect(namesOf(await allPages(client, { search: 'VIS', archived: 'include' })), `${label} paged search`).toEqual(sorted(expected));
  expect((await client.accounts.list.query({ search: 'pool' })).items, `${label} search pool`).toEqual(visible.has('pool') ? [expect.objectContaining({ id: id.pool })] : []);
  expect(await client.accounts.count.query({}), `${label} count`).toEqual({ count: active.length });
  expect(await client.accounts.count.query({ archived: 'include', search: 'vis' }), `${label} count search`).toEqual({ count: expected.length });
  expect(await client.accounts.count.query({ search: 'foreign' }), `${label} count foreign`).toEqual({ count: 0 });
  for (const parent of ['hq', 'branch', 'own-top'] as const) {
    const children = (await client.accounts.list.query({ parentId: id[parent], archived: 'include' })).items.map((a) => a.id);
    expect(children.every((c) => visible.has(nameOf.get(c)!)), `${label} children of ${parent}`).toBe(true);
    expect((await client.accounts.count.query({ parentId: id[parent], archived: 'include' })).count, `${label} count children of ${parent}`).toBe(children.length);
  }

  // Single reads: get, tree, orderParties, contacts; NOT_FOUND outside the rule, as for another tenant's id.
  for (const name of names) {
    const l = `${label} ${name}`;
    if (visible.has(name)) {
      expect((await client.accounts.get.query({ id: id[name] })).id, l).toBe(id[name]);
      const tree = await client.accounts.tree.query({ id: id[name], includeArchived: true });
      const inTree = treeIds(tree.root);
      expect(inTree, l).toContain(id[name]);
      expect(namesOf(inTree).every((n) => visible.has(n as Name)), `${l} tree ${namesOf(inTree)}`).toBe(true);
      expect(tree.ancestorIds.every((a) => visible.has(nameOf.get(a)!)), `${l} tree ancestors`).toBe(true);
      if (archivedNames.has(name)) expect(await crmCodeOf(client.accounts.orderParties.query({ orderingAccountId: id[name] })), l).toBe('PRECONDITION_FAILED');
      else expect((await client.accounts.orderParties.query({ orderingAccountId: id[name] })).orderingAccountId, l).toBe(id[name]);
      expect((await client.contacts.get.query({ id: contactOf[name] })).accountId, l).toBe(id[name]);
      expect((await client.contacts.list.query({ accountId: id[name] })).items.map((c) => c.id), l).toEqual([contactOf[name]]);
    } else {
      expect(await crmCodeOf(client.accounts.get.query({ id: id[name] })), l).toBe('NOT_FOUND');
      expect(await crmCodeOf(client.accounts.tree.query({ id: id[name] })), l).toBe('NOT_FOUND');
      expect(await crmCodeOf(client.accounts.orderParties.query({ orderingAccountId: id[name] })), l).toBe('NOT_FOUND');
      expect(await crmCodeOf(client.contacts.get.query({ id: contactOf[name] })), l).toBe('NOT_FOUND');
      expect((await client.contacts.list.query({ accountId: id[name] })).items, l).toEqual([]);
    }
    if (options.audit) {
      if (visible.has(name)) {
        const trail = await client.audit.list.query({ entityType: 'account', entityId: id[name] });
        expect(trail.items.map((e) => e.action), l).toContain('account.created');
        expect((await client.audit.list.query({ entityType: 'contact', entityId: contactOf[name] })).items.map((e) => e.action), l).toEqual(['contact.created']);
      } else {
        expect(await crmCodeOf(client.audit.list.query({ entityType: 'account', entityId: id[name] })), l).toBe('NOT_FOUND');
        expect(await crmCodeOf(client.audit.list.query({ entityType: 'contact', entityId: contactOf[name] })), l).toBe('NOT_FOUND');
      }
    }
  }
  expect(await crmCodeOf(client.accounts.get.query({ id: foreignAccountId })), `${label} foreign`).toBe('NOT_FOUND');
  expect(namesOf((await client.contacts.list.query({ limit: 200, archived: 'include' })).items.map((c) => c.accountId)), `${label} contacts.list`).toEqual(sorted(expected));
  expect((await client.contacts.list.query({ search: 'Contact of', limit: 200 })).items.length, `${label} contacts search`).toBe(expected.length);
}

describe('visibility per role', () => {
  it('admin users, service users and API keys (admin and integration) see the whole tenant and nothing of another', async () => {
    await expectSeesExactly(await as('admin-1'), everyone, 'admin user', { audit: true });
    await expectSeesExactly(h.adminA, everyone, 'admin key', { audit: true });
    await expectSeesExactly(await as('svc'), everyone, 'service user', { audit: false });
    await expectSeesExactly(integration, everyone, 'integration key', { audit: false });
    expect(await crmCodeOf((await as('svc')).audit.list.query({ entityType: 'account', entityId: id.hq }))).toBe('FORBIDDEN');
    // Unknown ids in the audit trail: an empty trail for whole-tenant callers, as before.
    expect(await h.adminA.audit.list.query({ entityType: 'account', entityId: foreignAccountId })).toEqual({ items: [], nextCursor: null });
  });

  for (const userId of Object.keys(expectedAtStart).filter((u) => roles[u] === 'manager' || roles[u] === 'rep')) {
    it(`${userId} (${roles[userId]}) sees exactly ${expectedAtStart[userId]!.join(', ') || 'nothing'}`, async () => {
      const client = await as(userId);
      await expectSeesExactly(client, expectedAtStart[userId]!, userId, { audit: roles[userId] === 'manager' });
      if (roles[userId] === 'rep') expect(await crmCodeOf(client.audit.list.query({ entityType: 'account', entityId: id.hq }))).toBe('FORBIDDEN');
    });
  }

  it('agrees with the core rule: every rep and manager sees exactly the accounts canSee allows for their scope', async () => {
    const rows = await h.crm.db.account.findMany({ where: { tenantId: h.tenantA } });
    for (const userId of Object.keys(roles)) {
      const scope = await visibilityOf(h.crm.serviceContext({ tenantId: h.tenantA, type: 'user', id: userId, role: roles[userId]!, scopes: null }));
      expect(namesOf(rows.filter((r) => canSee(scope, r)).map((r) => r.id)), userId).toEqual(sorted(expectedAtStart[userId]!));
    }
  });

  it('serves a tree of the visible part only: from the highest ancestor reached through visible accounts, hidden branches left out', async () => {
    const repOwn = await as('rep-own');
    // u-under-t's parent (branch) is hidden from rep-own: the tree starts at u-under-t itself.
    const underT = await repOwn.accounts.tree.query({ id: id['u-under-t'] });
    expect(underT).toMatchObject({ focusId: id['u-under-t'], ancestorIds: [] });
    expect(underT.root.account.id).toBe(id['u-under-t']);
    expect(underT.root.depth).toBe(1);
    // own-top's branch own-mid is hidden, so own-leaf (visible, below it) is not hoisted into own-top's tree…
    const top = await repOwn.accounts.tree.query({ id: id['own-top'] });
    expect(treeIds(top.root)).toEqual([id['own-top']]);
    // …and has its own tree, which does not climb past the hidden own-mid.
    const leaf = await repOwn.accounts.tree.query({ id: id['own-leaf'] });
    expect(leaf).toMatchObject({ ancestorIds: [], root: { account: { id: id['own-leaf'] }, children: [] } });

    const repT = await as('rep-t');
    const fromBranch = await repT.accounts.tree.query({ id: id.branch, includeArchived: true });
    expect(fromBranch.ancestorIds).toEqual([id.hq]);
    expect(namesOf(treeIds(fromBranch.root))).toEqual(sorted(['hq', 'branch', 'archived-t']));
    const mgr = await as('mgr');
    const full = await mgr.accounts.tree.query({ id: id.store });
    expect(full.ancestorIds).toEqual([id.branch, id.hq]);
    expect(namesOf(treeIds(full.root))).toEqual(sorted(['hq', 'branch', 'store']));
    // Bill-to follows the real hierarchy (a hidden top-level account settles for the group): only its id is given.
    expect(underT.root.billToAccountId).toBe(id.hq);
    expect((await repOwn.accounts.orderParties.query({ orderingAccountId: id['u-under-t'] })).billToAccountId).toBe(id.hq);
  });

  it('refuses writes to accounts and contacts outside the rule with NOT_FOUND, and allows them inside', async () => {
    const rep = await as('rep-t');
    const before = await h.adminA.accounts.get.query({ id: id['u-plain'] });
    expect(await crmCodeOf(rep.accounts.update.mutate({ id: id['u-plain'], name: 'Vis hijacked' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(rep.accounts.archive.mutate({ id: id['u-plain'] }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(rep.accounts.setParent.mutate({ id: id['u-plain'], parentId: null }))).toBe('NOT_FOUND');
    // Moving a visible account under a hidden parent: NOT_FOUND for the parent.
    expect(await crmCodeOf(rep.accounts.setParent.mutate({ id: id.branch, parentId: id['u-plain'] }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(rep.accounts.create.mutate({ name: 'Vis under hidden', parentId: id['u-plain'] }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(rep.contacts.create.mutate({ accountId: id['u-plain'], name: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(rep.contacts.update.mutate({ id: contactOf['u-plain'], name: 'x' }))).toBe('NOT_FOUND');
    expect(await h.adminA.accounts.get.query({ id: id['u-plain'] })).toEqual(before);
    expect((await h.adminA.contacts.get.query({ id: contactOf['u-plain'] })).name).toBe('Contact of u-plain');

    const renamed = await rep.accounts.update.mutate({ id: id.branch, region: 'East' });
    expect(renamed).toMatchObject({ id: id.branch, region: 'East' });
    const contact = await rep.contacts.update.mutate({ id: contactOf.branch, title: 'Buyer' });
    expect(contact.title).toBe('Buyer');
    // Archiving an account with active branches is refused; the refusal names only the branches the caller can see.
    const refusal = await errorOf(rep.accounts.archive.mutate({ id: id.branch }));
    expect(refusal).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { childIds: [] } });
    expect(await errorOf((await as('mgr')).accounts.archive.mutate({ id: id.branch }))).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { childIds: [id.store] } });
  });

  it('follows ownership changes at once: a reassigned account leaves the old owner’s view and enters the new one’s', async () => {
    await setOwners(h.tenantA, id['own-top'], { teamId: null, primaryOwnerId: 'rep-out', secondaryOwnerId: null });
    await expectSeesExactly(await as('rep-out'), ['own-top'], 'rep-out after reassignment', { audit: false });
    await expectSeesExactly(await as('rep-own'), ['u-under-t', 'own-leaf'], 'rep-own after reassignment', { audit: false });
    await expectSeesExactly(await as('rep-del'), ['u-under-t', 'own-leaf'], 'rep-del after reassignment', { audit: false });
    await setOwners(h.tenantA, id['own-top'], { teamId: null, primaryOwnerId: 'rep-own', secondaryOwnerId: null });
  });

  it('stops showing delegated accounts once the delegation expires, and a team’s accounts once the membership ends', async () => {
    h.clock.set(new Date(at(5).getTime() - 1));
    await expectSeesExactly(await as('rep-exp'), expectedAtStart['rep-exp']!, 'rep-exp just before its delegation ends', { audit: false });
    h.clock.set(at(5));
    await expectSeesExactly(await as('rep-exp'), [], 'rep-exp when its delegation ends', { audit: false });
    await expectSeesExactly(await as('rep-ended'), expectedAtStart['rep-ended']!, 'rep-ended on day 5', { audit: false });
    h.clock.set(at(10));
    await expectSeesExactly(await as('rep-ended'), [], 'rep-ended when its membership ends', { audit: false });
    await expectSeesExactly(await as('rep-t'), expectedAtStart['rep-t']!, 'rep-t on day 10', { audit: false });
    await expectSeesExactly(await as('rep-del'), expectedAtStart['rep-del']!, 'rep-del on day 10', { audit: false });
    h.clock.set(at(40));
    // The future delegation to rep-out is now in force; rep-del's ended on day 30.
    await expectSeesExactly(await as('rep-out'), ['u-plain', 'sec-only'], 'rep-out on day 40', { audit: false });
    await expectSeesExactly(await as('rep-del'), [], 'rep-del on day 40', { audit: false });
    await expectSeesExactly(await as('rep-acc'), [], 'rep-acc on day 40', { audit: false });
  });
});

describe('creating accounts', () => {
  it('makes a rep who creates an account its primary owner, so the rep sees it and its history says why', async () => {
    const rep = await h.asUser(h.tenantA, 'creator-rep', 'rep');
    const created = await rep.accounts.create.mutate({ name: 'Found at a trade fair' });
    expect((await rep.accounts.get.query({ id: created.id })).name).toBe('Found at a trade fair');
    const history = await h.adminA.ownership.history.query({ accountId: created.id });
    expect(history.periods.map((p) => [p.primaryOwnerId, p.teamId, p.cause, p.reason])).toEqual([['creator-rep', null, 'create', '']]);
    const byKey = await h.adminA.accounts.create.mutate({ name: 'Imported by the ERP' });
    expect((await h.adminA.ownership.history.query({ accountId: byKey.id })).periods).toEqual([]);
  });
});
