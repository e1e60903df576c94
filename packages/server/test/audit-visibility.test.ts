import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let mine: { id: string };
let theirs: { id: string };
beforeAll(async () => {
  h = await startHarness();
  for (const [id, role] of [['mgr', 'manager'], ['rep-in', 'rep'], ['other-mgr', 'manager'], ['rep-out', 'rep'], ['rep-out-2', 'rep']] as const) {
    await h.adminA.users.upsert.mutate({ id, displayName: id, role });
  }
  mine = await h.adminA.teams.create.mutate({ name: 'Mine', leaderId: 'mgr', memberIds: ['rep-in'] });
  theirs = await h.adminA.teams.create.mutate({ name: 'Theirs', leaderId: 'other-mgr', memberIds: ['rep-out', 'rep-out-2'] });
});
afterAll(() => h.close());

describe('audit trails a manager may read', () => {
  it('reads the trails of teams they lead, not of other teams', async () => {
    const mgr = await h.asUser(h.tenantA, 'mgr', 'manager');
    expect((await mgr.audit.list.query({ entityType: 'team', entityId: mine.id })).items.map((e) => e.action)).toContain('team.created');
    expect(await crmCodeOf(mgr.audit.list.query({ entityType: 'team', entityId: theirs.id }))).toBe('NOT_FOUND');
  });

  it('reads a delegation’s trail when one of its people is in their team, not otherwise', async () => {
    const from = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
    const to = new Date(h.clock.now().getTime() + 7_200_000).toISOString();
    const inTeam = await h.adminA.delegations.create.mutate({ delegatorId: 'rep-in', delegateId: 'rep-out', validFrom: from, validTo: to, reason: 'cover' });
    const outside = await h.adminA.delegations.create.mutate({ delegatorId: 'rep-out-2', delegateId: 'other-mgr', validFrom: from, validTo: to, reason: 'cover' });
    const mgr = await h.asUser(h.tenantA, 'mgr', 'manager');
    expect((await mgr.audit.list.query({ entityType: 'delegation', entityId: inTeam.id })).items.map((e) => e.action)).toEqual(['delegation.created']);
    expect(await crmCodeOf(mgr.audit.list.query({ entityType: 'delegation', entityId: outside.id }))).toBe('NOT_FOUND');
  });

  it('may not read API key trails, which the role cannot manage; an admin may', async () => {
    const key = await h.adminA.apiKeys.create.mutate({ name: 'erp', role: 'integration' });
    const mgr = await h.asUser(h.tenantA, 'mgr', 'manager');
    expect(await crmCodeOf(mgr.audit.list.query({ entityType: 'apiKey', entityId: key.apiKey.id }))).toBe('FORBIDDEN');
    expect((await h.adminA.audit.list.query({ entityType: 'apiKey', entityId: key.apiKey.id })).items).toHaveLength(1);
  });
});
