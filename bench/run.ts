/**
 * crmkit benchmarks. The accounts suite (here): accounts.get and accounts.list against 100,000
 * seeded accounts, crmkit's real server vs a bare node:http + better-sqlite3 handler answering
 * the same bodies. The ownership suite (ownership.ts): ownership.resolve by history length, and
 * the pool sweep against one SQL statement. The overload suite (overload.ts): /healthz and another
 * caller's accounts.get while maximum-size write batches run. The writes suite (writes.ts):
 * accounts.create/update and a mixed workload against a bare write handler. The orders suite
 * (orders.ts): orders.confirm beside accounts.update, accounts.exposure by invoice history, and
 * ownership.resolve beside accounts.get. The credit suite (credit.ts): orders.confirm with the
 * credit check, a group with 100,000 invoices against one with 10, with and without the check.
 *
 *   npm run bench                                   # from the repo root: both suites (results/latest.md, results/ownership.md)
 *   npm run bench -- -- --suite ownership            # one suite; from the root, options after "-- --"
 *   npm run bench -- -- --get-n 5000
 *   cd bench && npm run bench -- --suite accounts --ops get --profile /tmp/crmkit-prof
 *
 * Each server runs in its own child process; this process is only the load generator.
 * Never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrmClient } from '@crmkit/client';
import { killAllChildren, startServer, type ServerChild } from './lib/children.js';
import { mergeChunks, runLoad, type LoadChunk, type LoadResult } from './lib/load.js';
import { operationNames, parseOptions, usage, type BenchOptions, type OperationName } from './lib/options.js';
import { summarizeProfile } from './lib/profile.js';
import { creditUsage, runCreditSuite, takeCreditArgs } from './credit.js';
import { runOrdersSuite } from './orders.js';
import { runOwnershipSuite } from './ownership.js';
import { runWritesSuite } from './writes.js';
import { createRandom } from './lib/random.js';
import { seedDatabase, type SeededDatabase } from './lib/seed.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const grades = ['A', 'B', 'C', 'D'] as const;

/** One way of calling one server; the table has a row per variant and operation. */
interface Variant {
  name: string;
  server: ServerChild;
  calls: Record<OperationName, (i: number) => Promise<unknown>>;
}

interface Row {
  operation: string;
  variant: string;
  load: LoadResult;
  serverCpuUsPerRequest: number;
  serverCpu: number;
}

let tempDir: string | null = null;
function cleanup() {
  killAllChildren();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = null;
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers and removing temporary files`);
    cleanup();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** Removes temporary directories of earlier runs that were killed outright (SIGKILL leaves no chance to clean up). */
function sweepStaleTempDirs() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('crmkit-bench-')) continue;
    const dir = join(tmpdir(), name);
    try {
      const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      process.kill(pid, 0); // still running: leave it
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(dir, { recursive: true, force: true });
    }
  }
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => n.toFixed(2);

async function fetchText(url: string, authorization: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers: { authorization } });
  return { status: res.status, body: await res.text() };
}

/** Both servers must answer byte-identical bodies, or the comparison means nothing. */
async function checkSameAnswers(crmkit: ServerChild, bare: ServerChild, seeded: SeededDatabase, apiKey: string): Promise<number> {
  const authorization = `Bearer ${apiKey}`;
  const step = Math.max(1, Math.floor(seeded.accountIds.length / 200));
  const paths: string[] = [];
  for (let i = 0; i < seeded.accountIds.length; i += step) paths.push(`/accounts.get?input=${encodeURIComponent(JSON.stringify({ id: seeded.accountIds[i] }))}`);
  for (const grade of grades) for (const limit of [50, 1, 200]) paths.push(`/accounts.list?input=${encodeURIComponent(JSON.stringify({ grade, limit }))}`);
  for (const path of paths) {
    const [a, b] = await Promise.all([fetchText(crmkit.url + path, authorization), fetchText(bare.url + path, authorization)]);
    if (a.status !== 200 || a.status !== b.status || a.body !== b.body) {
      throw new Error(`crmkit and bare answer ${path} differently:\n  crmkit ${a.status} ${a.body.slice(0, 600)}\n  bare ${b.status} ${b.body.slice(0, 600)}`);
    }
  }
  // And through the client the benchmark uses: the same data.
  const client = createCrmClient({ url: crmkit.url, apiKey, retry: { attempts: 1 } });
  const viaClient = await client.accounts.list.query({ grade: 'A', limit: 50 });
  const viaFetch = JSON.parse((await fetchText(`${bare.url}/accounts.list?input=${encodeURIComponent(JSON.stringify({ grade: 'A', limit: 50 }))}`, authorization)).body) as { result: { data: unknown } };
  if (JSON.stringify(viaClient) !== JSON.stringify(viaFetch.result.data)) throw new Error('the crmkit client returns other data than the bare handler');
  if (viaClient.items.length !== 50 || viaClient.nextCursor === null) throw new Error('accounts.list did not return a full first page');
  return paths.length;
}

function markdown(options: BenchOptions, seeded: SeededDatabase, rows: Row[], load: { before: number[]; after: number[] }): string {
  const cpu = cpus();
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const lines = [
    '# crmkit benchmark: accounts.get and accounts.list',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform} · ` +
      `load average (1/5/15 min) ${fmtLoad(load.before)} before, ${fmtLoad(load.after)} after`,
    '',
    `${fmtInt(options.accounts)} accounts in one tenant of a SQLite file (seeded in ${seeded.seconds.toFixed(1)} s). ` +
      `${options.concurrency} requests in flight; measured requests: get ${fmtInt(options.requests.get)}, list ${fmtInt(options.requests.list)} ` +
      `(after ${fmtInt(options.warmup.get)} / ${fmtInt(options.warmup.list)} warm-up requests per server), in ${options.rounds} rounds with the servers taking turns. ` +
      'get: random ids; list: first page of one grade (A–D at random), limit 50.',
    '',
    '| operation | server | req/s | p50 ms | p99 ms | ratio crmkit/bare | server CPU µs/req | server CPU | load-gen CPU |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const bare = rows.find((r) => r.operation === row.operation && r.variant === 'bare');
    const ratio = row.variant === 'bare' || !bare ? '' : (row.load.perSecond / bare.load.perSecond).toFixed(2);
    lines.push(
      `| ${row.operation} | ${row.variant} | ${fmtInt(row.load.perSecond)} | ${fmtMs(row.load.p50)} | ${fmtMs(row.load.p99)} | ${ratio} | ` +
        `${fmtInt(row.serverCpuUsPerRequest)} | ${Math.round(row.serverCpu * 100)}% | ${Math.round(row.load.loadgenCpu * 100)}% |`,
    );
  }
  lines.push(
    '',
    '- **crmkit**: `createCrmServer` in a child process, called through `@crmkit/client` (`httpLink`, no batching, no retries).',
    '- **crmkit (plain fetch)**: the same crmkit process, called with plain `fetch` like the bare handler, to separate the client library\'s cost from the server\'s.',
    '- **bare**: `node:http` + raw better-sqlite3 prepared statements (the SQL Prisma generates) in a child process, answering byte-identical bodies (checked before the run).',
    '- ratio = crmkit req/s ÷ bare req/s. Server CPU = the server child\'s user+system CPU during the measured phase (100% = one core); load-gen CPU likewise for this process.',
    '- Latencies are measured around each call with `performance.now()`; percentiles are nearest-rank over the sorted samples.',
    '',
  );
  return lines.join('\n');
}

async function main() {
  // The credit suite's options (and `--suite credit`) are taken out first; lib/options.ts parses the rest.
  const credit = takeCreditArgs(process.argv.slice(2), process.env, join(benchDir, 'results'));
  const parsed = parseOptions(credit.argv, credit.env, join(benchDir, 'results'));
  if (parsed === 'help') {
    console.log(`${usage.replace('orders or all', 'orders, credit or all')}\n${creditUsage}`);
    return;
  }
  const options = parsed;
  const loadBefore = loadavg();
  if (loadBefore[0]! > cpus().length * 0.5) console.warn(`warning: load average ${loadBefore[0]!.toFixed(2)} on ${cpus().length} CPUs; other work will skew the figures`);
  sweepStaleTempDirs();
  tempDir = mkdtempSync(join(tmpdir(), 'crmkit-bench-'));
  writeFileSync(join(tempDir, 'owner.pid'), String(process.pid));
  const suites = credit.run === 'only' ? (['credit'] as const) : [...options.suites, ...(credit.run === 'after' ? (['credit'] as const) : [])];
  for (const suite of suites) {
    console.log(`\n== ${suite} suite ==`);
    if (suite === 'accounts') await runAccountsSuite(options, tempDir);
    else if (suite === 'ownership') await runOwnershipSuite(options, tempDir);
    else if (suite === 'writes') await runWritesSuite(options, tempDir);
    else if (suite === 'orders') await runOrdersSuite(options, tempDir);
    else if (suite === 'credit') await runCreditSuite(options, credit.credit, tempDir);
    else runOverloadSuite();
  }
}

/**
 * The overload suite (overload.ts: /healthz and accounts.get while maximum-size write batches run)
 * runs as its own process, as it starts and stops its own servers; BENCH_POSTGRES_URL adds PostgreSQL.
 */
function runOverloadSuite() {
  const run = spawnSync(process.execPath, [...process.execArgv, join(benchDir, 'overload.ts'), ...(process.env.BENCH_OVERLOAD_ARGS?.split(' ').filter(Boolean) ?? [])], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`the overload suite failed (exit ${run.status})`);
}

/** The read-path suite: accounts.get and accounts.list, crmkit against the bare handler. */
async function runAccountsSuite(options: BenchOptions, tempDir: string) {
  const loadBefore = loadavg();
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });

  console.log(`seeding ${fmtInt(options.accounts)} accounts …`);
  const seeded = await seedDatabase(join(tempDir, 'bench.db'), options.accounts, options.seed);
  console.log(`seeded in ${seeded.seconds.toFixed(1)} s (active per grade: ${grades.map((g) => `${g} ${fmtInt(seeded.activeByGrade[g] ?? 0)}`).join(', ')})`);

  const args = ['--database-url', seeded.databaseUrl];
  const [crmkit, bare] = await Promise.all([startServer('crmkit', 'crmkit.ts', args), startServer('bare', 'bare.ts', args)]);
  for (const server of [crmkit, bare]) console.log(`${server.name} server: pid ${server.pid}, ${server.url}`);
  const checked = await checkSameAnswers(crmkit, bare, seeded, seeded.apiKey);
  console.log(`all servers answer ${checked} sample requests with identical bodies`);

  const authorization = `Bearer ${seeded.apiKey}`;
  const client = createCrmClient({ url: crmkit.url, apiKey: seeded.apiKey, retry: { attempts: 1 } });
  const plainFetch = async (base: string, procedure: string, input: unknown) => {
    const res = await fetch(`${base}/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization } });
    if (!res.ok) throw new Error(`${procedure} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };

  // One request sequence per operation, the same for every server: warm-up first, then measured.
  const random = createRandom(options.seed + 1);
  const sequences = {
    get: Array.from({ length: options.warmup.get + options.requests.get }, () => ({ id: seeded.accountIds[Math.floor(random() * seeded.accountIds.length)]! })),
    list: Array.from({ length: options.warmup.list + options.requests.list }, () => ({ grade: grades[Math.floor(random() * grades.length)]!, limit: 50 })),
  };
  const viaFetch = (name: string, server: ServerChild): Variant => ({
    name,
    server,
    calls: {
      get: (i) => plainFetch(server.url, 'accounts.get', sequences.get[i]),
      list: (i) => plainFetch(server.url, 'accounts.list', sequences.list[i]),
    },
  });
  const variants: Variant[] = [
    { name: 'crmkit', server: crmkit, calls: { get: (i) => client.accounts.get.query(sequences.get[i]!), list: (i) => client.accounts.list.query(sequences.list[i]!) } },
    viaFetch('crmkit (plain fetch)', crmkit),
    viaFetch('bare', bare),
  ];

  const rows: Row[] = [];
  for (const op of operationNames.filter((o) => options.operations.includes(o))) {
    const operation = `accounts.${op}`;
    const warmup = options.warmup[op];
    for (const variant of variants) {
      process.stdout.write(`${operation} · ${variant.name}: warm-up ${fmtInt(warmup)} … `);
      const w = await runLoad(warmup, options.concurrency, variant.calls[op]);
      console.log(`${fmtInt(warmup / (w.ms / 1000))} req/s`);
    }
    // Rounds: each server gets an equal slice of the sequence per round, in rotating order.
    const total = options.requests[op];
    const measured = new Map<Variant, { chunks: LoadChunk[]; serverCpuUs: number }>(variants.map((v) => [v, { chunks: [], serverCpuUs: 0 }]));
    for (let round = 0; round < options.rounds; round++) {
      const from = Math.floor((total * round) / options.rounds);
      const count = Math.floor((total * (round + 1)) / options.rounds) - from;
      const order = variants.map((_, k) => variants[(k + round) % variants.length]!);
      for (const variant of order) {
        const { server } = variant;
        const call = variant.calls[op];
        const profileFile = options.profileDir ? join(options.profileDir, `${variant.name.replace(/\W+/g, '-').replace(/-$/, '')}-${op}.cpuprofile`) : null;
        if (profileFile) await server.startProfile();
        const before = await server.stats();
        const chunk = await runLoad(count, options.concurrency, (i) => call(warmup + from + i));
        const after = await server.stats();
        if (profileFile) await server.stopProfile(profileFile);
        const m = measured.get(variant)!;
        m.chunks.push(chunk);
        m.serverCpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
        console.log(`${operation} · ${variant.name} · round ${round + 1}/${options.rounds}: ${fmtInt(count / (chunk.ms / 1000))} req/s`);
        if (profileFile) {
          console.log(`  profile: ${profileFile}`);
          console.log(summarizeProfile(profileFile, count).replace(/^/gm, '  '));
        }
      }
    }
    for (const variant of variants) {
      const m = measured.get(variant)!;
      const load = mergeChunks(m.chunks);
      rows.push({ operation, variant: variant.name, load, serverCpuUsPerRequest: m.serverCpuUs / load.requests, serverCpu: m.serverCpuUs / 1000 / (load.seconds * 1000) });
    }
  }
  await Promise.all([crmkit, bare].map((server) => server.stop()));

  const report = markdown(options, seeded, rows, { before: loadBefore, after: loadavg() });
  console.log(`\n${report}`);
  if (options.resultsFile) {
    mkdirSync(dirname(options.resultsFile), { recursive: true });
    writeFileSync(options.resultsFile, report);
    console.log(`written to ${relative(process.cwd(), options.resultsFile)}`);
  } else if (options.profileDir) {
    console.log('(profiled run: the servers ran under the sampling profiler, so results/latest.md was not updated)');
  }
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    cleanup();
    process.exit(1);
  },
);
