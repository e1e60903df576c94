import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, errorOf, freshUsers, startHarness, type Harness } from './helpers/harness.js';

// The seed's chain store: headquarters orders for its stores; store A settles its own invoices,
// store B is billed to headquarters. All through the client over HTTP, in a tenant on Shanghai time.

const CNY = 'CNY';

describe('order to cash across the headquarters/branch hierarchy', () => {
  let h: Harness;
  let hq: string;
  let storeA: string;
  let storeB: string;
  beforeAll(async () => {
    h = await startHarness({ start: '2026-01-10T02:00:00Z' });
    const settings = await h.adminA.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai', baseCurrency: CNY });
    expect(settings).toMatchObject({ timeZone: 'Asia/Shanghai', baseCurrency: CNY, version: 2 });
    hq = (await h.adminA.accounts.create.mutate({ name: 'Huadong Chain HQ' })).id;
    storeA = (await h.adminA.accounts.create.mutate({ name: 'Store A (Suzhou)', parentId: hq, settlesOwnInvoices: true })).id;
    storeB = (await h.adminA.accounts.create.mutate({ name: 'Store B (Wuxi)', parentId: hq })).id;
  });
  afterAll(() => h.close());

  const exposure = async (accountId: string) => h.adminA.accounts.exposure.query({ accountId });
  const figures = (f: { currency: string; ordersOpenMinor: number; invoicesOpenMinor: number; onAccountCreditMinor: number }[]) =>
    f.map(({ currency, ordersOpenMinor, invoicesOpenMinor, onAccountCreditMinor }) => ({ currency, ordersOpenMinor, invoicesOpenMinor, onAccountCreditMinor }));

  it('runs the chain-store story: orders, partial fulfilment, invoices with freight, a credit note, partial and unallocated payments', async () => {
    // Headquarters orders for store A (which settles its own invoices) and for store B (billed to headquarters).
    const forA = await h.adminA.orders.create.mutate({
      orderingAccountId: hq, shipToAccountId: storeA, billToAccountId: storeA, currency: CNY, reference: 'PO-A-1',
      lines: [
        { description: 'Rice cookers', sku: 'RC-5L', quantity: 100, unitPriceMinor: 50_00 },
        { description: 'Extended warranty, 2 years', quantity: 1, unitPriceMinor: 2_000_00 },
        { description: 'Opening discount', quantity: 1, unitPriceMinor: -100_00 },
      ],
    });
    expect(forA).toMatchObject({ status: 'draft', totalMinor: 6_900_00, openMinor: 0, billToAccountId: storeA, shipToAccountId: storeA });
    const forB = await h.adminA.orders.create.mutate({ orderingAccountId: hq, shipToAccountId: storeB, currency: CNY, lines: [{ description: 'Kettles', quantity: 40, unitPriceMinor: 30_00 }] });
    expect(forB).toMatchObject({ billToAccountId: hq, shipToAccountId: storeB, totalMinor: 1_200_00 });
    // A store's own order defaults to the hierarchy: B does not settle, so headquarters is billed.
    const parties = await h.adminA.orders.create.mutate({ orderingAccountId: storeB, currency: CNY, lines: [{ description: 'Sample', quantity: 1, unitPriceMinor: 1_00 }] });
    expect(parties).toMatchObject({ billToAccountId: hq, shipToAccountId: storeB });
    expect(parties.partyExplanation.map((s) => s.rule)).toEqual(['ship-to', 'bill-to', 'bill-to']);

    // Drafts count toward nothing; confirming moves them into exposure.
    expect((await exposure(storeA)).own).toEqual([]);
    const a = await h.adminA.orders.confirm.mutate({ id: forA.id });
    await h.adminA.orders.confirm.mutate({ id: forB.id });
    expect(a).toMatchObject({ status: 'confirmed', openMinor: 6_900_00 });
    expect(figures((await exposure(storeA)).own)).toEqual([{ currency: CNY, ordersOpenMinor: 6_900_00, invoicesOpenMinor: 0, onAccountCreditMinor: 0 }]);
    expect(figures((await exposure(hq)).own)).toEqual([{ currency: CNY, ordersOpenMinor: 1_200_00, invoicesOpenMinor: 0, onAccountCreditMinor: 0 }]);
    expect(figures((await exposure(hq)).group)).toEqual([{ currency: CNY, ordersOpenMinor: 8_100_00, invoicesOpenMinor: 0, onAccountCreditMinor: 0 }]);

    // Delivered over time: 60 of the 100 cookers (the warranty is a line of its own, delivered later).
    const goods = a.lines[0]!;
    const partly = await h.adminA.orders.fulfil.mutate({ id: forA.id, lines: [{ lineId: goods.id, quantity: 60 }] });
    expect(partly.status).toBe('partially_fulfilled');
    expect(await crmCodeOf(h.adminA.orders.fulfil.mutate({ id: forA.id, lines: [{ lineId: goods.id, quantity: 41 }] }))).toBe('VALIDATION');

    // Invoice the 60 delivered, with freight (invoice-only), due on 31 January (Shanghai).
    const invA = await h.adminA.invoices.create.mutate({
      billToAccountId: storeA, currency: CNY, number: 'INV-A-1', dueDate: '2026-01-31',
      lines: [
        { description: '60 rice cookers', amountMinor: 3_000_00, orderLineId: goods.id },
        { description: 'Freight', amountMinor: 150_00 },
      ],
    });
    expect(invA).toMatchObject({ totalMinor: 3_150_00, openMinor: 3_150_00, status: 'open' });
    expect(invA.lines.map((l) => l.appliedToOrderMinor)).toEqual([3_000_00, 0]);
    const afterInvoice = await h.adminA.orders.get.query({ id: forA.id });
    expect(afterInvoice).toMatchObject({ invoicedMinor: 3_000_00, openMinor: 3_900_00 });
    expect(figures((await exposure(storeA)).own)).toEqual([{ currency: CNY, ordersOpenMinor: 3_900_00, invoicesOpenMinor: 3_150_00, onAccountCreditMinor: 0 }]);

    // A return of 10 cookers: a credit note on the invoice's goods line.
    const credit = await h.adminA.invoices.createCreditNote.mutate({ invoiceId: invA.id, reason: '10 cookers returned damaged', lines: [{ correctsLineId: invA.lines[0]!.id, amountMinor: 500_00 }] });
    expect(credit).toMatchObject({ kind: 'credit_note', totalMinor: -500_00, openMinor: 0, status: 'settled', correctsInvoiceId: invA.id, dueDate: '2026-01-10' });
    expect(await h.adminA.invoices.get.query({ id: invA.id })).toMatchObject({ openMinor: 2_650_00 });

    // Store A pays part; headquarters pays an amount not yet allocated.
    const paidA = await h.adminA.payments.create.mutate({ accountId: storeA, currency: CNY, amountMinor: 1_000_00, allocations: [{ invoiceId: invA.id, amountMinor: 1_000_00 }] });
    expect(paidA).toMatchObject({ allocatedMinor: 1_000_00, unallocatedMinor: 0 });
    const hqPayment = await h.adminA.payments.create.mutate({ accountId: hq, currency: CNY, amountMinor: 2_000_00, reference: 'wire 7781' });
    expect(hqPayment.unallocatedMinor).toBe(2_000_00);

    // Headquarters is invoiced for store B's order, due a month later, and allocates part of its payment.
    const invB = await h.adminA.invoices.create.mutate({ billToAccountId: hq, currency: CNY, dueDate: '2026-02-28', lines: [{ description: '40 kettles', amountMinor: 1_200_00, orderLineId: forB.lines[0]!.id }] });
    await h.adminA.payments.allocate.mutate({ id: hqPayment.id, allocations: [{ invoiceId: invB.id, amountMinor: 700_00 }] });
    expect(await h.adminA.orders.get.query({ id: forB.id })).toMatchObject({ status: 'confirmed', openMinor: 0, invoicedMinor: 1_200_00 });

    // Exposure, exactly: store A owes 1,650.00 on the invoice and 3,900.00 of order not yet invoiced.
    expect(figures((await exposure(storeA)).own)).toEqual([{ currency: CNY, ordersOpenMinor: 3_900_00, invoicesOpenMinor: 1_650_00, onAccountCreditMinor: 0 }]);
    expect((await exposure(storeA)).own[0]!.exposureMinor).toBe(5_550_00);
    expect(figures((await exposure(hq)).own)).toEqual([{ currency: CNY, ordersOpenMinor: 0, invoicesOpenMinor: 500_00, onAccountCreditMinor: 1_300_00 }]);
    expect(figures((await exposure(hq)).group)).toEqual([{ currency: CNY, ordersOpenMinor: 3_900_00, invoicesOpenMinor: 2_150_00, onAccountCreditMinor: 1_300_00 }]);
    expect((await exposure(hq)).group[0]!.exposureMinor).toBe(4_750_00);
    expect((await exposure(storeB)).own).toEqual([]);

    // Ageing across the month end: 00:29:59 on 1 February in Shanghai is still 31 January there.
    const before = await h.adminA.accounts.receivables.query({ accountId: storeA, asOf: '2026-01-31T16:29:59.000Z' });
    expect(before).toMatchObject({ asOfDate: '2026-02-01', timeZone: 'Asia/Shanghai' });
    const atMidnight = await h.adminA.accounts.receivables.query({ accountId: storeA, asOf: '2026-01-31T15:59:59.999Z' });
    expect(atMidnight.asOfDate).toBe('2026-01-31');
    expect(atMidnight.currencies[0]).toMatchObject({ currency: CNY, openMinor: 1_650_00, buckets: { current: 1_650_00, '1-30': 0 } });
    expect(atMidnight.currencies[0]!.invoices[0]).toMatchObject({ id: invA.id, daysPastDue: 0, bucket: 'current' });
    const overdue = await h.adminA.accounts.receivables.query({ accountId: storeA, asOf: '2026-01-31T16:30:00.000Z' });
    expect(overdue.currencies[0]!.invoices[0]).toMatchObject({ id: invA.id, daysPastDue: 1, bucket: '1-30' });
    expect(overdue.currencies[0]!.buckets).toEqual({ current: 0, '1-30': 1_650_00, '31-60': 0, '61-90': 0, 'over-90': 0 });

    // The group: headquarters' own invoice, store A's, and headquarters' credit on account.
    const group = await h.adminA.accounts.receivables.query({ accountId: hq, group: true, asOf: '2026-03-15T04:00:00.000Z' });
    expect(group.currencies).toEqual([
      expect.objectContaining({ currency: CNY, openMinor: 2_150_00, onAccountCreditMinor: 1_300_00, netMinor: 850_00, buckets: { current: 0, '1-30': 500_00, '31-60': 1_650_00, '61-90': 0, 'over-90': 0 } }),
    ]);
    // As of before the payments, the same invoice was open in full.
    const earlier = await h.adminA.accounts.receivables.query({ accountId: storeA, asOf: '2026-01-09T00:00:00.000Z' });
    expect(earlier.currencies).toEqual([]);

    // Rebuilt from the documents alone, every figure agrees.
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('moves a branch’s figures to its new ancestors when it is re-parented', async () => {
    const region = (await h.adminA.accounts.create.mutate({ name: 'East region' })).id;
    const store = (await h.adminA.accounts.create.mutate({ name: 'Store C', parentId: hq, settlesOwnInvoices: true })).id;
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: store, currency: CNY, lines: [{ description: 'Fridges', quantity: 2, unitPriceMinor: 3_000_00 }] });
    await h.adminA.orders.confirm.mutate({ id: order.id });
    const hqBefore = (await exposure(hq)).group[0]!.ordersOpenMinor;
    await h.adminA.accounts.setParent.mutate({ id: store, parentId: region });
    expect((await exposure(hq)).group[0]!.ordersOpenMinor).toBe(hqBefore - 6_000_00);
    expect(figures((await exposure(region)).group)).toEqual([{ currency: CNY, ordersOpenMinor: 6_000_00, invoicesOpenMinor: 0, onAccountCreditMinor: 0 }]);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('keeps amendments above what was invoiced and delivered, and cancels only the uninvoiced remainder', async () => {
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: storeA, currency: CNY, lines: [{ description: 'Fans', quantity: 10, unitPriceMinor: 100_00 }] });
    const confirmed = await h.adminA.orders.confirm.mutate({ id: order.id });
    const line = confirmed.lines[0]!;
    await h.adminA.orders.fulfil.mutate({ id: order.id, lines: [{ lineId: line.id, quantity: 4 }] });
    await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-02-15', lines: [{ description: '6 fans', amountMinor: 600_00, orderLineId: line.id }] });
    const below = await errorOf(h.adminA.orders.update.mutate({ id: order.id, lines: [{ id: line.id, description: 'Fans', quantity: 5, unitPriceMinor: 100_00 }] }));
    expect(below).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { 'lines.0.quantity': [expect.stringContaining('600')] } });
    const tooFew = await errorOf(h.adminA.orders.update.mutate({ id: order.id, lines: [{ id: line.id, description: 'Fans', quantity: 3, unitPriceMinor: 300_00 }] }));
    expect(tooFew).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { 'lines.0.quantity': [expect.stringContaining('4 already delivered')] } });
    const amended = await h.adminA.orders.update.mutate({ id: order.id, lines: [{ id: line.id, description: 'Fans', quantity: 12, unitPriceMinor: 100_00 }, { description: 'Stands', quantity: 2, unitPriceMinor: 50_00 }] });
    expect(amended).toMatchObject({ totalMinor: 1_300_00, openMinor: 700_00 });
    expect(amended.lines[1]!.attribution).toMatchObject({ status: 'unattributed' });
    const cancelled = await h.adminA.orders.cancel.mutate({ id: order.id, reason: 'store closing' });
    expect(cancelled).toMatchObject({ status: 'cancelled', openMinor: 0, invoicedMinor: 600_00 });
    const reopened = await h.adminA.orders.reopen.mutate({ id: order.id });
    expect(reopened.status).toBe('draft');
    expect(await crmCodeOf(h.adminA.orders.reopen.mutate({ id: order.id }))).toBe('PRECONDITION_FAILED');
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('refuses a cross-currency allocation, an allocation above the open balance, and documents outside the group', async () => {
    const other = (await h.adminA.accounts.create.mutate({ name: 'Unrelated Ltd' })).id;
    const inv = await h.adminA.invoices.create.mutate({ billToAccountId: storeA, currency: CNY, dueDate: '2026-03-01', lines: [{ description: 'Service', amountMinor: 100_00 }] });
    const usd = await h.adminA.payments.create.mutate({ accountId: storeA, currency: 'USD', amountMinor: 50_00 });
    const cross = await errorOf(h.adminA.payments.allocate.mutate({ id: usd.id, allocations: [{ invoiceId: inv.id, amountMinor: 10_00 }] }));
    expect(cross).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { 'allocations.0.invoiceId': [expect.stringContaining('USD')] }, details: { invoiceCurrency: CNY, paymentCurrency: 'USD' } });
    const cny = await h.adminA.payments.create.mutate({ accountId: storeA, currency: CNY, amountMinor: 500_00 });
    expect(await errorOf(h.adminA.payments.allocate.mutate({ id: cny.id, allocations: [{ invoiceId: inv.id, amountMinor: 100_01 }] }))).toMatchObject({ crmCode: 'VALIDATION' });
    const outsider = await h.adminA.payments.create.mutate({ accountId: other, currency: CNY, amountMinor: 10_00 });
    expect(await errorOf(h.adminA.payments.allocate.mutate({ id: outsider.id, allocations: [{ invoiceId: inv.id, amountMinor: 10_00 }] }))).toMatchObject({ crmCode: 'VALIDATION' });
    expect(await errorOf(h.adminA.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: other, currency: CNY, lines: [{ description: 'x', quantity: 1, unitPriceMinor: 1 }] }))).toMatchObject({
      crmCode: 'VALIDATION', fieldErrors: { billToAccountId: [expect.any(String)] },
    });
    // Voiding the payment reverses its allocations; voiding the invoice returns what was allocated to the payer's credit.
    await h.adminA.payments.allocate.mutate({ id: cny.id, allocations: [{ invoiceId: inv.id, amountMinor: 60_00 }] });
    const voidedInvoice = await h.adminA.invoices.void.mutate({ id: inv.id, reason: 'issued in error' });
    expect(voidedInvoice).toMatchObject({ status: 'void', openMinor: 0 });
    expect(await h.adminA.payments.get.query({ id: cny.id })).toMatchObject({ allocatedMinor: 0, unallocatedMinor: 500_00 });
    await h.adminA.payments.void.mutate({ id: cny.id, reason: 'bounced' });
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('records the owner of record and the person acting on each line at confirmation, never rewritten', async () => {
    const [rep, cover] = await freshUsers(h.adminA, 'rep', 'cover');
    const repClient = await h.asUser(h.tenantA, rep!, 'rep');
    const account = (await repClient.accounts.create.mutate({ name: 'Rep-owned shop' })).id;
    await h.adminA.delegations.create.mutate({ delegatorId: rep!, delegateId: cover!, validFrom: h.clock.now().toISOString(), validTo: new Date(h.clock.now().getTime() + 7 * 86_400_000).toISOString(), reason: 'annual leave' });
    const order = await repClient.orders.create.mutate({ orderingAccountId: account, currency: CNY, lines: [{ description: 'Blenders', quantity: 3, unitPriceMinor: 200_00 }] });
    const confirmed = await repClient.orders.confirm.mutate({ id: order.id });
    const attribution = confirmed.lines[0]!.attribution!;
    expect(attribution).toMatchObject({ status: 'attributed', ownerOfRecord: { userId: rep }, acting: { userId: cover } });
    expect(attribution.acting.explanation.at(-1)).toMatchObject({ rule: 'primary-owner', subjectId: cover });
    // Another rep's client cannot see the order at all.
    const [stranger] = await freshUsers(h.adminA, 'stranger');
    const strangerClient = await h.asUser(h.tenantA, stranger!, 'rep');
    expect(await crmCodeOf(strangerClient.orders.get.query({ id: order.id }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.orders.get.query({ id: order.id }))).toBe('NOT_FOUND');
    // Ownership moves later; the recorded attribution does not.
    await h.adminA.ownership.assign.mutate({ accountId: account, primaryOwnerId: stranger!, reason: 'territory change' });
    expect((await h.adminA.orders.get.query({ id: order.id })).lines[0]!.attribution).toEqual(attribution);
    // Reps read orders and receivables of accounts they see, but may not issue invoices or take payments.
    expect(await crmCodeOf(repClient.invoices.create.mutate({ billToAccountId: account, currency: CNY, dueDate: '2026-02-01', lines: [{ description: 'x', amountMinor: 1 }] }))).toBe('FORBIDDEN');
  });
});
