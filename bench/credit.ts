/**
 * The credit suite, run by run.ts (`--suite credit`, or with every suite by default). One crmkit
 * server (`createCrmServer`; SQLite at its defaults, WAL + synchronous=FULL, and PostgreSQL when
 * --postgres / BENCH_POSTGRES_URL names a server) in a child process, called through
 * @crmkit/client over HTTP as the orders suite calls orders.confirm, all in one run per engine:
 *
 * (a) orders.confirm with the credit check for a group whose history is 100,000 invoices and
 *     10,000 orders against a group with 10 invoices and 1 order (a headquarters with a group
 *     limit in USD, two branches with own limits in CNY, a third branch billed through
 *     headquarters); confirmations pass. Target: the long group within 1.5× of the short one (p50
 *     and p95 latency).
 * (b) the same confirmations with and without the check, in the same run on the same server: no
 *     limit, hold or overdue policy on the path (nothing to refuse), the limits, and the limits
 *     with `maxOverdueDays` on. All six variants (2 groups × 3) take turns in rounds; each phase
 *     first puts its group and the tenant in its state through credit.setLimit / removeLimit and
 *     tenant.settings.update (outside the timing).
 * (c) baselines with the raw driver in this process on the same database: the check's own
 *     statements (the SQL of services/credit/facts.ts, on cached statements) per group, timed per
 *     statement, and a naive check that sums the path's open documents instead of reading the kept
 *     figures; query plans of the statements.
 * (d) after the measurements, CPU-profiled phases of the checked confirmation per group.
 *
 * Checks: the seeded documents' figures are crmkit's own (`credit.rebuild` writes them once; a dry
 * run must then find nothing, before and after the run); both headquarters answer the expected
 * exposure; a confirmation records a credit decision exactly when the path has something to check;
 * the check is live: a tight overdue policy refuses the long group (OVERDUE_INVOICES) and a limit
 * below the exposure refuses (CREDIT_LIMIT_EXCEEDED).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DAY_MS } from '@crmkit/core';
import { createCrmClient, toClientError } from '@crmkit/client';
import { startServer, type ServerChild } from './lib/children.js';
import { mergeChunks, runLoad, type LoadChunk, type LoadResult } from './lib/load.js';
import type { BenchOptions } from './lib/options.js';
import { summarizeProfile } from './lib/profile.js';
import { createRandom } from './lib/random.js';
import { at, limitsOf, openRawDriver, seedCreditDatabase, type CreditGroup, type CreditSeed, type Engine, type ExpectedFigures, type GroupSize, type RawDriver } from './lib/seed-credit.js';
import { percentile } from './lib/stats.js';

const repoDir = fileURLToPath(new URL('..', import.meta.url));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => n.toFixed(2);
const fmtX = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const fmtPct = (n: number) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(0)}%`;
const fmtSigned = (n: number, digits = 2) => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
const synchronousNames: Record<number, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' };

// ── Options (parsed here: lib/options.ts knows the other suites' options) ───────────────────────

export interface CreditBenchOptions {
  accounts: number;
  /** The long group's history, and the short one's. */
  invoices: number;
  orders: number;
  shortInvoices: number;
  shortOrders: number;
  /** Measured confirmations per variant, at each concurrency (1 and --concurrency), and warm-up calls per variant. */
  requests: number;
  warmup: number;
  /** Checked confirmations profiled after the measurements, half per size (0: none). */
  profileRequests: number;
  /** Checks per group of the raw-driver baselines. */
  baselineRequests: number;
  /** The overdue policy of the third variant. */
  maxOverdueDays: number;
  /** A PostgreSQL server (a scratch database is created on it and dropped afterwards), or null: SQLite only. */
  postgres: string | null;
  resultsFile: string | null;
}

export const creditUsage = `
credit suite (credit.ts; --concurrency, --rounds, --seed apply to it too; --profile DIR keeps its profiles there):
  --credit-accounts N  background accounts           (env BENCH_CREDIT_ACCOUNTS, default 20000)
  --credit-invoices N  invoices of the long group     (env BENCH_CREDIT_INVOICES, default 100000; the short one has 10)
  --credit-orders N    orders of the long group       (env BENCH_CREDIT_ORDERS,   default 10000; the short one has 1)
  --credit-n N         measured orders.confirm calls per variant (2 groups × no check, limits,
                       limits + overdue policy), at concurrency 1 and at --concurrency
                                                    (env BENCH_CREDIT_N,       default 500)
  --credit-warmup N    warm-up calls per variant      (env BENCH_CREDIT_WARMUP,  default 100)
  --credit-profile-n N checked confirmations profiled after the measurements, half per size
                                                    (env BENCH_CREDIT_PROFILE_N, default 200)
  --no-credit-profile  skip the profiled phases
  --credit-baseline-n N raw-driver checks per group, the naive ones a tenth as many
                                                    (env BENCH_CREDIT_BASELINE_N, default 2000)
  --postgres URL       also run on PostgreSQL: a scratch database is created on that server and
                       dropped afterwards            (env BENCH_POSTGRES_URL)`;

const valueFlags: Record<string, string> = {
  '--credit-accounts': 'accounts', '--credit-invoices': 'invoices', '--credit-orders': 'orders', '--credit-n': 'requests', '--credit-warmup': 'warmup',
  '--credit-profile-n': 'profileRequests', '--credit-baseline-n': 'baselineRequests', '--postgres': 'postgres',
};

export interface TakenCreditArgs {
  /** The arguments and environment left for lib/options.ts (a `credit` suite replaced by one it knows). */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Only the credit suite runs; or it runs after the others (`all`); or not at all. */
  run: 'only' | 'after' | 'no';
  credit: CreditBenchOptions;
}

/** Takes the credit suite's options (and `--suite credit`) out of the arguments before lib/options.ts parses the rest. */
export function takeCreditArgs(argv: string[], env: NodeJS.ProcessEnv, resultsDir: string): TakenCreditArgs {
  const rest: string[] = [];
  const raw: Record<string, string> = {};
  let noProfile = false;
  let suite: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag in valueFlags) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      raw[valueFlags[flag]!] = value;
    } else if (flag === '--no-credit-profile') {
      noProfile = true;
    } else if (flag === '--suite') {
      suite = inline ?? argv[++i];
      if (suite === 'credit') rest.push('--suite', 'orders'); // parsed, then not run
      else rest.push('--suite', suite ?? '');
    } else {
      rest.push(arg);
    }
  }
  const envSuite = suite === undefined ? env.BENCH_SUITE : undefined;
  const outEnv = { ...env };
  if (envSuite === 'credit') outEnv.BENCH_SUITE = 'orders';
  const chosen = suite ?? envSuite ?? 'all';
  const positive = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return n;
  };
  const requests = positive('--credit-n', raw.requests ?? env.BENCH_CREDIT_N, 500);
  if (requests < 1) throw new Error('--credit-n must be at least 1');
  const credit: CreditBenchOptions = {
    accounts: positive('--credit-accounts', raw.accounts ?? env.BENCH_CREDIT_ACCOUNTS, 20_000),
    invoices: positive('--credit-invoices', raw.invoices ?? env.BENCH_CREDIT_INVOICES, 100_000),
    orders: positive('--credit-orders', raw.orders ?? env.BENCH_CREDIT_ORDERS, 10_000),
    shortInvoices: 10,
    shortOrders: 1,
    requests,
    warmup: positive('--credit-warmup', raw.warmup ?? env.BENCH_CREDIT_WARMUP, 100),
    profileRequests: noProfile ? 0 : positive('--credit-profile-n', raw.profileRequests ?? env.BENCH_CREDIT_PROFILE_N, 200),
    baselineRequests: positive('--credit-baseline-n', raw.baselineRequests ?? env.BENCH_CREDIT_BASELINE_N, 2_000),
    maxOverdueDays: 30,
    postgres: raw.postgres ?? env.BENCH_POSTGRES_URL ?? null,
    resultsFile: argv.includes('--no-write') ? null : join(resultsDir, 'credit.md'),
  };
  if (credit.invoices < 10 || credit.orders > credit.invoices) throw new Error('--credit-invoices must be at least 10 and at least --credit-orders');
  return { argv: rest, env: outEnv, run: chosen === 'credit' ? 'only' : chosen === 'all' ? 'after' : 'no', credit };
}

// ── Measuring ───────────────────────────────────────────────────────────────────────────────────

type Client = ReturnType<typeof createCrmClient>;
type GroupKey = GroupSize;
type CheckState = 'none' | 'limits' | 'overdue';
const states: CheckState[] = ['none', 'limits', 'overdue'];
const stateNames: Record<CheckState, string> = { none: 'no check (nothing on the path)', limits: 'limits', overdue: 'limits + overdue policy' };

interface Variant {
  group: GroupKey;
  state: CheckState;
  name: string;
}

interface Row {
  variant: Variant;
  inFlight: number;
  load: LoadResult;
  p95: number;
  cpuUsPerRequest: number;
}

interface Draft {
  id: string;
  version: number;
}

/** p95 over all the chunks' samples (lib/load.ts merges p50 and p99). */
function p95Of(chunks: LoadChunk[]): number {
  const all = new Float64Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let k = 0;
  for (const c of chunks) {
    all.set(c.samples, k);
    k += c.samples.length;
  }
  all.sort();
  return percentile(all, 0.95);
}

/** The tenant's overdue policy (tenant-wide), changed through tenant.settings.update only when a phase needs another. */
class PolicyKeeper {
  private maxOverdueDays: number | null = null;
  changes = 0;
  constructor(private client: Client) {}
  async set(maxOverdueDays: number | null) {
    if (this.maxOverdueDays === maxOverdueDays) return;
    await this.client.tenant.settings.update.mutate({ credit: { maxOverdueDays } });
    this.maxOverdueDays = maxOverdueDays;
    this.changes += 1;
  }
  /** The policy a variant runs under: the overdue limit only in its own variant (with it, even a path without limits would be checked). */
  put(state: CheckState, maxOverdueDays: number) {
    return this.set(state === 'overdue' ? maxOverdueDays : null);
  }
}

const sameFigures = (got: unknown, expected: ExpectedFigures[]) => JSON.stringify(got) === JSON.stringify(expected);

// ── The raw-driver baselines ────────────────────────────────────────────────────────────────────

interface Statement {
  name: string;
  sql: string;
  params: unknown[];
}

/** The check's statements for an order billed to `path[0]`, as services/credit/facts.ts sends them (SQL copied verbatim). */
function checkStatements(tenantId: string, path: string[], overdueCutoff: string | null, nowMs: number): Statement[] {
  const inIds = path.map(() => '?').join(', ');
  const list: Statement[] = [
    { name: 'policy (Tenant)', sql: `SELECT "timeZone", "creditCheckAt", "creditOnBreach", "creditOverrunBps", "creditMaxOverdueDays", "creditApprovalDays" FROM "Tenant" WHERE "id" = ?`, params: [tenantId] },
    {
      name: 'path (recursive walk up)',
      sql: `WITH RECURSIVE chain(id, "parentId", lvl) AS (
      SELECT id, "parentId", 0 FROM "Account" WHERE id = ? AND "tenantId" = ?
      UNION ALL
      SELECT a.id, a."parentId", c.lvl + 1 FROM chain c CROSS JOIN "Account" a
      WHERE a.id = c."parentId" AND a."tenantId" = ? AND c.lvl < 64
    )
    SELECT id FROM chain ORDER BY lvl`,
      params: [path[0], tenantId, tenantId],
    },
    { name: 'limits (CreditLimit)', sql: `SELECT "accountId", "scope", "amountMinor", "currency" FROM "CreditLimit" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`, params: [tenantId, ...path] },
    { name: 'holds (CreditHold)', sql: `SELECT "accountId", "reason", "by", "at" FROM "CreditHold" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`, params: [tenantId, ...path] },
    {
      name: 'figures (ExposureFigure)',
      sql: `SELECT "accountId", "scope", "currency", "ordersOpenMinor", "invoicesOpenMinor", "onAccountCreditMinor" FROM "ExposureFigure" WHERE "tenantId" = ? AND "accountId" IN (${inIds})`,
      params: [tenantId, ...path],
    },
  ];
  for (const [base, quote] of [['CNY', 'USD'], ['USD', 'CNY']]) {
    list.push({
      name: `rate ${base}→${quote} (ExchangeRate)`,
      sql: `SELECT "base", "quote", "rate", "validFrom" FROM "ExchangeRate" WHERE "tenantId" = ? AND "base" = ? AND "quote" = ? AND "validFrom" <= ? ORDER BY "validFrom" DESC LIMIT 1`,
      params: [tenantId, base, quote, at(nowMs)],
    });
  }
  if (overdueCutoff !== null) {
    list.push({
      name: 'overdue invoices (Invoice)',
      sql: `SELECT "id", "billToAccountId", "dueDate" FROM "Invoice" WHERE "tenantId" = ? AND "billToAccountId" IN (${inIds}) AND "kind" = 'invoice' AND "status" = 'open' AND "openMinor" > 0 AND "dueDate" < ? ORDER BY "dueDate", "id" LIMIT 20`,
      params: [tenantId, ...path, overdueCutoff],
    });
  }
  return list;
}

/**
 * A naive check: the exposure of the bill-to account (own) and of headquarters' subtree (group)
 * summed from the open documents at check time, as a check without kept figures would.
 */
function naiveStatements(tenantId: string, billTo: string, subtree: string[]): Statement[] {
  const list: Statement[] = [];
  for (const [label, ids] of [['own', [billTo]], ['group', subtree]] as const) {
    const inIds = ids.map(() => '?').join(', ');
    list.push(
      { name: `${label}: open orders (Order)`, sql: `SELECT COALESCE(SUM("openMinor"), 0) AS s FROM "Order" WHERE "tenantId" = ? AND "billToAccountId" IN (${inIds}) AND "status" IN ('confirmed', 'partially_fulfilled', 'fulfilled')`, params: [tenantId, ...ids] },
      { name: `${label}: open invoices (Invoice)`, sql: `SELECT COALESCE(SUM("openMinor"), 0) AS s FROM "Invoice" WHERE "tenantId" = ? AND "billToAccountId" IN (${inIds}) AND "status" = 'open'`, params: [tenantId, ...ids] },
      { name: `${label}: unallocated payments (Payment)`, sql: `SELECT COALESCE(SUM("amountMinor" - "allocatedMinor"), 0) AS s FROM "Payment" WHERE "tenantId" = ? AND "accountId" IN (${inIds}) AND "status" = 'active'`, params: [tenantId, ...ids] },
    );
  }
  return list;
}

interface BaselineRow {
  name: string;
  group: GroupKey;
  perCheckUs: { p50: number; p95: number; mean: number };
  perStatementUs: { name: string; meanUs: number }[];
}

async function runBaseline(raw: RawDriver, name: string, statementsOf: Record<GroupKey, Statement[]>, n: number, rounds: number): Promise<BaselineRow[]> {
  const out: BaselineRow[] = [];
  const samples: Record<GroupKey, number[]> = { long: [], short: [] };
  const perStatement: Record<GroupKey, number[]> = { long: statementsOf.long.map(() => 0), short: statementsOf.short.map(() => 0) };
  for (const g of ['long', 'short'] as const) for (const s of statementsOf[g]) await raw.all(s.sql, s.params); // prepare, warm the cache
  for (let round = 0; round < rounds; round++) {
    const count = Math.floor((n * (round + 1)) / rounds) - Math.floor((n * round) / rounds);
    for (const g of (round % 2 === 0 ? ['long', 'short'] : ['short', 'long']) as GroupKey[]) {
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        for (const [k, s] of statementsOf[g].entries()) {
          const s0 = performance.now();
          await raw.all(s.sql, s.params);
          perStatement[g][k]! += performance.now() - s0;
        }
        samples[g].push((performance.now() - t0) * 1000);
      }
    }
  }
  for (const g of ['long', 'short'] as const) {
    const sorted = Float64Array.from(samples[g]).sort();
    out.push({
      name, group: g,
      perCheckUs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length },
      perStatementUs: statementsOf[g].map((s, k) => ({ name: s.name, meanUs: (perStatement[g][k]! * 1000) / samples[g].length })),
    });
  }
  return out;
}

async function queryPlans(raw: RawDriver, statements: Statement[]): Promise<{ name: string; plan: string }[]> {
  const plans: { name: string; plan: string }[] = [];
  for (const s of statements) {
    if (raw.engine === 'sqlite') {
      const rows = await raw.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${s.sql}`, s.params);
      plans.push({ name: s.name, plan: rows.map((r) => r.detail).join('; ') });
    } else {
      // The plan's nodes only (no costs, conditions or literals).
      const rows = await raw.all<Record<string, string>>(`EXPLAIN ${s.sql}`, s.params);
      const nodes = rows.map((r) => Object.values(r)[0]!).filter((line, i) => i === 0 || line.includes('->') || /^\s*CTE /.test(line));
      plans.push({ name: s.name, plan: nodes.map((line) => line.replace(/^\s*(->\s*)?/, '').replace(/\s*\(cost=[^)]*\)/, '')).join('; ') });
    }
  }
  return plans;
}

// ── PostgreSQL: what the server's sessions wait on ──────────────────────────────────────────────

/**
 * Samples pg_stat_activity of the scratch database every 50 ms while `run` runs: the average number
 * of the server's sessions per state and wait event (explains a throughput that does not grow with
 * the requests in flight).
 */
async function withWaitSampling<T>(url: string, into: Map<string, number>, locks: Map<string, number>, counter: { samples: number }, run: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const { rows } = await client.query<{ k: string; n: number }>(
        `SELECT state || COALESCE(' · ' || wait_event_type || ':' || wait_event, '') AS k, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle' GROUP BY 1`);
      for (const r of rows) into.set(r.k, (into.get(r.k) ?? 0) + r.n);
      // Which advisory locks are waited for (a one-key lock: objid holds the key's low 32 bits).
      const waiting = await client.query<{ objid: string; n: number }>(
        `SELECT objid::text AS objid, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY 1`);
      for (const r of waiting.rows) locks.set(r.objid, (locks.get(r.objid) ?? 0) + r.n);
      counter.samples += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    return await run();
  } finally {
    stop = true;
    await loop;
    await client.end();
  }
}

// ── One engine ──────────────────────────────────────────────────────────────────────────────────

interface EngineResult {
  engine: Engine;
  seed: CreditSeed;
  server: ServerChild['info'];
  /** The code the server ran (it runs from source): the commit and packages/' state when it started. */
  code: string;
  rows: Row[];
  baselines: BaselineRow[];
  plans: { name: string; plan: string }[];
  profiles: { title: string; summary: string }[];
  /** PostgreSQL, the phases with more than one call in flight: average sessions per state and wait event. */
  waits: { samples: number; average: [string, number][]; locks: [string, number][] } | null;
  load: { before: number[]; after: number[] };
  checks: string[];
  draftSeconds: number;
  drafts: number;
  stateChanges: number;
  confirmed: number;
  figuresAfter: number;
}

async function runEngine(engine: Engine, databaseUrl: string, options: BenchOptions, c: CreditBenchOptions, tempDir: string): Promise<EngineResult> {
  const loadBefore = loadavg();
  console.log(`[${engine}] seeding ${fmtInt(c.accounts)} accounts, the team, four groups and their history (twice ${fmtInt(c.invoices)} invoices + ${fmtInt(c.orders)} orders; twice ${c.shortInvoices} + ${c.shortOrders}) …`);
  const seed = await seedCreditDatabase({ engine, databaseUrl, accounts: c.accounts, invoices: c.invoices, orders: c.orders, shortInvoices: c.shortInvoices, shortOrders: c.shortOrders, seed: options.seed });
  console.log(`[${engine}] seeded: accounts ${seed.accountsSeconds.toFixed(1)} s, setup through the API ${seed.setupSeconds.toFixed(1)} s, history with the raw driver ${seed.historySeconds.toFixed(1)} s ` +
    `(${JSON.stringify(seed.rows)}), credit.rebuild ${seed.rebuild.seconds.toFixed(1)} s (${seed.rebuild.figures} figures written)`);
  const twins = seed.groups;
  /** The group a variant confirms for: the unchecked twin has nothing on its path, the checked one the limits. */
  const groupOf = (size: GroupKey, state: CheckState) => (state === 'none' ? twins[size].unchecked : twins[size].checked);
  const all = [twins.long.checked, twins.long.unchecked, twins.short.checked, twins.short.unchecked];

  const code = sourceState();
  const server = await startServer(`crmkit-${engine}`, 'crmkit.ts', ['--database-url', databaseUrl]);
  try {
    console.log(`[${engine}] crmkit server: pid ${server.pid}, ${server.url}${engine === 'sqlite' ? `, SQLite ${JSON.stringify(server.info)}` : ''}`);
    if (engine === 'sqlite' && (server.info.synchronous !== 2 || server.info.journal_mode !== 'wal')) throw new Error(`crmkit runs at ${JSON.stringify(server.info)}, not its default WAL + synchronous=FULL`);
    const client = createCrmClient({ url: server.url, apiKey: seed.apiKey, retry: { attempts: 1 } });
    const policy = new PolicyKeeper(client);
    const checks: string[] = [];

    // The figures crmkit wrote from the documents are what the documents say, and what we expect.
    const t0 = performance.now();
    const rebuilt = await client.credit.rebuild.mutate({ dryRun: true });
    if (rebuilt.differences.length) throw new Error(`credit.rebuild (dry run) finds ${rebuilt.differences.length} differences after the seed's rebuild: ${JSON.stringify(rebuilt.differences.slice(0, 3))}`);
    for (const g of all) {
      const e = await client.accounts.exposure.query({ accountId: g.headquartersId });
      if (!sameFigures(e.own, g.own) || !sameFigures(e.group, g.group)) throw new Error(`accounts.exposure(${g.headquartersId}) answered ${JSON.stringify(e)}; expected own ${JSON.stringify(g.own)}, group ${JSON.stringify(g.group)}`);
    }
    checks.push(`\`credit.rebuild({ dryRun: true })\` (${fmtInt(performance.now() - t0)} ms) found no difference in ${fmtInt(rebuilt.figures)} figures, and all four headquarters answered the exposure the seeded documents add up to`);

    const random = createRandom(options.seed + 31);
    const newLines = () =>
      seed.productLineIds.map((productLineId, k) => ({
        productLineId,
        sku: `SKU-${k + 1}-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`,
        description: ['Cordless drill kits', 'Induction cookers', 'Extended warranty, 3 years'][k]!,
        quantity: 1 + Math.floor(random() * 40),
        unitPriceMinor: 50_00 + Math.floor(random() * 2_000_00),
      }));
    const createDraft = async (g: CreditGroup, k: number, reference: string): Promise<Draft> => {
      const d = await client.orders.create.mutate({ orderingAccountId: g.orderingAccountIds[k % 3]!, currency: 'CNY', lines: newLines(), reference });
      return { id: d.id, version: d.version };
    };
    let confirmed = 0;
    const confirm = async (d: Draft) => {
      const o = await client.orders.confirm.mutate({ id: d.id, expectedVersion: d.version });
      if (o.status !== 'confirmed') throw new Error(`orders.confirm(${d.id}) answered status ${o.status}`);
      confirmed += 1;
      return o;
    };
    const outcome = async (d: Draft): Promise<string> => {
      try {
        await client.orders.confirm.mutate({ id: d.id, expectedVersion: d.version });
      } catch (error) {
        return toClientError(error).code;
      }
      confirmed += 1;
      return 'confirmed';
    };
    const lastDecision = async (accountId: string) => (await client.credit.status.query({ accountId })).lastDecision;

    // The check is live, and records a decision exactly when the path has something to check.
    for (const size of ['long', 'short'] as const) {
      const { checked, unchecked } = twins[size];
      const b1 = checked.branchIds[0];
      await policy.set(null);
      await confirm(await createDraft(unchecked, 0, `CHECK-${size}-none`));
      const none = await lastDecision(unchecked.branchIds[0]);
      if (none !== null) throw new Error(`a confirmation with nothing to check on the path recorded a decision: ${JSON.stringify(none)}`);
      const d1 = await createDraft(checked, 0, `CHECK-${size}-limits`);
      await confirm(d1);
      const withLimits = await lastDecision(b1);
      if (withLimits?.orderId !== d1.id || withLimits.kind !== 'pass' || withLimits.decision?.limits.length !== 2 || withLimits.decision.limits.some((l) => l.exposureMinor === null)) {
        throw new Error(`the checked confirmation recorded ${JSON.stringify(withLimits)}; expected a pass against branch 1's own and headquarters' group limit, both converted`);
      }
      await policy.set(c.maxOverdueDays);
      const d2 = await createDraft(checked, 0, `CHECK-${size}-overdue`);
      await confirm(d2);
      if ((await lastDecision(b1))?.orderId !== d2.id) throw new Error('the confirmation under the overdue policy recorded no decision');
      // A tight policy: the long group has open invoices up to a fortnight past due, the short one none.
      await policy.set(0);
      const d3 = await createDraft(checked, 0, `CHECK-${size}-tight`);
      const tight = await outcome(d3);
      const expectTight = checked.maxDaysPastDue > 0 ? 'OVERDUE_INVOICES' : 'confirmed';
      if (tight !== expectTight) throw new Error(`${size} group, maxOverdueDays 0 (open invoices up to ${checked.maxDaysPastDue} days past due): orders.confirm answered ${tight}, expected ${expectTight}`);
      await policy.set(null);
      // A limit below the exposure refuses; restored, the same draft passes.
      const exposure = withLimits.decision.limits.find((l) => l.accountId === b1)!.exposureMinor!;
      await client.credit.setLimit.mutate({ accountId: b1, scope: 'own', amountMinor: Math.max(0, exposure - 1), currency: 'CNY', force: true, reason: 'bench: is the check live?' });
      const d4 = await createDraft(checked, 0, `CHECK-${size}-low`);
      const low = await outcome(d4);
      await client.credit.setLimit.mutate(limitsOf(checked)[0]!);
      if (low !== 'CREDIT_LIMIT_EXCEEDED') throw new Error(`${size} group: a limit below the exposure answered ${low}, expected CREDIT_LIMIT_EXCEEDED`);
      const restored = await outcome(d4);
      if (restored !== 'confirmed') throw new Error(`${size} group: with the limit restored, orders.confirm answered ${restored}`);
      checks.push(`${size} groups (${fmtInt(checked.invoices)} invoices, ${fmtInt(checked.openInvoices)} open, at most ${checked.maxDaysPastDue} days past due): the unchecked twin's confirmation recorded no decision; ` +
        `the checked twin's recorded a pass against branch 1's own (CNY) and headquarters' group limit (USD, converted); maxOverdueDays 0 ${tight === 'confirmed' ? 'passes (nothing past due)' : 'refuses (OVERDUE_INVOICES)'}; ` +
        'an own limit set below the exposure (force) refuses (CREDIT_LIMIT_EXCEEDED), and the same draft passes once it is restored');
    }

    // The drafts, through the API, before anything is measured: each variant's calls confirm drafts of its group.
    const perVariant = c.warmup + 2 * c.requests;
    const poolSize = new Map<CreditGroup, number>([
      [twins.long.unchecked, perVariant], [twins.short.unchecked, perVariant],
      [twins.long.checked, 2 * perVariant + Math.floor(c.profileRequests / 2)], [twins.short.checked, 2 * perVariant + Math.floor(c.profileRequests / 2)],
    ]);
    const pools = new Map<CreditGroup, Draft[]>();
    const t1 = performance.now();
    for (const [g, n] of poolSize) {
      const pool: Draft[] = new Array(n);
      pools.set(g, pool);
      await runLoad(n, options.concurrency, async (i) => void (pool[i] = await createDraft(g, i, `PO-${g.label}-${i + 1}`)));
    }
    const drafts = [...poolSize.values()].reduce((a, b) => a + b, 0);
    const draftSeconds = (performance.now() - t1) / 1000;
    console.log(`[${engine}] created ${fmtInt(drafts)} draft orders of 3 lines through orders.create in ${draftSeconds.toFixed(1)} s`);
    const next = new Map<CreditGroup, number>();
    const take = (g: CreditGroup) => {
      const k = next.get(g) ?? 0;
      next.set(g, k + 1);
      const d = pools.get(g)![k];
      if (!d) throw new Error(`group ${g.label} ran out of drafts`);
      return d;
    };

    const label = (size: GroupKey) => `${fmtInt(twins[size].checked.invoices)} invoices`;
    const variants: Variant[] = (['long', 'short'] as const).flatMap((group) => states.map((state) => ({ group, state, name: `${label(group)} · ${stateNames[state]}` })));
    const call = (v: Variant) => () => confirm(take(groupOf(v.group, v.state)));

    for (const v of variants) {
      await policy.put(v.state, c.maxOverdueDays);
      process.stdout.write(`[${engine}] ${v.name}: warm-up ${fmtInt(c.warmup)} … `);
      const w = await runLoad(c.warmup, options.concurrency, call(v));
      console.log(`${fmtInt(c.warmup / (w.ms / 1000))} req/s`);
    }
    const confirmedBefore = confirmed;
    const rows: Row[] = [];
    const waitCounts = new Map<string, number>();
    const lockCounts = new Map<string, number>();
    const waitSamples = { samples: 0 };
    for (const inFlight of [1, options.concurrency]) {
      const measured = new Map<Variant, { chunks: LoadChunk[]; cpuUs: number }>(variants.map((v) => [v, { chunks: [], cpuUs: 0 }]));
      for (let round = 0; round < options.rounds; round++) {
        const count = Math.floor((c.requests * (round + 1)) / options.rounds) - Math.floor((c.requests * round) / options.rounds);
        for (const v of variants.map((_, k) => variants[(k + round) % variants.length]!)) {
          await policy.put(v.state, c.maxOverdueDays);
          const before = await server.stats();
          const load = () => runLoad(count, inFlight, call(v));
          const chunk = engine === 'postgresql' && inFlight > 1 ? await withWaitSampling(databaseUrl, waitCounts, lockCounts, waitSamples, load) : await load();
          const after = await server.stats();
          const m = measured.get(v)!;
          m.chunks.push(chunk);
          m.cpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
          console.log(`[${engine}] ${v.name} · ${inFlight} in flight · round ${round + 1}/${options.rounds}: ${fmtInt(count / (chunk.ms / 1000))} req/s`);
        }
      }
      for (const v of variants) {
        const m = measured.get(v)!;
        const load = mergeChunks(m.chunks);
        rows.push({ variant: v, inFlight, load, p95: p95Of(m.chunks), cpuUsPerRequest: m.cpuUs / load.requests });
      }
    }
    const measuredConfirmations = confirmed - confirmedBefore;

    // (c) the raw driver on the same database, in this process, with the server idle.
    const raw = await openRawDriver(engine, databaseUrl, { readonly: true });
    let baselines: BaselineRow[];
    let plans: { name: string; plan: string }[];
    try {
      const nowMs = Date.now();
      const cutoff = new Date(nowMs - c.maxOverdueDays * DAY_MS).toISOString().slice(0, 10); // the tenant's zone is UTC
      const pathOf = (g: CreditGroup) => [g.branchIds[0], g.headquartersId];
      const stmts = (overdue: boolean) => ({
        long: checkStatements(seed.tenantId, pathOf(twins.long.checked), overdue ? cutoff : null, nowMs),
        short: checkStatements(seed.tenantId, pathOf(twins.short.checked), overdue ? cutoff : null, nowMs),
      });
      const naiveOf = (g: CreditGroup) => naiveStatements(seed.tenantId, g.branchIds[0], [g.headquartersId, ...g.branchIds]);
      const naive = { long: naiveOf(twins.long.checked), short: naiveOf(twins.short.checked) };
      console.log(`[${engine}] raw-driver baselines: ${fmtInt(c.baselineRequests)} checks per group …`);
      baselines = [
        ...(await runBaseline(raw, `the check's statements, overdue policy on (${stmts(true).long.length} statements)`, stmts(true), c.baselineRequests, options.rounds)),
        // A tenth as many: summing a long history takes milliseconds a check.
        ...(await runBaseline(raw, `naive check: exposure summed from the open documents (${naive.long.length} statements)`, naive, Math.max(20, Math.ceil(c.baselineRequests / 10)), options.rounds)),
      ];
      plans = await queryPlans(raw, [...stmts(true).long, ...naive.long]);
    } finally {
      await raw.close();
    }

    // (d) profiles, in extra phases after the measured ones.
    const profiles: EngineResult['profiles'] = [];
    if (c.profileRequests > 0) {
      const dir = options.profileDir ?? join(tempDir, 'profiles');
      mkdirSync(dir, { recursive: true });
      for (const v of variants.filter((x) => x.state === 'overdue')) {
        await policy.put(v.state, c.maxOverdueDays);
        const n = Math.floor(c.profileRequests / 2);
        const file = join(dir, `credit-${engine}-confirm-${v.group}.cpuprofile`);
        await server.startProfile();
        await runLoad(n, 1, call(v));
        await server.stopProfile(file);
        const summary = summarizeProfile(file, n);
        const title = `orders.confirm · ${v.name} · ${fmtInt(n)} calls, one at a time`;
        profiles.push({ title, summary });
        console.log(`[${engine}] profile ${title}: ${file}\n${summary.replace(/^/gm, '  ')}`);
      }
    }

    // Afterwards: every confirmation kept the figures as the documents say, and every one was counted.
    const after = await client.credit.rebuild.mutate({ dryRun: true });
    if (after.differences.length) throw new Error(`after the run credit.rebuild finds ${after.differences.length} differences: ${JSON.stringify(after.differences.slice(0, 3))}`);
    const confirmedCount = await countConfirmed(client);
    const expected = all.reduce((n, g) => n + g.openOrders, 0) + confirmed;
    if (confirmedCount !== expected) throw new Error(`${confirmedCount} orders are confirmed; expected ${expected}`);
    console.log(`[${engine}] after the run: ${fmtInt(confirmedCount)} orders confirmed, credit.rebuild (dry run) finds no differences in ${fmtInt(after.figures)} figures`);
    checks.push(`after the run, ${fmtInt(confirmedCount)} orders were confirmed (the history's open ones, the checks', warm-up, ${fmtInt(measuredConfirmations)} measured and the profiled) and ` +
      `\`credit.rebuild({ dryRun: true })\` still found no difference in ${fmtInt(after.figures)} figures`);
    let waits: EngineResult['waits'] = null;
    if (waitSamples.samples) {
      // Name the advisory locks waited for: crmkit's keys are hashtext() of these strings.
      const names = new Map<string, string>();
      const keyed: [string, string][] = [[`crmkit:hierarchy:${seed.tenantId}`, 'the hierarchy lock']];
      for (const g of all) {
        const twin = `${g.size} ${g.limited ? 'checked' : 'unchecked'}`;
        keyed.push([`crmkit:credit:${seed.tenantId}:${g.headquartersId}`, `the credit lock of headquarters (${twin})`]);
        for (const [k, b] of g.branchIds.entries()) keyed.push([`crmkit:credit:${seed.tenantId}:${b}`, `the credit lock of branch ${k + 1} (${twin})`]);
      }
      const resolver = await openRawDriver(engine, databaseUrl);
      try {
        for (const [key, name] of keyed) {
          const [row] = await resolver.all<{ objid: string }>('SELECT (hashtext(?)::bigint & 4294967295)::text AS objid', [key]);
          names.set(row!.objid, name);
        }
      } finally {
        await resolver.close();
      }
      const per = (m: Map<string, number>, name: (k: string) => string) => {
        const merged = new Map<string, number>();
        for (const [k, n] of m) merged.set(name(k), (merged.get(name(k)) ?? 0) + n / waitSamples.samples);
        return [...merged.entries()].sort((a, b) => b[1] - a[1]);
      };
      waits = { samples: waitSamples.samples, average: per(waitCounts, (k) => k), locks: per(lockCounts, (k) => names.get(k) ?? 'another advisory lock') };
    }
    return { engine, seed, server: server.info, code, rows, baselines, plans, profiles, waits, load: { before: loadBefore, after: loadavg() }, checks, draftSeconds, drafts, stateChanges: policy.changes, confirmed: confirmedCount, figuresAfter: after.figures };
  } finally {
    await server.stop();
  }
}

async function countConfirmed(client: Client): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await client.orders.list.query({ status: ['confirmed'], limit: 200, ...(cursor ? { cursor } : {}) });
    n += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

// ── PostgreSQL scratch databases ────────────────────────────────────────────────────────────────

const PG_PREFIX = 'crmkit_bench_credit_';

/** Creates `crmkit_bench_credit_<pid>_<hex>` on the server, first dropping those of runs whose process is gone. */
async function createPgDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `${PG_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PG_PREFIX}%`]);
    for (const { datname } of rows) {
      const pid = Number(datname.slice(PG_PREFIX.length).split('_')[0]);
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        /* gone */
      }
      if (!alive) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

// ── The suite ───────────────────────────────────────────────────────────────────────────────────

export async function runCreditSuite(options: BenchOptions, c: CreditBenchOptions, tempDir: string): Promise<void> {
  const loadBefore = loadavg();
  const results: EngineResult[] = [];
  results.push(await runEngine('sqlite', `file:${join(tempDir, 'credit.db')}`, options, c, tempDir));
  if (c.postgres) {
    const scratch = await createPgDatabase(c.postgres);
    try {
      results.push(await runEngine('postgresql', scratch.url, options, c, tempDir));
    } finally {
      await scratch.drop();
    }
  }
  const report = markdown(options, c, results, { before: loadBefore, after: loadavg() });
  console.log(`\n${report}`);
  if (c.resultsFile) {
    mkdirSync(dirname(c.resultsFile), { recursive: true });
    writeFileSync(c.resultsFile, report);
    console.log(`written to ${relative(process.cwd(), c.resultsFile)}`);
  }
}

/** The commit the server code was at, and whether packages/ had uncommitted changes (the server runs from source). */
function sourceState(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repoDir, encoding: 'utf8' });
  const head = git('log', '-1', '--format=%h %cI %s');
  if (head.status !== 0) return 'unknown (no git)';
  const dirty = git('status', '--porcelain', '--', 'packages').stdout.trim();
  const subject = head.stdout.trim().replace(/^(\S+) (\S+) (.*)$/, (_, h: string, d: string, m: string) => `commit ${h} (${d}, "${m.length > 80 ? `${m.slice(0, 77)}…` : m}")`);
  return `${subject}${dirty ? `, with uncommitted changes in packages/ (${dirty.split('\n').length} files)` : ', packages/ clean'}`;
}

const engineNames: Record<Engine, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

/** Large ÷ small ratios of the checked variants, and whether all are within 1.5×. */
export function targetOf(r: EngineResult, inFlights: number[]) {
  const find = (group: GroupKey, state: CheckState, n: number) => r.rows.find((x) => x.variant.group === group && x.variant.state === state && x.inFlight === n)!;
  const ratios = inFlights.flatMap((n) =>
    states.map((state) => {
      const [a, b] = [find('long', state, n), find('short', state, n)];
      return { state, inFlight: n, p50: a.load.p50 / b.load.p50, p95: a.p95 / b.p95, p99: a.load.p99 / b.load.p99, cpu: a.cpuUsPerRequest / b.cpuUsPerRequest, rate: a.load.perSecond / b.load.perSecond };
    }),
  );
  const checked = ratios.filter((x) => x.state !== 'none');
  const worst = Math.max(...checked.flatMap((x) => [x.p50, x.p95]));
  return { find, ratios, worst, met: worst <= 1.5 };
}

function markdown(options: BenchOptions, c: CreditBenchOptions, results: EngineResult[], load: { before: number[]; after: number[] }): string {
  const cpu = cpus();
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const inFlights = [1, options.concurrency];
  const verdict = (met: boolean) => (met ? '**met**' : '**not met**');
  const lines = [
    '# crmkit benchmark: credit (orders.confirm with the credit check)',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform} · ` +
      `load average (1/5/15 min) ${fmtLoad(load.before)} before, ${fmtLoad(load.after)} after`,
    '',
    `Per engine, one crmkit server (\`createCrmServer(…).listen()\`) in a child process, called through \`@crmkit/client\` over HTTP with an admin API key, as the orders suite ` +
      `calls orders.confirm; every figure of an engine comes from that one server in one run. Measured phases are split into ${options.rounds} round${options.rounds === 1 ? '' : 's'} ` +
      'with the six variants taking turns.',
    '',
    `Code measured: ${[...new Set(results.map((r) => r.code))].join('; then ')}${results.length > 1 && new Set(results.map((r) => r.code)).size > 1 ? ' (the code changed between the engines\' runs)' : ''}.`,
    ...(load.before[0]! > cpu.length * 0.5
      ? ['', `**Other work was running on the machine** (1-minute load average ${load.before[0]!.toFixed(2)} before the run, on ${cpu.length} CPUs): absolute rates are low; the ratios, taken with the variants taking turns, hold up better.`]
      : []),
    '',
    '## Targets',
    '',
    '| engine | target | result | verdict |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const t = targetOf(r, inFlights);
    lines.push(`| ${engineNames[r.engine]} | orders.confirm with the check, ${fmtInt(r.seed.groups.long.checked.invoices)} invoices + ${fmtInt(r.seed.groups.long.checked.orders)} orders within 1.5× of ${fmtInt(r.seed.groups.short.checked.invoices)} + ${fmtInt(r.seed.groups.short.checked.orders)} (p50 and p95) | ` +
      `worst ${t.worst.toFixed(2)}× (${t.ratios.filter((x) => x.state !== 'none').map((x) => `${x.state} ${x.inFlight}: p50 ${x.p50.toFixed(2)}, p95 ${x.p95.toFixed(2)}`).join('; ')}) | ${verdict(t.met)} |`);
  }
  const sharedSeed = results[0]!.seed;
  lines.push(
    '',
    '## The data',
    '',
    `One tenant with ${fmtInt(c.accounts)} background accounts; a team (leader and six reps) with three product lines, each assigned to a member; groups of four accounts owned by the team, ` +
      'a headquarters and three branches: branches 1 and 2 settle their own invoices, branch 3 is billed through headquarters. ' +
      `**Long group**: ${fmtInt(sharedSeed.groups.long.checked.invoices)} invoices and ${fmtInt(sharedSeed.groups.long.checked.orders)} orders over three years; **short group**: ${fmtInt(sharedSeed.groups.short.checked.invoices)} invoices and ${fmtInt(sharedSeed.groups.short.checked.orders)} order. ` +
      'Each exists twice with the same documents: a *checked* twin with credit limits on its path and an *unchecked* one with none. ' +
      'Orders have three lines (one per product line) and are placed by the four accounts in turn; all but the last 0.5% are closed, each invoiced by one invoice whose lines invoice the ' +
      'order\'s lines; the rest of the invoices are invoice-only, billed to headquarters and the two branches in turn. Invoices are due 30 days after issue; those issued in the last 45 days are ' +
      'open (up to 15 days past due), the others settled in full by one payment each (one InvoiceSettlement); headquarters has 50,000.00 CNY unallocated. All documents are in CNY. ' +
      '**Inserted with the raw driver** (better-sqlite3 prepared statements / pg `INSERT … SELECT * FROM unnest(…)` of 5,000 rows a statement, one transaction; ids in time order, values as Prisma stores them), ' +
      'then `credit.rebuild` (the procedure, not a dry run) computed and wrote the ExposureFigure rows once.',
    '',
    'Credit set-up: an exchange rate USD→CNY 7.1 (`fx.setRate`). *Limits* of the checked twins (`credit.setLimit`): branches 1 and 2 an own limit of 2,000,000,000.00 CNY each, headquarters a group limit of ' +
      '1,000,000,000.00 USD, high enough that every confirmation passes. They are set once, during the seed, and never change during the run: the checked and unchecked variants ' +
      'differ by the group, not by writes between phases. ' +
      `*Overdue policy* (\`tenant.settings.update({ credit: { maxOverdueDays } })\`, tenant-wide, switched between phases): ${c.maxOverdueDays} days, so open invoices up to 15 days past due do not refuse.`,
    '',
    `The confirmed orders: drafts of 3 lines (one per product line), created through \`orders.create\` before measuring (${options.concurrency} in flight, outside the measurement), placed by ` +
      'branch 1, branch 2 and branch 3 in turn, so the check walks the paths [branch 1, HQ], [branch 2, HQ] and [HQ]: an own limit in CNY and a group limit in USD (with a conversion), ' +
      'or the group limit alone. Each confirmation also attributes its lines through the team\'s product-line members and writes the order, its exposure figures, an audit and an outbox event, ' +
      'and, when the path has something to check, the credit decision (CreditDecision) and the check\'s figures in the event.',
    '',
    'Variants, per size: **no check**: the unchecked twin, no overdue policy: no limit or hold on the path (crmkit still reads the policy, path, limits, holds and figures, and finds nothing to check: no decision is recorded); ' +
      '**limits**: the checked twin; **limits + overdue policy**: the checked twin with `maxOverdueDays` on, so the check also looks for overdue invoices on the path. Before each phase the tenant\'s ' +
      'policy is set for the variant through `tenant.settings.update` when it differs (outside the timing).',
  );

  for (const r of results) {
    const t = targetOf(r, inFlights);
    const name = engineNames[r.engine];
    const s = r.seed;
    lines.push('', `## ${name}`, '');
    if (r.engine === 'sqlite') lines.push(`SQLite file, crmkit at journal_mode=${r.server.journal_mode}, synchronous=${synchronousNames[r.server.synchronous as number] ?? String(r.server.synchronous)} (its defaults, read from Prisma's own connection): confirmations run on the driver path (one synchronous transaction).`, '');
    else lines.push(`A scratch database on \`${redactUrl(c.postgres!)}\` (dropped afterwards; \`ANALYZE\` after the bulk load): confirmations run on the Prisma path, the check after the path's advisory credit locks.`, '');
    lines.push(
      `Load average (1/5/15 min) ${fmtLoad(r.load.before)} when this engine's part started, ${fmtLoad(r.load.after)} when it ended${r.load.after[0]! > cpu.length * 1.5 ? ` (**other work was running**: the server and the load generator alone keep it near ${cpu.length})` : ''}.`,
      '',
      `Seed: accounts ${s.accountsSeconds.toFixed(1)} s, set-up through the API ${s.setupSeconds.toFixed(1)} s, history with the raw driver **${s.historySeconds.toFixed(1)} s** ` +
        `(${Object.entries(s.rows).map(([k, v]) => `${fmtInt(v)} ${k}`).join(', ')}), \`credit.rebuild\` ${s.rebuild.seconds.toFixed(1)} s (${s.rebuild.figures} figures). ` +
        `Long groups: ${fmtInt(s.groups.long.checked.openInvoices)} open invoices (at most ${s.groups.long.checked.maxDaysPastDue} days past due), ${fmtInt(s.groups.long.checked.openOrders)} open orders; short groups: ${s.groups.short.checked.openInvoices} open invoice, ${s.groups.short.checked.openOrders} open order. ` +
        `${fmtInt(r.drafts)} drafts created in ${r.draftSeconds.toFixed(1)} s. ${fmtInt(c.requests)} measured confirmations per variant and concurrency after ${fmtInt(c.warmup)} warm-up calls per variant; ` +
        `${r.stateChanges} policy changes between phases.`,
      '',
      '| group | check | in flight | req/s | p50 ms | p95 ms | p99 ms | server CPU µs/req |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...r.rows.map((x) => `| ${fmtInt(r.seed.groups[x.variant.group].checked.invoices)} invoices | ${stateNames[x.variant.state]} | ${x.inFlight} | ${fmtInt(x.load.perSecond)} | ${fmtMs(x.load.p50)} | ${fmtMs(x.p95)} | ${fmtMs(x.load.p99)} | ${fmtInt(x.cpuUsPerRequest)} |`),
      '',
      `### Long ÷ short group (target: the checked variants within 1.5× on p50 and p95): ${verdict(t.met)}, worst ${t.worst.toFixed(2)}×`,
      '',
      '| check | in flight | p50 | p95 | p99 | server CPU/req | req/s |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...t.ratios.map((x) => `| ${stateNames[x.state]} | ${x.inFlight} | ${fmtX(x.p50)} | ${fmtX(x.p95)} | ${fmtX(x.p99)} | ${fmtX(x.cpu)} | ${fmtX(x.rate)} |`),
      '',
      '### The cost of the check (against the same confirmation with nothing on the path to check)',
      '',
      '| group | check | in flight | Δ p50 ms | p50 | Δ p95 ms | p95 | Δ server CPU µs/req | CPU/req |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const group of ['long', 'short'] as const) {
      for (const n of inFlights) {
        const base = t.find(group, 'none', n);
        for (const state of ['limits', 'overdue'] as const) {
          const x = t.find(group, state, n);
          lines.push(`| ${fmtInt(r.seed.groups[group].checked.invoices)} invoices | ${stateNames[state]} | ${n} | ${fmtSigned(x.load.p50 - base.load.p50)} | ${fmtPct(x.load.p50 / base.load.p50 - 1)} | ` +
            `${fmtSigned(x.p95 - base.p95)} | ${fmtPct(x.p95 / base.p95 - 1)} | ${fmtSigned(x.cpuUsPerRequest - base.cpuUsPerRequest, 0)} | ${fmtPct(x.cpuUsPerRequest / base.cpuUsPerRequest - 1)} |`);
        }
      }
    }
    lines.push(
      '',
      `### Baselines: the raw driver (${r.engine === 'sqlite' ? 'better-sqlite3, cached prepared statements, a read-only connection beside the server' : 'pg, one connection, unnamed statements'}), in the load generator, one check at a time`,
      '',
      `${fmtInt(c.baselineRequests)} checks per group (the naive one a tenth as many) for the order billed to branch 1 (path [branch 1, HQ]), the groups taking turns. *The check's statements*: exactly the SQL crmkit sends ` +
        '(services/credit/facts.ts: policy, path, limits, holds, figures, the two rate look-ups the USD limit needs, overdue invoices): the floor of the check\'s reads on this engine. ' +
        '*Naive check*: the bill-to account\'s and the group\'s exposure summed from the open documents at check time (orders, invoices, unallocated payments), as a check without the kept figures would.',
      '',
      '| baseline | group | µs/check p50 | p95 | mean | long ÷ short (mean) |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    );
    for (const b of r.baselines) {
      const other = r.baselines.find((x) => x.name === b.name && x.group !== b.group)!;
      lines.push(`| ${b.name} | ${fmtInt(r.seed.groups[b.group].checked.invoices)} invoices | ${fmtInt(b.perCheckUs.p50)} | ${fmtInt(b.perCheckUs.p95)} | ${fmtInt(b.perCheckUs.mean)} | ${b.group === 'long' ? fmtX(b.perCheckUs.mean / other.perCheckUs.mean) : ''} |`);
    }
    lines.push('', 'Per statement (mean µs; long group / short group):', '', '| statement | long | short | plan (long group) |', '| --- | ---: | ---: | --- |');
    for (const b of r.baselines.filter((x) => x.group === 'long')) {
      const other = r.baselines.find((x) => x.name === b.name && x.group === 'short')!;
      for (const [k, st] of b.perStatementUs.entries()) {
        const plan = r.plans.find((p) => p.name === st.name)?.plan ?? '';
        lines.push(`| ${st.name} | ${st.meanUs.toFixed(1)} | ${other.perStatementUs[k]!.meanUs.toFixed(1)} | ${plan.replace(/\|/g, '\\|')} |`);
      }
    }
    if (r.waits) {
      lines.push(
        '',
        `### What the server's PostgreSQL sessions were doing (${options.concurrency} in flight)`,
        '',
        `\`pg_stat_activity\` of the scratch database sampled every 50 ms during the ${options.concurrency}-in-flight phases (${fmtInt(r.waits.samples)} samples): the average number of the server's non-idle sessions in each state and wait event.`,
        '',
        '| state · wait event | sessions (average) |',
        '| --- | ---: |',
        ...r.waits.average.map(([k, n]) => `| ${k} | ${n.toFixed(2)} |`),
        '',
        'The advisory locks waited for (average sessions waiting; keys matched to crmkit\'s lock names by `hashtext`):',
        '',
        '| lock | sessions waiting (average) |',
        '| --- | ---: |',
        ...r.waits.locks.map(([k, n]) => `| ${k} | ${n.toFixed(2)} |`),
      );
    }
    if (r.profiles.length) {
      lines.push('', '### Where the time goes (CPU profiles, extra phases after the measured ones)', '');
      lines.push('Sampled every 200 µs inside the server child with `node:inspector`; the profiler itself slows the server, so read the shares, not the rates. Summaries by `lib/profile.ts`.');
      for (const p of r.profiles) lines.push('', `#### ${p.title}`, '', '```', p.summary, '```');
    }
    lines.push('', '### Checks', '', ...r.checks.map((x) => `- ${x}`));
  }
  lines.push(
    '',
    '## Reading the tables',
    '',
    '- *server CPU µs/req*: the server child\'s user+system CPU during the measured phase ÷ its requests (`process.cpuUsage()` over IPC before and after). On PostgreSQL the database server\'s own CPU is not in it.',
    '- Latencies are measured around each client call with `performance.now()`; percentiles are nearest-rank over all rounds. The load generator runs on the same cores as the server.',
    '- Ratios are long ÷ short. The target is read on p50 and p95 of the two checked variants at both concurrencies (all ≤ 1.5×); CPU per request and req/s are shown beside them.',
    '- The cost of the check is each checked variant against the unchecked one of the same group and concurrency; on a 2-core machine the differences at 16 in flight include queueing.',
  );
  return `${lines.join('\n')}\n`;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'PostgreSQL';
  }
}

