import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, errorOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let foreign: { accountId: string; contactId: string; apiKeyId: string };
let own: { accountId: string };

beforeAll(async () => {
  h = await startHarness();
  const acc = await h.adminB.accounts.create.mutate({ name: 'B secret customer', grade: 'A' });
  const con = await h.adminB.contacts.create.mutate({ accountId: acc.id, name: 'B contact' });
  const key = await h.adminB.apiKeys.create.mutate({ name: 'B service', role: 'service' });
  await h.adminB.users.upsert.mutate({ id: 'u-b-only', displayName: 'Only in B', role: 'rep' });
  foreign = { accountId: acc.id, contactId: con.id, apiKeyId: key.apiKey.id };
  own = { accountId: (await h.adminA.accounts.create.mutate({ name: 'A customer', grade: 'A' })).id };
});
afterAll(() => h.close());

describe('tenant isolation', () => {
  it('answers NOT_FOUND (never FORBIDDEN) for every procedure given another tenant’s id, exactly as for an unknown id', async () => {
    const a = h.adminA;
    const calls: [string, () => Promise<unknown>][] = [
      ['accounts.get', () => a.accounts.get.query({ id: foreign.accountId })],
      ['accounts.update', () => a.accounts.update.mutate({ id: foreign.accountId, name: 'hijacked' })],
      ['accounts.tree', () => a.accounts.tree.query({ id: foreign.accountId })],
      ['accounts.setParent (child)', () => a.accounts.setParent.mutate({ id: foreign.accountId, parentId: null })],
      ['accounts.setParent (parent)', () => a.accounts.setParent.mutate({ id: own.accountId, parentId: foreign.accountId })],
      ['accounts.create under foreign parent', () => a.accounts.create.mutate({ name: 'x', parentId: foreign.accountId })],
      ['accounts.archive', () => a.accounts.archive.mutate({ id: foreign.accountId })],
      ['accounts.orderParties', () => a.accounts.orderParties.query({ orderingAccountId: foreign.accountId })],
      ['contacts.get', () => a.contacts.get.query({ id: foreign.contactId })],
      ['contacts.update', () => a.contacts.update.mutate({ id: foreign.contactId, name: 'x' })],
      ['contacts.create on foreign account', () => a.contacts.create.mutate({ accountId: foreign.accountId, name: 'x' })],
      ['apiKeys.revoke', () => a.apiKeys.revoke.mutate({ id: foreign.apiKeyId })],
    ];
    for (const [name, call] of calls) {
      const e = await errorOf(call());
      expect(e.crmCode, name).toBe('NOT_FOUND');
      expect(e.message, name).not.toContain('B secret');
    }
    const unknown = await errorOf(a.accounts.get.query({ id: foreign.accountId.slice(0, -4) + '0000' }));
    const crossTenant = await errorOf(a.accounts.get.query({ id: foreign.accountId }));
    expect(crossTenant.message.replace(foreign.accountId, 'ID')).toBe(unknown.message.replace(foreign.accountId.slice(0, -4) + '0000', 'ID'));
  });

  it('leaves the other tenant’s data untouched after those attempts', async () => {
    const acc = await h.adminB.accounts.get.query({ id: foreign.accountId });
    expect(acc).toMatchObject({ name: 'B secret customer', parentId: null, archivedAt: null, version: 1 });
    expect((await h.adminB.apiKeys.list.query({})).items.map((k) => k.id)).toContain(foreign.apiKeyId);
  });

  it('never lists or counts another tenant’s rows, including through search and filters', async () => {
    const lists = [
      (await h.adminA.accounts.list.query({ limit: 200 })).items.map((x) => x.id),
      (await h.adminA.accounts.list.query({ search: 'secret', limit: 200 })).items.map((x) => x.id),
      (await h.adminA.accounts.list.query({ grade: 'A', archived: 'include', limit: 200 })).items.map((x) => x.id),
      (await h.adminA.accounts.list.query({ parentId: null, limit: 200 })).items.map((x) => x.id),
      (await h.adminA.contacts.list.query({ limit: 200 })).items.map((x) => x.id),
      (await h.adminA.contacts.list.query({ accountId: foreign.accountId })).items.map((x) => x.id),
      (await h.adminA.apiKeys.list.query({ includeRevoked: true })).items.map((x) => x.id),
      (await h.adminA.users.list.query({})).items.map((x) => x.id),
    ];
    for (const ids of lists) {
      expect(ids).not.toContain(foreign.accountId);
      expect(ids).not.toContain(foreign.contactId);
      expect(ids).not.toContain(foreign.apiKeyId);
      expect(ids).not.toContain('u-b-only');
    }
    expect(lists[0]).toEqual([own.accountId]);
    expect(await h.adminA.audit.list.query({ entityType: 'account', entityId: foreign.accountId })).toEqual({ items: [], nextCursor: null });
  });

  it('takes the tenant from the credential only: a tenantId in the input is refused, not honoured', async () => {
    const e = await errorOf(h.adminA.accounts.create.mutate({ name: 'smuggled', tenantId: 'ten_b' } as never));
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.fieldErrors).toHaveProperty('');
    expect((await h.adminB.accounts.list.query({ search: 'smuggled' })).items).toEqual([]);
  });

  it('lets the same host user id exist in two tenants independently', async () => {
    await h.adminA.users.upsert.mutate({ id: 'u-shared', displayName: 'In A', role: 'manager' });
    await h.adminB.users.upsert.mutate({ id: 'u-shared', displayName: 'In B', role: 'rep' });
    expect((await h.adminA.users.list.query({})).items.find((u) => u.id === 'u-shared')).toMatchObject({ displayName: 'In A', role: 'manager' });
    expect((await h.adminB.users.list.query({})).items.find((u) => u.id === 'u-shared')).toMatchObject({ displayName: 'In B', role: 'rep' });
    expect(await crmCodeOf(h.adminA.accounts.get.query({ id: foreign.accountId }))).toBe('NOT_FOUND');
  });
});
