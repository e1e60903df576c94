import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.js';

// Rules that span rows under concurrency, on SQLite and on PostgreSQL (where READ COMMITTED would
// let a read-then-write race through): an invoice never settled below zero, a payment never spent
// twice, an invoice line never credited beyond its amount, and exposure figures that still agree
// with the documents after concurrent confirmations, invoices, payments and re-parenting.

const CNY = 'CNY';
/** The crmkit codes of the calls that failed (every failure must be a typed, retryable refusal). */
const failures = (results: PromiseSettledResult<unknown>[]) =>
  results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { data?: { crmCode?: string } }).data?.crmCode ?? 'untyped'] : []));

describe('order-to-cash invariants under concurrency', () => {
  let h: Harness;
  let hq: string;
  let store: string;
  beforeAll(async () => {
    h = await startHarness();
    hq = (await h.adminA.accounts.create.mutate({ name: 'Race HQ' })).id;
    store = (await h.adminA.accounts.create.mutate({ name: 'Race store', parentId: hq, settlesOwnInvoices: true })).id;
  });
  afterAll(() => h.close());

  it('lets only as many allocations through as an invoice has open, however many race for it', async () => {
    const invoice = await h.adminA.invoices.create.mutate({ billToAccountId: store, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Goods', amountMinor: 1_000 }] });
    const payments = await Promise.all(Array.from({ length: 8 }, () => h.adminA.payments.create.mutate({ accountId: store, currency: CNY, amountMinor: 400 })));
    const results = await Promise.allSettled(payments.map((p) => h.adminA.payments.allocate.mutate({ id: p.id, allocations: [{ invoiceId: invoice.id, amountMinor: 400 }] })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(2); // 2 × 400 fit in 1,000; a third would take it below zero
    expect(failures(results).every((c) => c === 'VALIDATION' || c === 'CONFLICT')).toBe(true);
    expect(await h.adminA.invoices.get.query({ id: invoice.id })).toMatchObject({ openMinor: 200, status: 'open' });
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('never spends one payment twice when it is allocated to several invoices at once', async () => {
    const invoices = await Promise.all(Array.from({ length: 6 }, () => h.adminA.invoices.create.mutate({ billToAccountId: store, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Goods', amountMinor: 500 }] })));
    const payment = await h.adminA.payments.create.mutate({ accountId: store, currency: CNY, amountMinor: 1_000 });
    const results = await Promise.allSettled(invoices.map((i) => h.adminA.payments.allocate.mutate({ id: payment.id, allocations: [{ invoiceId: i.id, amountMinor: 500 }] })));
    const spent = results.filter((r) => r.status === 'fulfilled').length;
    expect(spent).toBeGreaterThanOrEqual(1);
    expect(spent).toBeLessThanOrEqual(2);
    expect(failures(results).every((c) => c === 'VALIDATION' || c === 'CONFLICT')).toBe(true);
    const after = await h.adminA.payments.get.query({ id: payment.id });
    expect(after.allocatedMinor).toBeLessThanOrEqual(1_000);
    expect(after.allocatedMinor).toBe(after.allocations.filter((a) => a.voidedAt === null).reduce((s, a) => s + a.amountMinor, 0));
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('never credits an invoice line beyond its amount when credit notes race', async () => {
    const invoice = await h.adminA.invoices.create.mutate({ billToAccountId: store, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Goods', amountMinor: 1_000 }] });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => h.adminA.invoices.createCreditNote.mutate({ invoiceId: invoice.id, reason: 'return', lines: [{ correctsLineId: invoice.lines[0]!.id, amountMinor: 300 }] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(3);
    expect(failures(results).every((c) => c === 'VALIDATION' || c === 'CONFLICT')).toBe(true);
    const after = await h.adminA.invoices.get.query({ id: invoice.id });
    expect(after.lines[0]!.creditedMinor).toBeLessThanOrEqual(1_000);
    expect(after.openMinor).toBe(1_000 - after.lines[0]!.creditedMinor);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('never invoices an order line past its amount when invoices for it race', async () => {
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: store, currency: CNY, lines: [{ description: 'Goods', quantity: 10, unitPriceMinor: 100 }] });
    const line = (await h.adminA.orders.confirm.mutate({ id: order.id })).lines[0]!;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => h.adminA.invoices.create.mutate({ billToAccountId: store, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Goods', amountMinor: 400, orderLineId: line.id }] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(failures(results).every((c) => c === 'CONFLICT' || c === 'UNAVAILABLE')).toBe(true);
    const after = (await h.adminA.orders.get.query({ id: order.id })).lines[0]!;
    expect(after.invoicedMinor).toBeLessThanOrEqual(1_000);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.lines[0]!.appliedToOrderMinor] : []));
    expect(after.invoicedMinor).toBe(applied.reduce((a, b) => a + b, 0));
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('keeps exposure equal to the documents when confirmations, invoices and payments race with re-parenting', async () => {
    const region = (await h.adminA.accounts.create.mutate({ name: 'Race region' })).id;
    const branch = (await h.adminA.accounts.create.mutate({ name: 'Race branch', parentId: hq, settlesOwnInvoices: true })).id;
    const drafts = await Promise.all(Array.from({ length: 6 }, (_, i) => h.adminA.orders.create.mutate({ orderingAccountId: branch, currency: CNY, lines: [{ description: `Goods ${i}`, quantity: 2, unitPriceMinor: 250 }] })));
    const results = await Promise.allSettled([
      ...drafts.map((d) => h.adminA.orders.confirm.mutate({ id: d.id })),
      h.adminA.accounts.setParent.mutate({ id: branch, parentId: region }),
      h.adminA.invoices.create.mutate({ billToAccountId: branch, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Service', amountMinor: 700 }] }),
      h.adminA.payments.create.mutate({ accountId: branch, currency: CNY, amountMinor: 300 }),
      h.adminA.accounts.setParent.mutate({ id: branch, parentId: hq }),
    ]);
    expect(failures(results).every((c) => c === 'CONFLICT' || c === 'UNAVAILABLE')).toBe(true);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });
});
