/**
 * The seed's chain-store credit story (DOMAIN.md section 6), told end to end through the typed
 * client against a real server whose clock the test moves: headquarters' group limit and a store's
 * own limit refuse the right orders with the numbers; under the hold policy a manager approves one
 * over-limit order and only that one; a second held request expires on the right local day across
 * a month end; an overdue invoice blocks a confirmation; a USD order meets a CNY limit at the rate
 * in force, and is refused when there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, type FakeClock } from '@crmkit/core';
import { createCrmServer, type CrmServer } from '@crmkit/server';
import { freshDatabaseUrl } from '../../../server/test/helpers/database.js';
import { createCrmClient, CrmError, isCrmError, type CrmClient } from '../../src/index.js';

const TOKEN_SECRET = 'credit-scenario-token-secret-0123456789-ab';
const CNY = 'CNY';

let crm: CrmServer;
let clock: FakeClock;
let drop: () => Promise<void>;
let admin: CrmClient;
let asUser: (userId: string, role: 'rep' | 'manager') => CrmClient;
let hq: string;
let storeA: string;
let storeB: string;

async function refusal(call: Promise<unknown>): Promise<CrmError> {
  const error = await call.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  );
  expect(isCrmError(error), String(error)).toBe(true);
  return error as CrmError;
}

const order = (client: CrmClient, account: string, amountMinor: number, currency = CNY) =>
  client.orders.create.mutate({ orderingAccountId: account, billToAccountId: account, currency, lines: [{ description: 'Appliances', quantity: 1, unitPriceMinor: amountMinor }] });

beforeAll(async () => {
  const db = await freshDatabaseUrl();
  drop = db.drop;
  clock = createFakeClock('2026-01-12T02:00:00Z');
  crm = await createCrmServer({ databaseUrl: db.url, clock, auth: { tokenSecret: TOKEN_SECRET } });
  const { url } = await crm.listen(0);
  const tenantId = (await crm.bootstrap.createTenant({ name: 'Chain-store supplier' })).id;
  const key = await crm.bootstrap.createApiKey({ tenantId, name: 'credit scenario admin', role: 'admin' });
  admin = createCrmClient({ url, apiKey: key.secret });
  asUser = (userId, role) => createCrmClient({ url, getToken: () => crm.mintUserToken({ tenantId, userId, role, ttl: 600 }) });
  await admin.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai', baseCurrency: CNY });
  await admin.users.upsert.mutate({ id: 'wang.lei', displayName: 'Wang Lei (team leader)', role: 'manager' });
  await admin.users.upsert.mutate({ id: 'li.na', displayName: 'Li Na (rep)', role: 'rep' });
  const team = await admin.teams.create.mutate({ name: 'East China', leaderId: 'wang.lei', memberIds: ['li.na'] });
  hq = (await admin.accounts.create.mutate({ name: 'Huamei Supermarkets HQ' })).id;
  storeA = (await admin.accounts.create.mutate({ name: 'Huamei store A', parentId: hq, settlesOwnInvoices: true })).id;
  storeB = (await admin.accounts.create.mutate({ name: 'Huamei store B', parentId: hq, settlesOwnInvoices: true })).id;
  for (const accountId of [hq, storeA, storeB]) await admin.ownership.assign.mutate({ accountId, teamId: team.id, primaryOwnerId: 'li.na', secondaryOwnerId: null, reason: 'territory' });
  // HQ: ¥100,000 for the whole group; store A: ¥30,000 of its own.
  await admin.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: 100_000_00, currency: CNY });
  await admin.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 30_000_00, currency: CNY });
});
afterAll(async () => {
  await crm?.close();
  await drop?.();
});

describe('the chain-store credit story, through the client', () => {
  it("refuses store A's order over its own limit, with the numbers", async () => {
    const rep = asUser('li.na', 'rep');
    await rep.orders.confirm.mutate({ id: (await order(rep, storeA, 25_000_00)).id });
    const e = await refusal(rep.orders.confirm.mutate({ id: (await order(rep, storeA, 8_000_00)).id }));
    expect(e.code).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details?.breaches).toEqual([
      { accountId: storeA, scope: 'own', limitMinor: 30_000_00, allowedMinor: 30_000_00, currency: CNY, exposureMinor: 25_000_00, orderMinor: 8_000_00, shortfallMinor: 3_000_00 },
    ]);
    expect(e.message).toContain('short by CNY 3000.00');
  });

  it("refuses store B's order over headquarters' group limit, which store A's orders fill too", async () => {
    const rep = asUser('li.na', 'rep');
    await rep.orders.confirm.mutate({ id: (await order(rep, storeB, 70_000_00)).id });
    const e = await refusal(rep.orders.confirm.mutate({ id: (await order(rep, storeB, 6_000_00)).id }));
    expect(e.code).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details?.breaches).toEqual([expect.objectContaining({ accountId: hq, scope: 'group', limitMinor: 100_000_00, exposureMinor: 95_000_00, orderMinor: 6_000_00, shortfallMinor: 1_000_00 })]);
    const status = await rep.credit.status.query({ accountId: storeB });
    expect(status.limits).toEqual([expect.objectContaining({ accountId: hq, scope: 'group', exposureMinor: 95_000_00, availableMinor: 5_000_00 })]);
    expect(status.lastDecision).toMatchObject({ kind: 'refuse', code: 'CREDIT_LIMIT_EXCEEDED' });
  });

  it('under the hold policy, the manager approves one over-limit order and only that one is released; the other expires across the month end', async () => {
    await admin.tenant.settings.update.mutate({ credit: { onBreach: 'hold', approvalDays: 2 } });
    clock.set('2026-01-30T10:00:00Z'); // 18:00 on Friday 30 January in Shanghai
    const rep = asUser('li.na', 'rep');
    const manager = asUser('wang.lei', 'manager');
    const first = await rep.orders.confirm.mutate({ id: (await order(rep, storeB, 8_000_00)).id });
    const second = await rep.orders.confirm.mutate({ id: (await order(rep, storeB, 9_000_00)).id });
    expect([first.status, second.status]).toEqual(['on_hold', 'on_hold']);
    const queue = (await manager.credit.approvals.query({})).items;
    expect(queue.map((r) => r.orderId).sort()).toEqual([first.id, second.id].sort());
    const firstRequest = queue.find((r) => r.orderId === first.id)!;
    const secondRequest = queue.find((r) => r.orderId === second.id)!;
    // The end of the second local day after 30 January: midnight starting 2 February in Shanghai.
    expect(secondRequest.expiresAt).toBe('2026-02-01T16:00:00.000Z');
    expect((await refusal(rep.credit.approve.mutate({ id: firstRequest.id }))).code).toBe('FORBIDDEN');
    const approved = await manager.credit.approve.mutate({ id: firstRequest.id, reason: 'Chinese New Year stock-up' });
    expect(approved.status).toBe('approved');
    expect((await rep.orders.get.query({ id: first.id })).status).toBe('confirmed');
    expect((await rep.orders.get.query({ id: second.id })).status).toBe('on_hold');
    expect((await admin.credit.status.query({ accountId: storeB })).limits[0]).toMatchObject({ exposureMinor: 103_000_00, availableMinor: -3_000_00 });

    clock.set('2026-02-01T15:59:59Z'); // still 1 February in Shanghai
    expect((await admin.credit.expireApprovals.mutate({})).expired).toEqual([]);
    expect((await rep.orders.get.query({ id: second.id })).status).toBe('on_hold');
    clock.set('2026-02-01T16:00:00Z'); // 2 February begins in Shanghai
    expect((await admin.credit.expireApprovals.mutate({})).expired).toEqual([{ id: secondRequest.id, orderId: second.id }]);
    expect((await rep.orders.get.query({ id: second.id })).status).toBe('draft');
    expect((await admin.credit.approvals.query({ queue: 'all', orderId: second.id, status: ['expired'] })).items).toHaveLength(1);
    await admin.tenant.settings.update.mutate({ credit: { onBreach: 'refuse' } });
  });

  it('blocks a confirmation while an invoice is overdue beyond the policy', async () => {
    await admin.tenant.settings.update.mutate({ credit: { maxOverdueDays: 30 } });
    const small = (await admin.accounts.create.mutate({ name: 'Huamei store C', parentId: storeA, settlesOwnInvoices: true })).id;
    // Now 2 February in Shanghai: due 1 January is 32 days past due.
    const late = await admin.invoices.create.mutate({ billToAccountId: small, currency: CNY, dueDate: '2026-01-01', lines: [{ description: 'December delivery', amountMinor: 100_00 }] });
    const e = await refusal(admin.orders.confirm.mutate({ id: (await order(admin, small, 100_00)).id }));
    expect(e.code).toBe('OVERDUE_INVOICES');
    expect(e.details?.overdue).toEqual([{ accountId: small, invoiceId: late.id, daysPastDue: 32 }]);
    await admin.tenant.settings.update.mutate({ credit: { maxOverdueDays: null } });
  });

  it('checks an order in USD against a CNY limit at the rate in force, and refuses it when no rate exists', async () => {
    const importer = (await admin.accounts.create.mutate({ name: 'Huamei import desk', settlesOwnInvoices: true })).id;
    await admin.credit.setLimit.mutate({ accountId: importer, scope: 'own', amountMinor: 10_000_00, currency: CNY });
    const usd = await order(admin, importer, 1_200_00, 'USD');
    const missing = await refusal(admin.orders.confirm.mutate({ id: usd.id }));
    expect(missing.code).toBe('PRECONDITION_FAILED');
    expect(missing.details).toMatchObject({ reason: 'NO_EXCHANGE_RATE', missingRates: [{ from: 'USD', to: CNY }] });
    await admin.fx.setRate.mutate({ base: 'USD', quote: CNY, rate: '7.1234', validFrom: '2026-01-01T00:00:00.000Z' });
    // 1,200.00 USD × 7.1234 = 8,548.08 CNY: it fits.
    expect((await admin.orders.confirm.mutate({ id: usd.id })).status).toBe('confirmed');
    const more = await refusal(admin.orders.confirm.mutate({ id: (await order(admin, importer, 300_00, 'USD')).id }));
    expect(more.code).toBe('CREDIT_LIMIT_EXCEEDED');
    // 300.00 USD → 2,137.02 CNY; 8,548.08 + 2,137.02 − 10,000.00 = 685.10 short.
    expect(more.details?.breaches).toEqual([expect.objectContaining({ currency: CNY, exposureMinor: 8_548_08, orderMinor: 2_137_02, shortfallMinor: 685_10 })]);
  });
});
