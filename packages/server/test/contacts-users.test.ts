import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('contacts', () => {
  it('keeps one primary contact per account, demoting the previous one with its own audit event', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Contacts Co' });
    const first = await h.adminA.contacts.create.mutate({ accountId: acc.id, name: '陈静', isPrimary: true, email: 'Chen@Example.com' });
    expect(first.email).toBe('chen@example.com');
    const second = await h.adminA.contacts.create.mutate({ accountId: acc.id, name: 'Zhou Wei', isPrimary: true });
    expect((await h.adminA.contacts.get.query({ id: first.id })).isPrimary).toBe(false);
    expect((await h.adminA.contacts.get.query({ id: second.id })).isPrimary).toBe(true);
    const firstTrail = await h.adminA.audit.list.query({ entityType: 'contact', entityId: first.id });
    expect(firstTrail.items.map((e) => e.action)).toEqual(['contact.updated', 'contact.created']);
    await h.adminA.contacts.update.mutate({ id: first.id, isPrimary: true });
    expect((await h.adminA.contacts.list.query({ accountId: acc.id })).items.filter((c) => c.isPrimary).map((c) => c.id)).toEqual([first.id]);
  });

  it('archives contacts, hides them from lists by default, and refuses contacts on archived accounts', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Archiving Co' });
    const c = await h.adminA.contacts.create.mutate({ accountId: acc.id, name: 'Leaving Person' });
    const archived = await h.adminA.contacts.update.mutate({ id: c.id, archived: true });
    expect(archived.archivedAt).not.toBeNull();
    expect((await h.adminA.contacts.list.query({ accountId: acc.id })).items).toEqual([]);
    expect((await h.adminA.contacts.list.query({ accountId: acc.id, archived: 'only' })).items.map((x) => x.id)).toEqual([c.id]);
    expect(await crmCodeOf(h.adminA.contacts.update.mutate({ id: c.id, name: 'x' }))).toBe('PRECONDITION_FAILED');
    await h.adminA.accounts.archive.mutate({ id: acc.id });
    expect(await crmCodeOf(h.adminA.contacts.create.mutate({ accountId: acc.id, name: 'Too late' }))).toBe('PRECONDITION_FAILED');
  });

  it('searches contacts by name and refuses a stale expectedVersion', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Search Co' });
    const c = await h.adminA.contacts.create.mutate({ accountId: acc.id, name: 'Findable Person' });
    expect((await h.adminA.contacts.list.query({ search: 'Findable' })).items.map((x) => x.id)).toEqual([c.id]);
    await h.adminA.contacts.update.mutate({ id: c.id, title: 'Buyer' });
    expect(await crmCodeOf(h.adminA.contacts.update.mutate({ id: c.id, expectedVersion: 1, title: 'Old' }))).toBe('CONFLICT');
  });
});

describe('users', () => {
  it('upserts the host’s users by their own id and lists them by role and activity', async () => {
    const u = await h.adminA.users.upsert.mutate({ id: 'host|42', displayName: '李强', role: 'rep', email: 'li@example.com' });
    expect(u).toMatchObject({ id: 'host|42', active: true, role: 'rep' });
    await h.adminA.users.upsert.mutate({ id: 'host|43', displayName: 'Mei', role: 'manager' });
    await h.adminA.users.upsert.mutate({ id: 'host|42', displayName: '李强', role: 'rep', active: false });
    expect((await h.adminA.users.list.query({ role: 'rep' })).items.map((x) => [x.id, x.active])).toEqual([['host|42', false]]);
    expect((await h.adminA.users.list.query({ active: true })).items.map((x) => x.id)).toEqual(['host|43']);
  });
});
