import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, type Role } from '@crmkit/core';
import { errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

let h: Harness;
const as = (userId: string, role: Role = 'rep'): Promise<Client> => h.asUser(h.tenantA, userId, role);
beforeAll(async () => {
  h = await startHarness({ start: '2026-07-01T09:00:00Z' });
  for (const id of ['cause-a', 'cause-b', 'cause-c', 'cause-d', 'cause-heir']) await h.adminA.users.upsert.mutate({ id, displayName: id, role: 'rep' });
  await h.adminA.pool.setPolicy.mutate({ policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 50 }] });
});
afterAll(() => h.close());

describe('an ownership period says why it began (cause) apart from the words of who made it (reason)', () => {
  it('history shows the cause and the reason of each kind of change: create, assign, claim, release, pool-assign, pool-return, departure', async () => {
    const { id } = await (await as('cause-a')).accounts.create.mutate({ name: 'Every cause Co' });
    h.clock.advance(DAY_MS);
    await h.adminA.ownership.assign.mutate({ accountId: id, primaryOwnerId: null, reason: 'back to the pool' });
    h.clock.advance(DAY_MS);
    await (await as('cause-b')).pool.claim.mutate({ accountId: id });
    h.clock.advance(DAY_MS);
    await (await as('cause-b')).pool.release.mutate({ accountId: id, reason: 'no budget this year' });
    h.clock.advance(DAY_MS);
    await h.adminA.pool.assign.mutate({ accountId: id, userId: 'cause-c', reason: 'regional lead' });
    h.clock.advance(30 * DAY_MS);
    expect((await h.adminA.pool.sweep.mutate({})).returned.map((r) => r.accountId)).toEqual([id]);
    h.clock.advance(DAY_MS);
    await (await as('cause-d')).pool.claim.mutate({ accountId: id });
    h.clock.advance(DAY_MS);
    await h.adminA.users.deactivate.mutate({ userId: 'cause-d', reassignTo: 'cause-heir', reason: 'left the company' });

    const { periods } = await h.adminA.ownership.history.query({ accountId: id });
    expect(periods.map((p) => [p.cause, p.reason, p.primaryOwnerId, p.actorId.split(':')[0]])).toEqual([
      ['create', '', 'cause-a', 'user'],
      ['assign', 'back to the pool', null, 'apiKey'],
      ['claim', '', 'cause-b', 'user'],
      ['release', 'no budget this year', null, 'user'],
      ['pool-assign', 'regional lead', 'cause-c', 'apiKey'],
      ['pool-return', '', null, 'apiKey'],
      ['claim', '', 'cause-d', 'user'],
      ['departure', 'left the company', 'cause-heir', 'apiKey'],
    ]);

    // The change event carries both too, so a consumer never parses the words.
    const trail = await h.adminA.audit.list.query({ entityType: 'account', entityId: id, limit: 50 });
    const changes = trail.items.filter((e) => e.action === 'account.ownership_changed');
    expect(changes.map((e) => [(e.after as { cause: string }).cause, (e.after as { reason: string }).reason])).toEqual(periods.map((p) => [p.cause, p.reason]).reverse());
    const outbox = await h.crm.db.outboxEvent.findMany({ where: { entityId: id, type: 'account.ownership_changed' }, orderBy: { id: 'asc' } });
    expect(outbox.map((e) => (JSON.parse(e.payload) as { after: { cause: string; reason: string } }).after).map((a) => [a.cause, a.reason])).toEqual(
      periods.map((p) => [p.cause, p.reason]),
    );
  });

  it('the reclaim block follows the cause, not the words: a release worded like an assignment blocks, an assignment worded like a release does not', async () => {
    const released = await h.adminA.accounts.create.mutate({ name: 'Released in other words' });
    await (await as('cause-a')).pool.claim.mutate({ accountId: released.id });
    await (await as('cause-a')).pool.release.mutate({ accountId: released.id, reason: 'assign: to someone closer' });
    const blocked = await errorOf((await as('cause-a')).pool.claim.mutate({ accountId: released.id }));
    expect(blocked).toMatchObject({ crmCode: 'PRECONDITION_FAILED', details: { rule: 'reclaim-block' } });

    // An admin clearing the owner (cause assign) is no loss to the pool, whatever the words say.
    for (const words of ['release: moved away', 'pool-return: overdue', 'pool-return']) {
      const cleared = await h.adminA.accounts.create.mutate({ name: `Cleared: ${words}` });
      await (await as('cause-b')).pool.claim.mutate({ accountId: cleared.id });
      const period = await h.adminA.ownership.assign.mutate({ accountId: cleared.id, primaryOwnerId: null, reason: words });
      expect(period).toMatchObject({ cause: 'assign', reason: words, primaryOwnerId: null });
      expect((await (await as('cause-b')).pool.claim.mutate({ accountId: cleared.id })).cause).toBe('claim');
    }
  });
});
