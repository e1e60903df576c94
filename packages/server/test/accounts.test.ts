import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, MAX_HIERARCHY_DEPTH } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('accounts', () => {
  it('creates an account and reads it back with its version and UTC times from the clock', async () => {
    const created = await h.adminA.accounts.create.mutate({ name: '  Hualian Supermarkets  ', grade: 'A', currency: 'CNY', email: 'BUYING@Hualian.example' });
    expect(created).toMatchObject({ name: 'Hualian Supermarkets', grade: 'A', currency: 'CNY', email: 'buying@hualian.example', parentId: null, version: 1, archivedAt: null, settlesOwnInvoices: false });
    expect(created.id).toMatch(/^acc_[0-9A-Z]{26}$/);
    expect(created.createdAt).toBe(h.clock.now().toISOString());
    expect(await h.adminA.accounts.get.query({ id: created.id })).toEqual(created);
  });

  it('updates only the given fields, clears with null, bumps the version and refuses a stale expectedVersion', async () => {
    const a = await h.adminA.accounts.create.mutate({ name: 'Update me', region: 'Shanghai', grade: 'B' });
    h.clock.advance(60_000);
    const b = await h.adminA.accounts.update.mutate({ id: a.id, expectedVersion: 1, grade: 'A', region: null });
    expect(b).toMatchObject({ name: 'Update me', grade: 'A', region: null, version: 2 });
    expect(b.updatedAt).not.toBe(a.updatedAt);
    expect(await crmCodeOf(h.adminA.accounts.update.mutate({ id: a.id, expectedVersion: 1, name: 'stale' }))).toBe('CONFLICT');
    const unchanged = await h.adminA.accounts.update.mutate({ id: a.id, grade: 'A' });
    expect(unchanged.version).toBe(2);
  });

  it('lists newest first with cursor pagination and filters by name, parent, grade and archive state', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'ＡＢＣ Trading Group', grade: 'C' });
    const branch = await h.adminA.accounts.create.mutate({ name: 'ABC trading east', parentId: hq.id, grade: 'C' });
    const other = await h.adminA.accounts.create.mutate({ name: 'Zeta Tools', grade: 'D' });
    const bySearch = await h.adminA.accounts.list.query({ search: 'abc TRADING' });
    expect(bySearch.items.map((a) => a.id)).toEqual([branch.id, hq.id]);
    expect((await h.adminA.accounts.list.query({ parentId: hq.id })).items.map((a) => a.id)).toEqual([branch.id]);
    const roots = await h.adminA.accounts.list.query({ parentId: null, limit: 200 });
    expect(roots.items.some((a) => a.id === branch.id)).toBe(false);
    expect(roots.items.some((a) => a.id === hq.id)).toBe(true);
    expect((await h.adminA.accounts.list.query({ grade: 'D' })).items.map((a) => a.id)).toEqual([other.id]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.adminA.accounts.list.query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = await h.adminA.accounts.list.query({ limit: 200 });
    expect(seen).toEqual(all.items.map((a) => a.id));
    expect([...seen].sort().reverse()).toEqual(seen);

    await h.adminA.accounts.archive.mutate({ id: other.id });
    expect((await h.adminA.accounts.list.query({ grade: 'D' })).items).toEqual([]);
    expect((await h.adminA.accounts.list.query({ grade: 'D', archived: 'only' })).items.map((a) => a.id)).toEqual([other.id]);
    expect((await h.adminA.accounts.list.query({ grade: 'D', archived: 'include' })).items).toHaveLength(1);
  });

  it('refuses a malformed cursor with VALIDATION on the cursor field', async () => {
    const e = await errorOf(h.adminA.accounts.list.query({ cursor: 'not-a-cursor' }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.fieldErrors).toHaveProperty('cursor');
  });

  it('refuses archiving an account with active branches, and editing an archived account', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'Archive HQ' });
    const branch = await h.adminA.accounts.create.mutate({ name: 'Archive branch', parentId: hq.id });
    const e = await errorOf(h.adminA.accounts.archive.mutate({ id: hq.id }));
    expect(e.crmCode).toBe('PRECONDITION_FAILED');
    expect(e.details).toEqual({ childIds: [branch.id] });
    await h.adminA.accounts.archive.mutate({ id: branch.id });
    const archived = await h.adminA.accounts.archive.mutate({ id: hq.id });
    expect(archived.archivedAt).toBe(h.clock.now().toISOString());
    expect(await crmCodeOf(h.adminA.accounts.update.mutate({ id: hq.id, name: 'x' }))).toBe('PRECONDITION_FAILED');
    expect(await crmCodeOf(h.adminA.accounts.create.mutate({ name: 'under archived', parentId: hq.id }))).toBe('PRECONDITION_FAILED');
  });
});

describe('hierarchy', () => {
  it('refuses a cycle with CYCLE, naming the path, and leaves the tree unchanged', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'Cycle HQ' });
    const region = await h.adminA.accounts.create.mutate({ name: 'Cycle region', parentId: hq.id });
    const store = await h.adminA.accounts.create.mutate({ name: 'Cycle store', parentId: region.id });
    const e = await errorOf(h.adminA.accounts.setParent.mutate({ id: hq.id, parentId: store.id }));
    expect(e.crmCode).toBe('CYCLE');
    expect(e.httpStatus).toBe(422);
    expect(e.details).toEqual({ path: [hq.id, store.id, region.id, hq.id] });
    expect(await crmCodeOf(h.adminA.accounts.setParent.mutate({ id: region.id, parentId: region.id }))).toBe('CYCLE');
    expect((await h.adminA.accounts.get.query({ id: hq.id })).parentId).toBeNull();
  });

  it('refuses a tree deeper than the limit with VALIDATION, whether by creating or by moving a subtree', async () => {
    let parent = await h.adminA.accounts.create.mutate({ name: 'Deep 1' });
    const first = parent;
    for (let depth = 2; depth <= MAX_HIERARCHY_DEPTH; depth++) parent = await h.adminA.accounts.create.mutate({ name: `Deep ${depth}`, parentId: parent.id });
    const e = await errorOf(h.adminA.accounts.create.mutate({ name: 'Too deep', parentId: parent.id }));
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.fieldErrors).toHaveProperty('parentId');

    const small = await h.adminA.accounts.create.mutate({ name: 'Small root' });
    await h.adminA.accounts.create.mutate({ name: 'Small child', parentId: small.id });
    const secondDeepest = (await h.adminA.accounts.get.query({ id: parent.id })).parentId!;
    expect(await crmCodeOf(h.adminA.accounts.setParent.mutate({ id: small.id, parentId: secondDeepest }))).toBe('VALIDATION');
    expect(await crmCodeOf(h.adminA.accounts.setParent.mutate({ id: small.id, parentId: parent.id }))).toBe('VALIDATION');
    const moved = await h.adminA.accounts.setParent.mutate({ id: small.id, parentId: first.id });
    expect(moved).toMatchObject({ parentId: first.id, version: 2 });
  });

  it('defaults bill-to by the settling rule through three levels and ships to the ordering account', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'Chain HQ' });
    const region = await h.adminA.accounts.create.mutate({ name: 'Chain region', parentId: hq.id });
    const store = await h.adminA.accounts.create.mutate({ name: 'Chain store', parentId: region.id });

    const byHq = await h.adminA.accounts.orderParties.query({ orderingAccountId: store.id });
    expect(byHq).toMatchObject({ orderingAccountId: store.id, billToAccountId: hq.id, shipToAccountId: store.id });
    expect(byHq.explanation.at(-1)).toMatchObject({ rule: 'bill-to', outcome: 'matched', subjectId: hq.id });

    await h.adminA.accounts.update.mutate({ id: region.id, settlesOwnInvoices: true });
    expect((await h.adminA.accounts.orderParties.query({ orderingAccountId: store.id })).billToAccountId).toBe(region.id);
    expect((await h.adminA.accounts.orderParties.query({ orderingAccountId: hq.id })).billToAccountId).toBe(hq.id);

    await h.adminA.accounts.update.mutate({ id: store.id, settlesOwnInvoices: true });
    const self = await h.adminA.accounts.orderParties.query({ orderingAccountId: store.id });
    expect(self.billToAccountId).toBe(store.id);
    expect(self.explanation.filter((s) => s.outcome === 'skipped')).toEqual([]);
  });

  it('answers the whole group as a tree from any member, with each node’s bill-to', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'Tree HQ' });
    const east = await h.adminA.accounts.create.mutate({ name: 'Tree East', parentId: hq.id, settlesOwnInvoices: true });
    const store = await h.adminA.accounts.create.mutate({ name: 'Tree East Store', parentId: east.id });
    const west = await h.adminA.accounts.create.mutate({ name: 'Tree West', parentId: hq.id });
    const tree = await h.adminA.accounts.tree.query({ id: store.id });
    expect(tree.focusId).toBe(store.id);
    expect(tree.ancestorIds).toEqual([east.id, hq.id]);
    expect(tree.root.account.id).toBe(hq.id);
    expect(tree.root.children.map((c) => [c.account.name, c.depth, c.billToAccountId])).toEqual([
      ['Tree East', 2, east.id],
      ['Tree West', 2, hq.id],
    ]);
    expect(tree.root.children[0]!.children.map((c) => [c.account.id, c.depth, c.billToAccountId])).toEqual([[store.id, 3, east.id]]);
    expect(west.parentId).toBe(hq.id);
  });

  it('makes an account top-level again with a null parent', async () => {
    const hq = await h.adminA.accounts.create.mutate({ name: 'Detach HQ' });
    const branch = await h.adminA.accounts.create.mutate({ name: 'Detach branch', parentId: hq.id });
    h.clock.advance(DAY_MS);
    const detached = await h.adminA.accounts.setParent.mutate({ id: branch.id, parentId: null });
    expect(detached.parentId).toBeNull();
    expect((await h.adminA.accounts.tree.query({ id: branch.id })).root.account.id).toBe(branch.id);
  });
});
