import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '@crmkit/core';
import { crmCodeOf, errorOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: '2026-02-01T09:00:00Z' });
  await h.adminA.users.upsert.mutate({ id: 'rep-1', displayName: 'Rep One', role: 'rep' });
  await h.adminA.users.upsert.mutate({ id: 'rep-2', displayName: 'Rep Two', role: 'rep' });
  await h.adminA.pool.setPolicy.mutate({ policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 50 }] });
});
afterAll(() => h.close());

const rep = (id = 'rep-1') => h.asUser(h.tenantA, id, 'rep');
const lastFollowUpOf = async (id: string) => (await h.crm.db.account.findUniqueOrThrow({ where: { id } })).lastFollowUpAt?.toISOString() ?? null;

describe('activities', () => {
  it('logs a follow-up at now by default, as the caller, and moves the account\'s last follow-up time', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Follow Co' });
    await (await rep()).pool.claim.mutate({ accountId: acc.id });
    const logged = await (await rep()).activities.log.mutate({ accountId: acc.id, kind: 'call', note: '  asked for a quote  ' });
    expect(logged).toEqual({ id: expect.stringMatching(/^act_/), accountId: acc.id, userId: 'rep-1', kind: 'call', note: 'asked for a quote', at: h.clock.now().toISOString() });
    expect(await lastFollowUpOf(acc.id)).toBe(h.clock.now().toISOString());
    const trail = await h.adminA.audit.list.query({ entityType: 'account', entityId: acc.id, limit: 1 });
    expect(trail.items[0]).toMatchObject({ action: 'account.activity_logged', actor: { type: 'user', id: 'rep-1' }, after: { activity: logged } });
  });

  it('takes a past time, never a future one, and a back-dated follow-up never moves the last follow-up backwards', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Backdate Co' });
    await (await rep()).pool.claim.mutate({ accountId: acc.id });
    const now = h.clock.now().getTime();
    const e = await errorOf((await rep()).activities.log.mutate({ accountId: acc.id, kind: 'visit', at: new Date(now + 1).toISOString() }));
    expect(e).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { at: [expect.stringContaining('future')] } });
    await (await rep()).activities.log.mutate({ accountId: acc.id, kind: 'visit', at: new Date(now - HOUR_MS).toISOString() });
    expect(await lastFollowUpOf(acc.id)).toBe(new Date(now - HOUR_MS).toISOString());
    await (await rep()).activities.log.mutate({ accountId: acc.id, kind: 'email', at: new Date(now - DAY_MS).toISOString() });
    expect(await lastFollowUpOf(acc.id)).toBe(new Date(now - HOUR_MS).toISOString());
  });

  it('lists an account\'s activities newest first, by page', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'List Co' });
    await (await rep()).pool.claim.mutate({ accountId: acc.id });
    const now = h.clock.now().getTime();
    const kinds = ['call', 'visit', 'email', 'meeting', 'note'] as const;
    const logged = [];
    for (const [i, kind] of kinds.entries()) logged.push(await h.adminA.activities.log.mutate({ accountId: acc.id, kind, at: new Date(now - (i % 2 ? 1 : 2) * HOUR_MS).toISOString() }));
    const expected = [...logged].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1)).map((a) => a.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await (await rep()).activities.list.query({ accountId: acc.id, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(await crmCodeOf((await rep()).activities.list.query({ accountId: acc.id, cursor: 'not-a-cursor' }))).toBe('VALIDATION');
  });

  it('only on accounts the caller can see, and not on archived ones; service users read but do not write', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Private Co' });
    await (await rep()).pool.claim.mutate({ accountId: acc.id });
    expect(await crmCodeOf((await rep('rep-2')).activities.log.mutate({ accountId: acc.id, kind: 'call' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf((await rep('rep-2')).activities.list.query({ accountId: acc.id }))).toBe('NOT_FOUND');
    const service = await h.asUser(h.tenantA, 'svc-1', 'service');
    expect((await service.activities.list.query({ accountId: acc.id })).items).toEqual([]);
    expect(await crmCodeOf(service.activities.log.mutate({ accountId: acc.id, kind: 'call' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(h.adminB.activities.log.mutate({ accountId: acc.id, kind: 'call' }))).toBe('NOT_FOUND');
    const archived = await h.adminA.accounts.create.mutate({ name: 'Gone Co' });
    await h.adminA.accounts.archive.mutate({ id: archived.id });
    expect(await crmCodeOf(h.adminA.activities.log.mutate({ accountId: archived.id, kind: 'call' }))).toBe('PRECONDITION_FAILED');
  });

  it('a follow-up postpones the return to the pool by N days from the follow-up', async () => {
    const acc = await h.adminA.accounts.create.mutate({ name: 'Postponed Co' });
    await (await rep()).pool.claim.mutate({ accountId: acc.id });
    const claimedAt = h.clock.now().getTime();
    const dueOf = async () => (await h.adminA.pool.preview.query({ withinDays: 3650 })).returns.find((r) => r.accountId === acc.id)?.dueAt;
    expect(await dueOf()).toBe(new Date(claimedAt + 30 * DAY_MS).toISOString());

    h.clock.set(new Date(claimedAt + 29 * DAY_MS));
    await (await rep()).activities.log.mutate({ accountId: acc.id, kind: 'visit' });
    expect(await dueOf()).toBe(new Date(claimedAt + 59 * DAY_MS).toISOString());
    h.clock.set(new Date(claimedAt + 30 * DAY_MS));
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => r.accountId)).not.toContain(acc.id);
    h.clock.set(new Date(claimedAt + 59 * DAY_MS));
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => r.accountId)).toContain(acc.id);
  });
});
