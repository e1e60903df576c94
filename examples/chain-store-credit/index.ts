/**
 * Credit that is really enforced, the seed's chain-store story: a headquarters with a group limit
 * over its whole chain and store A with a limit of its own, in a tenant on Shanghai time. Each limit
 * refuses the right order with the numbers in the error; under the hold policy a manager approves
 * one over-limit order and a second one's request expires across the month end; an outside invoice
 * is never refused but raises a breach; an overdue invoice blocks a confirmation; an order in USD is
 * checked against a CNY limit at the rate in force, and refused when there is no rate. Runs
 * in-process on a throwaway SQLite file with a fake clock, and checks every figure (CI runs it).
 *
 *   npm run examples        (from the repository root)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock, formatMoney, type CreditBreach, type CreditHoldFinding, type MissingRate, type OverdueFinding, type Role } from '@crmkit/core';
import { createCrmServer } from '@crmkit/server';
import { createCrmClient, isCrmError, type CrmError, type CrmErrorCode, type RouterOutputs } from '@crmkit/client';

type Order = RouterOutputs['orders']['get'];
type CreditStatus = RouterOutputs['credit']['status'];
/** What `order.confirmed` carries about the credit check (the outbox event's `credit`). */
type CreditEvent = { decisionId: string | null; outcome: string; approvalId?: string; limits: { accountId: string | null; scope: string; currency: string; limitMinor: number; exposureBeforeMinor: number | null; exposureAfterMinor: number | null }[] };

const money = (amountMinor: number, currency = 'CNY') => `${currency} ${formatMoney({ amountMinor, currency })}`;

const dir = mkdtempSync(join(tmpdir(), 'crmkit-chain-store-credit-'));
// Every "now" of the server comes from this clock: 10:00 on 10 January 2026 in Shanghai.
const clock = createFakeClock('2026-01-10T02:00:00Z');
const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}`, clock, auth: { tokenSecret: 'example-only-token-secret-at-least-32-bytes' } });

try {
  const tenant = await crm.bootstrap.createTenant({ name: 'Acme Appliances' });
  const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'example', role: 'admin' });
  const { url } = await crm.listen(0);
  // The back office (credit control, the ERP feed) uses an admin API key; people use user tokens,
  // minted by the host's backend for every request (as of the fake clock's now).
  const office = createCrmClient({ url, apiKey: secret });
  const asUser = (userId: string, role: Role) => createCrmClient({ url, getToken: () => crm.mintUserToken({ tenantId: tenant.id, userId, role }) });

  await office.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai', baseCurrency: 'CNY' });

  // The sales team: 王美 (a manager) leads it, 李强 (a rep) takes the chain's orders.
  await office.users.upsert.mutate({ id: 'mei', displayName: '王美', role: 'manager' });
  await office.users.upsert.mutate({ id: 'li', displayName: '李强', role: 'rep' });
  const team = await office.teams.create.mutate({ name: 'East China key accounts', leaderId: 'mei', memberIds: ['li'] });
  const li = asUser('li', 'rep');
  const mei = asUser('mei', 'manager');

  // The chain: store A settles its own invoices, store B is billed to headquarters.
  const hq = await office.accounts.create.mutate({ name: 'Huadong Chain HQ', currency: 'CNY' });
  const storeA = await office.accounts.create.mutate({ name: 'Store A (Suzhou)', parentId: hq.id, settlesOwnInvoices: true });
  const storeB = await office.accounts.create.mutate({ name: 'Store B (Wuxi)', parentId: hq.id });
  for (const a of [hq, storeA, storeB]) await office.ownership.assign.mutate({ accountId: a.id, teamId: team.id, primaryOwnerId: 'li', reason: 'key account of the East team' });
  const names = new Map([hq, storeA, storeB].map((a) => [a.id, a.name]));
  const named = (text: string) => text.replace(/\bacc_[0-9A-Z]+/g, (id) => names.get(id) ?? id);
  const nameOf = (id: string | null) => (id === null ? '(an account you may not see)' : (names.get(id) ?? id));

  const step = (title: string) => console.log(`\n── ${title}`);
  const orderFor = async (store: { id: string }, reference: string, description: string, quantity: number, unitPriceMinor: number, currency = 'CNY'): Promise<Order> => {
    const billTo = store.id === storeA.id ? { billToAccountId: storeA.id } : {};
    const o = await li.orders.create.mutate({ orderingAccountId: hq.id, shipToAccountId: store.id, ...billTo, currency, reference, lines: [{ description, quantity, unitPriceMinor }] });
    assert.equal(o.status, 'draft');
    return o;
  };
  /** Runs `call`, which must fail with `code`; prints and returns the error. */
  const refused = async (label: string, call: () => Promise<unknown>, code: CrmErrorCode): Promise<CrmError> => {
    try {
      await call();
    } catch (error) {
      if (!isCrmError(error)) throw error;
      assert.equal(error.code, code, `${label}: expected ${code}, got ${error.code}: ${error.message}`);
      console.log(`${label}: refused with ${error.code}\n    ${named(error.message)}`);
      return error;
    }
    throw new assert.AssertionError({ message: `${label}: expected ${code}, but it passed` });
  };
  const confirmed = async (label: string, o: Order, by = li): Promise<Order> => {
    const after = await by.orders.confirm.mutate({ id: o.id });
    assert.equal(after.status, 'confirmed', `${label} should be confirmed`);
    console.log(`${label}: ${after.status}, ${money(after.totalMinor, after.currency)} now counts toward ${nameOf(after.billToAccountId)}'s exposure`);
    return after;
  };
  /** The credit data of the last outbox event of a type about an entity. */
  const lastEvent = async (type: string, entityId: string) => {
    const [row] = await crm.db.outboxEvent.findMany({ where: { tenantId: tenant.id, type, entityId }, orderBy: { id: 'desc' }, take: 1 });
    assert.ok(row, `no ${type} event for ${entityId}`);
    return JSON.parse(row.payload) as { credit?: CreditEvent; after?: unknown; decisionId?: string };
  };
  const showStatus = (label: string, s: CreditStatus) => {
    console.log(`credit status of ${label} at ${s.at}${s.breached ? ' (a limit on the path is over)' : ''}`);
    for (const l of s.limits) {
      console.log(`    ${nameOf(l.accountId)} ${l.scope} limit ${money(l.limitMinor, l.currency)}: exposure ${l.exposureMinor === null ? '?' : money(l.exposureMinor, l.currency)}, available ${l.availableMinor === null ? '?' : money(l.availableMinor, l.currency)}`);
      for (const p of l.parts.filter((x) => x.rate)) console.log(`        ${money(p.exposureMinor, p.currency)} → ${money(p.convertedMinor!, l.currency)} at ${p.rate!.quoted}${p.rate!.inverse ? ' (inverse)' : ''}`);
    }
    if (s.lastDecision) console.log(`    last decision: ${s.lastDecision.kind}${s.lastDecision.code ? ` ${s.lastDecision.code}` : ''} by ${s.lastDecision.by}`);
  };

  // ── 1. Limits: headquarters' group limit covers the whole chain, store A's own limit its own documents.
  step('1. limits');
  await office.credit.setLimit.mutate({ accountId: hq.id, scope: 'group', amountMinor: 100_000_00, currency: 'CNY' });
  const ownA = await office.credit.setLimit.mutate({ accountId: storeA.id, scope: 'own', amountMinor: 30_000_00, currency: 'CNY' });
  assert.equal(ownA.version, 1);
  console.log(`${hq.name}: group limit ${money(100_000_00)}; ${storeA.name}: own limit ${money(30_000_00)}`);

  // ── 2. A first order for store A fits both limits; the event records the exposure after it.
  step('2. an order that fits');
  const po1 = await confirmed('PO-A-1 (400 rice cookers for store A)', await orderFor(storeA, 'PO-A-1', 'Rice cookers', 400, 50_00));
  const ev1 = (await lastEvent('order.confirmed', po1.id)).credit!;
  assert.deepEqual(ev1.limits.map((l) => [l.accountId, l.scope, l.exposureBeforeMinor, l.exposureAfterMinor]), [[storeA.id, 'own', 0, 20_000_00], [hq.id, 'group', 0, 20_000_00]]);
  for (const l of ev1.limits) console.log(`    order.confirmed: ${nameOf(l.accountId)} ${l.scope} exposure ${money(l.exposureBeforeMinor!)} → ${money(l.exposureAfterMinor!)}`);
  // The ERP invoices it, due on 31 January: the amount moves from orders to invoices, counted once.
  const invA = await office.invoices.create.mutate({ billToAccountId: storeA.id, currency: 'CNY', number: 'INV-A-1', dueDate: '2026-01-31', lines: [{ description: '400 rice cookers', amountMinor: 20_000_00, orderLineId: po1.lines[0]!.id }] });
  console.log(`INV-A-1 to store A, due ${invA.dueDate}: ${money(invA.totalMinor)}`);

  // ── 3. Store A's own limit refuses an order that would take it over, naming store A and the shortfall.
  step('3. store A\'s own limit');
  const po2 = await orderFor(storeA, 'PO-A-2', 'Rice cookers', 240, 50_00);
  const e3 = await refused('PO-A-2 (CNY 12,000.00 for store A)', () => li.orders.confirm.mutate({ id: po2.id }), 'CREDIT_LIMIT_EXCEEDED');
  assert.deepEqual(e3.details?.breaches as CreditBreach[], [
    { accountId: storeA.id, scope: 'own', limitMinor: 30_000_00, allowedMinor: 30_000_00, currency: 'CNY', exposureMinor: 20_000_00, orderMinor: 12_000_00, shortfallMinor: 2_000_00 },
  ]);
  assert.equal((await li.orders.get.query({ id: po2.id })).status, 'draft');

  // ── 4. Store B's orders (billed to headquarters) count toward the same group limit...
  step('4. headquarters\' group limit');
  const poB = await confirmed('PO-B-1 (2,500 kettles for store B)', await orderFor(storeB, 'PO-B-1', 'Kettles', 2_500, 30_00));
  assert.equal(poB.billToAccountId, hq.id);
  // ...so an order that fits store A's own limit is refused by headquarters' group limit.
  const po3 = await orderFor(storeA, 'PO-A-3', 'Rice cookers', 160, 50_00);
  const e4 = await refused('PO-A-3 (CNY 8,000.00 for store A)', () => li.orders.confirm.mutate({ id: po3.id }), 'CREDIT_LIMIT_EXCEEDED');
  assert.deepEqual(e4.details?.breaches as CreditBreach[], [
    { accountId: hq.id, scope: 'group', limitMinor: 100_000_00, allowedMinor: 100_000_00, currency: 'CNY', exposureMinor: 95_000_00, orderMinor: 8_000_00, shortfallMinor: 3_000_00 },
  ]);
  const s4 = await li.credit.status.query({ accountId: storeA.id });
  showStatus(storeA.name, s4);
  assert.deepEqual(s4.path.map((p) => p.accountId), [storeA.id, hq.id]);
  assert.deepEqual(s4.limits.map((l) => [l.accountId, l.scope, l.level, l.exposureMinor, l.availableMinor]), [[storeA.id, 'own', 0, 20_000_00, 10_000_00], [hq.id, 'group', 1, 95_000_00, 5_000_00]]);
  assert.equal(s4.breached, false);
  assert.equal(s4.lastDecision?.kind, 'refuse');
  assert.equal(s4.lastDecision?.code, 'CREDIT_LIMIT_EXCEEDED');
  assert.equal(s4.lastDecision?.orderId, po3.id);
  for (const e of s4.lastDecision!.explanation.filter((x) => x.outcome === 'matched')) console.log(`    why: ${named(e.message)}`);

  // ── 5. The hold policy: an over-limit order waits on hold for a manager's approval.
  step('5. hold policy: approval');
  const held = await office.tenant.settings.update.mutate({ credit: { onBreach: 'hold', approvalDays: 2 } });
  assert.deepEqual(held.credit, { checkAt: 'confirmation', onBreach: 'hold', overrunBps: 0, maxOverdueDays: null, approvalDays: 2 });
  const onHold = await li.orders.confirm.mutate({ id: po3.id });
  assert.equal(onHold.status, 'on_hold');
  assert.equal(onHold.openMinor, 0); // on hold reserves nothing
  const queue = await mei.credit.approvals.query({});
  assert.equal(queue.items.length, 1);
  const request = queue.items[0]!;
  assert.equal(request.orderId, po3.id);
  assert.equal(request.routedToId, 'mei');
  assert.equal(request.approverId, 'mei');
  assert.equal(request.amountMinor, 8_000_00);
  assert.equal(request.expiresAt, '2026-01-12T16:00:00.000Z'); // the end of 12 January in Shanghai
  console.log(`PO-A-3: ${onHold.status}; request ${request.id} routed to ${request.routedToId}, expires ${request.expiresAt}`);
  for (const r of request.routing) console.log(`    routing ${r.rule} ${r.outcome}: ${r.message}`);
  // The rep who took the order may not approve it (a rep has no credit:approve at all).
  await refused('李强 approving his own order', () => li.credit.approve.mutate({ id: request.id }), 'FORBIDDEN');
  const approved = await mei.credit.approve.mutate({ id: request.id, reason: 'HQ pays within the month' });
  assert.equal(approved.status, 'approved');
  assert.equal(approved.decidedBy, 'mei');
  const po3After = await li.orders.get.query({ id: po3.id });
  assert.equal(po3After.status, 'confirmed');
  assert.equal(po3After.openMinor, 8_000_00);
  const ev5 = (await lastEvent('order.confirmed', po3.id)).credit!;
  assert.equal(ev5.approvalId, request.id);
  assert.deepEqual(ev5.limits.find((l) => l.scope === 'group')?.exposureAfterMinor, 103_000_00);
  console.log(`王美 approved: PO-A-3 ${po3After.status}; ${hq.name}'s group exposure is now ${money(103_000_00)}`);
  // The approval covered PO-A-3 only: PO-A-2 is still a draft.
  assert.equal((await li.orders.get.query({ id: po2.id })).status, 'draft');
  const s5 = await mei.credit.status.query({ accountId: hq.id });
  assert.equal(s5.breached, true);
  assert.deepEqual(s5.limits.map((l) => [l.accountId, l.scope, l.exposureMinor, l.availableMinor]), [[hq.id, 'group', 103_000_00, -3_000_00]]);
  assert.equal((await mei.credit.approvals.query({})).items.length, 0);

  // ── 6. A second held order is not decided; its request expires at the end of the 2nd local day, across the month end.
  step('6. hold policy: expiry across the month end');
  clock.set('2026-01-30T02:00:00Z'); // 10:00 on 30 January in Shanghai
  const po4 = await orderFor(storeA, 'PO-A-4', 'Rice cookers', 20, 50_00);
  assert.equal((await li.orders.confirm.mutate({ id: po4.id })).status, 'on_hold');
  const [second] = (await mei.credit.approvals.query({ orderId: po4.id })).items;
  assert.ok(second);
  assert.equal(second.requestedAt, '2026-01-30T02:00:00.000Z');
  assert.equal(second.expiresAt, '2026-02-01T16:00:00.000Z'); // 00:00 on 2 February in Shanghai
  console.log(`PO-A-4: on hold at ${second.requestedAt} (30 January, 10:00 local); its request expires ${second.expiresAt} (2 February, 00:00 local)`);
  clock.set('2026-02-01T15:59:59Z'); // 23:59:59 on 1 February in Shanghai
  const early = await office.credit.expireApprovals.mutate({});
  assert.deepEqual(early.expired, []);
  assert.equal((await li.orders.get.query({ id: po4.id })).status, 'on_hold');
  console.log(`credit.expireApprovals at ${early.at}: nothing expired yet`);
  clock.set('2026-02-01T16:00:00Z');
  const due = await office.credit.expireApprovals.mutate({});
  assert.deepEqual(due.expired, [{ id: second.id, orderId: po4.id }]);
  assert.equal((await li.orders.get.query({ id: po4.id })).status, 'draft');
  const trail = await office.audit.list.query({ entityType: 'creditApproval', entityId: second.id });
  assert.equal(trail.items[0]?.action, 'credit.approval_expired');
  console.log(`credit.expireApprovals at ${due.at}: ${due.expired.length} expired (${trail.items[0]?.action}); PO-A-4 is back in draft`);
  await refused('王美 approving the expired request', () => mei.credit.approve.mutate({ id: second.id }), 'PRECONDITION_FAILED');

  // ── 7. Facts from outside are never refused: an invoice with freight takes headquarters further over, and raises a breach.
  step('7. outside facts: never refused, a breach is raised');
  clock.set('2026-02-02T02:00:00Z');
  const invHq = await office.invoices.create.mutate({
    billToAccountId: hq.id, currency: 'CNY', number: 'INV-HQ-1', dueDate: '2026-02-28',
    lines: [{ description: '2,500 kettles for store B', amountMinor: 75_000_00, orderLineId: poB.lines[0]!.id }, { description: 'Freight', amountMinor: 2_000_00 }],
  });
  assert.equal(invHq.status, 'open');
  const breach = await lastEvent('credit.breached', hq.id);
  const over = (breach.after as { limits: { accountId: string; scope: string; exposureMinor: number; overByMinor: number }[] }).limits;
  assert.deepEqual(over.map((l) => [l.accountId, l.scope, l.exposureMinor, l.overByMinor]), [[hq.id, 'group', 105_000_00, 5_000_00]]);
  console.log(`INV-HQ-1 (${money(invHq.totalMinor)}) accepted; credit.breached: ${hq.name} group exposure ${money(105_000_00)}, over by ${money(5_000_00)}`);
  const s7 = await office.credit.status.query({ accountId: hq.id });
  assert.equal(s7.lastDecision?.kind, 'breach');
  // Headquarters pays the invoice: its group exposure comes back to store A's CNY 28,000.00.
  await office.payments.create.mutate({ accountId: hq.id, currency: 'CNY', amountMinor: 77_000_00, reference: 'wire 0202', allocations: [{ invoiceId: invHq.id, amountMinor: 77_000_00 }] });
  const s7b = await office.credit.status.query({ accountId: storeA.id });
  assert.deepEqual(s7b.limits.map((l) => l.exposureMinor), [28_000_00, 28_000_00]);
  console.log(`headquarters pays INV-HQ-1: store A's own and the group exposure are both ${money(28_000_00)}`);

  // ── 8. Overdue invoices: the tenant blocks new orders while an invoice is overdue more than 30 local days.
  step('8. overdue invoices');
  await office.tenant.settings.update.mutate({ credit: { onBreach: 'refuse', maxOverdueDays: 30 } });
  clock.set('2026-03-02T02:00:00Z'); // INV-A-1 (due 31 January) is 30 days past due: not more than 30
  await confirmed('PO-A-4 on 2 March (INV-A-1 30 days past due)', po4);
  clock.set('2026-03-03T02:00:00Z'); // now 31 days
  const po5 = await orderFor(storeA, 'PO-A-5', 'Rice cookers', 10, 50_00);
  const e8 = await refused('PO-A-5 on 3 March (INV-A-1 31 days past due)', () => li.orders.confirm.mutate({ id: po5.id }), 'OVERDUE_INVOICES');
  assert.deepEqual(e8.details?.overdue as OverdueFinding[], [{ accountId: storeA.id, invoiceId: invA.id, daysPastDue: 31 }]);
  assert.deepEqual(e8.details?.breaches, []);
  await office.payments.create.mutate({ accountId: storeA.id, currency: 'CNY', amountMinor: 20_000_00, reference: 'transfer 0303', allocations: [{ invoiceId: invA.id, amountMinor: 20_000_00 }] });
  console.log('store A pays INV-A-1');
  await confirmed('PO-A-5 after the payment', po5);

  // ── 9. An order in USD against CNY limits: refused without a rate, checked at the rate in force once there is one.
  step('9. exchange rates');
  const po6 = await orderFor(storeA, 'PO-A-6', 'Espresso machines', 3, 781_89, 'USD'); // USD 2,345.67
  const e9 = await refused('PO-A-6 (USD 2,345.67), no USD rate yet', () => li.orders.confirm.mutate({ id: po6.id }), 'PRECONDITION_FAILED');
  assert.equal(e9.details?.reason, 'NO_EXCHANGE_RATE');
  assert.deepEqual(e9.details?.missingRates as MissingRate[], [{ from: 'USD', to: 'CNY' }]);
  const rate = await office.fx.setRate.mutate({ base: 'USD', quote: 'CNY', rate: '7.1234' });
  assert.equal(rate.validFrom, '2026-03-03T02:00:00.000Z');
  console.log(`fx.setRate: 1 USD = ${rate.rate} CNY from ${rate.validFrom}`);
  await confirmed('PO-A-6 with the rate in force', po6);
  // USD 2,345.67 × 7.1234 = CNY 16,709.145678, rounded up to CNY 16,709.15.
  const ev9 = (await lastEvent('order.confirmed', po6.id)).credit!;
  assert.deepEqual(ev9.limits.map((l) => [l.accountId, l.scope, l.exposureBeforeMinor, l.exposureAfterMinor]), [[storeA.id, 'own', 9_500_00, 26_209_15], [hq.id, 'group', 9_500_00, 26_209_15]]);
  const s9 = await li.credit.status.query({ accountId: storeA.id });
  showStatus(storeA.name, s9);
  assert.deepEqual(s9.limits[0]!.parts, [
    { currency: 'CNY', exposureMinor: 9_500_00, convertedMinor: 9_500_00, rate: null },
    { currency: 'USD', exposureMinor: 2_345_67, convertedMinor: 16_709_15, rate: { quoted: '7.1234', inverse: false, validFrom: '2026-03-03T02:00:00.000Z' } },
  ]);
  assert.equal(s9.limits[0]!.availableMinor, 3_790_85);

  // ── 10. A credit hold on headquarters stops every order of the chain until released; then the limit speaks.
  step('10. credit hold, then the limit');
  const po7 = await orderFor(storeA, 'PO-A-7', 'Espresso machines', 1, 700_00, 'USD'); // CNY 4,986.38 at 7.1234
  await office.credit.hold.mutate({ accountId: hq.id, reason: 'rebate in dispute' });
  const e10 = await refused('PO-A-7 (USD 700.00) while headquarters is on credit hold', () => li.orders.confirm.mutate({ id: po7.id }), 'CREDIT_HOLD');
  assert.deepEqual((e10.details?.holds as CreditHoldFinding[]).map((h) => [h.accountId, h.reason]), [[hq.id, 'rebate in dispute']]);
  assert.equal((e10.details?.breaches as CreditBreach[]).length, 1); // every finding is reported; the code names the first by precedence
  await office.credit.release.mutate({ accountId: hq.id, reason: 'rebate agreed' });
  const e10b = await refused('PO-A-7 after the release', () => li.orders.confirm.mutate({ id: po7.id }), 'CREDIT_LIMIT_EXCEEDED');
  assert.deepEqual(e10b.details?.breaches as CreditBreach[], [
    { accountId: storeA.id, scope: 'own', limitMinor: 30_000_00, allowedMinor: 30_000_00, currency: 'CNY', exposureMinor: 26_209_15, orderMinor: 4_986_38, shortfallMinor: 1_195_53 },
  ]);

  console.log('\nchain-store-credit ok');
} finally {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
}
