import Database from 'better-sqlite3';
import { DAY_MS, createFakeClock, newId } from '@crmkit/core';
import { createCrmServer, createLogger } from '@crmkit/server';
import { createCrmClient } from '@crmkit/client';
import { createRandom } from './random.js';
import { seedDatabase, sqliteDateTime, type SeededDatabase } from './seed.js';

/** Exposure figures as `accounts.exposure` answers them, per scope and currency. */
export interface ExpectedFigures {
  currency: string;
  ordersOpenMinor: number;
  invoicesOpenMinor: number;
  onAccountCreditMinor: number;
  exposureMinor: number;
}

/** A headquarters with three stores, its invoice history and the figures it must answer. */
export interface InvoiceGroup {
  /** The top-level account (accounts.exposure is asked about it: its group is the four accounts). */
  headquartersId: string;
  storeIds: string[];
  invoices: number;
  own: ExpectedFigures[];
  group: ExpectedFigures[];
}

export interface OrdersSeed extends SeededDatabase {
  teamId: string;
  leaderId: string;
  /** Three product lines; each order has one line of each. */
  productLineIds: string[];
  /** The team member assigned to each product line, and who acts for them now (the first one delegates to `delegateId`). */
  memberOf: Record<string, string>;
  actingFor: Record<string, string>;
  delegateId: string;
  /** Top-level accounts owned by the team (a primary owner each): the orders are placed by them. */
  orderingAccountIds: string[];
  /** Owned the same way; ownership.resolve and accounts.get are asked about it. */
  resolveAccountId: string;
  /** Active seeded accounts none of the above: accounts.update picks from them. */
  updateAccountIds: string[];
  long: InvoiceGroup;
  short: InvoiceGroup;
  /** Rows written with the raw driver for both groups' history. */
  historyRows: { invoices: number; invoiceLines: number; payments: number; settlements: number; figures: number };
  setupSeconds: number;
  historySeconds: number;
}

const CURRENCY = 'CNY';
const reps = Array.from({ length: 8 }, (_, i) => `rep-${String(i + 1).padStart(2, '0')}`);
const leaderId = 'lead-1';

/**
 * The writes suite's database (lib/seed.ts: `accounts` accounts of one tenant), then through
 * crmkit's own procedures: 8 reps and a manager, a team (leader lead-1, reps 1–6), three product
 * lines each assigned to a team member, 32 top-level accounts (and the resolve account) owned by
 * the team with a primary owner each, a delegation in force from the first product line's member
 * to rep-07, and two groups of four accounts (a headquarters and three stores). Then, with the raw
 * driver, each group's invoice history: `historyInvoices` / `shortInvoices` invoices, all settled by
 * a payment each but the last two, which stay open, plus one payment left on account, and the
 * ExposureFigure rows those documents add up to (what the incremental path would have kept).
 */
export async function seedOrdersDatabase(path: string, o: { accounts: number; historyInvoices: number; shortInvoices: number; seed: number }): Promise<OrdersSeed> {
  const seeded = await seedDatabase(path, o.accounts, o.seed);
  const started = performance.now();
  const random = createRandom(o.seed + 13);

  const db0 = new Database(path, { readonly: true, fileMustExist: true });
  const topLevel = db0.prepare<[string], string>(`SELECT "id" FROM "Account" WHERE "tenantId" = ? AND "archivedAt" IS NULL AND "parentId" IS NULL ORDER BY "id"`).pluck().all(seeded.tenantId);
  const active = db0.prepare<[string], string>(`SELECT "id" FROM "Account" WHERE "tenantId" = ? AND "archivedAt" IS NULL ORDER BY "id"`).pluck().all(seeded.tenantId);
  db0.close();
  // Spread over the id range, so the orders' accounts are not neighbours in the B-tree.
  const step = Math.floor(topLevel.length / 40);
  const orderingAccountIds = Array.from({ length: 32 }, (_, i) => topLevel[(i + 1) * step]!);
  const resolveAccountId = topLevel[35 * step]!;
  const taken = new Set([...orderingAccountIds, resolveAccountId]);
  const updateAccountIds = active.filter((id) => !taken.has(id));

  let teamId = '';
  const productLineIds: string[] = [];
  const memberOf: Record<string, string> = {};
  const actingFor: Record<string, string> = {};
  const delegateId = reps[6]!;
  const groups: { headquartersId: string; storeIds: string[] }[] = [];
  const crm = await createCrmServer({ databaseUrl: seeded.databaseUrl, migrate: false, logger: createLogger('warn') });
  try {
    const { url } = await crm.listen(0, '127.0.0.1');
    const client = createCrmClient({ url, apiKey: seeded.apiKey, retry: { attempts: 1 } });
    for (const id of reps) await client.users.upsert.mutate({ id, displayName: id, role: 'rep' });
    await client.users.upsert.mutate({ id: leaderId, displayName: leaderId, role: 'manager' });
    const team = await client.teams.create.mutate({ name: 'Key Accounts East', leaderId, memberIds: reps.slice(0, 6) });
    teamId = team.id;
    const lines: [string, string][] = [['TOOLS', 'Power tools'], ['APPLIANCES', 'Kitchen appliances'], ['WARRANTY', 'Extended warranty']];
    for (const [i, [code, name]] of lines.entries()) {
      const line = await client.productLines.create.mutate({ code, name });
      productLineIds.push(line.id);
      const member = reps[i + 1]!;
      await client.productLines.assign.mutate({ teamId, productLineId: line.id, userId: member, reason: 'bench: product-line member' });
      memberOf[line.id] = member;
      actingFor[line.id] = member;
    }
    for (const [i, accountId] of [...orderingAccountIds, resolveAccountId].entries()) {
      await client.ownership.assign.mutate({ accountId, teamId, primaryOwnerId: reps[i % 6]!, reason: 'bench: key account' });
    }
    // The first product line's member is on leave: their work goes to rep-07 for the next 30 days.
    const now = Date.now();
    await client.delegations.create.mutate({
      delegatorId: memberOf[productLineIds[0]!]!, delegateId, scope: 'all', validFrom: new Date(now).toISOString(), validTo: new Date(now + 30 * DAY_MS).toISOString(), reason: 'bench: parental leave',
    });
    actingFor[productLineIds[0]!] = delegateId;
    for (const label of ['Long', 'Short']) {
      const hq = await client.accounts.create.mutate({ name: `${label} History Holdings HQ`, grade: 'A', currency: CURRENCY });
      const storeIds: string[] = [];
      for (let s = 0; s < 3; s++) {
        // Two stores settle their own invoices; the third is billed through headquarters.
        storeIds.push((await client.accounts.create.mutate({ name: `${label} History Store ${s + 1}`, parentId: hq.id, settlesOwnInvoices: s < 2, currency: CURRENCY })).id);
      }
      groups.push({ headquartersId: hq.id, storeIds });
    }
  } finally {
    await crm.close();
  }
  const setupSeconds = (performance.now() - started) / 1000;

  const historyStarted = performance.now();
  const db = new Database(path);
  const historyRows = { invoices: 0, invoiceLines: 0, payments: 0, settlements: 0, figures: 0 };
  let long!: InvoiceGroup;
  let short!: InvoiceGroup;
  try {
    db.pragma('busy_timeout = 5000');
    const insertInvoice = db.prepare(`INSERT INTO "Invoice" ("id", "tenantId", "kind", "billToAccountId", "currency", "number", "issuedAt", "dueDate", "totalMinor", "openMinor", "status",
      "correctsInvoiceId", "note", "voidedAt", "voidReason", "source", "externalId", "createdBy", "version", "createdAt", "updatedAt")
      VALUES (?, ?, 'invoice', ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, 'crmkit', NULL, ?, ?, ?, ?)`);
    const insertLine = db.prepare(`INSERT INTO "InvoiceLine" ("id", "tenantId", "invoiceId", "position", "description", "amountMinor", "orderLineId", "appliedToOrderMinor", "correctsLineId", "creditedMinor")
      VALUES (?, ?, ?, 0, ?, ?, NULL, 0, NULL, 0)`);
    const insertPayment = db.prepare(`INSERT INTO "Payment" ("id", "tenantId", "accountId", "currency", "amountMinor", "allocatedMinor", "receivedAt", "reference", "status", "voidedAt", "voidReason",
      "source", "externalId", "createdBy", "version", "createdAt", "updatedAt")
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, NULL, 'crmkit', NULL, ?, ?, ?, ?)`);
    const insertSettlement = db.prepare(`INSERT INTO "InvoiceSettlement" ("id", "tenantId", "invoiceId", "paymentId", "creditNoteId", "amountMinor", "at", "voidedAt")
      VALUES (?, ?, ?, ?, NULL, ?, ?, NULL)`);
    const insertFigure = db.prepare(`INSERT INTO "ExposureFigure" ("tenantId", "accountId", "scope", "currency", "ordersOpenMinor", "invoicesOpenMinor", "onAccountCreditMinor")
      VALUES (?, ?, ?, ?, 0, ?, ?)`);
    const createdBy = 'system:bench-seed';
    const clock = createFakeClock('2023-01-02T00:00:00Z');
    const endMs = Date.now() - 10 * DAY_MS;

    const history = (g: { headquartersId: string; storeIds: string[] }, invoices: number, label: string): InvoiceGroup => {
      // Invoices go to headquarters and to the two stores that settle their own (store 3 is billed through headquarters).
      const billTo = [g.headquartersId, g.storeIds[0]!, g.storeIds[1]!];
      const own = new Map<string, { invoicesOpenMinor: number; onAccountCreditMinor: number }>();
      const addOwn = (accountId: string, d: { invoicesOpenMinor?: number; onAccountCreditMinor?: number }) => {
        const f = own.get(accountId) ?? { invoicesOpenMinor: 0, onAccountCreditMinor: 0 };
        f.invoicesOpenMinor += d.invoicesOpenMinor ?? 0;
        f.onAccountCreditMinor += d.onAccountCreditMinor ?? 0;
        own.set(accountId, f);
      };
      const startMs = endMs - 3 * 365 * DAY_MS;
      // The last two stay open, with the same amounts in every group, so both groups answer the same figures.
      const open = [{ billTo: g.headquartersId, amount: 1_250_000_00 }, { billTo: g.storeIds[0]!, amount: 380_000_00 }];
      for (let k = 0; k < invoices; k++) {
        const isOpen = k >= invoices - open.length;
        const issuedMs = startMs + Math.floor(((endMs - startMs) * k) / invoices);
        clock.set(new Date(issuedMs));
        const id = newId('inv', clock);
        const to = isOpen ? open[k - (invoices - open.length)]!.billTo : billTo[k % billTo.length]!;
        const amount = isOpen ? open[k - (invoices - open.length)]!.amount : 1_000_00 + Math.floor(random() * 50_000_00);
        const dueDate = new Date(issuedMs + 30 * DAY_MS).toISOString().slice(0, 10);
        const paidMs = issuedMs + Math.floor(random() * 40 * DAY_MS);
        const issued = sqliteDateTime(issuedMs);
        insertInvoice.run(id, seeded.tenantId, to, CURRENCY, `${label}-${String(k + 1).padStart(6, '0')}`, issued, dueDate, amount, isOpen ? amount : 0, isOpen ? 'open' : 'settled',
          createdBy, isOpen ? 1 : 2, issued, isOpen ? issued : sqliteDateTime(paidMs));
        insertLine.run(newId('inl', clock), seeded.tenantId, id, 'Goods as per delivery notes', amount);
        historyRows.invoices += 1;
        historyRows.invoiceLines += 1;
        addOwn(to, { invoicesOpenMinor: amount });
        if (isOpen) continue;
        // Paid in full by the account billed, allocated at once: the invoice settles, nothing is left on account.
        clock.set(new Date(paidMs));
        const paymentId = newId('pay', clock);
        const paid = sqliteDateTime(paidMs);
        insertPayment.run(paymentId, seeded.tenantId, to, CURRENCY, amount, amount, paid, `bank transfer ${k + 1}`, createdBy, 2, paid, paid);
        insertSettlement.run(newId('stl', clock), seeded.tenantId, id, paymentId, amount, paid);
        historyRows.payments += 1;
        historyRows.settlements += 1;
        addOwn(to, { onAccountCreditMinor: amount, invoicesOpenMinor: -amount });
        addOwn(to, { onAccountCreditMinor: -amount });
      }
      // One payment received by headquarters and not allocated: credit on account.
      clock.set(new Date(endMs));
      const credit = 50_000_00;
      insertPayment.run(newId('pay', clock), seeded.tenantId, g.headquartersId, CURRENCY, credit, 0, sqliteDateTime(endMs), 'advance payment', createdBy, 1, sqliteDateTime(endMs), sqliteDateTime(endMs));
      historyRows.payments += 1;
      addOwn(g.headquartersId, { onAccountCreditMinor: credit });
      // The kept figures: an own row per account with documents, a group row for it and each ancestor (here: headquarters).
      const groupRows = new Map<string, { invoicesOpenMinor: number; onAccountCreditMinor: number }>();
      for (const [accountId, f] of own) {
        for (const id of accountId === g.headquartersId ? [accountId] : [accountId, g.headquartersId]) {
          const r = groupRows.get(id) ?? { invoicesOpenMinor: 0, onAccountCreditMinor: 0 };
          r.invoicesOpenMinor += f.invoicesOpenMinor;
          r.onAccountCreditMinor += f.onAccountCreditMinor;
          groupRows.set(id, r);
        }
      }
      for (const [scope, rows] of [['own', own], ['group', groupRows]] as const) {
        for (const [accountId, f] of rows) {
          insertFigure.run(seeded.tenantId, accountId, scope, CURRENCY, f.invoicesOpenMinor, f.onAccountCreditMinor);
          historyRows.figures += 1;
        }
      }
      const answer = (f: { invoicesOpenMinor: number; onAccountCreditMinor: number } | undefined): ExpectedFigures[] =>
        !f || (f.invoicesOpenMinor === 0 && f.onAccountCreditMinor === 0)
          ? []
          : [{ currency: CURRENCY, ordersOpenMinor: 0, invoicesOpenMinor: f.invoicesOpenMinor, onAccountCreditMinor: f.onAccountCreditMinor, exposureMinor: f.invoicesOpenMinor - f.onAccountCreditMinor }];
      return { ...g, invoices, own: answer(own.get(g.headquartersId)), group: answer(groupRows.get(g.headquartersId)) };
    };
    db.transaction(() => {
      long = history(groups[0]!, o.historyInvoices, 'L');
      short = history(groups[1]!, o.shortInvoices, 'S');
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return {
    ...seeded,
    teamId,
    leaderId,
    productLineIds,
    memberOf,
    actingFor,
    delegateId,
    orderingAccountIds,
    resolveAccountId,
    updateAccountIds,
    long,
    short,
    historyRows,
    setupSeconds,
    historySeconds: (performance.now() - historyStarted) / 1000,
  };
}
