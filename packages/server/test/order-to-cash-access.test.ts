import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

// Every order-to-cash procedure, per caller: the rep who owns the account, another rep, the
// owning team's manager, a manager of another team, the service and integration keys, an admin,
// and another tenant's admin. Visibility follows the ordering account (orders), the bill-to account
// (invoices) and the paying account (payments); what a caller may not see answers NOT_FOUND.

const CNY = 'CNY';

describe('order-to-cash access, per procedure and per role', () => {
  let h: Harness;
  const c: Record<string, Client> = {};
  let mine: string;
  let orderId: string;
  let lineId: string;
  let invoiceId: string;
  let invoiceLineId: string;
  let paymentId: string;
  beforeAll(async () => {
    h = await startHarness();
    for (const [id, role] of [['o-rep', 'rep'], ['o-other', 'rep'], ['o-mgr', 'manager'], ['o-mgr2', 'manager']] as const) {
      await h.adminA.users.upsert.mutate({ id, displayName: id, role });
    }
    const team = await h.adminA.teams.create.mutate({ name: 'Owners', leaderId: 'o-mgr', memberIds: ['o-rep'] });
    await h.adminA.teams.create.mutate({ name: 'Others', leaderId: 'o-mgr2', memberIds: ['o-other'] });
    c.rep = await h.asUser(h.tenantA, 'o-rep', 'rep');
    c.otherRep = await h.asUser(h.tenantA, 'o-other', 'rep');
    c.manager = await h.asUser(h.tenantA, 'o-mgr', 'manager');
    c.otherManager = await h.asUser(h.tenantA, 'o-mgr2', 'manager');
    c.service = h.clientWith((await h.adminA.apiKeys.create.mutate({ name: 'svc', role: 'service' })).secret);
    c.integration = h.clientWith((await h.adminA.apiKeys.create.mutate({ name: 'erp', role: 'integration' })).secret);
    c.admin = h.adminA;
    c.foreign = h.adminB;
    mine = (await h.adminA.accounts.create.mutate({ name: 'Owned shop' })).id;
    await h.adminA.ownership.assign.mutate({ accountId: mine, teamId: team.id, primaryOwnerId: 'o-rep', reason: 'territory' });
    const order = await c.rep.orders.create.mutate({ orderingAccountId: mine, currency: CNY, lines: [{ description: 'Goods', quantity: 5, unitPriceMinor: 100 }] });
    orderId = order.id;
    lineId = order.lines[0]!.id;
    await c.rep.orders.confirm.mutate({ id: orderId });
    const invoice = await c.integration.invoices.create.mutate({ billToAccountId: mine, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Goods', amountMinor: 200, orderLineId: lineId }] });
    invoiceId = invoice.id;
    invoiceLineId = invoice.lines[0]!.id;
    paymentId = (await c.integration.payments.create.mutate({ accountId: mine, currency: CNY, amountMinor: 50 })).id;
  });
  afterAll(() => h.close());

  /** What each caller gets from one call: 'ok' or the crmkit code. */
  async function outcomes(call: (client: Client) => Promise<unknown>, callers: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of callers) out[name] = await call(c[name]!).then(() => 'ok', async (e: unknown) => crmCodeOf(Promise.reject(e)));
    return out;
  }
  const everyone = ['rep', 'otherRep', 'manager', 'otherManager', 'service', 'integration', 'admin', 'foreign'];

  it('reads: orders, invoices, payments, exposure and receivables are seen by who sees the account', async () => {
    const seen = { rep: 'ok', otherRep: 'NOT_FOUND', manager: 'ok', otherManager: 'NOT_FOUND', service: 'ok', integration: 'ok', admin: 'ok', foreign: 'NOT_FOUND' };
    expect(await outcomes((x) => x.orders.get.query({ id: orderId }), everyone)).toEqual(seen);
    expect(await outcomes((x) => x.invoices.get.query({ id: invoiceId }), everyone)).toEqual(seen);
    expect(await outcomes((x) => x.payments.get.query({ id: paymentId }), everyone)).toEqual(seen);
    expect(await outcomes((x) => x.accounts.exposure.query({ accountId: mine }), everyone)).toEqual(seen);
    expect(await outcomes((x) => x.accounts.receivables.query({ accountId: mine, group: true }), everyone)).toEqual(seen);
    expect(await outcomes((x) => x.orders.list.query({ orderingAccountId: mine }), everyone)).toEqual(seen);
    // Unfiltered lists leave out what the caller may not see.
    for (const name of ['otherRep', 'otherManager', 'foreign']) {
      expect((await c[name]!.orders.list.query({})).items.map((o) => o.id)).not.toContain(orderId);
      expect((await c[name]!.invoices.list.query({})).items.map((i) => i.id)).not.toContain(invoiceId);
      expect((await c[name]!.payments.list.query({})).items.map((p) => p.id)).not.toContain(paymentId);
    }
    expect((await c.rep!.orders.list.query({})).items.map((o) => o.id)).toContain(orderId);
    expect(await outcomes((x) => x.tenant.settings.get.query({}), everyone)).toEqual(Object.fromEntries(everyone.map((n) => [n, 'ok'])));
  });

  it('order writes: reps and managers on accounts they see, integrations anywhere in the tenant, service keys never', async () => {
    const create = (x: Client) => x.orders.create.mutate({ orderingAccountId: mine, currency: CNY, lines: [{ description: 'More', quantity: 1, unitPriceMinor: 10 }] });
    expect(await outcomes(create, everyone)).toEqual({ rep: 'ok', otherRep: 'NOT_FOUND', manager: 'ok', otherManager: 'NOT_FOUND', service: 'FORBIDDEN', integration: 'ok', admin: 'ok', foreign: 'NOT_FOUND' });
    const refusedOnTheirs = ['otherRep', 'otherManager', 'service', 'foreign'];
    const expected = { otherRep: 'NOT_FOUND', otherManager: 'NOT_FOUND', service: 'FORBIDDEN', foreign: 'NOT_FOUND' };
    expect(await outcomes((x) => x.orders.update.mutate({ id: orderId, note: 'x' }), refusedOnTheirs)).toEqual(expected);
    expect(await outcomes((x) => x.orders.fulfil.mutate({ id: orderId, lines: [{ lineId, quantity: 1 }] }), refusedOnTheirs)).toEqual(expected);
    expect(await outcomes((x) => x.orders.cancel.mutate({ id: orderId, reason: 'x' }), refusedOnTheirs)).toEqual(expected);
    expect(await outcomes((x) => x.orders.confirm.mutate({ id: orderId }), refusedOnTheirs)).toEqual(expected);
    expect(await outcomes((x) => x.orders.reopen.mutate({ id: orderId }), refusedOnTheirs)).toEqual(expected);
    // Nothing of it happened.
    expect(await h.adminA.orders.get.query({ id: orderId })).toMatchObject({ status: 'confirmed', note: null, version: 3 });
  });

  it('invoice and payment writes: admins and integrations only; an invisible or foreign document is NOT_FOUND', async () => {
    const issue = (x: Client) => x.invoices.create.mutate({ billToAccountId: mine, currency: CNY, dueDate: '2026-04-01', lines: [{ description: 'Fee', amountMinor: 10 }] });
    expect(await outcomes(issue, everyone)).toEqual({ rep: 'FORBIDDEN', otherRep: 'FORBIDDEN', manager: 'FORBIDDEN', otherManager: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'ok', admin: 'ok', foreign: 'NOT_FOUND' });
    const pay = (x: Client) => x.payments.create.mutate({ accountId: mine, currency: CNY, amountMinor: 10 });
    expect(await outcomes(pay, everyone)).toEqual({ rep: 'FORBIDDEN', otherRep: 'FORBIDDEN', manager: 'FORBIDDEN', otherManager: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'ok', admin: 'ok', foreign: 'NOT_FOUND' });
    const onTheirs = ['rep', 'service', 'foreign'];
    expect(await outcomes((x) => x.invoices.createCreditNote.mutate({ invoiceId, reason: 'r', lines: [{ correctsLineId: invoiceLineId, amountMinor: 1 }] }), onTheirs)).toEqual({ rep: 'FORBIDDEN', service: 'FORBIDDEN', foreign: 'NOT_FOUND' });
    expect(await outcomes((x) => x.invoices.void.mutate({ id: invoiceId, reason: 'r' }), onTheirs)).toEqual({ rep: 'FORBIDDEN', service: 'FORBIDDEN', foreign: 'NOT_FOUND' });
    expect(await outcomes((x) => x.payments.allocate.mutate({ id: paymentId, allocations: [{ invoiceId, amountMinor: 1 }] }), onTheirs)).toEqual({ rep: 'FORBIDDEN', service: 'FORBIDDEN', foreign: 'NOT_FOUND' });
    expect(await outcomes((x) => x.payments.void.mutate({ id: paymentId, reason: 'r' }), onTheirs)).toEqual({ rep: 'FORBIDDEN', service: 'FORBIDDEN', foreign: 'NOT_FOUND' });
    // Another tenant's payment allocated to this tenant's invoice: refused without saying whether the invoice exists.
    const foreignAccount = (await h.adminB.accounts.create.mutate({ name: 'B shop' })).id;
    const foreignPayment = await h.adminB.payments.create.mutate({ accountId: foreignAccount, currency: CNY, amountMinor: 10 });
    const leak = await errorOf(h.adminB.payments.allocate.mutate({ id: foreignPayment.id, allocations: [{ invoiceId, amountMinor: 1 }] }));
    const unknown = await errorOf(h.adminB.payments.allocate.mutate({ id: foreignPayment.id, allocations: [{ invoiceId: 'inv_' + '0'.repeat(26), amountMinor: 1 }] }));
    expect(leak.crmCode).toBe('VALIDATION');
    expect(leak.message.replace(invoiceId, 'X')).toBe(unknown.message.replace('inv_' + '0'.repeat(26), 'X'));
  });

  it('group receivables list only the branches the caller may see', async () => {
    const branch = (await h.adminA.accounts.create.mutate({ name: 'Unowned branch', parentId: mine })).id;
    const own = await h.adminA.invoices.create.mutate({ billToAccountId: mine, currency: 'USD', dueDate: '2026-04-01', lines: [{ description: 'HQ fee', amountMinor: 70 }] });
    const hidden = await h.adminA.invoices.create.mutate({ billToAccountId: branch, currency: 'USD', dueDate: '2026-04-01', lines: [{ description: 'Branch fee', amountMinor: 30 }] });
    const ids = async (x: Client) => (await x.accounts.receivables.query({ accountId: mine, group: true })).currencies.flatMap((cur) => cur.invoices.map((i) => i.id));
    expect(await ids(c.admin!)).toEqual(expect.arrayContaining([own.id, hidden.id]));
    const repSees = await ids(c.rep!);
    expect(repSees).toContain(own.id);
    expect(repSees).not.toContain(hidden.id);
    expect(await crmCodeOf(c.rep!.accounts.receivables.query({ accountId: branch }))).toBe('NOT_FOUND');
  });

  it('tenant settings and the exposure rebuild: admins only', async () => {
    expect(await outcomes((x) => x.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai' }), everyone)).toEqual({
      rep: 'FORBIDDEN', otherRep: 'FORBIDDEN', manager: 'FORBIDDEN', otherManager: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'FORBIDDEN', admin: 'ok', foreign: 'ok',
    });
    // Each admin changed its own tenant's settings: both at version 2 now, one change each.
    expect(await h.adminA.tenant.settings.get.query({})).toMatchObject({ tenantId: h.tenantA, timeZone: 'Asia/Shanghai', version: 2 });
    expect(await h.adminB.tenant.settings.get.query({})).toMatchObject({ tenantId: h.tenantB, timeZone: 'Asia/Shanghai', version: 2 });
    expect(await outcomes((x) => x.credit.rebuild.mutate({ dryRun: true }), everyone)).toEqual({
      rep: 'FORBIDDEN', otherRep: 'FORBIDDEN', manager: 'FORBIDDEN', otherManager: 'FORBIDDEN', service: 'FORBIDDEN', integration: 'FORBIDDEN', admin: 'ok', foreign: 'ok',
    });
    expect(await crmCodeOf(h.adminA.tenant.settings.update.mutate({ timeZone: 'Mars/Olympus_Mons' }))).toBe('VALIDATION');
    expect(await crmCodeOf(h.adminA.tenant.settings.update.mutate({ baseCurrency: 'USD', expectedVersion: 1 }))).toBe('CONFLICT');
  });
});
