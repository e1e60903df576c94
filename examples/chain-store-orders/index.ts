/**
 * Order to cash, the seed's chain-store story: a headquarters with two stores in a tenant on
 * Shanghai time. Store A settles its own invoices; store B is billed to headquarters. Headquarters
 * orders for both, store A's order is partly delivered and invoiced with freight, a return becomes a
 * credit note, store A pays part and headquarters pays money not yet allocated. Then exposure,
 * receivables aged across the month end, and a dry-run rebuild of the kept figures. Runs in-process
 * on a throwaway SQLite file with a fake clock, and checks every figure (CI runs it).
 *
 *   npm run examples        (from the repository root)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock, formatMoney } from '@crmkit/core';
import { createCrmServer } from '@crmkit/server';
import { createCrmClient, isCrmError, type RouterOutputs } from '@crmkit/client';

type Order = RouterOutputs['orders']['get'];
type Exposure = RouterOutputs['accounts']['exposure'];
type Receivables = RouterOutputs['accounts']['receivables'];
type Figures = Exposure['own'][number];

const CNY = 'CNY';
const cny = (amountMinor: number) => `${formatMoney({ amountMinor, currency: CNY })} ${CNY}`;
const figures = (list: Figures[]) => list.map(({ currency, ordersOpenMinor, invoicesOpenMinor, onAccountCreditMinor, exposureMinor }) => ({ currency, ordersOpenMinor, invoicesOpenMinor, onAccountCreditMinor, exposureMinor }));

const dir = mkdtempSync(join(tmpdir(), 'crmkit-chain-store-'));
// Every "now" of the server comes from this clock: 10:00 on 10 January 2026 in Shanghai.
const clock = createFakeClock('2026-01-10T02:00:00Z');
const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}`, clock });

try {
  const tenant = await crm.bootstrap.createTenant({ name: 'Acme Appliances' });
  const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'example', role: 'admin' });
  const { url } = await crm.listen(0);
  const c = createCrmClient({ url, apiKey: secret });

  // 1. The tenant's calendar: due dates and ageing count Shanghai's local days.
  const settings = await c.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai', baseCurrency: CNY });
  assert.equal(settings.timeZone, 'Asia/Shanghai');
  assert.equal(settings.baseCurrency, CNY);
  console.log(`tenant calendar: ${settings.timeZone}, base currency ${settings.baseCurrency}`);

  // 2. The group: store A settles its own invoices, store B does not (so headquarters settles for it).
  const hq = await c.accounts.create.mutate({ name: 'Huadong Chain HQ', currency: CNY });
  const storeA = await c.accounts.create.mutate({ name: 'Store A (Suzhou)', parentId: hq.id, settlesOwnInvoices: true });
  const storeB = await c.accounts.create.mutate({ name: 'Store B (Wuxi)', parentId: hq.id });
  const names = new Map([hq, storeA, storeB].map((a) => [a.id, a.name]));
  const named = (text: string) => text.replace(/\b(?:acc|orl)_[0-9A-Z]+/g, (id) => names.get(id) ?? id);
  const nameOf = (id: string) => names.get(id) ?? id;

  const showOrder = (label: string, o: Order) => {
    console.log(`\n${label}: ${o.status}, ${cny(o.totalMinor)}, bill-to ${nameOf(o.billToAccountId)}, ship-to ${nameOf(o.shipToAccountId)}`);
    for (const s of o.partyExplanation) console.log(`    ${s.rule} ${s.outcome}: ${named(s.message)}`);
  };

  // 3. Headquarters orders for both stores. Store A's order is billed to store A (given explicitly:
  //    the default for an order placed by headquarters is headquarters); store B's uses the default.
  const forA = await c.orders.create.mutate({
    orderingAccountId: hq.id, shipToAccountId: storeA.id, billToAccountId: storeA.id, currency: CNY, reference: 'PO-A-1',
    lines: [
      { description: 'Rice cookers', sku: 'RC-5L', quantity: 100, unitPriceMinor: 50_00 },
      { description: 'Extended warranty, 2 years', quantity: 1, unitPriceMinor: 2_000_00 },
      { description: 'Opening discount', quantity: 1, unitPriceMinor: -100_00 },
    ],
  });
  showOrder('HQ order for store A (PO-A-1)', forA);
  assert.equal(forA.status, 'draft');
  assert.equal(forA.totalMinor, 6_900_00);
  assert.equal(forA.openMinor, 0);
  assert.equal(forA.billToAccountId, storeA.id);
  assert.equal(forA.shipToAccountId, storeA.id);

  const forB = await c.orders.create.mutate({ orderingAccountId: hq.id, shipToAccountId: storeB.id, currency: CNY, lines: [{ description: 'Kettles', quantity: 40, unitPriceMinor: 30_00 }] });
  showOrder('HQ order for store B', forB);
  assert.equal(forB.totalMinor, 1_200_00);
  assert.equal(forB.billToAccountId, hq.id);
  assert.equal(forB.shipToAccountId, storeB.id);

  // Store B ordering for itself shows the walk up the tree: B does not settle, so headquarters is billed.
  const own = await c.orders.create.mutate({ orderingAccountId: storeB.id, currency: CNY, lines: [{ description: 'Sample', quantity: 1, unitPriceMinor: 1_00 }] });
  showOrder('store B\'s own draft (never confirmed)', own);
  assert.equal(own.billToAccountId, hq.id);
  assert.equal(own.shipToAccountId, storeB.id);
  assert.deepEqual(own.partyExplanation.map((s) => `${s.rule} ${s.outcome}`), ['ship-to applied', 'bill-to skipped', 'bill-to matched']);

  // 4. Drafts count toward nothing; confirming moves them into the bill-to account's exposure.
  assert.deepEqual((await c.accounts.exposure.query({ accountId: storeA.id })).own, []);
  const a = await c.orders.confirm.mutate({ id: forA.id });
  const b = await c.orders.confirm.mutate({ id: forB.id });
  assert.equal(a.status, 'confirmed');
  assert.equal(a.openMinor, 6_900_00);
  assert.equal(b.openMinor, 1_200_00);
  console.log(`\nconfirmed: PO-A-1 open ${cny(a.openMinor)}, store B's order open ${cny(b.openMinor)}`);

  // 5. 60 of the 100 rice cookers are delivered; delivering 41 more would exceed the order.
  const goods = a.lines[0]!;
  names.set(goods.id, 'PO-A-1 line 1 (rice cookers)');
  const partly = await c.orders.fulfil.mutate({ id: forA.id, lines: [{ lineId: goods.id, quantity: 60 }] });
  assert.equal(partly.status, 'partially_fulfilled');
  assert.equal(partly.lines[0]!.fulfilledQuantity, 60);
  console.log(`delivered 60 of 100 rice cookers: PO-A-1 is ${partly.status}`);
  try {
    await c.orders.fulfil.mutate({ id: forA.id, lines: [{ lineId: goods.id, quantity: 41 }] });
    assert.fail('delivering 41 more cookers should be refused');
  } catch (error) {
    if (!isCrmError(error) || error.code !== 'VALIDATION') throw error;
    console.log(`refused as expected: ${error.code}: ${named(error.message)}`);
  }

  // 6. Store A is invoiced for the 60 delivered, plus freight (an invoice-only line), due 31 January.
  const invA = await c.invoices.create.mutate({
    billToAccountId: storeA.id, currency: CNY, number: 'INV-A-1', dueDate: '2026-01-31',
    lines: [
      { description: '60 rice cookers', amountMinor: 3_000_00, orderLineId: goods.id },
      { description: 'Freight', amountMinor: 150_00 },
    ],
  });
  assert.equal(invA.totalMinor, 3_150_00);
  assert.equal(invA.openMinor, 3_150_00);
  assert.equal(invA.status, 'open');
  assert.deepEqual(invA.lines.map((l) => l.appliedToOrderMinor), [3_000_00, 0]);
  console.log(`\n${invA.number} to ${nameOf(invA.billToAccountId)}, due ${invA.dueDate}: ${cny(invA.totalMinor)}`);
  for (const l of invA.lines) console.log(`    ${l.description}: ${cny(l.amountMinor)} (applied to the order: ${cny(l.appliedToOrderMinor)})`);
  const afterInvoice = await c.orders.get.query({ id: forA.id });
  assert.equal(afterInvoice.invoicedMinor, 3_000_00);
  assert.equal(afterInvoice.openMinor, 3_900_00);
  console.log(`PO-A-1 invoiced ${cny(afterInvoice.invoicedMinor)}, still open ${cny(afterInvoice.openMinor)}`);

  // 7. Ten cookers come back damaged: a credit note on the invoice's goods line.
  const credit = await c.invoices.createCreditNote.mutate({ invoiceId: invA.id, number: 'CN-A-1', reason: '10 cookers returned damaged', lines: [{ correctsLineId: invA.lines[0]!.id, amountMinor: 500_00 }] });
  assert.equal(credit.kind, 'credit_note');
  assert.equal(credit.totalMinor, -500_00);
  assert.equal(credit.openMinor, 0);
  assert.equal(credit.status, 'settled');
  assert.equal(credit.correctsInvoiceId, invA.id);
  assert.equal((await c.invoices.get.query({ id: invA.id })).openMinor, 2_650_00);
  console.log(`${credit.number} (return of 10 cookers): ${cny(credit.totalMinor)}, applied to ${invA.number}, which now has ${cny(2_650_00)} open`);

  // 8. Store A pays part of its invoice; headquarters wires money without saying what for.
  const paidA = await c.payments.create.mutate({ accountId: storeA.id, currency: CNY, amountMinor: 1_000_00, reference: 'transfer 0120', allocations: [{ invoiceId: invA.id, amountMinor: 1_000_00 }] });
  assert.equal(paidA.allocatedMinor, 1_000_00);
  assert.equal(paidA.unallocatedMinor, 0);
  console.log(`store A pays ${cny(paidA.amountMinor)}, allocated to ${invA.number}`);
  const hqPayment = await c.payments.create.mutate({ accountId: hq.id, currency: CNY, amountMinor: 2_000_00, reference: 'wire 7781' });
  assert.equal(hqPayment.unallocatedMinor, 2_000_00);
  console.log(`headquarters pays ${cny(hqPayment.amountMinor)} (${hqPayment.reference}), unallocated: on account`);

  // 9. Headquarters is invoiced for store B's kettles, due a month later, and allocates part of its wire.
  const invB = await c.invoices.create.mutate({ billToAccountId: hq.id, currency: CNY, number: 'INV-HQ-1', dueDate: '2026-02-28', lines: [{ description: '40 kettles for store B', amountMinor: 1_200_00, orderLineId: b.lines[0]!.id }] });
  const allocated = await c.payments.allocate.mutate({ id: hqPayment.id, allocations: [{ invoiceId: invB.id, amountMinor: 700_00 }] });
  assert.equal(allocated.unallocatedMinor, 1_300_00);
  const bAfter = await c.orders.get.query({ id: forB.id });
  assert.equal(bAfter.status, 'confirmed');
  assert.equal(bAfter.openMinor, 0);
  assert.equal(bAfter.invoicedMinor, 1_200_00);
  console.log(`${invB.number} to headquarters, due ${invB.dueDate}: ${cny(invB.totalMinor)}; ${cny(700_00)} of the wire allocated to it, ${cny(allocated.unallocatedMinor)} left on account`);

  // 10. Exposure = confirmed orders not yet invoiced + open invoices − credit on account.
  const showExposure = (e: Exposure) => {
    console.log(`\nexposure of ${nameOf(e.accountId)}`);
    for (const [scope, list] of [['own', e.own], ['group', e.group]] as const) {
      if (list.length === 0) console.log(`    ${scope.padEnd(5)} nothing`);
      for (const f of list) console.log(`    ${scope.padEnd(5)} orders open ${cny(f.ordersOpenMinor)} + invoices open ${cny(f.invoicesOpenMinor)} − credit on account ${cny(f.onAccountCreditMinor)} = ${cny(f.exposureMinor)}`);
    }
  };
  const expA = await c.accounts.exposure.query({ accountId: storeA.id });
  showExposure(expA);
  const storeAFigures = [{ currency: CNY, ordersOpenMinor: 3_900_00, invoicesOpenMinor: 1_650_00, onAccountCreditMinor: 0, exposureMinor: 5_550_00 }];
  assert.deepEqual(figures(expA.own), storeAFigures);
  assert.deepEqual(figures(expA.group), storeAFigures);

  const expHq = await c.accounts.exposure.query({ accountId: hq.id });
  showExposure(expHq);
  assert.deepEqual(figures(expHq.own), [{ currency: CNY, ordersOpenMinor: 0, invoicesOpenMinor: 500_00, onAccountCreditMinor: 1_300_00, exposureMinor: -800_00 }]);
  assert.deepEqual(figures(expHq.group), [{ currency: CNY, ordersOpenMinor: 3_900_00, invoicesOpenMinor: 2_150_00, onAccountCreditMinor: 1_300_00, exposureMinor: 4_750_00 }]);

  const expB = await c.accounts.exposure.query({ accountId: storeB.id });
  showExposure(expB);
  assert.deepEqual(expB.own, []);
  assert.deepEqual(expB.group, []);

  // 11. Receivables across the month end. The invoice falls due on 31 January, Shanghai time:
  //     at 23:59:59 local (15:59:59 UTC) it is current; at 00:30 on 1 February (16:30 UTC) it is a day late.
  // daysPastDue counts the tenant's local days; it is negative while the invoice is not yet due.
  const lateness = (days: number) => (days > 0 ? `${days} day${days === 1 ? '' : 's'} past due` : days === 0 ? 'due today' : `due in ${-days} days`);
  const showReceivables = (label: string, r: Receivables) => {
    console.log(`\nreceivables of ${label} at ${r.asOf} (${r.asOfDate} in ${r.timeZone})`);
    for (const cur of r.currencies) {
      for (const i of cur.invoices) console.log(`    ${(i.number ?? i.id).padEnd(9)} ${nameOf(i.billToAccountId).padEnd(17)} due ${i.dueDate}  open ${cny(i.openMinor).padStart(13)}  ${lateness(i.daysPastDue).padEnd(18)} [${i.bucket}]`);
      const buckets = Object.entries(cur.buckets).map(([k, v]) => `${k} ${formatMoney({ amountMinor: v, currency: cur.currency })}`).join(' | ');
      console.log(`    buckets (${cur.currency}): ${buckets}`);
      console.log(`    open ${cny(cur.openMinor)} − credit on account ${cny(cur.onAccountCreditMinor)} = net ${cny(cur.netMinor)}`);
    }
  };
  const noBuckets = { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, 'over-90': 0 };

  clock.set('2026-01-31T15:59:59Z');
  const beforeA = await c.accounts.receivables.query({ accountId: storeA.id });
  showReceivables('store A', beforeA);
  assert.equal(beforeA.asOf, '2026-01-31T15:59:59.000Z');
  assert.equal(beforeA.asOfDate, '2026-01-31');
  assert.equal(beforeA.timeZone, 'Asia/Shanghai');
  assert.equal(beforeA.currencies.length, 1);
  assert.deepEqual(beforeA.currencies[0]!.buckets, { ...noBuckets, current: 1_650_00 });
  assert.equal(beforeA.currencies[0]!.openMinor, 1_650_00);
  assert.equal(beforeA.currencies[0]!.netMinor, 1_650_00);
  assert.deepEqual(beforeA.currencies[0]!.invoices.map((i) => [i.id, i.openMinor, i.daysPastDue, i.bucket]), [[invA.id, 1_650_00, 0, 'current']]);

  const beforeHq = await c.accounts.receivables.query({ accountId: hq.id, group: true });
  showReceivables('headquarters\' group', beforeHq);
  assert.equal(beforeHq.currencies.length, 1);
  assert.deepEqual(beforeHq.currencies[0]!.buckets, { ...noBuckets, current: 2_150_00 });
  assert.equal(beforeHq.currencies[0]!.onAccountCreditMinor, 1_300_00);
  assert.equal(beforeHq.currencies[0]!.netMinor, 850_00);
  assert.deepEqual(beforeHq.currencies[0]!.invoices.map((i) => [i.id, i.daysPastDue, i.bucket]).sort(), [[invA.id, 0, 'current'], [invB.id, -28, 'current']].sort());

  clock.set('2026-01-31T16:30:00Z');
  const afterA = await c.accounts.receivables.query({ accountId: storeA.id });
  showReceivables('store A', afterA);
  assert.equal(afterA.asOf, '2026-01-31T16:30:00.000Z');
  assert.equal(afterA.asOfDate, '2026-02-01');
  assert.deepEqual(afterA.currencies[0]!.buckets, { ...noBuckets, '1-30': 1_650_00 });
  assert.deepEqual(afterA.currencies[0]!.invoices.map((i) => [i.id, i.openMinor, i.daysPastDue, i.bucket]), [[invA.id, 1_650_00, 1, '1-30']]);

  const afterHq = await c.accounts.receivables.query({ accountId: hq.id, group: true });
  showReceivables('headquarters\' group', afterHq);
  assert.equal(afterHq.currencies.length, 1);
  const hqNow = afterHq.currencies[0]!;
  assert.deepEqual(hqNow.buckets, { ...noBuckets, current: 500_00, '1-30': 1_650_00 });
  assert.equal(hqNow.openMinor, 2_150_00);
  assert.equal(hqNow.onAccountCreditMinor, 1_300_00);
  assert.equal(hqNow.netMinor, 850_00);
  const byId = new Map(hqNow.invoices.map((i) => [i.id, [i.openMinor, i.daysPastDue, i.bucket]]));
  assert.deepEqual(byId.get(invA.id), [1_650_00, 1, '1-30']);
  assert.deepEqual(byId.get(invB.id), [500_00, -27, 'current']);
  assert.equal(byId.size, 2);

  // 12. Rebuilt from the documents alone, every kept figure agrees.
  const rebuild = await c.credit.rebuild.mutate({ dryRun: true });
  assert.equal(rebuild.dryRun, true);
  assert.deepEqual(rebuild.differences, []);
  console.log(`\ncredit.rebuild (dry run): ${rebuild.figures} figures recomputed, ${rebuild.differences.length} differences`);

  console.log('chain-store-orders ok');
} finally {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
}
