import fc from 'fast-check';
import { createFakeClock } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmServer, type CrmServer } from '../src/index.js';
import { freshDatabaseUrl } from './helpers/database.js';

// Random sequences of order-to-cash steps. After every step the incrementally kept exposure
// figures must equal those rebuilt from the documents alone, for every account and group, and no
// money may be invented or lost. CRMKIT_PROPERTY_RUNS raises the number of sequences (default 100,
// of up to 25 steps each) for a longer run.

const RUNS = Number(process.env.CRMKIT_PROPERTY_RUNS ?? 100);
const CURRENCIES = ['CNY', 'USD'] as const;

type Caller = ReturnType<CrmServer['createCaller']>;

/** One step, with indexes that pick among the documents existing when it runs. */
const stepArb = fc.oneof(
  fc.record({
    op: fc.constant('order' as const),
    account: fc.nat(),
    confirm: fc.boolean(),
    currency: fc.constantFrom(...CURRENCIES),
    lines: fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), unitPriceMinor: fc.integer({ min: -300, max: 5_000 }) }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ op: fc.constantFrom('confirm' as const, 'cancel' as const, 'reopen' as const), order: fc.nat() }),
  fc.record({ op: fc.constant('amend' as const), order: fc.nat(), quantity: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('fulfil' as const), order: fc.nat(), quantity: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('invoice' as const), order: fc.nat(), share: fc.integer({ min: 1, max: 120 }), freight: fc.integer({ min: 0, max: 500 }) }),
  fc.record({ op: fc.constant('creditNote' as const), invoice: fc.nat(), amount: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ op: fc.constant('pay' as const), account: fc.nat(), currency: fc.constantFrom(...CURRENCIES), amount: fc.integer({ min: 1, max: 8_000 }), allocateTo: fc.option(fc.nat()) }),
  fc.record({ op: fc.constant('allocate' as const), payment: fc.nat(), invoice: fc.nat(), amount: fc.integer({ min: 1, max: 4_000 }) }),
  fc.record({ op: fc.constantFrom('voidInvoice' as const, 'voidPayment' as const), target: fc.nat() }),
  fc.record({ op: fc.constant('setParent' as const), account: fc.nat(), parent: fc.nat() }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

interface World {
  tenantId: string;
  caller: Caller;
  accounts: string[];
  roots: string[];
  orders: string[];
  invoices: string[];
  payments: string[];
}

const pick = <T>(list: readonly T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);

const RUNNING = new Set(['confirmed', 'partially_fulfilled', 'fulfilled']);

/** The first order from index `i` on (wrapping) whose status is one of `statuses`, so steps that need one mostly find one. */
async function findOrder(w: World, i: number, statuses: ReadonlySet<string> = RUNNING) {
  for (let k = 0; k < w.orders.length; k += 1) {
    const order = await w.caller.orders.get({ id: pick(w.orders, i + k)! });
    if (statuses.has(order.status)) return order;
  }
  return undefined;
}
const runningOrder = (w: World, i: number) => findOrder(w, i);
const wanted: Record<'confirm' | 'cancel' | 'reopen', ReadonlySet<string>> = {
  confirm: new Set(['draft']),
  cancel: new Set(['draft', 'confirmed', 'partially_fulfilled', 'fulfilled']),
  reopen: new Set(['cancelled']),
};

async function run(w: World, step: Step): Promise<boolean> {
  const c = w.caller;
  switch (step.op) {
    case 'order': {
      const order = await c.orders.create({
        orderingAccountId: pick(w.accounts, step.account)!,
        currency: step.currency,
        lines: step.lines.map((l, i) => ({ description: `line ${i}`, ...l })),
      });
      w.orders.push(order.id);
      if (step.confirm) await c.orders.confirm({ id: order.id });
      return true;
    }
    case 'confirm':
    case 'cancel':
    case 'reopen': {
      // Mostly an order in a status the action takes; now and then any order (a refusal).
      const id = step.order % 5 === 0 ? pick(w.orders, step.order) : (await findOrder(w, step.order, wanted[step.op]))?.id;
      if (!id) return false;
      if (step.op === 'confirm') await c.orders.confirm({ id });
      else if (step.op === 'cancel') await c.orders.cancel({ id, reason: 'property' });
      else await c.orders.reopen({ id });
      return true;
    }
    case 'amend': {
      const id = pick(w.orders, step.order);
      if (!id) return false;
      const order = await c.orders.get({ id });
      const [first, ...rest] = order.lines;
      await c.orders.update({
        id,
        lines: [
          { id: first!.id, description: first!.description, quantity: step.quantity, unitPriceMinor: first!.unitPriceMinor },
          ...rest.map((l) => ({ id: l.id, description: l.description, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor })),
        ],
      });
      return true;
    }
    case 'fulfil': {
      const order = await runningOrder(w, step.order);
      if (!order) return false;
      const id = order.id;
      const line = order.lines.find((l) => l.unitPriceMinor >= 0 && l.fulfilledQuantity < l.quantity);
      if (!line) return false;
      await c.orders.fulfil({ id, lines: [{ lineId: line.id, quantity: Math.min(step.quantity, line.quantity - line.fulfilledQuantity) }] });
      return true;
    }
    case 'invoice': {
      const order = await runningOrder(w, step.order);
      if (!order) return false;
      // Part of (or more than) each line's remainder; a line already wholly invoiced is left out.
      const lines = order.lines
        .filter((l) => l.uninvoicedMinor !== 0)
        .map((l) => ({ description: l.description, orderLineId: l.id, amountMinor: Math.trunc((l.uninvoicedMinor * step.share) / 100) || Math.sign(l.uninvoicedMinor) }));
      if (step.freight) lines.push({ description: 'freight', amountMinor: step.freight } as (typeof lines)[number]);
      if (lines.length === 0) return false;
      const invoice = await c.invoices.create({ billToAccountId: order.billToAccountId, currency: order.currency, dueDate: '2026-02-15', lines });
      w.invoices.push(invoice.id);
      return true;
    }
    case 'creditNote': {
      const id = pick(w.invoices, step.invoice);
      if (!id) return false;
      const invoice = await c.invoices.get({ id });
      const line = invoice.lines.find((l) => l.amountMinor - l.creditedMinor > 0);
      if (!line) return false;
      const note = await c.invoices.createCreditNote({ invoiceId: id, reason: 'property', lines: [{ correctsLineId: line.id, amountMinor: Math.min(step.amount, line.amountMinor - line.creditedMinor) }] });
      w.invoices.push(note.id);
      return true;
    }
    case 'pay': {
      const accountId = pick(w.accounts, step.account)!;
      const target = step.allocateTo === null ? undefined : pick(w.invoices, step.allocateTo);
      const payment = await c.payments.create({
        accountId, currency: step.currency, amountMinor: step.amount,
        ...(target ? { allocations: [{ invoiceId: target, amountMinor: Math.max(1, Math.trunc(step.amount / 2)) }] } : {}),
      });
      w.payments.push(payment.id);
      return true;
    }
    case 'allocate': {
      if (w.payments.length === 0 || w.invoices.length === 0) return false;
      // A payment with something left, when there is one.
      let payment = await c.payments.get({ id: pick(w.payments, step.payment)! });
      for (let k = 1; k < w.payments.length && payment.unallocatedMinor === 0; k += 1) payment = await c.payments.get({ id: pick(w.payments, step.payment + k)! });
      const id = payment.id;
      // Mostly an open invoice in the payment's currency, for at most what both have left; now and then any invoice.
      let invoiceId = pick(w.invoices, step.invoice)!;
      let amountMinor = step.amount;
      if (step.invoice % 5 !== 0) {
        for (let k = 0; k < w.invoices.length; k += 1) {
          const invoice = await c.invoices.get({ id: pick(w.invoices, step.invoice + k)! });
          if (invoice.kind === 'invoice' && invoice.status === 'open' && invoice.currency === payment.currency) {
            invoiceId = invoice.id;
            amountMinor = Math.max(1, Math.min(step.amount, invoice.openMinor, payment.unallocatedMinor));
            break;
          }
        }
      }
      await c.payments.allocate({ id, allocations: [{ invoiceId, amountMinor }] });
      return true;
    }
    case 'voidInvoice': {
      const id = pick(w.invoices, step.target);
      if (!id) return false;
      await c.invoices.void({ id, reason: 'property' });
      return true;
    }
    case 'voidPayment': {
      const id = pick(w.payments, step.target);
      if (!id) return false;
      await c.payments.void({ id, reason: 'property' });
      return true;
    }
    case 'setParent': {
      const id = pick(w.accounts, step.account)!;
      const parent = step.parent % 3 === 0 ? null : pick(w.roots, step.parent)!;
      await c.accounts.setParent({ id, parentId: parent === id ? null : parent });
      return true;
    }
  }
}

/** The typed refusals a random step may meet; anything else (INTERNAL above all) fails the property. */
const REFUSALS = new Set(['VALIDATION', 'PRECONDITION_FAILED', 'CYCLE', 'CONFLICT']);

describe('exposure figures under random order-to-cash sequences', () => {
  let crm: CrmServer;
  let drop: () => Promise<void>;
  let sequence = 0;
  const done = new Map<string, number>();
  const refused = new Map<string, number>();
  beforeAll(async () => {
    const db = await freshDatabaseUrl();
    drop = db.drop;
    crm = await createCrmServer({ databaseUrl: db.url, clock: createFakeClock('2026-01-10T02:00:00Z') });
  });
  afterAll(async () => {
    await crm.close();
    await drop();
  });

  /** The money invariants on the documents themselves, per tenant. */
  async function assertConserved(tenantId: string): Promise<void> {
    const db = crm.db;
    const n = (v: bigint | number | null | undefined) => Number(v ?? 0);
    for (const i of await db.invoice.findMany({ where: { tenantId } })) {
      const settled = await db.invoiceSettlement.aggregate({ where: { tenantId, invoiceId: i.id, voidedAt: null }, _sum: { amountMinor: true } });
      if (i.kind === 'invoice' && i.status !== 'void') {
        expect(n(i.openMinor), `invoice ${i.id} open`).toBe(n(i.totalMinor) - n(settled._sum.amountMinor));
        expect(n(i.openMinor)).toBeGreaterThanOrEqual(0);
      }
      if (i.kind === 'credit_note' && i.status !== 'void') {
        const applied = await db.invoiceSettlement.aggregate({ where: { tenantId, creditNoteId: i.id, voidedAt: null }, _sum: { amountMinor: true } });
        expect(0 - n(i.openMinor), `credit note ${i.id} unapplied`).toBe(0 - n(i.totalMinor) - n(applied._sum.amountMinor));
        expect(n(i.openMinor)).toBeLessThanOrEqual(0);
      }
      if (i.status === 'void') expect(n(settled._sum.amountMinor), `void ${i.id} keeps no settlement`).toBe(0);
    }
    for (const p of await db.payment.findMany({ where: { tenantId } })) {
      const allocated = await db.invoiceSettlement.aggregate({ where: { tenantId, paymentId: p.id, voidedAt: null }, _sum: { amountMinor: true } });
      expect(n(p.allocatedMinor), `payment ${p.id} allocated`).toBe(n(allocated._sum.amountMinor));
      expect(n(p.allocatedMinor)).toBeLessThanOrEqual(n(p.amountMinor));
    }
    for (const l of await db.orderLine.findMany({ where: { tenantId } })) {
      const invoiced = await db.invoiceLine.findMany({ where: { tenantId, orderLineId: l.id, invoiceId: { in: (await db.invoice.findMany({ where: { tenantId, status: { not: 'void' } }, select: { id: true } })).map((i) => i.id) } } });
      const applied = invoiced.reduce((s, x) => s + n(x.appliedToOrderMinor), 0);
      expect(n(l.invoicedMinor), `order line ${l.id} invoiced`).toBe(applied);
      // Never past the line's amount, on the line's side of zero.
      expect(Math.abs(n(l.invoicedMinor))).toBeLessThanOrEqual(Math.abs(n(l.amountMinor)));
      if (n(l.invoicedMinor) !== 0) expect(Math.sign(n(l.invoicedMinor))).toBe(Math.sign(n(l.amountMinor)));
    }
    // Everything held on account (own figures, all accounts) is exactly what the payments and credit notes hold.
    const own = await db.exposureFigure.findMany({ where: { tenantId, scope: 'own' } });
    for (const currency of CURRENCIES) {
      const figures = own.filter((f) => f.currency === currency);
      const credit = figures.reduce((s, f) => s + n(f.onAccountCreditMinor), 0);
      const payments = await db.payment.findMany({ where: { tenantId, currency, status: 'active' } });
      const notes = await db.invoice.findMany({ where: { tenantId, currency, kind: 'credit_note', status: { not: 'void' } } });
      expect(credit, `${currency} credit on account`).toBe(payments.reduce((s, p) => s + n(p.amountMinor) - n(p.allocatedMinor), 0) + notes.reduce((s, i) => s - n(i.openMinor), 0));
      const open = await db.invoice.findMany({ where: { tenantId, currency, kind: 'invoice', status: 'open' } });
      expect(figures.reduce((s, f) => s + n(f.invoicesOpenMinor), 0), `${currency} open invoices`).toBe(open.reduce((s, i) => s + n(i.openMinor), 0));
    }
  }

  it(`agree with the figures rebuilt from the documents after every step, and conserve money (${RUNS} sequences of up to 25 steps)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 8, max: 25 }).chain((n) => fc.array(stepArb, { minLength: n, maxLength: n })), async (steps) => {
        sequence += 1;
        const tenantId = `ten_prop${sequence}`;
        await crm.bootstrap.createTenant({ id: tenantId, name: `Property ${sequence}` });
        const caller = crm.createCaller({ tenantId, type: 'apiKey', id: 'key_property', role: 'admin', scopes: null });
        const hq = (await caller.accounts.create({ name: 'HQ' })).id;
        const other = (await caller.accounts.create({ name: 'Other group' })).id;
        const storeA = (await caller.accounts.create({ name: 'Store A', parentId: hq, settlesOwnInvoices: true })).id;
        const storeB = (await caller.accounts.create({ name: 'Store B', parentId: hq })).id;
        const kiosk = (await caller.accounts.create({ name: 'Kiosk', parentId: storeB })).id;
        const w: World = { tenantId, caller, accounts: [hq, storeA, storeB, kiosk, other], roots: [hq, other, storeB], orders: [], invoices: [], payments: [] };
        // A prologue so every sequence has something of each kind to act on: a confirmed order, its invoice, a payment.
        await run(w, { op: 'order', account: 1, confirm: true, currency: 'CNY', lines: [{ quantity: 3, unitPriceMinor: 1_000 }, { quantity: 1, unitPriceMinor: -200 }] });
        await run(w, { op: 'invoice', order: 0, share: 50, freight: 100 });
        await run(w, { op: 'pay', account: 0, currency: 'CNY', amount: 700, allocateTo: null });
        for (const step of steps) {
          try {
            if (await run(w, step)) done.set(step.op, (done.get(step.op) ?? 0) + 1);
          } catch (error) {
            const code = (error as { cause?: { code?: string } }).cause?.code;
            if (!code || !REFUSALS.has(code)) throw error;
            refused.set(step.op, (refused.get(step.op) ?? 0) + 1);
          }
          const rebuilt = await caller.credit.rebuild({ dryRun: true });
          expect(rebuilt.differences, `after ${JSON.stringify(step)}`).toEqual([]);
        }
        await assertConserved(tenantId);
      }),
      { numRuns: RUNS },
    );
    // The sequences did the work they describe: every kind of step went through many times (not only refusals).
    for (const op of ['order', 'confirm', 'amend', 'fulfil', 'invoice', 'creditNote', 'pay', 'allocate', 'voidInvoice', 'voidPayment', 'setParent', 'cancel', 'reopen']) {
      expect(done.get(op) ?? 0, `${op} went through (refused ${refused.get(op) ?? 0} times)`).toBeGreaterThan(RUNS / 50);
    }
  }, 600_000);

  it('finds a difference when a kept figure is tampered with, and the rebuild repairs it', async () => {
    const tenantId = 'ten_tamper';
    await crm.bootstrap.createTenant({ id: tenantId, name: 'Tamper' });
    const caller = crm.createCaller({ tenantId, type: 'apiKey', id: 'key_property', role: 'admin', scopes: null });
    const account = (await caller.accounts.create({ name: 'Tampered' })).id;
    const order = await caller.orders.create({ orderingAccountId: account, currency: 'CNY', lines: [{ description: 'x', quantity: 2, unitPriceMinor: 500 }] });
    await caller.orders.confirm({ id: order.id });
    await crm.db.exposureFigure.updateMany({ where: { tenantId, accountId: account, scope: 'own' }, data: { ordersOpenMinor: 1 } });
    const found = await caller.credit.rebuild({ dryRun: true });
    expect(found.differences).toEqual([{ accountId: account, scope: 'own', currency: 'CNY', kept: { ordersOpenMinor: 1, invoicesOpenMinor: 0, onAccountCreditMinor: 0 }, rebuilt: { ordersOpenMinor: 1_000, invoicesOpenMinor: 0, onAccountCreditMinor: 0 } }]);
    await caller.credit.rebuild({});
    expect((await caller.credit.rebuild({ dryRun: true })).differences).toEqual([]);
    expect((await caller.accounts.exposure({ accountId: account })).own).toEqual([{ currency: 'CNY', ordersOpenMinor: 1_000, invoicesOpenMinor: 0, onAccountCreditMinor: 0, exposureMinor: 1_000 }]);
  });
});
