import Database from 'better-sqlite3';
import pg from 'pg';
import { DAY_MS, createFakeClock, newId, searchKey, type FakeClock, type IdPrefix } from '@crmkit/core';
import { createCrmServer, createLogger, migrateDatabase } from '@crmkit/server';
import { createCrmClient } from '@crmkit/client';
import { createRandom, pick } from './random.js';
import { sqliteDateTime } from './seed.js';

// The credit suite's database (bench/credit.ts), on SQLite or PostgreSQL: one tenant with
// `accounts` background accounts, a team with three product lines, and two groups of four accounts
// (a headquarters and three branches, two settling their own invoices) owned by the team, twice
// over: a long history (`invoices` invoices, `orders` orders) and a short one (`shortInvoices`,
// `shortOrders`), each in two twins with the same documents, one with credit limits on its path and
// one with none. Documents are inserted with the raw driver (better-sqlite3 / pg) in batches, the
// exposure figures are then computed by crmkit itself (`credit.rebuild`, once).

export type Engine = 'sqlite' | 'postgresql';

/** Exposure figures as `accounts.exposure` answers them, per scope and currency. */
export interface ExpectedFigures {
  currency: string;
  ordersOpenMinor: number;
  invoicesOpenMinor: number;
  onAccountCreditMinor: number;
  exposureMinor: number;
}

export type GroupSize = 'long' | 'short';

/** A headquarters with three branches and its document history. */
export interface CreditGroup {
  size: GroupSize;
  /** Whether its path has limits (the checked twin) or nothing to check (the unchecked one). */
  limited: boolean;
  label: string;
  headquartersId: string;
  /** Branches 1 and 2 settle their own invoices; branch 3 is billed through headquarters. */
  branchIds: [string, string, string];
  /** Drafts are placed by the three branches in turn: bill-to branch 1, branch 2, headquarters. */
  orderingAccountIds: [string, string, string];
  invoices: number;
  orders: number;
  /** Of those, still open (the open invoices are at most `maxDaysPastDue` days past due). */
  openInvoices: number;
  openOrders: number;
  maxDaysPastDue: number;
  /** What accounts.exposure of the headquarters must answer (as the documents add up). */
  own: ExpectedFigures[];
  group: ExpectedFigures[];
}

export interface CreditSeed {
  engine: Engine;
  databaseUrl: string;
  tenantId: string;
  apiKey: string;
  teamId: string;
  productLineIds: string[];
  /** Per size, twins with the same history: one with limits on its path, one with nothing to check. */
  groups: Record<GroupSize, { checked: CreditGroup; unchecked: CreditGroup }>;
  /** Rows written with the raw driver, per table. */
  rows: Record<string, number>;
  accountsSeconds: number;
  setupSeconds: number;
  historySeconds: number;
  /** The one `credit.rebuild` (not a dry run) that wrote the exposure figures. */
  rebuild: { seconds: number; figures: number; written: number };
}

export interface CreditSeedOptions {
  engine: Engine;
  databaseUrl: string;
  accounts: number;
  invoices: number;
  orders: number;
  shortInvoices: number;
  shortOrders: number;
  seed: number;
}

const CURRENCY = 'CNY';
const reps = Array.from({ length: 8 }, (_, i) => `rep-${String(i + 1).padStart(2, '0')}`);
const leaderId = 'lead-1';
/** Open invoices are those issued in the last 45 days (net 30): at most 15 days past due. */
const OPEN_WINDOW_DAYS = 45;
const TERMS_DAYS = 30;
/** History ends 5 days before the seed; orders still open were placed after that. */
const HISTORY_END_DAYS = 5;
const createdBy = 'system:bench-seed';

/** The exchange rate the USD group limits need (every document is in CNY). */
export const usdRate = { base: 'USD', quote: 'CNY', rate: '7.1' } as const;

/**
 * The limits of a checked group's path: branches 1 and 2 an own limit in CNY, headquarters a group
 * limit in USD; high enough that every confirmation of a run passes.
 */
export function limitsOf(g: Pick<CreditGroup, 'headquartersId' | 'branchIds'>) {
  return [
    { accountId: g.branchIds[0], scope: 'own' as const, amountMinor: 2_000_000_000_00, currency: 'CNY' },
    { accountId: g.branchIds[1], scope: 'own' as const, amountMinor: 2_000_000_000_00, currency: 'CNY' },
    { accountId: g.headquartersId, scope: 'group' as const, amountMinor: 1_000_000_000_00, currency: 'USD' },
  ];
}

// ── The raw driver ──────────────────────────────────────────────────────────────────────────────

/** A DateTime column's value: stored as Prisma's adapter stores it on each engine. */
class At {
  constructor(readonly ms: number) {}
}
export const at = (ms: number) => new At(ms);

export interface RawDriver {
  engine: Engine;
  /** Inserts rows (one prepared statement per row on SQLite; on PostgreSQL 5,000 rows a statement, a column an array). */
  insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** A query with `?` placeholders (numbered on PostgreSQL). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** `?` → `$1, $2, …` (no `?` appears in the bench's SQL but as a placeholder). */
export const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Opens the raw driver on the database (SQLite `readonly`: a second connection reading beside crmkit's, as WAL allows). */
export async function openRawDriver(engine: Engine, databaseUrl: string, o: { readonly?: boolean } = {}): Promise<RawDriver> {
  if (engine === 'sqlite') {
    const db = new Database(databaseUrl.replace(/^file:/, ''), { readonly: o.readonly ?? false, fileMustExist: o.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    const value = (v: unknown) => (v instanceof At ? sqliteDateTime(v.ms) : typeof v === 'boolean' ? (v ? 1 : 0) : v);
    const statements = new Map<string, Database.Statement>();
    return {
      engine,
      insert: async (table, columns, rows) => {
        const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
        let stmt = statements.get(sql);
        if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
        for (const row of rows) stmt.run(row.map(value));
      },
      all: async <T>(sql: string, params: readonly unknown[] = []) => {
        let stmt = statements.get(sql);
        if (!stmt) statements.set(sql, (stmt = db.prepare(sql)));
        return (stmt.reader ? stmt.all(...params.map(value)) : (stmt.run(...params.map(value)), [])) as T[];
      },
      exec: async (sql) => void db.exec(sql),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // TIMESTAMP(3) without time zone holds UTC: bind the UTC wall time, so the session's zone cannot shift it.
  const value = (v: unknown) => (v instanceof At ? new Date(v.ms).toISOString().replace('T', ' ').replace('Z', '') : v);
  const types = new Map<string, Map<string, string>>();
  return {
    engine,
    // One array parameter per column (`INSERT … SELECT * FROM unnest($1::text[], …)`), 5,000 rows a statement.
    insert: async (table, columns, rows) => {
      let typeOf = types.get(table);
      if (!typeOf) {
        const { rows: cols } = await client.query<{ column_name: string; udt_name: string }>(
          'SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]);
        types.set(table, (typeOf = new Map(cols.map((c) => [c.column_name, c.udt_name]))));
      }
      const casts = columns.map((c, k) => {
        const t = typeOf.get(c);
        if (!t) throw new Error(`no column ${table}.${c}`);
        return `$${k + 1}::${t}[]`;
      });
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
      for (let i = 0; i < rows.length; i += 5_000) {
        const batch = rows.slice(i, i + 5_000);
        await client.query(sql, columns.map((_, k) => batch.map((row) => value(row[k]))));
      }
    },
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(numbered(sql), params.map(value))).rows as T[],
    exec: async (sql) => void (await client.query(sql)),
    close: () => client.end(),
  };
}

// ── Ids in time order ───────────────────────────────────────────────────────────────────────────

/**
 * newId is monotonic per process: an id made after one stamped "now" gets now's time part. The
 * history's ids are therefore all asked for first (with the instant each document was made) and
 * made in time order, before anything is created through crmkit in this process.
 */
class IdPlan {
  private wants: { ms: number; prefix: IdPrefix }[] = [];
  private ids: string[] = [];
  want(prefix: IdPrefix, ms: number): number {
    this.wants.push({ ms, prefix });
    return this.wants.length - 1;
  }
  make(clock: FakeClock): void {
    const order = this.wants.map((_, i) => i).sort((a, b) => this.wants[a]!.ms - this.wants[b]!.ms || a - b);
    this.ids = new Array(this.wants.length);
    for (const i of order) {
      clock.set(new Date(this.wants[i]!.ms));
      this.ids[i] = newId(this.wants[i]!.prefix, clock);
    }
  }
  id(ref: number): string {
    return this.ids[ref]!;
  }
}

// ── The history plan ────────────────────────────────────────────────────────────────────────────

type Role = 'hq' | 'b1' | 'b2' | 'b3';
/** Who is billed for an order placed by each account (branch 3 does not settle its own invoices). */
const billToOf: Record<Role, Role> = { hq: 'hq', b1: 'b1', b2: 'b2', b3: 'hq' };
const orderingRoles: Role[] = ['b1', 'b2', 'b3', 'hq'];
const invoiceRoles: Role[] = ['hq', 'b1', 'b2'];

interface PlannedLine { ref: number; productLine: number; quantity: number; unitPriceMinor: number; amountMinor: number }
interface PlannedOrder { ref: number; ordering: Role; orderedMs: number; open: boolean; lines: PlannedLine[]; totalMinor: number; invoice: number | null }
interface PlannedInvoice {
  ref: number;
  lineRefs: number[];
  billTo: Role;
  issuedMs: number;
  totalMinor: number;
  open: boolean;
  /** The order it invoices (its lines, one invoice line each), or null for an invoice-only document. */
  order: number | null;
  payment: { ref: number; settlementRef: number; paidMs: number } | null;
}
interface HistoryPlan { label: string; orders: PlannedOrder[]; invoices: PlannedInvoice[]; creditRef: number; creditMs: number }

function planHistory(label: string, invoices: number, orders: number, nowMs: number, random: () => number, ids: IdPlan): HistoryPlan {
  if (orders > invoices) throw new Error(`a group's orders (${orders}) cannot outnumber its invoices (${invoices}): each closed order has one invoice`);
  const endMs = nowMs - HISTORY_END_DAYS * DAY_MS;
  const startMs = endMs - 3 * 365 * DAY_MS;
  const openFromMs = nowMs - OPEN_WINDOW_DAYS * DAY_MS;
  const openOrders = orders === 0 ? 0 : Math.max(1, Math.round(orders * 0.005));
  const closedOrders = orders - openOrders;
  const issuedAt = (k: number) => startMs + Math.floor(((endMs - startMs) * (k + 1)) / invoices);
  // Closed order j is invoiced by invoice slot floor(j · N / closed), three days after it was placed.
  const invoiceOfOrder = new Map<number, number>();
  for (let j = 0; j < closedOrders; j++) invoiceOfOrder.set(Math.floor((j * invoices) / closedOrders), j);

  const plannedOrders: PlannedOrder[] = [];
  const newLines = (ms: number): PlannedLine[] =>
    [0, 1, 2].map((productLine) => {
      const quantity = 1 + Math.floor(random() * 40);
      const unitPriceMinor = 50_00 + Math.floor(random() * 2_000_00);
      return { ref: ids.want('orl', ms), productLine, quantity, unitPriceMinor, amountMinor: quantity * unitPriceMinor };
    });
  for (let j = 0; j < orders; j++) {
    const open = j >= closedOrders;
    let orderedMs: number;
    if (open) orderedMs = endMs + Math.floor(((j - closedOrders + 1) * (HISTORY_END_DAYS - 1) * DAY_MS) / (openOrders + 1));
    else orderedMs = issuedAt(Math.floor((j * invoices) / closedOrders)) - 3 * DAY_MS;
    const ref = ids.want('ord', orderedMs);
    const lines = newLines(orderedMs);
    plannedOrders.push({ ref, ordering: orderingRoles[j % orderingRoles.length]!, orderedMs, open, lines, totalMinor: lines.reduce((s, l) => s + l.amountMinor, 0), invoice: null });
  }

  const plannedInvoices: PlannedInvoice[] = [];
  for (let k = 0; k < invoices; k++) {
    const issuedMs = issuedAt(k);
    const ref = ids.want('inv', issuedMs);
    const j = invoiceOfOrder.get(k);
    const order = j === undefined ? null : plannedOrders[j]!;
    const lineRefs = (order ? order.lines : [null]).map(() => ids.want('inl', issuedMs));
    const open = issuedMs >= openFromMs;
    let payment: PlannedInvoice['payment'] = null;
    if (!open) {
      const paidMs = issuedMs + Math.floor(random() * 40 * DAY_MS);
      payment = { ref: ids.want('pay', paidMs), settlementRef: ids.want('stl', paidMs), paidMs };
    }
    const totalMinor = order ? order.totalMinor : 1_000_00 + Math.floor(random() * 50_000_00);
    const billTo = order ? billToOf[order.ordering] : invoiceRoles[k % invoiceRoles.length]!;
    if (order) order.invoice = plannedInvoices.length;
    plannedInvoices.push({ ref, lineRefs, billTo, issuedMs, totalMinor, open, order: j ?? null, payment });
  }
  return { label, orders: plannedOrders, invoices: plannedInvoices, creditRef: ids.want('pay', endMs), creditMs: endMs };
}

// ── Seeding ─────────────────────────────────────────────────────────────────────────────────────

const companies = ['Hualian', 'Meridian', 'Northwind', 'Jiahe', 'Blue Harbor', 'Everbright', 'Contoso', 'Sunrise', 'Tianyu', 'Oakridge', 'Yongan', 'Redwood'];
const kinds = ['Supermarkets', 'Trading', 'Logistics', 'Foods', 'Retail', 'Pharmacy', 'Electronics', 'Textiles'];
const regions = ['East China', 'North China', 'South China', 'Southwest', 'Northeast', 'Hong Kong', 'Europe', 'North America'];
const currencies = ['CNY', 'CNY', 'CNY', 'USD', 'EUR', 'HKD'];
const grades = ['A', 'B', 'C', 'D'] as const;
const accountColumns = ['id', 'tenantId', 'name', 'nameSearch', 'parentId', 'grade', 'settlesOwnInvoices', 'taxId', 'phone', 'email', 'website', 'region', 'currency', 'version', 'createdAt', 'updatedAt', 'archivedAt'];

export async function seedCreditDatabase(o: CreditSeedOptions): Promise<CreditSeed> {
  const started = performance.now();
  const random = createRandom(o.seed + 29);
  const nowMs = Date.now();

  // Every id made from a past instant first (background accounts four years ago, then the history).
  const clock = createFakeClock(new Date(nowMs - 4 * 365 * DAY_MS));
  const tenantId = newId('ten', clock);
  const accountRows: unknown[][] = [];
  const topLevel: string[] = [];
  for (let i = 0; i < o.accounts; i++) {
    clock.advance(30_000 + Math.floor(random() * 60_000));
    const id = newId('acc', clock);
    const createdMs = clock.now().getTime();
    const name = `${pick(random, companies)} ${pick(random, kinds)} ${String(i + 1).padStart(6, '0')}`;
    const parentId = topLevel.length > 0 && random() < 0.2 ? pick(random, topLevel) : null;
    if (parentId === null) topLevel.push(id);
    accountRows.push([
      id, tenantId, name, searchKey(name), parentId, pick(random, grades), parentId !== null && random() < 0.5,
      random() < 0.7 ? `91310000${String(Math.floor(random() * 1e10)).padStart(10, '0')}` : null,
      random() < 0.8 ? `+86 21 ${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null,
      random() < 0.6 ? `ap${i + 1}@example.com` : null, random() < 0.4 ? `https://www.example-${i + 1}.com` : null,
      pick(random, regions), pick(random, currencies), 1, at(createdMs), at(createdMs), random() < 0.02 ? at(createdMs + DAY_MS) : null,
    ]);
  }
  // Four groups: per size a checked and an unchecked twin, with the same history (the same random sequence).
  const layout = (['long', 'short'] as const).flatMap((size) => [true, false].map((limited) => ({ size, limited })));
  const ids = new IdPlan();
  const plans = layout.map(({ size, limited }) =>
    planHistory(`${size === 'long' ? 'L' : 'S'}${limited ? 'C' : 'U'}`, size === 'long' ? o.invoices : o.shortInvoices, size === 'long' ? o.orders : o.shortOrders, nowMs, createRandom(o.seed + (size === 'long' ? 101 : 102)), ids),
  );
  ids.make(clock);

  await migrateDatabase(o.databaseUrl);
  const rows: Record<string, number> = {};
  const count = (table: string, n: number) => void (rows[table] = (rows[table] ?? 0) + n);
  let raw = await openRawDriver(o.engine, o.databaseUrl);
  let apiKey: string;
  try {
    const crm = await createCrmServer({ databaseUrl: o.databaseUrl, migrate: false, logger: createLogger('warn') });
    try {
      await crm.bootstrap.createTenant({ id: tenantId, name: 'Bench Tenant (credit)' });
      apiKey = (await crm.bootstrap.createApiKey({ tenantId, name: 'bench', role: 'admin' })).secret;
    } finally {
      await crm.close();
    }
    await raw.exec('BEGIN');
    await raw.insert('Account', accountColumns, accountRows);
    await raw.exec('COMMIT');
    count('Account', accountRows.length);
  } finally {
    await raw.close();
  }
  const accountsSeconds = (performance.now() - started) / 1000;

  // Through crmkit's own procedures: users, the team, product lines, the two groups and their owners.
  const setupStarted = performance.now();
  let teamId = '';
  const productLineIds: string[] = [];
  const groups: { hq: string; branches: [string, string, string]; owners: Record<Role, string> }[] = [];
  const partyExplanation = new Map<string, string>();
  const sampleDrafts: string[] = [];
  {
    const crm = await createCrmServer({ databaseUrl: o.databaseUrl, migrate: false, logger: createLogger('warn') });
    try {
      const { url } = await crm.listen(0, '127.0.0.1');
      const client = createCrmClient({ url, apiKey, retry: { attempts: 1 } });
      for (const id of reps) await client.users.upsert.mutate({ id, displayName: id, role: 'rep' });
      await client.users.upsert.mutate({ id: leaderId, displayName: leaderId, role: 'manager' });
      teamId = (await client.teams.create.mutate({ name: 'Key Accounts East', leaderId, memberIds: reps.slice(0, 6) })).id;
      for (const [i, [code, name]] of ([['TOOLS', 'Power tools'], ['APPLIANCES', 'Kitchen appliances'], ['WARRANTY', 'Extended warranty']] as const).entries()) {
        const line = await client.productLines.create.mutate({ code, name });
        productLineIds.push(line.id);
        await client.productLines.assign.mutate({ teamId, productLineId: line.id, userId: reps[i + 1]!, reason: 'bench: product-line member' });
      }
      // The rate first, then the limits, while no group has documents yet (see limits below).
      await client.fx.setRate.mutate({ ...usdRate, validFrom: new Date(nowMs - 4 * 365 * DAY_MS).toISOString() });
      for (const [g, { size, limited }] of layout.entries()) {
        const label = `${size === 'long' ? 'Long' : 'Short'} ${limited ? 'Checked' : 'Unchecked'}`;
        const hq = await client.accounts.create.mutate({ name: `${label} Credit Holdings HQ`, grade: 'A', currency: CURRENCY });
        const branches: string[] = [];
        for (let s = 0; s < 3; s++) {
          branches.push((await client.accounts.create.mutate({ name: `${label} Credit Branch ${s + 1}`, parentId: hq.id, settlesOwnInvoices: s < 2, currency: CURRENCY })).id);
        }
        const owners = {} as Record<Role, string>;
        for (const [k, [role, accountId]] of ([['hq', hq.id], ['b1', branches[0]!], ['b2', branches[1]!], ['b3', branches[2]!]] as const).entries()) {
          owners[role] = reps[(g * 4 + k) % 6]!;
          await client.ownership.assign.mutate({ accountId, teamId, primaryOwnerId: owners[role], reason: 'bench: key account' });
        }
        groups.push({ hq: hq.id, branches: branches as [string, string, string], owners });
        // Set once, before the documents exist; the limits never change during the run.
        if (limited) for (const l of limitsOf({ headquartersId: hq.id, branchIds: branches as [string, string, string] })) await client.credit.setLimit.mutate(l);
        // One draft per ordering account, so the history's orders carry the parties' explanation orders.create writes for it.
        for (const accountId of [branches[0]!, branches[1]!, branches[2]!, hq.id]) {
          const draft = await client.orders.create.mutate({ orderingAccountId: accountId, currency: CURRENCY, lines: [{ description: 'bench: sample draft', quantity: 1, unitPriceMinor: 100_00 }] });
          sampleDrafts.push(draft.id);
        }
      }
    } finally {
      await crm.close();
    }
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // The history, with the raw driver: one transaction, batched statements.
  const historyStarted = performance.now();
  const seededGroups: CreditGroup[] = [];
  raw = await openRawDriver(o.engine, o.databaseUrl);
  try {
    const drafts = await raw.all<{ orderingAccountId: string; billToAccountId: string; partyExplanation: string }>(
      `SELECT "orderingAccountId", "billToAccountId", "partyExplanation" FROM "Order" WHERE "tenantId" = ? AND "id" IN (${sampleDrafts.map(() => '?').join(', ')})`, [tenantId, ...sampleDrafts]);
    await raw.exec('BEGIN');
    for (const [g, plan] of plans.entries()) {
      const { hq, branches, owners } = groups[g]!;
      const accountOf: Record<Role, string> = { hq, b1: branches[0], b2: branches[1], b3: branches[2] };
      for (const role of orderingRoles) {
        const draft = drafts.find((d) => d.orderingAccountId === accountOf[role]);
        if (!draft || draft.billToAccountId !== accountOf[billToOf[role]]) throw new Error(`orders.create billed ${role}'s draft to ${draft?.billToAccountId}, not ${accountOf[billToOf[role]]}`);
        partyExplanation.set(accountOf[role], draft.partyExplanation);
      }
      const orderRows: unknown[][] = [];
      const lineRows: unknown[][] = [];
      for (const [j, order] of plan.orders.entries()) {
        const ordering = accountOf[order.ordering];
        const billTo = accountOf[billToOf[order.ordering]];
        const invoice = order.invoice === null ? null : plan.invoices[order.invoice]!;
        const confirmedMs = order.orderedMs + 3_600_000;
        const closedMs = invoice ? invoice.issuedMs : null;
        const id = ids.id(order.ref);
        orderRows.push([
          id, tenantId, ordering, billTo, ordering, CURRENCY, order.open ? 'confirmed' : 'closed', order.totalMinor, order.open ? order.totalMinor : 0,
          partyExplanation.get(ordering)!, `PO-${plan.label}-${String(j + 1).padStart(6, '0')}`, null, at(order.orderedMs), at(confirmedMs), null, null,
          closedMs === null ? null : at(closedMs), 'crmkit', null, 'confirmation', createdBy, order.open ? 2 : 4, at(order.orderedMs), at(closedMs ?? confirmedMs),
        ]);
        const owner = owners[order.ordering];
        for (const [position, l] of order.lines.entries()) {
          lineRows.push([
            ids.id(l.ref), tenantId, id, position, productLineIds[l.productLine]!, `SKU-${l.productLine + 1}-${String(j % 10_000).padStart(4, '0')}`,
            ['Cordless drill kits', 'Induction cookers', 'Extended warranty, 3 years'][l.productLine]!, l.quantity, l.unitPriceMinor, l.amountMinor,
            order.open ? 0 : l.quantity, order.open ? 0 : l.amountMinor, 'attributed', owner, '[]', owner, '[]', at(confirmedMs), null,
          ]);
        }
      }
      await raw.insert('Order', ['id', 'tenantId', 'orderingAccountId', 'billToAccountId', 'shipToAccountId', 'currency', 'status', 'totalMinor', 'openMinor', 'partyExplanation', 'reference', 'note',
        'orderedAt', 'confirmedAt', 'cancelledAt', 'cancelReason', 'closedAt', 'source', 'externalId', 'exposureBasis', 'createdBy', 'version', 'createdAt', 'updatedAt'], orderRows);
      await raw.insert('OrderLine', ['id', 'tenantId', 'orderId', 'position', 'productLineId', 'sku', 'description', 'quantity', 'unitPriceMinor', 'amountMinor', 'fulfilledQuantity', 'invoicedMinor',
        'attribution', 'ownerOfRecordId', 'ownerOfRecordWhy', 'actingUserId', 'actingWhy', 'attributedAt', 'externalId'], lineRows);
      count('Order', orderRows.length);
      count('OrderLine', lineRows.length);

      const invoiceRows: unknown[][] = [];
      const invoiceLineRows: unknown[][] = [];
      const paymentRows: unknown[][] = [];
      const settlementRows: unknown[][] = [];
      const own = new Map<Role, { ordersOpenMinor: number; invoicesOpenMinor: number; onAccountCreditMinor: number }>();
      const addOwn = (role: Role, d: Partial<ExpectedFigures>) => {
        const f = own.get(role) ?? { ordersOpenMinor: 0, invoicesOpenMinor: 0, onAccountCreditMinor: 0 };
        f.ordersOpenMinor += d.ordersOpenMinor ?? 0;
        f.invoicesOpenMinor += d.invoicesOpenMinor ?? 0;
        f.onAccountCreditMinor += d.onAccountCreditMinor ?? 0;
        own.set(role, f);
      };
      for (const order of plan.orders) if (order.open) addOwn(billToOf[order.ordering], { ordersOpenMinor: order.totalMinor });
      let openInvoices = 0;
      let maxDaysPastDue = 0;
      for (const [k, inv] of plan.invoices.entries()) {
        const id = ids.id(inv.ref);
        const dueMs = inv.issuedMs + TERMS_DAYS * DAY_MS;
        const issued = at(inv.issuedMs);
        invoiceRows.push([
          id, tenantId, 'invoice', accountOf[inv.billTo], CURRENCY, `${plan.label}-${String(k + 1).padStart(6, '0')}`, issued, new Date(dueMs).toISOString().slice(0, 10),
          inv.totalMinor, inv.open ? inv.totalMinor : 0, inv.open ? 'open' : 'settled', null, null, null, null, 'crmkit', null, createdBy, inv.open ? 1 : 2, issued, inv.payment ? at(inv.payment.paidMs) : issued,
        ]);
        const order = inv.order === null ? null : plan.orders[inv.order]!;
        if (order) {
          for (const [position, l] of order.lines.entries()) invoiceLineRows.push([ids.id(inv.lineRefs[position]!), tenantId, id, position, `Order PO line ${position + 1}`, l.amountMinor, ids.id(l.ref), l.amountMinor, null, 0]);
        } else {
          invoiceLineRows.push([ids.id(inv.lineRefs[0]!), tenantId, id, 0, 'Goods as per delivery notes', inv.totalMinor, null, 0, null, 0]);
        }
        if (inv.open) {
          openInvoices += 1;
          maxDaysPastDue = Math.max(maxDaysPastDue, Math.floor((nowMs - dueMs) / DAY_MS));
          addOwn(inv.billTo, { invoicesOpenMinor: inv.totalMinor });
          continue;
        }
        // Paid in full by the account billed, allocated at once.
        const p = inv.payment!;
        const paymentId = ids.id(p.ref);
        const paid = at(p.paidMs);
        paymentRows.push([paymentId, tenantId, accountOf[inv.billTo], CURRENCY, inv.totalMinor, inv.totalMinor, paid, `bank transfer ${plan.label}-${k + 1}`, 'active', null, null, 'crmkit', null, createdBy, 2, paid, paid]);
        settlementRows.push([ids.id(p.settlementRef), tenantId, id, paymentId, null, inv.totalMinor, paid, null]);
      }
      // One payment received by headquarters and not allocated: credit on account.
      const credit = 50_000_00;
      paymentRows.push([ids.id(plan.creditRef), tenantId, hq, CURRENCY, credit, 0, at(plan.creditMs), 'advance payment', 'active', null, null, 'crmkit', null, createdBy, 1, at(plan.creditMs), at(plan.creditMs)]);
      addOwn('hq', { onAccountCreditMinor: credit });
      await raw.insert('Invoice', ['id', 'tenantId', 'kind', 'billToAccountId', 'currency', 'number', 'issuedAt', 'dueDate', 'totalMinor', 'openMinor', 'status',
        'correctsInvoiceId', 'note', 'voidedAt', 'voidReason', 'source', 'externalId', 'createdBy', 'version', 'createdAt', 'updatedAt'], invoiceRows);
      await raw.insert('InvoiceLine', ['id', 'tenantId', 'invoiceId', 'position', 'description', 'amountMinor', 'orderLineId', 'appliedToOrderMinor', 'correctsLineId', 'creditedMinor'], invoiceLineRows);
      await raw.insert('Payment', ['id', 'tenantId', 'accountId', 'currency', 'amountMinor', 'allocatedMinor', 'receivedAt', 'reference', 'status', 'voidedAt', 'voidReason',
        'source', 'externalId', 'createdBy', 'version', 'createdAt', 'updatedAt'], paymentRows);
      await raw.insert('InvoiceSettlement', ['id', 'tenantId', 'invoiceId', 'paymentId', 'creditNoteId', 'amountMinor', 'at', 'voidedAt'], settlementRows);
      count('Invoice', invoiceRows.length);
      count('InvoiceLine', invoiceLineRows.length);
      count('Payment', paymentRows.length);
      count('InvoiceSettlement', settlementRows.length);

      const answer = (f: { ordersOpenMinor: number; invoicesOpenMinor: number; onAccountCreditMinor: number } | undefined): ExpectedFigures[] =>
        !f || (f.ordersOpenMinor === 0 && f.invoicesOpenMinor === 0 && f.onAccountCreditMinor === 0)
          ? []
          : [{ currency: CURRENCY, ...f, exposureMinor: f.ordersOpenMinor + f.invoicesOpenMinor - f.onAccountCreditMinor }];
      const groupTotal = { ordersOpenMinor: 0, invoicesOpenMinor: 0, onAccountCreditMinor: 0 };
      for (const f of own.values()) {
        groupTotal.ordersOpenMinor += f.ordersOpenMinor;
        groupTotal.invoicesOpenMinor += f.invoicesOpenMinor;
        groupTotal.onAccountCreditMinor += f.onAccountCreditMinor;
      }
      seededGroups.push({
        size: layout[g]!.size,
        limited: layout[g]!.limited,
        label: plan.label,
        headquartersId: hq,
        branchIds: branches,
        orderingAccountIds: [branches[0], branches[1], branches[2]],
        invoices: plan.invoices.length,
        orders: plan.orders.length,
        openInvoices,
        openOrders: plan.orders.filter((x) => x.open).length,
        maxDaysPastDue,
        own: answer(own.get('hq')),
        group: answer(groupTotal),
      });
    }
    await raw.exec('COMMIT');
    // SQLite: fold the WAL into the file. PostgreSQL: planner statistics, as autovacuum would leave them after a bulk load.
    if (o.engine === 'sqlite') await raw.all('PRAGMA wal_checkpoint(TRUNCATE)');
    else await raw.exec('ANALYZE');
  } finally {
    await raw.close();
  }
  const historySeconds = (performance.now() - historyStarted) / 1000;

  // The exposure figures: crmkit computes them from the documents (credit.rebuild, once).
  const rebuildStarted = performance.now();
  let rebuild: CreditSeed['rebuild'];
  {
    const crm = await createCrmServer({ databaseUrl: o.databaseUrl, migrate: false, logger: createLogger('warn') });
    try {
      const { url } = await crm.listen(0, '127.0.0.1');
      const client = createCrmClient({ url, apiKey, retry: { attempts: 1 } });
      const r = await client.credit.rebuild.mutate({});
      rebuild = { seconds: (performance.now() - rebuildStarted) / 1000, figures: r.figures, written: r.differences.length };
    } finally {
      await crm.close();
    }
  }

  return {
    engine: o.engine,
    databaseUrl: o.databaseUrl,
    tenantId,
    apiKey,
    teamId,
    productLineIds,
    groups: {
      long: { checked: seededGroups[0]!, unchecked: seededGroups[1]! },
      short: { checked: seededGroups[2]!, unchecked: seededGroups[3]! },
    },
    rows,
    accountsSeconds,
    setupSeconds,
    historySeconds,
    rebuild,
  };
}
