import { join } from 'node:path';
import { parseArgs } from 'node:util';

export type OperationName = 'get' | 'list';
export const operationNames: readonly OperationName[] = ['get', 'list'];
export type SuiteName = 'accounts' | 'ownership' | 'overload' | 'writes' | 'orders';
export const suiteNames: readonly SuiteName[] = ['accounts', 'ownership', 'overload', 'writes', 'orders'];

/** The ownership suite (ownership.ts): ownership.resolve by history length, and the pool sweep against one SQL statement. */
export interface OwnershipBenchOptions {
  /** Ownership periods of the long-history account. */
  periods: number;
  /** Measured ownership.resolve calls per account, and warm-up calls before them. */
  resolveRequests: number;
  resolveWarmup: number;
  /** Measured sweeps (each on a fresh copy of the seeded file), after one warm-up sweep. */
  sweepRuns: number;
  /** Share of the accounts due to return at the sweep's instant, and of those only inside their reminder window. */
  dueShare: number;
  remindShare: number;
  /** The scheduled sweep's interval in minutes: what falls due between two runs is what one run returns. */
  sweepEveryMinutes: number;
  /** Where its markdown goes (null: nowhere): results/ownership.md. */
  resultsFile: string | null;
}

/** The writes suite (writes.ts): accounts.create and accounts.update, and a mixed workload, crmkit against a bare write handler. */
export interface WritesBenchOptions {
  /** Accounts seeded before the writes (the updates and reads pick from them). */
  accounts: number;
  /** Measured calls per write operation, at each concurrency (1 and --concurrency), and warm-up calls before them. */
  requests: number;
  warmup: number;
  /** Measured operations of the mixed workload (60% reads, 40% writes). */
  mixedRequests: number;
  /** Calls of the extra, CPU-profiled accounts.create and accounts.update phases after the measurements (0: none). */
  profileRequests: number;
  /** Where its markdown goes (null: nowhere): results/writes.md. */
  resultsFile: string | null;
}

/** The orders suite (orders.ts): orders.confirm beside accounts.update, accounts.exposure by history, ownership.resolve beside accounts.get. */
export interface OrdersBenchOptions {
  /** Accounts seeded before the orders (the updates pick from them). */
  accounts: number;
  /** Measured orders.confirm and accounts.update calls, at each concurrency (1 and --concurrency), and warm-up calls before them. */
  requests: number;
  warmup: number;
  /** Historical invoices of the long-history account's group (the short one has `shortInvoices`). */
  historyInvoices: number;
  shortInvoices: number;
  /** Measured calls per read (accounts.exposure per account, ownership.resolve, accounts.get), at each concurrency. */
  readRequests: number;
  readWarmup: number;
  /** Calls of each extra, CPU-profiled phase (orders.confirm, ownership.resolve) after the measurements (0: none). */
  profileRequests: number;
  /** Where its markdown goes (null: nowhere): results/orders.md. */
  resultsFile: string | null;
}

export interface BenchOptions {
  /** Accounts seeded into the one tenant. */
  accounts: number;
  /** Measured requests per operation. */
  requests: Record<OperationName, number>;
  /** Unmeasured requests sent first, per operation and server. */
  warmup: Record<OperationName, number>;
  /** Requests in flight at once. */
  concurrency: number;
  /** The measured requests are split into this many rounds, the servers taking turns, so drifting background load hits all alike. */
  rounds: number;
  operations: OperationName[];
  /** When set, each measured phase is CPU-profiled inside the server child and written here. */
  profileDir: string | null;
  /** Where the markdown table goes (null: nowhere): results/latest.md. */
  resultsFile: string | null;
  /** PRNG seed for the data and the request order. */
  seed: number;
  /** Which suites run, in this order. */
  suites: SuiteName[];
  ownership: OwnershipBenchOptions;
  writes: WritesBenchOptions;
  orders: OrdersBenchOptions;
}

export const usage = `Usage, from the repository root (npm hands options on through two scripts, hence "-- --"):
  npm run bench -- -- [options]        or   BENCH_GET_N=5000 npm run bench
from bench/:
  npm run bench -- [options]

  --accounts N       accounts to seed               (env BENCH_ACCOUNTS,    default 100000)
  --get-n N          measured accounts.get calls    (env BENCH_GET_N,       default 20000)
  --list-n N         measured accounts.list calls   (env BENCH_LIST_N,      default 5000)
  --warmup N         warm-up calls per operation    (env BENCH_WARMUP,      default 10% of its N, at least 200)
  --concurrency N    requests in flight             (env BENCH_CONCURRENCY, default 16)
  --rounds N         split each measurement into N rounds, servers taking turns
                                                    (env BENCH_ROUNDS,      default 4; 1 with --profile)
  --ops get,list     operations to run              (env BENCH_OPS,         default get,list)
  --profile DIR      CPU-profile each measured phase inside the server children, write
                     DIR/<server>-<op>.cpuprofile and a summary; results/latest.md is left alone
  --seed N           PRNG seed                       (env BENCH_SEED,        default 1)
  --no-write         do not write results/*.md
  --suite S          accounts, ownership, overload, writes, orders or all
                                                    (env BENCH_SUITE,       default all)

ownership suite (ownership.ts; --accounts, --concurrency, --rounds, --seed apply to it too):
  --periods N        ownership periods of the long-history account
                                                    (env BENCH_PERIODS,     default 1000)
  --resolve-n N      measured ownership.resolve calls per account
                                                    (env BENCH_RESOLVE_N,   default 4000)
  --sweep-runs N     measured pool sweeps, each on a fresh copy, after one warm-up
                                                    (env BENCH_SWEEP_RUNS,  default 5)
  --due-share X      share of accounts due at the backlog sweep (overdue up to 60 days)
                                                    (env BENCH_DUE_SHARE,   default 0.01)
  --sweep-every N    minutes between scheduled sweeps (env BENCH_SWEEP_EVERY, default 15)

writes suite (writes.ts; --concurrency, --rounds, --seed apply to it too; --profile DIR keeps its profiles there):
  --write-accounts N accounts seeded for it         (env BENCH_WRITE_ACCOUNTS, default 20000)
  --write-n N        measured accounts.create and accounts.update calls, each at
                     concurrency 1 and at --concurrency (env BENCH_WRITE_N,   default 1000)
  --write-warmup N   warm-up calls per operation and server (env BENCH_WRITE_WARMUP, default 200)
  --mixed-n N        measured operations of the mixed workload (env BENCH_MIXED_N, default 3000)
  --write-profile-n N calls of the profiled create and update phases after the measurements
                     (env BENCH_WRITE_PROFILE_N, default 400)
  --no-write-profile skip the profiled phases

orders suite (orders.ts; --concurrency, --rounds, --seed apply to it too; --profile DIR keeps its profiles there):
  --order-accounts N accounts seeded for it          (env BENCH_ORDER_ACCOUNTS, default 20000)
  --order-n N        measured orders.confirm and accounts.update calls, each at
                     concurrency 1 and at --concurrency (env BENCH_ORDER_N,   default 1000)
  --order-warmup N   warm-up calls per operation     (env BENCH_ORDER_WARMUP, default 200)
  --history-invoices N historical invoices of the long-history group
                                                    (env BENCH_HISTORY_INVOICES, default 100000)
  --read-n N         measured accounts.exposure (per account), ownership.resolve and
                     accounts.get calls, each at concurrency 1 and at --concurrency
                                                    (env BENCH_READ_N,      default 2000)
  --order-profile-n N calls of the profiled orders.confirm and ownership.resolve phases
                     after the measurements       (env BENCH_ORDER_PROFILE_N, default 400)
  --no-order-profile skip the profiled phases
  -h, --help`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, resultsDir: string): BenchOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      'get-n': { type: 'string' },
      'list-n': { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      ops: { type: 'string' },
      profile: { type: 'string' },
      seed: { type: 'string' },
      'no-write': { type: 'boolean' },
      suite: { type: 'string' },
      periods: { type: 'string' },
      'resolve-n': { type: 'string' },
      'sweep-runs': { type: 'string' },
      'due-share': { type: 'string' },
      'sweep-every': { type: 'string' },
      'write-accounts': { type: 'string' },
      'write-n': { type: 'string' },
      'write-warmup': { type: 'string' },
      'mixed-n': { type: 'string' },
      'write-profile-n': { type: 'string' },
      'no-write-profile': { type: 'boolean' },
      'order-accounts': { type: 'string' },
      'order-n': { type: 'string' },
      'order-warmup': { type: 'string' },
      'history-invoices': { type: 'string' },
      'read-n': { type: 'string' },
      'order-profile-n': { type: 'string' },
      'no-order-profile': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length) {
    // `npm run bench -- --get-n 5` from the root: the outer npm keeps `--get-n` as its own config.
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}; from the repository root pass options after "-- --" (npm run bench -- -- --get-n 5000) or use BENCH_* variables`);
  }

  const requests = {
    get: positiveInt('--get-n', values['get-n'] ?? env.BENCH_GET_N, 20_000),
    list: positiveInt('--list-n', values['list-n'] ?? env.BENCH_LIST_N, 5_000),
  };
  const warmupRaw = values.warmup ?? env.BENCH_WARMUP;
  const warmup = {
    get: positiveInt('--warmup', warmupRaw, Math.max(200, Math.ceil(requests.get / 10))),
    list: positiveInt('--warmup', warmupRaw, Math.max(200, Math.ceil(requests.list / 10))),
  };
  const operations = (values.ops ?? env.BENCH_OPS ?? 'get,list').split(',').map((s) => s.trim()).filter(Boolean);
  for (const op of operations) if (!operationNames.includes(op as OperationName)) throw new Error(`unknown operation ${op}; expected get or list`);
  if (operations.length === 0) throw new Error('--ops names no operation');
  const profileDir = values.profile ?? null;
  const suite = values.suite ?? env.BENCH_SUITE ?? 'all';
  if (suite !== 'all' && !suiteNames.includes(suite as SuiteName)) throw new Error(`unknown suite ${suite}; expected accounts, ownership, overload, writes, orders or all`);
  const suites = suite === 'all' ? [...suiteNames] : [suite as SuiteName];
  const dueShareRaw = values['due-share'] ?? env.BENCH_DUE_SHARE ?? '0.01';
  const dueShare = Number(dueShareRaw);
  if (!(dueShare > 0 && dueShare < 0.5)) throw new Error(`--due-share must be a number between 0 and 0.5, got ${JSON.stringify(dueShareRaw)}`);
  const resolveRequests = positiveInt('--resolve-n', values['resolve-n'] ?? env.BENCH_RESOLVE_N, 4_000);
  const readRequests = positiveInt('--read-n', values['read-n'] ?? env.BENCH_READ_N, 2_000);

  return {
    accounts: positiveInt('--accounts', values.accounts ?? env.BENCH_ACCOUNTS, 100_000),
    requests,
    warmup,
    concurrency: positiveInt('--concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 16),
    // Profiles are taken over one uninterrupted phase per server.
    rounds: profileDir ? 1 : positiveInt('--rounds', values.rounds ?? env.BENCH_ROUNDS, 4),
    operations: operations as OperationName[],
    profileDir,
    // A profiled run is slower by design; its figures must not replace the recorded ones.
    resultsFile: values['no-write'] || profileDir ? null : join(resultsDir, 'latest.md'),
    seed: positiveInt('--seed', values.seed ?? env.BENCH_SEED, 1),
    suites,
    ownership: {
      periods: positiveInt('--periods', values.periods ?? env.BENCH_PERIODS, 1_000),
      resolveRequests,
      resolveWarmup: positiveInt('--warmup', warmupRaw, Math.max(200, Math.ceil(resolveRequests / 10))),
      sweepRuns: positiveInt('--sweep-runs', values['sweep-runs'] ?? env.BENCH_SWEEP_RUNS, 5),
      dueShare,
      remindShare: dueShare,
      sweepEveryMinutes: positiveInt('--sweep-every', values['sweep-every'] ?? env.BENCH_SWEEP_EVERY, 15),
      resultsFile: values['no-write'] ? null : join(resultsDir, 'ownership.md'),
    },
    writes: {
      accounts: positiveInt('--write-accounts', values['write-accounts'] ?? env.BENCH_WRITE_ACCOUNTS, 20_000),
      requests: positiveInt('--write-n', values['write-n'] ?? env.BENCH_WRITE_N, 1_000),
      warmup: positiveInt('--write-warmup', values['write-warmup'] ?? env.BENCH_WRITE_WARMUP, 200),
      mixedRequests: positiveInt('--mixed-n', values['mixed-n'] ?? env.BENCH_MIXED_N, 3_000),
      profileRequests: values['no-write-profile'] ? 0 : positiveInt('--write-profile-n', values['write-profile-n'] ?? env.BENCH_WRITE_PROFILE_N, 400),
      // Its profiles are taken in extra phases after the measured ones, so a profiled run still records its figures.
      resultsFile: values['no-write'] ? null : join(resultsDir, 'writes.md'),
    },
    orders: {
      accounts: positiveInt('--order-accounts', values['order-accounts'] ?? env.BENCH_ORDER_ACCOUNTS, 20_000),
      requests: positiveInt('--order-n', values['order-n'] ?? env.BENCH_ORDER_N, 1_000),
      warmup: positiveInt('--order-warmup', values['order-warmup'] ?? env.BENCH_ORDER_WARMUP, 200),
      historyInvoices: positiveInt('--history-invoices', values['history-invoices'] ?? env.BENCH_HISTORY_INVOICES, 100_000),
      shortInvoices: 10,
      readRequests,
      readWarmup: Math.max(200, Math.ceil(readRequests / 10)),
      profileRequests: values['no-order-profile'] ? 0 : positiveInt('--order-profile-n', values['order-profile-n'] ?? env.BENCH_ORDER_PROFILE_N, 400),
      // Its profiles are taken in extra phases after the measured ones, so a profiled run still records its figures.
      resultsFile: values['no-write'] ? null : join(resultsDir, 'orders.md'),
    },
  };
}
