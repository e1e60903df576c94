/**
 * crmkit under a write batch: how long /healthz and another caller's accounts.get take while
 * maximum-size batches of writes run (issue 7 item 9; targets: /healthz under 100 ms, accounts.get
 * under 500 ms). crmkit runs in a child process (servers/crmkit.ts) with its default limits; this
 * process sends the batches and, while they run, probes /healthz and accounts.get one after another.
 *
 *   cd bench && npx tsx --conditions=@crmkit/source overload.ts                     # SQLite
 *   cd bench && npx tsx --conditions=@crmkit/source overload.ts --postgres URL      # and PostgreSQL
 *
 * --postgres names a database crmkit may migrate and fill (a fresh tenant per run). Writes
 * results/overload.md unless --no-write. Never part of `npm test`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCrmServer } from '@crmkit/server';
import { killAllChildren, startServer } from './lib/children.js';
import { percentile } from './lib/stats.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
/** crmkit's default `maxBatchSize`. */
const MAX_BATCH = 50;

interface Options {
  accounts: number;
  rounds: number;
  concurrentBatches: number[];
  postgres: string | null;
  resultsFile: string | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      rounds: { type: 'string' },
      batches: { type: 'string' },
      postgres: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    accounts: positive('accounts', values.accounts, 500),
    rounds: positive('rounds', values.rounds, 10),
    concurrentBatches: (values.batches ?? '1,4').split(',').map((s) => positive('batches', s.trim(), 1)),
    postgres: values.postgres ?? process.env.BENCH_POSTGRES_URL ?? null,
    resultsFile: values['no-write'] ? null : join(benchDir, 'results', 'overload.md'),
  };
}

interface Seeded {
  batchKey: string;
  readerKey: string;
  accountIds: string[];
}

/** A tenant with two admin keys (the batch sender and the other caller) and some accounts, through crmkit itself. */
async function seed(databaseUrl: string, accounts: number): Promise<Seeded> {
  const crm = await createCrmServer({ databaseUrl });
  try {
    const tenant = await crm.bootstrap.createTenant({ name: `Overload ${new Date().toISOString()}` });
    const batchKey = (await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'batches', role: 'admin' })).secret;
    const readerKey = (await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'other caller', role: 'admin' })).secret;
    const caller = crm.createCaller({ tenantId: tenant.id, type: 'system', id: 'bench', role: 'admin', scopes: null });
    const accountIds: string[] = [];
    for (let i = 0; i < accounts; i += 1) accountIds.push((await caller.accounts.create({ name: `Seeded ${i}` })).id);
    return { batchKey, readerKey, accountIds };
  } finally {
    await crm.close();
  }
}

interface Probe {
  name: string;
  samples: number[];
}

/** Repeats `call` one after another until `until` settles, timing each. */
async function probeWhile(name: string, until: Promise<unknown>, call: () => Promise<void>): Promise<Probe> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return { name, samples };
}

interface Row {
  engine: string;
  scenario: string;
  probe: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
  target: number | null;
}

function row(engine: string, scenario: string, probe: Probe, target: number | null): Row {
  const sorted = Float64Array.from(probe.samples).sort();
  return { engine, scenario, probe: probe.name, n: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1] ?? NaN, target };
}

async function measureEngine(engine: string, databaseUrl: string, options: Options): Promise<Row[]> {
  console.log(`\n== ${engine} ==\nseeding ${options.accounts} accounts …`);
  const seeded = await seed(databaseUrl, options.accounts);
  const server = await startServer('crmkit', 'crmkit.ts', ['--database-url', databaseUrl]);
  const base = server.url;
  const root = base.replace(/\/trpc$/, '');
  const rows: Row[] = [];
  let written = 0;
  const statuses = new Map<number, number>();
  try {
    const healthz = async () => {
      const res = await fetch(`${root}/healthz`);
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      await res.arrayBuffer();
    };
    let next = 0;
    const get = async () => {
      const id = seeded.accountIds[next++ % seeded.accountIds.length];
      const res = await fetch(`${base}/accounts.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { authorization: `Bearer ${seeded.readerKey}` } });
      if (res.status !== 200) throw new Error(`accounts.get answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const batch = async () => {
      const body = Object.fromEntries(Array.from({ length: MAX_BATCH }, (_, i) => [i, { name: `Batch write ${written + i}` }]));
      written += MAX_BATCH;
      const paths = Array(MAX_BATCH).fill('accounts.create').join(',');
      const t0 = performance.now();
      const res = await fetch(`${base}/${paths}?batch=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${seeded.batchKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      return performance.now() - t0;
    };

    // Warm-up, then idle figures for comparison.
    for (let i = 0; i < 50; i += 1) await Promise.all([healthz(), get()]);
    const idle = (name: string, call: () => Promise<void>) => probeWhile(name, new Promise((r) => setTimeout(r, 1_000)), call);
    rows.push(row(engine, 'idle', await idle('/healthz', healthz), 100), row(engine, 'idle', await idle('accounts.get', get), 500));

    for (const concurrent of options.concurrentBatches) {
      const health: number[] = [];
      const reads: number[] = [];
      const batchMs: number[] = [];
      for (let r = 0; r < options.rounds; r += 1) {
        const batches = Promise.all(Array.from({ length: concurrent }, batch)).then((ms) => batchMs.push(...ms));
        const [h, g] = await Promise.all([probeWhile('/healthz', batches, healthz), probeWhile('accounts.get', batches, get)]);
        health.push(...h.samples);
        reads.push(...g.samples);
      }
      const scenario = `${concurrent} × ${MAX_BATCH}-write batch${concurrent > 1 ? 'es' : ''}`;
      rows.push(row(engine, scenario, { name: '/healthz', samples: health }, 100), row(engine, scenario, { name: 'accounts.get', samples: reads }, 500));
      rows.push(row(engine, scenario, { name: 'the batch itself', samples: batchMs }, null));
    }

    // What a batch of 1,000 calls now gets: refused before any call runs.
    const t0 = performance.now();
    const refused = await fetch(`${base}/${Array(1000).fill('accounts.list').join(',')}?batch=1`, { headers: { authorization: `Bearer ${seeded.batchKey}` } });
    await refused.arrayBuffer();
    console.log(`a batch of 1,000 calls: HTTP ${refused.status} in ${(performance.now() - t0).toFixed(1)} ms`);
    console.log(`batch answers by HTTP status: ${[...statuses].map(([s, n]) => `${s} × ${n}`).join(', ')}`);
    if ([...statuses.keys()].some((s) => s >= 500)) console.warn('warning: some batches answered 5xx');
  } finally {
    await server.stop();
  }
  return rows;
}

function markdown(rows: Row[], options: Options): string {
  const cpu = cpus();
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
  const lines = [
    '# crmkit under write batches: /healthz and accounts.get latency',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform}`,
    '',
    `crmkit (default limits: ${MAX_BATCH} calls per batch; batch calls 4 at once on PostgreSQL, 1 on SQLite; 10 s budget) in a child process, ${options.accounts} seeded accounts. ` +
      `Each scenario: ${options.rounds} rounds of N concurrent batches of ${MAX_BATCH} accounts.create; while they run, this process calls /healthz and ` +
      'accounts.get (another API key, random seeded ids) one after another, each timed. Targets: /healthz < 100 ms, accounts.get < 500 ms.',
    '',
    '| engine | scenario | request | n | p50 ms | p95 ms | max ms | target |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.engine} | ${r.scenario} | ${r.probe} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max)} | ${r.target === null ? '' : r.max < r.target ? `max < ${r.target} ✓` : `max ≥ ${r.target} ✗`} |`),
    '',
  ];
  return lines.join('\n');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'crmkit-bench-overload-'));
  const cleanup = () => {
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const rows = await measureEngine('SQLite', `file:${join(dir, 'overload.db')}`, options);
  if (options.postgres) rows.push(...(await measureEngine('PostgreSQL', options.postgres, options)));
  const text = markdown(rows, options);
  console.log(`\n${text}`);
  if (options.resultsFile) writeFileSync(options.resultsFile, text);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
