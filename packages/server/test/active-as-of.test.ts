import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '@crmkit/core';
import { freshUsers, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const iso = (ms: number) => new Date(ms).toISOString();

/** A team's account whose primary owner is `rep`, assigned now. */
async function repOwnedAccount() {
  const [lead, rep, heir] = await freshUsers(h.adminA, 'lead', 'rep', 'heir');
  const team = await h.adminA.teams.create.mutate({ name: `Team ${lead}`, leaderId: lead!, memberIds: [rep!, heir!] });
  const account = await h.adminA.accounts.create.mutate({ name: `Office park ${lead}` });
  await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, primaryOwnerId: rep!, reason: 'signed the contract' });
  return { lead: lead!, rep: rep!, heir: heir!, accountId: account.id, assignedAt: h.clock.now().getTime() };
}

describe('ownership.resolve judges who was active as of the question\'s instant', () => {
  it('names a rep who has since left for an instant before they left, and skips them inside the window they were inactive', async () => {
    const { lead, rep, heir, accountId, assignedAt } = await repOwnedAccount();
    h.clock.advance(10 * DAY_MS);
    await h.adminA.users.deactivate.mutate({ userId: rep, reassignTo: heir, reason: 'left the company' });
    const leftAt = h.clock.now().getTime();
    h.clock.advance(10 * DAY_MS);

    const before = await h.adminA.ownership.resolve.query({ accountId, asOf: iso(assignedAt + DAY_MS) });
    expect(before.userId).toBe(rep);
    expect(before.explanation.at(-1)).toEqual({ rule: 'primary-owner', outcome: 'matched', message: `${rep}: the primary owner`, subjectId: rep });
    // A complaint about an order the rep took then goes to the rep, up to the instant they left.
    const complaint = (asOf: number) => h.adminA.ownership.resolve.query({ accountId, purpose: 'complaint', orderRepId: rep, asOf: iso(asOf) });
    expect((await complaint(leftAt - 1)).userId).toBe(rep);
    const atDeparture = await complaint(leftAt);
    expect(atDeparture.userId).toBe(lead);
    expect(atDeparture.explanation).toContainEqual({ rule: 'availability', outcome: 'skipped', message: `${rep} (order's rep) is not an active user`, subjectId: rep });
    expect((await h.adminA.ownership.resolve.query({ accountId })).userId).toBe(heir);

    h.clock.advance(DAY_MS);
    await h.adminA.users.upsert.mutate({ id: rep, displayName: rep, role: 'rep', active: true });
    const backAt = h.clock.now().getTime();
    h.clock.advance(DAY_MS);

    // Reactivation closes the window; it does not rewrite it.
    const inside = await complaint(leftAt + 5 * DAY_MS);
    expect(inside.userId).toBe(lead);
    expect(inside.explanation).toContainEqual({ rule: 'availability', outcome: 'skipped', message: `${rep} (order's rep) is not an active user`, subjectId: rep });
    expect((await complaint(backAt - 1)).userId).toBe(lead);
    expect((await complaint(backAt)).userId).toBe(rep);
    expect((await complaint(h.clock.now().getTime())).userId).toBe(rep);
    expect((await h.adminA.ownership.resolve.query({ accountId, asOf: iso(assignedAt + DAY_MS) })).userId).toBe(rep);
    // Now the account answers to whoever owns it now.
    expect((await h.adminA.ownership.resolve.query({ accountId })).userId).toBe(heir);
  });

  it('records the inactivity as a window: opened by deactivation, closed by reactivation, opened again by users.upsert with active: false', async () => {
    const { rep, heir } = await repOwnedAccount();
    await h.adminA.users.deactivate.mutate({ userId: rep, reassignTo: heir, reason: 'parental leave' });
    const leftAt = h.clock.now().toISOString();
    h.clock.advance(30 * DAY_MS);
    await h.adminA.users.upsert.mutate({ id: rep, displayName: rep, role: 'rep', active: true });
    const backAt = h.clock.now().toISOString();
    // Unchanged upserts open or close nothing.
    await h.adminA.users.upsert.mutate({ id: rep, displayName: rep, role: 'rep', active: true });
    h.clock.advance(DAY_MS);
    await h.adminA.users.upsert.mutate({ id: rep, displayName: rep, role: 'rep', active: false });
    const offAt = h.clock.now().toISOString();
    await h.adminA.users.upsert.mutate({ id: rep, displayName: `${rep} (left)`, role: 'rep', active: false });

    const windows = await h.crm.db.userInactivity.findMany({ where: { tenantId: h.tenantA, userId: rep }, orderBy: { validFrom: 'asc' } });
    expect(windows.map((w) => ({ validFrom: w.validFrom.toISOString(), validTo: w.validTo?.toISOString() ?? null, reason: w.reason, actorId: w.actorId }))).toEqual([
      { validFrom: leftAt, validTo: backAt, reason: 'parental leave', actorId: expect.stringMatching(/^apiKey:key_/) },
      { validFrom: offAt, validTo: null, reason: 'users.upsert with active: false', actorId: expect.stringMatching(/^apiKey:key_/) },
    ]);
    expect(windows.every((w) => w.id.startsWith('uin_'))).toBe(true);
    expect((await h.adminA.users.list.query({ active: false })).items.map((u) => u.id)).toContain(rep);
  });

  it('treats a user created inactive as inactive from their creation on', async () => {
    const [lead] = await freshUsers(h.adminA, 'lead');
    const team = await h.adminA.teams.create.mutate({ name: `Team ${lead}`, leaderId: lead! });
    const account = await h.adminA.accounts.create.mutate({ name: `Archive import ${lead}` });
    await h.adminA.ownership.assign.mutate({ accountId: account.id, teamId: team.id, reason: 'import' });
    await h.adminA.users.upsert.mutate({ id: `former-${lead}`, displayName: 'Former rep', role: 'rep', active: false });
    const createdAt = h.clock.now().toISOString();
    const windows = await h.crm.db.userInactivity.findMany({ where: { tenantId: h.tenantA, userId: `former-${lead}` } });
    expect(windows.map((w) => [w.validFrom.toISOString(), w.validTo])).toEqual([[createdAt, null]]);
    const r = await h.adminA.ownership.resolve.query({ accountId: account.id, purpose: 'complaint', orderRepId: `former-${lead}` });
    expect(r.userId).toBe(lead);
  });
});
