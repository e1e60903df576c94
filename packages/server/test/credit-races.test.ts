import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.js';

// The credit check and the reservation are one transaction: concurrent confirmations can never
// together exceed a limit, on SQLite (one writer at a time) and on PostgreSQL (READ COMMITTED,
// where the path's credit locks, taken root first, do the serializing).

const CNY = 'CNY';
const failures = (results: PromiseSettledResult<unknown>[]) =>
  results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { data?: { crmCode?: string } }).data?.crmCode ?? 'untyped'] : []));
type Breach = { accountId: string; scope: string; allowedMinor: number; exposureMinor: number; orderMinor: number; shortfallMinor: number };
type CreditEvent = { credit?: { limits: { accountId: string; scope: string; allowedMinor: number; exposureAfterMinor: number | null }[] } };

describe('credit limits under concurrency', () => {
  let h: Harness;
  let seq = 0;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  async function chain() {
    seq += 1;
    const hq = (await h.adminA.accounts.create.mutate({ name: `Race ${seq} HQ` })).id;
    const storeA = (await h.adminA.accounts.create.mutate({ name: `Race ${seq} A`, parentId: hq, settlesOwnInvoices: true })).id;
    const storeB = (await h.adminA.accounts.create.mutate({ name: `Race ${seq} B`, parentId: hq, settlesOwnInvoices: true })).id;
    return { hq, storeA, storeB };
  }
  const draft = (account: string, amountMinor: number) =>
    h.adminA.orders.create.mutate({ orderingAccountId: account, billToAccountId: account, currency: CNY, lines: [{ description: 'Goods', quantity: 1, unitPriceMinor: amountMinor }] });
  const exposureOf = async (accountId: string, scope: 'own' | 'group') => {
    const e = await h.adminA.accounts.exposure.query({ accountId });
    return (scope === 'own' ? e.own : e.group).find((f) => f.currency === CNY)?.exposureMinor ?? 0;
  };
  const confirmedEvents = async (orderIds: readonly string[]) => {
    const rows = await h.crm.db.outboxEvent.findMany({ where: { tenantId: h.tenantA, type: 'order.confirmed', entityId: { in: [...orderIds] } } });
    return rows.map((r) => JSON.parse(r.payload) as CreditEvent);
  };

  it('lets exactly 10 of 50 racing confirmations through a limit that fits 10, and the stored exposure is their sum', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 10_000, currency: CNY });
    const orders = await Promise.all(Array.from({ length: 50 }, () => draft(storeA, 1_000)));
    const results = await Promise.allSettled(orders.map((o) => h.adminA.orders.confirm.mutate({ id: o.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(new Set(failures(results))).toEqual(new Set(['CREDIT_LIMIT_EXCEEDED']));
    expect(await exposureOf(storeA, 'own')).toBe(10_000);
    for (const e of await confirmedEvents(orders.map((o) => o.id))) {
      for (const l of e.credit!.limits) expect(l.exposureAfterMinor!).toBeLessThanOrEqual(l.allowedMinor);
    }
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('holds the group limit when two branches race under it', async () => {
    const { hq, storeA, storeB } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: 10_000, currency: CNY });
    const orders = await Promise.all(Array.from({ length: 50 }, (_, i) => draft(i % 2 ? storeA : storeB, 1_000)));
    const results = await Promise.allSettled(orders.map((o) => h.adminA.orders.confirm.mutate({ id: o.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(new Set(failures(results))).toEqual(new Set(['CREDIT_LIMIT_EXCEEDED']));
    expect(await exposureOf(hq, 'group')).toBe(10_000);
    expect((await exposureOf(storeA, 'own')) + (await exposureOf(storeB, 'own'))).toBe(10_000);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('never exceeds the limit with payments and cancellations interleaved, refuses only true breaches, and rebuild agrees', async () => {
    const { hq, storeA, storeB } = await chain();
    const limit = 20_000;
    await h.adminA.credit.setLimit.mutate({ accountId: hq, scope: 'group', amountMinor: limit, currency: CNY });
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 12_000, currency: CNY });
    // Half the room is taken by orders that will be cancelled while new ones race for it.
    const early = await Promise.all(Array.from({ length: 5 }, (_, i) => draft(i % 2 ? storeA : storeB, 2_000)));
    for (const o of early) await h.adminA.orders.confirm.mutate({ id: o.id });
    const racing = await Promise.all(Array.from({ length: 40 }, (_, i) => draft(i % 2 ? storeA : storeB, 1_500)));
    const work: Promise<unknown>[] = [];
    racing.forEach((o, i) => {
      work.push(h.adminA.orders.confirm.mutate({ id: o.id }));
      if (i % 8 === 0) work.push(h.adminA.orders.cancel.mutate({ id: early[i / 8]!.id, reason: 'race' }));
      if (i % 10 === 5) work.push(h.adminA.payments.create.mutate({ accountId: i % 4 === 1 ? storeA : storeB, currency: CNY, amountMinor: 700 }));
    });
    const results = await Promise.allSettled(work);
    expect(failures(results).every((c) => c === 'CREDIT_LIMIT_EXCEEDED')).toBe(true);
    // Every refusal was a true breach at its moment: exposure + order over what is allowed.
    for (const r of results) {
      if (r.status !== 'rejected') continue;
      const breaches = (r.reason as { data: { details: { breaches: Breach[] } } }).data.details.breaches;
      expect(breaches.length).toBeGreaterThan(0);
      for (const b of breaches) expect(b.exposureMinor + b.orderMinor - b.allowedMinor).toBe(b.shortfallMinor);
      for (const b of breaches) expect(b.shortfallMinor).toBeGreaterThan(0);
    }
    // Every confirmation recorded the exposure after it, never over a limit.
    const events = await confirmedEvents(racing.map((o) => o.id));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) for (const l of e.credit!.limits) expect(l.exposureAfterMinor!).toBeLessThanOrEqual(l.allowedMinor);
    expect(await exposureOf(hq, 'group')).toBeLessThanOrEqual(limit);
    expect(await exposureOf(storeA, 'own')).toBeLessThanOrEqual(12_000);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('never lets a limit set while confirmations race end below the exposure it covers (unless it refused, needing force)', async () => {
    const { storeA } = await chain();
    const orders = await Promise.all(Array.from({ length: 24 }, () => draft(storeA, 1_000)));
    const work: Promise<unknown>[] = orders.map((o) => h.adminA.orders.confirm.mutate({ id: o.id }));
    const limit = h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 10_000, currency: CNY });
    work.splice(12, 0, limit);
    await Promise.allSettled(work);
    const set = await limit.then(() => true, (e: { data?: { crmCode?: string } }) => (expect(e.data?.crmCode).toBe('CREDIT_LIMIT_EXCEEDED'), false));
    const exposure = await exposureOf(storeA, 'own');
    if (set) expect(exposure).toBeLessThanOrEqual(10_000);
    else expect(exposure).toBeGreaterThan(10_000);
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });

  it('decides a held request once when approvals and a rejection race for it', async () => {
    const { storeA } = await chain();
    await h.adminA.credit.setLimit.mutate({ accountId: storeA, scope: 'own', amountMinor: 1_000, currency: CNY });
    await h.adminA.tenant.settings.update.mutate({ credit: { onBreach: 'hold', approvalDays: 1 } });
    // The order's creator may not decide it: a rep creates, the admin key decides.
    await h.adminA.users.upsert.mutate({ id: 'race-rep', displayName: 'Race rep', role: 'rep' });
    await h.adminA.ownership.assign.mutate({ accountId: storeA, teamId: null, primaryOwnerId: 'race-rep', secondaryOwnerId: null, reason: 'race' });
    const rep = await h.asUser(h.tenantA, 'race-rep', 'rep');
    try {
      for (let round = 0; round < 6; round++) {
        const o = await rep.orders.create.mutate({ orderingAccountId: storeA, billToAccountId: storeA, currency: CNY, lines: [{ description: 'Goods', quantity: 1, unitPriceMinor: 5_000 }] });
        expect((await rep.orders.confirm.mutate({ id: o.id })).status).toBe('on_hold');
        const [request] = (await h.adminA.credit.approvals.query({ queue: 'all', orderId: o.id })).items;
        const results = await Promise.allSettled([
          h.adminA.credit.approve.mutate({ id: request!.id }),
          h.adminA.credit.reject.mutate({ id: request!.id, reason: 'race' }),
          h.adminA.credit.approve.mutate({ id: request!.id }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
        expect(failures(results).every((c) => c === 'PRECONDITION_FAILED' || c === 'CONFLICT'), `round ${round}: ${failures(results).join(', ')}`).toBe(true);
        const [after] = (await h.adminA.credit.approvals.query({ queue: 'all', orderId: o.id, status: ['approved', 'rejected'] })).items;
        expect((await h.adminA.orders.get.query({ id: o.id })).status).toBe(after!.status === 'approved' ? 'confirmed' : 'draft');
        const events = await h.crm.db.outboxEvent.count({ where: { entityId: request!.id, type: { in: ['credit.approved', 'credit.rejected'] } } });
        expect(events).toBe(1);
      }
    } finally {
      await h.adminA.tenant.settings.update.mutate({ credit: { onBreach: 'refuse' } });
    }
    expect(await h.adminA.credit.rebuild.mutate({ dryRun: true })).toMatchObject({ differences: [] });
  });
});
