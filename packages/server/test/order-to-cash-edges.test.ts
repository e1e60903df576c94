import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, errorOf, startHarness, type Harness } from './helpers/harness.js';

// The edges of the order-to-cash rules the docs promise, each checked against credit.rebuild.

const CNY = 'CNY';

describe('order-to-cash edges', () => {
  let h: Harness;
  let hq: string;
  let store: string;
  let other: string;
  beforeAll(async () => {
    h = await startHarness({ start: '2026-05-10T02:00:00Z' });
    hq = (await h.adminA.accounts.create.mutate({ name: 'Edge HQ' })).id;
    store = (await h.adminA.accounts.create.mutate({ name: 'Edge store', parentId: hq })).id;
    other = (await h.adminA.accounts.create.mutate({ name: 'Edge store 2', parentId: hq, settlesOwnInvoices: true })).id;
  });
  afterAll(() => h.close());
  const exposure = async (accountId: string, scope: 'own' | 'group' = 'own') => (await h.adminA.accounts.exposure.query({ accountId }))[scope][0] ?? null;
  const agrees = async () => expect((await h.adminA.credit.rebuild.mutate({ dryRun: true })).differences).toEqual([]);

  it('moves a draft’s bill-to with its explanation, and counts the order where it is billed once confirmed', async () => {
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: store, currency: CNY, lines: [{ description: 'Goods', quantity: 1, unitPriceMinor: 1_000 }] });
    expect(order.billToAccountId).toBe(hq);
    const moved = await h.adminA.orders.update.mutate({ id: order.id, billToAccountId: other });
    expect(moved.billToAccountId).toBe(other);
    expect(moved.partyExplanation.at(-1)).toMatchObject({ rule: 'bill-to', outcome: 'applied', subjectId: other });
    await h.adminA.orders.confirm.mutate({ id: order.id });
    expect(await exposure(other)).toMatchObject({ ordersOpenMinor: 1_000 });
    // A running order keeps its parties.
    expect(await errorOf(h.adminA.orders.update.mutate({ id: order.id, billToAccountId: hq }))).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { billToAccountId: [expect.any(String)] } });
    await agrees();
  });

  it('refuses to invoice a draft or a cancelled order, and to fulfil a draft', async () => {
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: other, currency: CNY, lines: [{ description: 'Goods', quantity: 2, unitPriceMinor: 500 }] });
    const line = order.lines[0]!.id;
    const invoice = () => h.adminA.invoices.create.mutate({ billToAccountId: other, currency: CNY, dueDate: '2026-06-01', lines: [{ description: 'Goods', amountMinor: 500, orderLineId: line }] });
    expect(await crmCodeOf(invoice())).toBe('PRECONDITION_FAILED');
    expect(await crmCodeOf(h.adminA.orders.fulfil.mutate({ id: order.id, lines: [{ lineId: line, quantity: 1 }] }))).toBe('PRECONDITION_FAILED');
    await h.adminA.orders.confirm.mutate({ id: order.id });
    await h.adminA.orders.cancel.mutate({ id: order.id, reason: 'changed mind' });
    expect(await crmCodeOf(invoice())).toBe('PRECONDITION_FAILED');
    expect(await crmCodeOf(h.adminA.orders.cancel.mutate({ id: order.id, reason: 'again' }))).toBe('PRECONDITION_FAILED');
    await agrees();
  });

  it('brings a partly invoiced order back through reopen and confirm counting only its remainder', async () => {
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: other, currency: CNY, lines: [{ description: 'Goods', quantity: 4, unitPriceMinor: 250 }] });
    const line = (await h.adminA.orders.confirm.mutate({ id: order.id })).lines[0]!;
    const before = (await exposure(other))!;
    await h.adminA.invoices.create.mutate({ billToAccountId: other, currency: CNY, dueDate: '2026-06-01', lines: [{ description: 'Half', amountMinor: 500, orderLineId: line.id }] });
    await h.adminA.orders.cancel.mutate({ id: order.id, reason: 'pause' });
    expect((await exposure(other))!.ordersOpenMinor).toBe(before.ordersOpenMinor - 1_000);
    await h.adminA.orders.reopen.mutate({ id: order.id });
    const again = await h.adminA.orders.confirm.mutate({ id: order.id });
    expect(again).toMatchObject({ status: 'confirmed', openMinor: 500, invoicedMinor: 500 });
    // Attribution recorded at the first confirmation is kept.
    expect(again.lines[0]!.attribution).toEqual(line.attribution);
    expect((await exposure(other))!.ordersOpenMinor).toBe(before.ordersOpenMinor - 500);
    await agrees();
  });

  it('puts a credit note on a paid invoice wholly on account, and a voided payment back on the invoice', async () => {
    const invoice = await h.adminA.invoices.create.mutate({ billToAccountId: other, currency: CNY, dueDate: '2026-06-01', lines: [{ description: 'Service', amountMinor: 800 }] });
    const payment = await h.adminA.payments.create.mutate({ accountId: other, currency: CNY, amountMinor: 800, allocations: [{ invoiceId: invoice.id, amountMinor: 800 }] });
    expect(await h.adminA.invoices.get.query({ id: invoice.id })).toMatchObject({ status: 'settled', openMinor: 0 });
    const creditBefore = (await exposure(other))!.onAccountCreditMinor;
    const note = await h.adminA.invoices.createCreditNote.mutate({ invoiceId: invoice.id, reason: 'price correction', lines: [{ correctsLineId: invoice.lines[0]!.id, amountMinor: 300 }] });
    expect(note).toMatchObject({ openMinor: -300, status: 'open' });
    expect((await exposure(other))!.onAccountCreditMinor).toBe(creditBefore + 300);
    const voided = await h.adminA.payments.void.mutate({ id: payment.id, reason: 'bounced' });
    expect(voided).toMatchObject({ status: 'void', unallocatedMinor: 0 });
    expect(await h.adminA.invoices.get.query({ id: invoice.id })).toMatchObject({ status: 'open', openMinor: 800 });
    expect(await crmCodeOf(h.adminA.payments.void.mutate({ id: payment.id, reason: 'twice' }))).toBe('PRECONDITION_FAILED');
    // The invoice cannot be voided while its credit note stands; after the note is voided it can.
    expect(await crmCodeOf(h.adminA.invoices.void.mutate({ id: invoice.id, reason: 'x' }))).toBe('PRECONDITION_FAILED');
    await h.adminA.invoices.void.mutate({ id: note.id, reason: 'issued in error' });
    expect((await h.adminA.invoices.get.query({ id: invoice.id })).lines[0]!.creditedMinor).toBe(0);
    await h.adminA.invoices.void.mutate({ id: invoice.id, reason: 'cancelled service' });
    await agrees();
  });

  it('pages and filters orders by status, bill-to and period', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      h.clock.advance(60_000);
      ids.push((await h.adminA.orders.create.mutate({ orderingAccountId: other, currency: 'USD', reference: `page-${i}`, lines: [{ description: 'x', quantity: 1, unitPriceMinor: 1 }] })).id);
    }
    await h.adminA.orders.confirm.mutate({ id: ids[1]! });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.adminA.orders.list.query({ billToAccountId: other, status: ['draft'], limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((o) => o.id));
      expect(page.items.every((o) => o.status === 'draft' && o.billToAccountId === other)).toBe(true);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([ids[4], ids[3], ids[2], ids[0]]);
    const window = await h.adminA.orders.list.query({ orderedFrom: (await h.adminA.orders.get.query({ id: ids[2]! })).orderedAt, orderedBefore: (await h.adminA.orders.get.query({ id: ids[4]! })).orderedAt });
    expect(window.items.map((o) => o.id)).toEqual([ids[3], ids[2]]);
    expect(await crmCodeOf(h.adminA.orders.list.query({ cursor: 'not-a-cursor' }))).toBe('VALIDATION');
  });

  it('refuses amounts and dates no database stores, and a line amount past the safe range, with VALIDATION', async () => {
    const order = (lines: { quantity: number; unitPriceMinor: number }[]) => h.adminA.orders.create.mutate({ orderingAccountId: other, currency: CNY, lines: lines.map((l) => ({ description: 'x', ...l })) });
    expect(await errorOf(order([{ quantity: 1_000_000_000, unitPriceMinor: 10_000_000_000_000 }]))).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { 'lines.0': [expect.any(String)] } });
    expect(await errorOf(order([{ quantity: 1, unitPriceMinor: 100 }, { quantity: 1, unitPriceMinor: -200 }]))).toMatchObject({ crmCode: 'VALIDATION', fieldErrors: { lines: [expect.any(String)] } });
    expect(await crmCodeOf(h.adminA.invoices.create.mutate({ billToAccountId: other, currency: CNY, dueDate: '2026-02-30', lines: [{ description: 'x', amountMinor: 1 }] }))).toBe('VALIDATION');
    expect(await crmCodeOf(h.adminA.invoices.create.mutate({ billToAccountId: other, currency: CNY, dueDate: '0000-01-01', lines: [{ description: 'x', amountMinor: 1 }] }))).toBe('VALIDATION');
    expect(await crmCodeOf(h.adminA.payments.create.mutate({ accountId: other, currency: CNY, amountMinor: 2 ** 60 }))).toBe('VALIDATION');
    expect(await crmCodeOf(h.adminA.accounts.receivables.query({ accountId: other, asOf: '0000-01-01T00:00:00.000Z' }))).toBe('VALIDATION');
  });
});
