import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, startHarness, type Client, type Harness } from './helpers/harness.js';

// Every credit procedure, per role, on an account the caller holds and one they do not: the role
// table alone is not enough (rule 8). Store A belongs to the East team (leader mgr-east, rep
// rep-east); mgr-west and rep-west hold nothing of it. The order is created by rep-east, so the
// request is routed to mgr-east.

const CNY = 'CNY';
let h: Harness;
let storeA: string;
let callers: Record<string, Client>;

type Expect = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
const outcome = async (p: Promise<unknown>): Promise<Expect | string> => p.then(() => 'ok', async () => crmCodeOf(p));

beforeAll(async () => {
  h = await startHarness();
  for (const [id, role] of [['mgr-east', 'manager'], ['rep-east', 'rep'], ['mgr-west', 'manager'], ['rep-west', 'rep'], ['boss', 'admin']] as const) {
    await h.adminA.users.upsert.mutate({ id, displayName: id, role });
  }
  const east = await h.adminA.teams.create.mutate({ name: 'East', leaderId: 'mgr-east', memberIds: ['rep-east'] });
  await h.adminA.teams.create.mutate({ name: 'West', leaderId: 'mgr-west', memberIds: ['rep-west'] });
  const hq = (await h.adminA.accounts.create.mutate({ name: 'Access HQ' })).id;
  storeA = (await h.adminA.accounts.create.mutate({ name: 'Access store A', parentId: hq, settlesOwnInvoices: true })).id;
  for (const accountId of [hq, storeA]) await h.adminA.ownership.assign.mutate({ accountId, teamId: east.id, primaryOwnerId: 'rep-east', secondaryOwnerId: null, reason: 'territory' });
  await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1_000, currency: CNY });
  await h.adminA.tenant.settings.update.mutate({ credit: { onBreach: 'hold' } });
  const service = (await h.adminA.apiKeys.create.mutate({ name: 'svc', role: 'service' })).secret;
  const integration = (await h.adminA.apiKeys.create.mutate({ name: 'int', role: 'integration' })).secret;
  callers = {
    adminKey: h.adminA,
    adminUser: await h.asUser(h.tenantA, 'boss', 'admin'),
    managerOfTeam: await h.asUser(h.tenantA, 'mgr-east', 'manager'),
    otherManager: await h.asUser(h.tenantA, 'mgr-west', 'manager'),
    repOwner: await h.asUser(h.tenantA, 'rep-east', 'rep'),
    otherRep: await h.asUser(h.tenantA, 'rep-west', 'rep'),
    service: h.clientWith(service),
    integration: h.clientWith(integration),
  };
});
afterAll(() => h.close());

/** A request held for rep-east's over-limit order (routed to mgr-east). */
async function heldRequest(): Promise<string> {
  const rep = callers.repOwner!;
  const o = await rep.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: storeA, currency: CNY, lines: [{ description: 'Goods', quantity: 1, unitPriceMinor: 5_000 }] });
  expect((await rep.orders.confirm.mutate({ id: o.id })).status).toBe('on_hold');
  return (await h.adminA.credit.approvals.query({ queue: 'all', orderId: o.id })).items[0]!.id;
}

const table: Record<string, Record<string, Expect>> = {
  //                     adminKey adminUser managerOfTeam otherManager repOwner otherRep service integration
  status: { adminKey: 'ok', adminUser: 'ok', managerOfTeam: 'ok', otherManager: 'NOT_FOUND', repOwner: 'ok', otherRep: 'NOT_FOUND', service: 'ok', integration: 'ok' },
  manage: { adminKey: 'ok', adminUser: 'ok', managerOfTeam: 'FORBIDDEN', otherManager: 'FORBIDDEN', repOwner: 'FORBIDDEN', otherRep: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'FORBIDDEN' },
  decide: { adminKey: 'ok', adminUser: 'ok', managerOfTeam: 'ok', otherManager: 'NOT_FOUND', repOwner: 'FORBIDDEN', otherRep: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'FORBIDDEN' },
  read: { adminKey: 'ok', adminUser: 'ok', managerOfTeam: 'ok', otherManager: 'ok', repOwner: 'ok', otherRep: 'ok', service: 'ok', integration: 'ok' },
};

describe('credit procedures per role', () => {
  it('credit.status: whoever may see the account', async () => {
    for (const [who, c] of Object.entries(callers)) expect([who, await outcome(c.credit.status.query({ accountId: storeA }))]).toEqual([who, table.status![who]]);
  });

  it('credit.setLimit, removeLimit, hold, release and fx.setRate, expireApprovals: credit managers (admins) only', async () => {
    for (const [who, c] of Object.entries(callers)) {
      const expected = table.manage![who];
      expect([who, 'setLimit', await outcome(c.credit.setLimit.mutate({ accountId: storeA, scope: 'group', amountMinor: 1_000_000, currency: CNY }))]).toEqual([who, 'setLimit', expected]);
      expect([who, 'removeLimit', await outcome(c.credit.removeLimit.mutate({ accountId: storeA, scope: 'group' }))]).toEqual([who, 'removeLimit', expected]);
      expect([who, 'hold', await outcome(c.credit.hold.mutate({ accountId: storeA, reason: 'check' }))]).toEqual([who, 'hold', expected]);
      expect([who, 'release', await outcome(c.credit.release.mutate({ accountId: storeA }))]).toEqual([who, 'release', expected]);
      expect([who, 'fx.setRate', await outcome(c.fx.setRate.mutate({ base: 'USD', quote: CNY, rate: '7.1' }))]).toEqual([who, 'fx.setRate', expected]);
      expect([who, 'expireApprovals', await outcome(c.credit.expireApprovals.mutate({}))]).toEqual([who, 'expireApprovals', expected]);
    }
  });

  it('fx.listRates: every role that reads credit', async () => {
    for (const [who, c] of Object.entries(callers)) expect([who, await outcome(c.fx.listRates.query({}))]).toEqual([who, table.read![who]]);
  });

  it('credit.approve and credit.reject: the routed manager and admins; others FORBIDDEN, or NOT_FOUND when they may not see the account', async () => {
    for (const [who, c] of Object.entries(callers)) {
      const forApprove = await heldRequest();
      expect([who, 'approve', await outcome(c.credit.approve.mutate({ id: forApprove }))]).toEqual([who, 'approve', table.decide![who]]);
      const forReject = await heldRequest();
      expect([who, 'reject', await outcome(c.credit.reject.mutate({ id: forReject, reason: 'no' }))]).toEqual([who, 'reject', table.decide![who]]);
      // Leave nothing pending for the next caller's queue checks.
      for (const id of [forApprove, forReject]) {
        const [r] = (await h.adminA.credit.approvals.query({ queue: 'all', status: ['pending'] })).items.filter((x) => x.id === id);
        if (r) await h.adminA.credit.reject.mutate({ id, reason: 'cleanup' });
      }
    }
  });

  it("credit.approvals: a caller's queue holds what was routed to them; `all` lists only requests on accounts they see", async () => {
    const id = await heldRequest();
    const listed = async (c: Client, queue: 'mine' | 'all') => (await c.credit.approvals.query({ queue })).items.some((r) => r.id === id);
    expect(await listed(callers.managerOfTeam!, 'mine')).toBe(true);
    expect(await listed(callers.otherManager!, 'mine')).toBe(false);
    expect(await listed(callers.repOwner!, 'mine')).toBe(false);
    for (const [who, c] of Object.entries(callers)) expect([who, await listed(c, 'all')]).toEqual([who, table.status![who] === 'ok']);
    expect(await crmCodeOf(callers.otherRep!.credit.approvals.query({ queue: 'all', accountId: storeA }))).toBe('NOT_FOUND');
    await h.adminA.credit.reject.mutate({ id, reason: 'cleanup' });
  });

  it("another tenant's admin gets NOT_FOUND for every id of this tenant", async () => {
    const id = await heldRequest();
    expect(await crmCodeOf(h.adminB.credit.approve.mutate({ id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.reject.mutate({ id, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.status.query({ accountId: storeA }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.release.mutate({ accountId: storeA }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.approvals.query({ queue: 'all', accountId: storeA }))).toBe('NOT_FOUND');
    expect((await h.adminB.credit.approvals.query({ queue: 'all' })).items).toEqual([]);
  });
});
