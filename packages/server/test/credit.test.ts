import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

// Credit limits that are really enforced (issue 10, DOMAIN §6), through the procedures, on the
// engine under test: the chain-store story (HQ with a group limit, stores with own limits), the
// hold policy with routed approvals and expiry, overdue invoices, exchange rates, the fulfilment
// policy, outside facts that breach, and who may do what.

const CNY = 'CNY';
const line = (amountMinor: number) => ({ description: 'Goods', quantity: 1, unitPriceMinor: amountMinor });

let h: Harness;
let seq = 0;

/** A fresh chain: HQ with stores A and B (each billed on its own), in tenant A. */
async function chain(client: Client = h.adminA) {
  seq += 1;
  const hq = (await client.accounts.create.mutate({ name: `Chain ${seq} HQ` })).id;
  const storeA = (await client.accounts.create.mutate({ name: `Chain ${seq} store A`, parentId: hq, settlesOwnInvoices: true })).id;
  const storeB = (await client.accounts.create.mutate({ name: `Chain ${seq} store B`, parentId: hq, settlesOwnInvoices: true })).id;
  return { hq, storeA, storeB };
}

async function order(client: Client, account: string, amountMinor: number, currency = CNY) {
  return client.orders.create.mutate({ orderingAccountId: account, billToAccountId: account, currency, lines: [line(amountMinor)] });
}

async function setPolicy(credit: Record<string, unknown>, timeZone?: string) {
  await h.adminA.tenant.settings.update.mutate({ credit, ...(timeZone ? { timeZone } : {}) });
}

const outbox = (type: string) => h.crm.db.outboxEvent.findMany({ where: { tenantId: h.tenantA, type }, orderBy: { id: 'asc' } });

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('limits refuse the right order, with the numbers', () => {
  it("refuses an order over store A's own limit, naming the limit, the exposure, the order and the shortfall, and writes nothing", async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 300_000, currency: CNY });
    const first = await order(h.adminA, storeA, 200_000);
    expect((await h.adminA.orders.confirm.mutate({ id: first.id })).status).toBe('confirmed');
    const second = await order(h.adminA, storeA, 150_000);
    const e = await errorOf(h.adminA.orders.confirm.mutate({ id: second.id }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.httpStatus).toBe(402);
    expect(e.details).toMatchObject({
      orderId: second.id,
      breaches: [{ accountId: storeA, scope: 'own', limitMinor: 300_000, allowedMinor: 300_000, currency: CNY, exposureMinor: 200_000, orderMinor: 150_000, shortfallMinor: 50_000 }],
    });
    expect(e.message).toContain('500.00');
    expect((await h.adminA.orders.get.query({ id: second.id })).status).toBe('draft');
    expect(await h.adminA.accounts.exposure.query({ accountId: storeA })).toMatchObject({ own: [{ currency: CNY, exposureMinor: 200_000 }] });
    const status = await h.adminA.credit.status.query({ accountId: storeA });
    expect(status.lastDecision).toMatchObject({ kind: 'refuse', code: 'CREDIT_LIMIT_EXCEEDED', orderId: second.id });
    expect(status.limits).toEqual([expect.objectContaining({ accountId: storeA, scope: 'own', exposureMinor: 200_000, availableMinor: 100_000, level: 0 })]);
  });

  it("refuses an order that fits store A's own limit but not HQ's group limit, which store B's orders fill too", async () => {
    const { hq, storeA, storeB } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: 500_000, currency: CNY });
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 300_000, currency: CNY });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeB, 400_000)).id });
    const o = await order(h.adminA, storeA, 150_000);
    const e = await errorOf(h.adminA.orders.confirm.mutate({ id: o.id }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details!.breaches).toEqual([expect.objectContaining({ accountId: hq, scope: 'group', limitMinor: 500_000, exposureMinor: 400_000, orderMinor: 150_000, shortfallMinor: 50_000 })]);
    // Store A's own limit was checked and fits.
    const limits = (e.details!.decision as { limits: { accountId: string; scope: string; result: string }[] }).limits;
    expect(limits).toContainEqual(expect.objectContaining({ accountId: storeA, scope: 'own', result: 'fits' }));
    // 100,000 fits both.
    expect((await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 100_000)).id })).status).toBe('confirmed');
    const status = await h.adminA.credit.status.query({ accountId: storeA });
    expect(status.limits.find((l) => l.scope === 'group')).toMatchObject({ accountId: hq, exposureMinor: 500_000, availableMinor: 0, level: 1 });
  });

  it('records each confirmation’s exposure after it in its event', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    const o = await order(h.adminA, storeA, 30_000);
    await h.adminA.orders.confirm.mutate({ id: o.id });
    const events = (await outbox('order.confirmed')).filter((e) => e.entityId === o.id);
    const payload = JSON.parse(events.at(-1)!.payload) as { credit: { limits: { accountId: string; exposureAfterMinor: number }[] } };
    expect(payload.credit.limits).toEqual([expect.objectContaining({ accountId: storeA, exposureBeforeMinor: 0, exposureAfterMinor: 30_000 })]);
  });

  it('lets the tenant allow an overrun percentage, never rounding in the account’s favour', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_001, currency: CNY });
    await setPolicy({ overrunBps: 1_000 }); // 10 %: 110,001.1 → 110,001 allowed
    try {
      expect(await crmCodeOf(h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 110_002)).id }))).toBe('CREDIT_LIMIT_EXCEEDED');
      expect((await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 110_001)).id })).status).toBe('confirmed');
    } finally {
      await setPolicy({ overrunBps: 0 });
    }
  });

  it('checks amending upward and reopening the same way: no path around the check', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    const o = await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 80_000)).id });
    const e = await errorOf(h.adminA.orders.update.mutate({ id: o.id, lines: [{ id: o.lines[0]!.id, description: 'Goods', quantity: 2, unitPriceMinor: 80_000 }] }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details).toMatchObject({ action: 'amend', amountMinor: 80_000, breaches: [expect.objectContaining({ exposureMinor: 80_000, orderMinor: 80_000, shortfallMinor: 60_000 })] });
    expect((await h.adminA.orders.get.query({ id: o.id })).totalMinor).toBe(80_000);
    // Cancel, let another order take the room, reopen: confirming again is checked again.
    await h.adminA.orders.cancel.mutate({ id: o.id, reason: 'customer changed their mind' });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 50_000)).id });
    const reopened = await h.adminA.orders.reopen.mutate({ id: o.id });
    expect(reopened.status).toBe('draft');
    expect(await crmCodeOf(h.adminA.orders.confirm.mutate({ id: o.id }))).toBe('CREDIT_LIMIT_EXCEEDED');
  });

  it('counts payments on account as room, and refuses again once a payment is voided (the void itself is never refused)', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 100_000)).id });
    const payment = await h.adminA.payments.create.mutate({ accountId: storeA, currency: CNY, amountMinor: 40_000 });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 40_000)).id });
    await h.adminA.payments.void.mutate({ id: payment.id, reason: 'bounced' });
    const status = await h.adminA.credit.status.query({ accountId: storeA });
    expect(status.breached).toBe(true);
    expect(status.lastDecision).toMatchObject({ kind: 'breach' });
    const breached = (await outbox('credit.breached')).filter((e) => e.entityId === storeA);
    expect(breached.length).toBe(1);
    expect(JSON.parse(breached[0]!.payload).after.limits).toEqual([expect.objectContaining({ accountId: storeA, scope: 'own', exposureMinor: 140_000, overByMinor: 40_000 })]);
  });
});

describe('outside facts are never refused', () => {
  it('takes an invoice that breaches a limit, emits credit.breached and shows it on credit.status', async () => {
    const { hq, storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: 100_000, currency: CNY });
    const invoice = await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-04-30', lines: [{ description: 'ERP invoice', amountMinor: 150_000 }] });
    expect(invoice.status).toBe('open');
    const events = (await outbox('credit.breached')).filter((e) => e.entityId === storeA);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload).after.limits).toEqual([expect.objectContaining({ accountId: hq, scope: 'group', overByMinor: 50_000 })]);
    const status = await h.adminA.credit.status.query({ accountId: hq });
    expect(status.breached).toBe(true);
    expect(status.limits[0]).toMatchObject({ exposureMinor: 150_000, availableMinor: -50_000 });
  });

  it('refuses to move a branch under an ancestor whose group limit it would breach, unless forced', async () => {
    const { hq } = await chain();
    const other = (await h.adminA.accounts.create.mutate({ name: 'Independent store', settlesOwnInvoices: true })).id;
    await h.adminA.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: 100_000, currency: CNY });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, other, 120_000)).id });
    const e = await errorOf(h.adminA.accounts.setParent.mutate({ id: other, parentId: hq }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details!.breaches).toEqual([expect.objectContaining({ accountId: hq, scope: 'group', exposureMinor: 120_000, shortfallMinor: 20_000 })]);
    expect((await h.adminA.accounts.get.query({ id: other })).parentId).toBeNull();
    const moved = await h.adminA.accounts.setParent.mutate({ id: other, parentId: hq, force: true });
    expect(moved.parentId).toBe(hq);
    expect((await h.adminA.credit.status.query({ accountId: hq })).breached).toBe(true);
  });

  it('needs force to lower a limit below the exposure it covers', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 80_000)).id });
    const e = await errorOf(h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 50_000, currency: CNY }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details).toMatchObject({ exposureMinor: 80_000, shortfallMinor: 30_000 });
    const forced = await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 50_000, currency: CNY, force: true, reason: 'collections review' });
    expect(forced).toMatchObject({ amountMinor: 50_000, version: 2 });
    const audit = await h.crm.db.auditEvent.findFirst({ where: { tenantId: h.tenantA, action: 'credit.limit_set', entityId: `${storeA}:own` }, orderBy: { id: 'desc' } });
    expect(JSON.parse(audit!.after!)).toMatchObject({ forced: true, reason: 'collections review' });
    // A first limit in another currency compares the exposure converted at the rate in force.
    await h.adminA.fx.setRate.mutate({ base: 'EUR', quote: CNY, rate: '8', validFrom: '2026-01-01T00:00:00.000Z' });
    const e2 = await errorOf(h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'group', amountMinor: 100, currency: 'EUR' }));
    expect(e2.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e2.details).toMatchObject({ currency: 'EUR', exposureMinor: 10_000, shortfallMinor: 9_900 });
  });
});

describe('holds, overdue invoices and exchange rates', () => {
  it('refuses every order under an account on credit hold, until released', async () => {
    const { hq, storeA } = await chain();
    const hold = await h.adminA.credit.hold.mutate({ accountId: hq, reason: 'disputed rebate' });
    expect(hold).toMatchObject({ accountId: hq, reason: 'disputed rebate' });
    const o = await order(h.adminA, storeA, 1_000);
    const e = await errorOf(h.adminA.orders.confirm.mutate({ id: o.id }));
    expect(e.crmCode).toBe('CREDIT_HOLD');
    expect(e.details!.holds).toEqual([expect.objectContaining({ accountId: hq, reason: 'disputed rebate' })]);
    expect(await crmCodeOf(h.adminA.credit.hold.mutate({ accountId: hq, reason: 'again' }))).toBe('CONFLICT');
    await h.adminA.credit.release.mutate({ accountId: hq, reason: 'settled' });
    expect((await h.adminA.orders.confirm.mutate({ id: o.id })).status).toBe('confirmed');
    expect(await crmCodeOf(h.adminA.credit.release.mutate({ accountId: hq }))).toBe('NOT_FOUND');
  });

  it('blocks confirmations while an invoice is overdue more than the policy allows, counting local days', async () => {
    const { storeA } = await chain();
    await setPolicy({ maxOverdueDays: 30 }, 'Asia/Shanghai');
    try {
      // Now is 2026-03-01T09:00Z = 17:00 in Shanghai on 1 March: an invoice due 30 Jan is 30 days past due, one due 29 Jan 31.
      await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-01-30', lines: [{ description: 'Old', amountMinor: 1_000 }] });
      expect((await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 1_000)).id })).status).toBe('confirmed');
      const late = await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-01-29', lines: [{ description: 'Older', amountMinor: 1_000 }] });
      const e = await errorOf(h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 1_000)).id }));
      expect(e.crmCode).toBe('OVERDUE_INVOICES');
      expect(e.details!.overdue).toEqual([{ accountId: storeA, invoiceId: late.id, daysPastDue: 31 }]);
      await h.adminA.payments.create.mutate({ accountId: storeA, currency: CNY, amountMinor: 1_000, allocations: [{ invoiceId: late.id, amountMinor: 1_000 }] });
      expect((await h.adminA.orders.confirm.mutate({ id: (await order(h.adminA, storeA, 1_000)).id })).status).toBe('confirmed');
    } finally {
      await setPolicy({ maxOverdueDays: null }, 'UTC');
    }
  });

  it('checks a USD order against a CNY limit at the rate in force, and refuses when no rate exists', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1_000_000, currency: CNY });
    const usd = await order(h.adminA, storeA, 150_000, 'USD');
    const noRate = await errorOf(h.adminA.orders.confirm.mutate({ id: usd.id }));
    expect(noRate.crmCode).toBe('PRECONDITION_FAILED');
    expect(noRate.details).toMatchObject({ reason: 'NO_EXCHANGE_RATE', missingRates: [{ from: 'USD', to: CNY }] });
    // A rate that takes effect later is not in force now.
    await h.adminA.fx.setRate.mutate({ base: 'USD', quote: CNY, rate: '7.1234', validFrom: '2026-03-02T00:00:00.000Z' });
    expect(await crmCodeOf(h.adminA.orders.confirm.mutate({ id: usd.id }))).toBe('PRECONDITION_FAILED');
    await h.adminA.fx.setRate.mutate({ base: 'USD', quote: CNY, rate: '7.1234', validFrom: '2026-02-01T00:00:00.000Z' });
    const e = await errorOf(h.adminA.orders.confirm.mutate({ id: usd.id }));
    expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
    expect(e.details!.breaches).toEqual([expect.objectContaining({ currency: CNY, orderMinor: 1_068_510, shortfallMinor: 68_510 })]);
    const fits = await order(h.adminA, storeA, 100_000, 'USD');
    expect((await h.adminA.orders.confirm.mutate({ id: fits.id })).status).toBe('confirmed');
    const status = await h.adminA.credit.status.query({ accountId: storeA });
    expect(status.limits[0]).toMatchObject({ exposureMinor: 712_340, availableMinor: 287_660, parts: [expect.objectContaining({ currency: 'USD', exposureMinor: 100_000, convertedMinor: 712_340 })] });
    expect((await h.adminA.fx.listRates.query({ base: 'USD', quote: CNY })).items).toHaveLength(2);
  });
});

describe('the fulfilment policy', () => {
  it('counts an order from its deliveries and checks each delivery, once', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    await setPolicy({ checkAt: 'fulfilment' });
    try {
      const bulk = await h.adminA.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: storeA, currency: CNY, lines: [{ description: 'Cement', quantity: 10, unitPriceMinor: 30_000 }] });
      const confirmed = await h.adminA.orders.confirm.mutate({ id: bulk.id });
      expect(confirmed.status).toBe('confirmed');
      expect((await h.adminA.credit.status.query({ accountId: storeA })).limits[0]!.exposureMinor).toBe(0);
      await h.adminA.orders.fulfil.mutate({ id: bulk.id, lines: [{ lineId: bulk.lines[0]!.id, quantity: 3 }] });
      expect((await h.adminA.credit.status.query({ accountId: storeA })).limits[0]!.exposureMinor).toBe(90_000);
      const e = await errorOf(h.adminA.orders.fulfil.mutate({ id: bulk.id, lines: [{ lineId: bulk.lines[0]!.id, quantity: 1 }] }));
      expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
      expect(e.details).toMatchObject({ action: 'fulfil', amountMinor: 30_000, breaches: [expect.objectContaining({ exposureMinor: 90_000, shortfallMinor: 20_000 })] });
      expect((await h.adminA.orders.get.query({ id: bulk.id })).lines[0]!.fulfilledQuantity).toBe(3);
      // Invoicing what was delivered moves it from orders to invoices: counted once.
      await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-04-30', lines: [{ description: 'Cement ×3', amountMinor: 90_000, orderLineId: bulk.lines[0]!.id }] });
      expect((await h.adminA.credit.status.query({ accountId: storeA })).limits[0]!.exposureMinor).toBe(90_000);
      expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
    } finally {
      await setPolicy({ checkAt: 'confirmation' });
    }
  });

  it('checks a reopened order’s earlier deliveries when it is confirmed again', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    await setPolicy({ checkAt: 'fulfilment' });
    try {
      const bulk = await h.adminA.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: storeA, currency: CNY, lines: [{ description: 'Cement', quantity: 10, unitPriceMinor: 30_000 }] });
      await h.adminA.orders.confirm.mutate({ id: bulk.id });
      await h.adminA.orders.fulfil.mutate({ id: bulk.id, lines: [{ lineId: bulk.lines[0]!.id, quantity: 3 }] });
      await h.adminA.orders.cancel.mutate({ id: bulk.id, reason: 'paused' });
      const other = await h.adminA.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: storeA, currency: CNY, lines: [{ description: 'Sand', quantity: 2, unitPriceMinor: 30_000 }] });
      await h.adminA.orders.confirm.mutate({ id: other.id });
      await h.adminA.orders.fulfil.mutate({ id: other.id, lines: [{ lineId: other.lines[0]!.id, quantity: 2 }] });
      await h.adminA.orders.reopen.mutate({ id: bulk.id });
      const e = await errorOf(h.adminA.orders.confirm.mutate({ id: bulk.id }));
      expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
      expect(e.details).toMatchObject({ action: 'confirm', amountMinor: 90_000, breaches: [expect.objectContaining({ exposureMinor: 60_000, shortfallMinor: 50_000 })] });
    } finally {
      await setPolicy({ checkAt: 'confirmation' });
    }
  });
});

describe('the hold policy: routed approvals', () => {
  let manager: Client;
  let rep: Client;
  let repId: string;
  let managerId: string;
  let storeA: string;
  let hq: string;
  beforeAll(async () => {
    seq += 1;
    managerId = `mgr-${seq}`;
    repId = `rep-${seq}`;
    await h.adminA.users.upsert.mutate({ id: managerId, displayName: 'Manager', role: 'manager' });
    await h.adminA.users.upsert.mutate({ id: repId, displayName: 'Rep', role: 'rep' });
    const team = await h.adminA.teams.create.mutate({ name: `Credit team ${seq}`, leaderId: managerId, memberIds: [repId] });
    ({ hq, storeA } = await chain());
    for (const id of [hq, storeA]) await h.adminA.ownership.assign.mutate({ accountId: id, teamId: team.id, primaryOwnerId: repId, secondaryOwnerId: null, reason: 'territory' });
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    manager = await h.asUser(h.tenantA, managerId, 'manager');
    rep = await h.asUser(h.tenantA, repId, 'rep');
    await setPolicy({ onBreach: 'hold', approvalDays: 2 }, 'Asia/Shanghai');
  });
  afterAll(() => setPolicy({ onBreach: 'refuse', approvalDays: 3 }, 'UTC'));

  it('holds an over-limit order (reserving nothing), routes it to the team’s manager, who approves that one only', async () => {
    const over = await order(rep, storeA, 150_000);
    const held = await rep.orders.confirm.mutate({ id: over.id });
    expect(held.status).toBe('on_hold');
    expect((await h.adminA.credit.status.query({ accountId: storeA })).limits[0]!.exposureMinor).toBe(0);
    const other = await order(rep, storeA, 120_000);
    expect((await rep.orders.confirm.mutate({ id: other.id })).status).toBe('on_hold');
    const queue = await manager.credit.approvals.query({});
    const request = queue.items.find((r) => r.orderId === over.id)!;
    expect(request).toMatchObject({ status: 'pending', routedToId: managerId, approverId: managerId, amountMinor: 150_000, accountId: storeA });
    expect(request.routing.some((s) => s.outcome === 'matched' && s.message.includes(managerId))).toBe(true);
    // The rep may not approve (no credit:approve), nor read the queue of others.
    expect(await crmCodeOf(rep.credit.approve.mutate({ id: request.id }))).toBe('FORBIDDEN');
    const approved = await manager.credit.approve.mutate({ id: request.id, reason: 'long-standing customer' });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: managerId });
    expect((await rep.orders.get.query({ id: over.id })).status).toBe('confirmed');
    expect((await rep.orders.get.query({ id: other.id })).status).toBe('on_hold');
    expect((await h.adminA.credit.status.query({ accountId: storeA })).limits[0]).toMatchObject({ exposureMinor: 150_000, availableMinor: -50_000 });
    expect(await crmCodeOf(manager.credit.approve.mutate({ id: request.id }))).toBe('PRECONDITION_FAILED');
    // Raising the approved order voids the approval: the increase is checked on its own.
    const o = await rep.orders.get.query({ id: over.id });
    expect(await crmCodeOf(rep.orders.update.mutate({ id: o.id, lines: [{ id: o.lines[0]!.id, description: 'Goods', quantity: 1, unitPriceMinor: 160_000 }] }))).toBe('CREDIT_LIMIT_EXCEEDED');
  });

  it('never lets a person approve an order they created', async () => {
    const own = await order(manager, storeA, 130_000);
    expect((await manager.orders.confirm.mutate({ id: own.id })).status).toBe('on_hold');
    const request = (await h.adminA.credit.approvals.query({ queue: 'all', orderId: own.id })).items[0]!;
    expect(request.routedToId).not.toBe(managerId);
    expect(await crmCodeOf(manager.credit.approve.mutate({ id: request.id }))).toBe('FORBIDDEN');
    expect((await manager.orders.get.query({ id: own.id })).status).toBe('on_hold');
    const rejected = await h.adminA.credit.reject.mutate({ id: request.id, reason: 'over budget' });
    expect(rejected.status).toBe('rejected');
    expect((await manager.orders.get.query({ id: own.id })).status).toBe('draft');
  });

  it('routes to the manager’s approvals delegate', async () => {
    seq += 1;
    const deputy = `deputy-${seq}`;
    await h.adminA.users.upsert.mutate({ id: deputy, displayName: 'Deputy', role: 'manager' });
    await h.adminA.delegations.create.mutate({ delegatorId: managerId, delegateId: deputy, scope: 'approvals', accountIds: [], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-01-01T00:00:00.000Z', reason: 'leave' });
    const o = await order(rep, storeA, 200_000);
    await rep.orders.confirm.mutate({ id: o.id });
    const deputyClient = await h.asUser(h.tenantA, deputy, 'manager');
    const request = (await deputyClient.credit.approvals.query({})).items.find((r) => r.orderId === o.id)!;
    expect(request).toMatchObject({ routedToId: managerId, approverId: deputy });
    expect((await deputyClient.credit.reject.mutate({ id: request.id, reason: 'no' })).status).toBe('rejected');
  });

  it('expires an undecided request at the end of the Nth local day, across a month end, back to draft', async () => {
    h.clock.set('2026-03-30T10:00:00Z'); // 18:00 on 30 March in Shanghai
    try {
      // Tokens minted now (their issue time must not lie in the future).
      rep = await h.asUser(h.tenantA, repId, 'rep');
      manager = await h.asUser(h.tenantA, managerId, 'manager');
      const o = await order(rep, storeA, 180_000);
      expect((await rep.orders.confirm.mutate({ id: o.id })).status).toBe('on_hold');
      const request = (await manager.credit.approvals.query({})).items.find((r) => r.orderId === o.id)!;
      // Two local days after 30 March: the end of 1 April in Shanghai, 2026-04-01T16:00Z.
      expect(request.expiresAt).toBe('2026-04-01T16:00:00.000Z');
      h.clock.set('2026-04-01T15:59:59.999Z');
      expect((await h.adminA.credit.expireApprovals.mutate({})).expired.map((x) => x.id)).not.toContain(request.id);
      h.clock.set('2026-04-01T16:00:00.000Z');
      manager = await h.asUser(h.tenantA, managerId, 'manager');
      rep = await h.asUser(h.tenantA, repId, 'rep');
      expect(await crmCodeOf(manager.credit.approve.mutate({ id: request.id }))).toBe('PRECONDITION_FAILED');
      const [a, b] = await Promise.all([h.adminA.credit.expireApprovals.mutate({}), h.adminA.credit.expireApprovals.mutate({})]);
      expect([...a.expired, ...b.expired].filter((x) => x.id === request.id)).toHaveLength(1);
      expect((await rep.orders.get.query({ id: o.id })).status).toBe('draft');
      const events = (await outbox('credit.approval_expired')).filter((e) => e.entityId === request.id);
      expect(events).toHaveLength(1);
      expect((await h.adminA.credit.status.query({ accountId: storeA })).lastDecision).toMatchObject({ kind: 'expire', orderId: o.id });
    } finally {
      h.clock.set('2026-03-01T09:00:00Z');
      rep = await h.asUser(h.tenantA, repId, 'rep');
      manager = await h.asUser(h.tenantA, managerId, 'manager');
    }
  });

  it('an approval does not override a credit hold put on since: the request stays pending until the hold is released', async () => {
    const o = await order(rep, storeA, 140_000);
    await rep.orders.confirm.mutate({ id: o.id });
    const request = (await manager.credit.approvals.query({})).items.find((r) => r.orderId === o.id)!;
    await h.adminA.credit.hold.mutate({ accountId: hq, reason: 'payment dispute' });
    const e = await errorOf(manager.credit.approve.mutate({ id: request.id }));
    expect(e.crmCode).toBe('CREDIT_HOLD');
    expect((await manager.credit.approvals.query({})).items.find((r) => r.id === request.id)?.status).toBe('pending');
    expect((await rep.orders.get.query({ id: o.id })).status).toBe('on_hold');
    await h.adminA.credit.release.mutate({ accountId: hq });
    expect((await manager.credit.approve.mutate({ id: request.id })).status).toBe('approved');
    expect((await rep.orders.get.query({ id: o.id })).status).toBe('confirmed');
  });

  it('raising an approved order voids its approval: the increase is checked on its own', async () => {
    const c = await chain();
    await h.adminA.ownership.assign.mutate({ accountId: c.storeA, teamId: (await h.adminA.teams.list.query({ memberId: repId })).items[0]!.id, primaryOwnerId: repId, secondaryOwnerId: null, reason: 'territory' });
    await h.adminA.credit.setLimit.mutate({ accountId: c.storeA, scope: 'own', amountMinor: 100_000, currency: CNY });
    const o = await order(rep, c.storeA, 120_000);
    await rep.orders.confirm.mutate({ id: o.id });
    const request = (await manager.credit.approvals.query({})).items.find((r) => r.orderId === o.id)!;
    await manager.credit.approve.mutate({ id: request.id });
    // Room again (a higher limit): the raise passes the check, and the approval no longer stands for the order.
    await h.adminA.credit.setLimit.mutate({ accountId: c.storeA, scope: 'own', amountMinor: 200_000, currency: CNY });
    const confirmed = await rep.orders.get.query({ id: o.id });
    await rep.orders.update.mutate({ id: o.id, lines: [{ id: confirmed.lines[0]!.id, description: 'Goods', quantity: 1, unitPriceMinor: 130_000 }] });
    const after = (await h.adminA.credit.approvals.query({ queue: 'all', orderId: o.id, status: ['voided'] })).items;
    expect(after.map((r) => r.id)).toEqual([request.id]);
  });

  it('cancelling a held order cancels its request', async () => {
    const o = await order(rep, storeA, 170_000);
    await rep.orders.confirm.mutate({ id: o.id });
    await rep.orders.cancel.mutate({ id: o.id, reason: 'withdrawn' });
    const request = (await h.adminA.credit.approvals.query({ queue: 'all', orderId: o.id, status: ['cancelled'] })).items[0];
    expect(request).toMatchObject({ status: 'cancelled' });
  });

  it("names only accounts the caller may see: a rep of the store learns of HQ's group limit without HQ's id", async () => {
    seq += 1;
    const lone = `lone-${seq}`;
    await h.adminA.users.upsert.mutate({ id: lone, displayName: 'Lone rep', role: 'rep' });
    const c = await chain();
    await h.adminA.ownership.assign.mutate({ accountId: c.storeA, teamId: null, primaryOwnerId: lone, secondaryOwnerId: null, reason: 'store only' });
    await h.adminA.credit.setLimit.mutate({ accountId: c.hq, scope: 'group', amountMinor: 10_000, currency: CNY });
    await setPolicy({ onBreach: 'refuse' });
    try {
      const client = await h.asUser(h.tenantA, lone, 'rep');
      const o = await order(client, c.storeA, 20_000);
      const e = await errorOf(client.orders.confirm.mutate({ id: o.id }));
      expect(e.crmCode).toBe('CREDIT_LIMIT_EXCEEDED');
      expect(e.details!.breaches).toEqual([expect.objectContaining({ accountId: null, scope: 'group', shortfallMinor: 10_000 })]);
      expect(JSON.stringify(e)).not.toContain(c.hq);
      const status = await client.credit.status.query({ accountId: c.storeA });
      expect(status.path).toEqual([{ accountId: c.storeA, level: 0 }, { accountId: null, level: 1 }]);
      expect(JSON.stringify(status)).not.toContain(c.hq);
      expect(await crmCodeOf(client.credit.status.query({ accountId: c.hq }))).toBe('NOT_FOUND');
      // Held instead, the request lists the same way.
      await setPolicy({ onBreach: 'hold' });
      expect((await client.orders.confirm.mutate({ id: o.id })).status).toBe('on_hold');
      const requests = await client.credit.approvals.query({ queue: 'all', orderId: o.id });
      expect(requests.items).toHaveLength(1);
      expect(requests.items[0]!.decision.breaches).toEqual([expect.objectContaining({ accountId: null, scope: 'group' })]);
      expect(JSON.stringify(requests)).not.toContain(c.hq);
      const rejected = await h.adminA.credit.reject.mutate({ id: requests.items[0]!.id, reason: 'no' });
      expect(JSON.stringify(rejected)).toContain(c.hq); // the admin sees everything
    } finally {
      await setPolicy({ onBreach: 'hold' });
    }
  });
});

describe('who may do what', () => {
  it('lets only credit managers set limits, holds and rates; every caller with credit:read reads status of what they see', async () => {
    const { storeA } = await chain();
    seq += 1;
    const repId = `r-${seq}`;
    await h.adminA.users.upsert.mutate({ id: repId, displayName: 'Rep', role: 'rep' });
    const rep = await h.asUser(h.tenantA, repId, 'rep');
    const managerId = `m-${seq}`;
    await h.adminA.users.upsert.mutate({ id: managerId, displayName: 'Manager', role: 'manager' });
    const manager = await h.asUser(h.tenantA, managerId, 'manager');
    const service = h.clientWith((await h.adminA.apiKeys.create.mutate({ name: `svc ${seq}`, role: 'service' })).secret);
    const integration = h.clientWith((await h.adminA.apiKeys.create.mutate({ name: `int ${seq}`, role: 'integration' })).secret);
    for (const c of [rep, manager, service, integration]) {
      expect(await crmCodeOf(c.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1, currency: CNY }))).toBe('FORBIDDEN');
      expect(await crmCodeOf(c.credit.hold.mutate({ accountId: storeA, reason: 'x' }))).toBe('FORBIDDEN');
      expect(await crmCodeOf(c.fx.setRate.mutate({ base: 'EUR', quote: CNY, rate: '7.8' }))).toBe('FORBIDDEN');
      expect(await crmCodeOf(c.credit.expireApprovals.mutate({}))).toBe('FORBIDDEN');
    }
    for (const c of [service, integration]) expect((await c.credit.status.query({ accountId: storeA })).accountId).toBe(storeA);
    // A rep and a manager who do not hold the account do not learn it exists.
    expect(await crmCodeOf(rep.credit.status.query({ accountId: storeA }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(manager.credit.status.query({ accountId: storeA }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(service.credit.approve.mutate({ id: 'cap_00000000000000000000000000' }))).toBe('FORBIDDEN');
  });

  it('runs the expiry job without any input over HTTP (an empty body is no input), and through crm.jobs', async () => {
    expect(await h.adminA.credit.expireApprovals.mutate()).toMatchObject({ expired: [] });
    expect(await h.adminA.pool.sweep.mutate()).toMatchObject({ returned: [] });
    expect(await h.crm.jobs.creditApprovalExpiry()).toMatchObject({ [h.tenantA]: { expired: [] }, [h.tenantB]: { expired: [] } });
  });

  it('keeps tenants apart', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1_000, currency: CNY });
    expect(await crmCodeOf(h.adminB.credit.status.query({ accountId: storeA }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1, currency: CNY }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.hold.mutate({ accountId: storeA, reason: 'x' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.credit.removeLimit.mutate({ accountId: storeA, scope: 'own' }))).toBe('NOT_FOUND');
    const held = (await h.adminA.credit.approvals.query({ queue: 'all', status: ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'voided'] })).items;
    if (held[0]) {
      expect(await crmCodeOf(h.adminB.credit.approve.mutate({ id: held[0].id }))).toBe('NOT_FOUND');
      expect(await crmCodeOf(h.adminB.credit.reject.mutate({ id: held[0].id, reason: 'x' }))).toBe('NOT_FOUND');
    }
    expect((await h.adminB.credit.approvals.query({ queue: 'all' })).items).toEqual([]);
    expect((await h.adminB.fx.listRates.query({})).items).toEqual([]);
  });
});
