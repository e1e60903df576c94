/**
 * The writes suite, run by run.ts (`--suite writes`, or with every suite by default):
 *
 * (a) accounts.create and (b) accounts.update through @crmkit/client over HTTP, crmkit's real server
 *     in a child process on a SQLite file, one call after another and with --concurrency in flight,
 *     beside a bare node:http + better-sqlite3 handler (servers/bare-writes.ts, also a child, also
 *     called through @crmkit/client) that writes the same rows (Account, AuditEvent, OutboxEvent) in
 *     one transaction with the same durability as crmkit's connection, and once more at the other
 *     of `synchronous` NORMAL and FULL. Each server writes its own copy of one seeded file.
 * (c) a mixed workload: --concurrency clients, 60% reads (accounts.get, accounts.list) and 40%
 *     writes (accounts.create, accounts.update), crmkit against the bare handler.
 * (d) after the measurements, extra CPU-profiled phases of accounts.create (crmkit and bare) and
 *     accounts.update (crmkit), one call at a time, summarized by lib/profile.ts.
 *
 * Before measuring, one create and one update on every server must answer the same account (but
 * for ids and timestamps) and write audit and outbox rows of the same sizes; afterwards every
 * server's file must hold the same number of rows of each kind, of the same total sizes.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { createCrmClient } from '@crmkit/client';
import { startServer, type ServerChild } from './lib/children.js';
import { mergeChunks, runLoad, type LoadChunk, type LoadResult } from './lib/load.js';
import type { BenchOptions } from './lib/options.js';
import { summarizeProfile } from './lib/profile.js';
import { createRandom, pick } from './lib/random.js';
import { seedDatabase } from './lib/seed.js';
import { percentile } from './lib/stats.js';

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => n.toFixed(2);
const fmtX = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const synchronousNames: Record<number, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' };

type Client = ReturnType<typeof createCrmClient>;
type WriteOp = 'create' | 'update';
type MixedKind = 'get' | 'list' | 'create' | 'update';

interface Target {
  name: string;
  server: ServerChild;
  client: Client;
  file: string;
}

interface WriteRow {
  operation: string;
  inFlight: number;
  target: string;
  load: LoadResult;
  cpuUsPerRequest: number;
}

interface MixedRow {
  target: string;
  load: LoadResult;
  cpuUsPerRequest: number;
  byKind: Record<MixedKind, { count: number; p50: number; p99: number }>;
}

const companies = ['Hualian', 'Meridian', 'Northwind', 'Jiahe', 'Blue Harbor', 'Everbright', 'Contoso', 'Sunrise'];
const kinds = ['Supermarkets', 'Trading', 'Logistics', 'Foods', 'Retail', 'Pharmacy'];
const regions = ['East China', 'North China', 'South China', 'Southwest', 'Hong Kong', 'Europe'];
const currencies = ['CNY', 'CNY', 'USD', 'EUR', 'HKD'];
const grades = ['A', 'B', 'C', 'D'] as const;
/** Full-width forms, so the NFKC step of the name's search key has work to do on some names. */
const fullWidth = (s: string) => s.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Removes what differs between two servers' answers to the same write (ids and timestamps). */
const comparable = (a: Record<string, unknown>) => ({ ...a, id: typeof a.id, createdAt: typeof a.createdAt, updatedAt: typeof a.updatedAt });

/** Rows and total sizes of what the writes leave in a server's file. */
function rowsOf(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT
      (SELECT count(*) FROM "Account") AS accounts,
      (SELECT total(length("name") + length("nameSearch") + ifnull(length("phone"), 0) + ifnull(length("region"), 0)) FROM "Account") AS accountBytes,
      (SELECT count(*) FROM "AuditEvent") AS audits,
      (SELECT total(ifnull(length("before"), 0) + ifnull(length("after"), 0)) FROM "AuditEvent") AS auditBytes,
      (SELECT count(*) FROM "OutboxEvent") AS outbox,
      (SELECT total(length("payload")) FROM "OutboxEvent") AS outboxBytes,
      (SELECT count(*) FROM "AccountOwnership") AS ownerships`).get() as Record<string, number>;
  } finally {
    db.close();
  }
}

/** The audit and outbox rows one write left, by the account it changed. */
function changeRowsOf(file: string, accountId: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      audit: db.prepare(`SELECT "action", "actorType", length("before") AS before, length("after") AS after FROM "AuditEvent" WHERE "entityId" = ? ORDER BY "id"`).all(accountId),
      outbox: db.prepare(`SELECT "type", "entityType", length("payload") AS payload FROM "OutboxEvent" WHERE "entityId" = ? ORDER BY "id"`).all(accountId),
      account: db.prepare(`SELECT "nameSearch", "version", typeof("createdAt") AS t, length("createdAt") AS l FROM "Account" WHERE "id" = ?`).get(accountId),
    };
  } finally {
    db.close();
  }
}

/** One create and one update on every target must answer the same account and leave rows of the same sizes. */
async function checkSameWrites(targets: Target[]) {
  const input = { name: `  ${fullWidth('Jiahe')}   Check Foods `, grade: 'B' as const, phone: '+86 21 55501234', region: 'East China', currency: 'CNY' };
  const seen: string[] = [];
  for (const t of targets) {
    const created = await t.client.accounts.create.mutate(input);
    const updated = await t.client.accounts.update.mutate({ id: created.id, name: 'Jiahe Check Foods (renamed)', region: 'North China' });
    const rows = changeRowsOf(t.file, created.id);
    seen.push(JSON.stringify({ created: comparable(created), updated: comparable(updated), rows }));
  }
  for (let i = 1; i < targets.length; i++) {
    if (seen[i] !== seen[0]) throw new Error(`${targets[i]!.name} writes differently from ${targets[0]!.name}:\n  ${seen[0]}\n  ${seen[i]}`);
  }
  return seen[0]!;
}

/** The write suite's measured phases: create and update at concurrency 1 and N, then the mixed workload, then the profiles. */
export async function runWritesSuite(options: BenchOptions, tempDir: string): Promise<void> {
  const w = options.writes;
  const loadBefore = loadavg();
  console.log(`seeding ${fmtInt(w.accounts)} accounts …`);
  const seedPath = join(tempDir, 'writes-seed.db');
  const seeded = await seedDatabase(seedPath, w.accounts, options.seed);
  const checkpoint = new Database(seedPath);
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  // Updates go to active accounts (an archived one answers PRECONDITION_FAILED).
  const activeIds = checkpoint.prepare('SELECT "id" FROM "Account" WHERE "archivedAt" IS NULL ORDER BY "id"').pluck().all() as string[];
  checkpoint.close();

  const targets: Target[] = [];
  const start = async (name: string, script: string, args: string[]) => {
    const file = join(tempDir, `writes-${targets.length}.db`);
    copyFileSync(seedPath, file);
    const server = await startServer(name, script, ['--database-url', `file:${file}`, ...args]);
    const client = createCrmClient({ url: server.url, apiKey: seeded.apiKey, retry: { attempts: 1 } });
    targets.push({ name, server, client, file });
    console.log(`${name} server: pid ${server.pid}, ${server.url}, SQLite ${JSON.stringify(server.info)}`);
    return targets[targets.length - 1]!;
  };
  const crmkit = await start('crmkit', 'crmkit.ts', []);
  // "The same durability": the baseline commits as crmkit's own connection does; a second one at
  // the other of NORMAL and FULL shows what the fsync of every commit costs (or saves).
  const level = crmkit.server.info.synchronous;
  if (typeof level !== 'number') throw new Error(`crmkit reported no synchronous level: ${JSON.stringify(crmkit.server.info)}`);
  const bare = await start('bare', 'bare-writes.ts', ['--synchronous', String(level)]);
  const otherLevel = level === 2 ? 1 : 2;
  const bareOther = await start(`bare, synchronous=${synchronousNames[otherLevel]}`, 'bare-writes.ts', ['--synchronous', String(otherLevel)]);
  for (const key of ['synchronous', 'journal_mode']) {
    if (crmkit.server.info[key] !== bare.server.info[key]) throw new Error(`bare runs with ${key}=${bare.server.info[key]}, crmkit with ${crmkit.server.info[key]}`);
  }
  if (bareOther.server.info.synchronous !== otherLevel) throw new Error(`${bareOther.name} runs with synchronous=${bareOther.server.info.synchronous}`);
  const sample = await checkSameWrites(targets);
  console.log('every server answers a create and an update alike and writes audit and outbox rows of the same sizes');

  // Inputs: one sequence per operation, the same for every server.
  const random = createRandom(options.seed + 7);
  const perOp = w.warmup + 2 * w.requests + w.profileRequests;
  const createInputs = Array.from({ length: perOp + w.mixedRequests }, (_, i) => {
    const base = `${pick(random, companies)} ${pick(random, kinds)} W${i + 1}`;
    return {
      name: i % 10 === 0 ? fullWidth(base) : base,
      grade: pick(random, grades),
      phone: `+86 21 ${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
      region: pick(random, regions),
      currency: pick(random, currencies),
      ...(random() < 0.5 ? { email: `ap${i + 1}@example.com` } : {}),
    };
  });
  const updateInputs = Array.from({ length: perOp + w.mixedRequests }, (_, i) => ({
    id: activeIds[Math.floor(random() * activeIds.length)]!,
    name: `${pick(random, companies)} ${pick(random, kinds)} U${i + 1}`,
    region: pick(random, regions),
  }));
  const call = (t: Target, op: WriteOp, i: number) =>
    op === 'create' ? t.client.accounts.create.mutate(createInputs[i]!) : t.client.accounts.update.mutate(updateInputs[i]!);

  const writeRows: WriteRow[] = [];
  for (const op of ['create', 'update'] as const) {
    const operation = `accounts.${op}`;
    for (const t of targets) {
      process.stdout.write(`${operation} · ${t.name}: warm-up ${fmtInt(w.warmup)} … `);
      const chunk = await runLoad(w.warmup, options.concurrency, (i) => call(t, op, i));
      console.log(`${fmtInt(w.warmup / (chunk.ms / 1000))} req/s`);
    }
    for (const [k, inFlight] of [1, options.concurrency].entries()) {
      const offset = w.warmup + k * w.requests;
      const measured = new Map<Target, { chunks: LoadChunk[]; cpuUs: number }>(targets.map((t) => [t, { chunks: [], cpuUs: 0 }]));
      for (let round = 0; round < options.rounds; round++) {
        const from = Math.floor((w.requests * round) / options.rounds);
        const count = Math.floor((w.requests * (round + 1)) / options.rounds) - from;
        for (const t of targets.map((_, j) => targets[(j + round) % targets.length]!)) {
          const before = await t.server.stats();
          const chunk = await runLoad(count, inFlight, (i) => call(t, op, offset + from + i));
          const after = await t.server.stats();
          const m = measured.get(t)!;
          m.chunks.push(chunk);
          m.cpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
          console.log(`${operation} · ${inFlight} in flight · ${t.name} · round ${round + 1}/${options.rounds}: ${fmtInt(count / (chunk.ms / 1000))} req/s`);
        }
      }
      for (const t of targets) {
        const m = measured.get(t)!;
        const load = mergeChunks(m.chunks);
        writeRows.push({ operation, inFlight, target: t.name, load, cpuUsPerRequest: m.cpuUs / load.requests });
      }
    }
  }

  // The mixed workload: 30% get, 30% list, 20% create, 20% update, in one shuffled sequence.
  const mixedRandom = createRandom(options.seed + 11);
  const mixedOffset = perOp;
  const mixed = Array.from({ length: w.mixedRequests }, () => {
    const r = mixedRandom();
    const kind: MixedKind = r < 0.3 ? 'get' : r < 0.6 ? 'list' : r < 0.8 ? 'create' : 'update';
    return { kind, id: seeded.accountIds[Math.floor(mixedRandom() * seeded.accountIds.length)]!, grade: pick(mixedRandom, grades) };
  });
  const mixedCall = (t: Target, i: number) => {
    const m = mixed[i]!;
    if (m.kind === 'get') return t.client.accounts.get.query({ id: m.id });
    if (m.kind === 'list') return t.client.accounts.list.query({ grade: m.grade, limit: 50 });
    return call(t, m.kind, mixedOffset + i);
  };
  const mixedTargets = [crmkit, bare];
  const mixedMeasured = new Map<Target, { chunks: LoadChunk[]; kinds: MixedKind[]; cpuUs: number }>(mixedTargets.map((t) => [t, { chunks: [], kinds: [], cpuUs: 0 }]));
  for (let round = 0; round < options.rounds; round++) {
    const from = Math.floor((w.mixedRequests * round) / options.rounds);
    const count = Math.floor((w.mixedRequests * (round + 1)) / options.rounds) - from;
    for (const t of mixedTargets.map((_, j) => mixedTargets[(j + round) % mixedTargets.length]!)) {
      const before = await t.server.stats();
      const chunk = await runLoad(count, options.concurrency, (i) => mixedCall(t, from + i));
      const after = await t.server.stats();
      const m = mixedMeasured.get(t)!;
      m.chunks.push(chunk);
      m.kinds.push(...mixed.slice(from, from + count).map((x) => x.kind));
      m.cpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
      console.log(`mixed · ${options.concurrency} clients · ${t.name} · round ${round + 1}/${options.rounds}: ${fmtInt(count / (chunk.ms / 1000))} ops/s`);
    }
  }
  const mixedRows: MixedRow[] = mixedTargets.map((t) => {
    const m = mixedMeasured.get(t)!;
    const load = mergeChunks(m.chunks);
    const all = m.chunks.flatMap((c) => [...c.samples]);
    const byKind = Object.fromEntries(
      (['get', 'list', 'create', 'update'] as const).map((kind) => {
        const samples = Float64Array.from(all.filter((_, i) => m.kinds[i] === kind)).sort();
        return [kind, { count: samples.length, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) }];
      }),
    ) as MixedRow['byKind'];
    return { target: t.name, load, cpuUsPerRequest: m.cpuUs / load.requests, byKind };
  });

  // Profiles, in extra phases after the measured ones (the sampling profiler slows what it samples).
  const profiles: { title: string; file: string; summary: string }[] = [];
  if (w.profileRequests > 0) {
    const dir = options.profileDir ?? join(tempDir, 'profiles');
    mkdirSync(dir, { recursive: true });
    const phases: [Target, WriteOp][] = [[crmkit, 'create'], [crmkit, 'update'], [bare, 'create'], [bare, 'update']];
    const offset = w.warmup + 2 * w.requests;
    for (const [t, op] of phases) {
      const file = join(dir, `writes-${t.name.replace(/\W+/g, '-')}-${op}.cpuprofile`);
      await t.server.startProfile();
      await runLoad(w.profileRequests, 1, (i) => call(t, op, offset + i));
      await t.server.stopProfile(file);
      const summary = summarizeProfile(file, w.profileRequests);
      const title = `${t.name} · accounts.${op} · ${fmtInt(w.profileRequests)} calls, one at a time`;
      profiles.push({ title, file, summary });
      console.log(`profile ${title}: ${file}\n${summary.replace(/^/gm, '  ')}`);
    }
  }

  await Promise.all(targets.map((t) => t.server.stop()));
  const rowCounts = targets.map((t) => ({ name: t.name, ...rowsOf(t.file) }));
  // crmkit and bare ran every phase; the third server only the create and update measurements.
  if (JSON.stringify({ ...rowCounts[0], name: '' }) !== JSON.stringify({ ...rowCounts[1], name: '' })) {
    throw new Error(`bare left other rows than crmkit: ${JSON.stringify(rowCounts)}`);
  }

  const report = markdown({ options, seededSeconds: seeded.seconds, sample, targets, writeRows, mixedRows, profiles, rowCounts, load: { before: loadBefore, after: loadavg() } });
  console.log(`\n${report}`);
  if (w.resultsFile) {
    mkdirSync(dirname(w.resultsFile), { recursive: true });
    writeFileSync(w.resultsFile, report);
    console.log(`written to ${relative(process.cwd(), w.resultsFile)}`);
  }
}

function markdown(r: {
  options: BenchOptions;
  seededSeconds: number;
  sample: string;
  targets: Target[];
  writeRows: WriteRow[];
  mixedRows: MixedRow[];
  profiles: { title: string; summary: string }[];
  rowCounts: Record<string, unknown>[];
  load: { before: number[]; after: number[] };
}): string {
  const { options } = r;
  const w = options.writes;
  const cpu = cpus();
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const sync = (t: Target) => `${synchronousNames[t.server.info.synchronous as number] ?? t.server.info.synchronous}`;
  const lines = [
    '# crmkit benchmark: writes (accounts.create, accounts.update, mixed workload)',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform} · ` +
      `load average (1/5/15 min) ${fmtLoad(r.load.before)} before, ${fmtLoad(r.load.after)} after`,
    '',
    `Each server in its own child process on its own copy of one SQLite file with ${fmtInt(w.accounts)} accounts in one tenant ` +
      `(seeded in ${r.seededSeconds.toFixed(1)} s), called through \`@crmkit/client\` over HTTP with an admin API key. ` +
      `${fmtInt(w.requests)} measured calls per operation and concurrency after ${fmtInt(w.warmup)} warm-up calls, in ${options.rounds} round${options.rounds === 1 ? '' : 's'} with the servers taking turns.`,
    '',
    `- **crmkit**: \`createCrmServer(…).listen()\`; journal_mode=${r.targets[0]!.server.info.journal_mode}, synchronous=${sync(r.targets[0]!)} ` +
      '(read from Prisma\'s own connection: crmkit sets WAL and `synchronous=FULL` by default, `sqliteSynchronous` to change it).',
    `- **bare**: \`servers/bare-writes.ts\`, node:http + better-sqlite3, no crmkit import; the same connection settings as crmkit (synchronous=${sync(r.targets[1]!)}). ` +
      'One `BEGIN IMMEDIATE` transaction: INSERT Account (nameSearch by the same NFKC rule), INSERT AuditEvent, INSERT OutboxEvent; ' +
      'an update reads the row, `UPDATE … RETURNING` the changed columns guarded by the version, then the two event rows. ' +
      'No AccountOwnership row: an admin API key owns nothing, and crmkit writes none for it either.',
    `- **${r.targets[2]!.name}**: the same handler at the other of NORMAL and FULL (FULL fsyncs the WAL at every commit; NORMAL only at checkpoints).`,
    '',
    '## accounts.create and accounts.update',
    '',
    '| operation | in flight | server | req/s | p50 ms | p99 ms | server CPU µs/req | req/s vs bare | CPU vs bare |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of r.writeRows) {
    const base = r.writeRows.find((x) => x.operation === row.operation && x.inFlight === row.inFlight && x.target === 'bare')!;
    lines.push(
      `| ${row.operation} | ${row.inFlight} | ${row.target} | ${fmtInt(row.load.perSecond)} | ${fmtMs(row.load.p50)} | ${fmtMs(row.load.p99)} | ` +
        `${fmtInt(row.cpuUsPerRequest)} | ${row.target === 'bare' ? '1' : fmtX(row.load.perSecond / base.load.perSecond)} | ` +
        `${row.target === 'bare' ? '1' : fmtX(row.cpuUsPerRequest / base.cpuUsPerRequest)} |`,
    );
  }
  lines.push(
    '',
    '*req/s vs bare* is the server\'s rate ÷ the bare handler\'s (the issue\'s target for crmkit: at least 1/3, i.e. ≥ 0.33×); ' +
      '*CPU vs bare* is its server CPU per request ÷ the bare handler\'s. The load generator runs on the same 2 cores, so the bare ' +
      'rates are a floor of what that handler could do.',
    '',
    `## Mixed workload: ${options.concurrency} clients, 60% reads, 40% writes`,
    '',
    `${fmtInt(w.mixedRequests)} operations per server in one fixed sequence: 30% accounts.get (random id), 30% accounts.list (first page of a ` +
      'grade, limit 50), 20% accounts.create, 20% accounts.update.',
    '',
    '| server | ops/s | p50 ms | p99 ms | server CPU µs/op | get p50 / p99 | list p50 / p99 | create p50 / p99 | update p50 / p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const m of r.mixedRows) {
    const k = (kind: MixedKind) => `${fmtMs(m.byKind[kind].p50)} / ${fmtMs(m.byKind[kind].p99)}`;
    lines.push(`| ${m.target} | ${fmtInt(m.load.perSecond)} | ${fmtMs(m.load.p50)} | ${fmtMs(m.load.p99)} | ${fmtInt(m.cpuUsPerRequest)} | ${k('get')} | ${k('list')} | ${k('create')} | ${k('update')} |`);
  }
  const [c, b] = r.mixedRows;
  if (c && b) lines.push('', `crmkit ÷ bare: ${fmtX(c.load.perSecond / b.load.perSecond)} the ops/s, ${fmtX(c.cpuUsPerRequest / b.cpuUsPerRequest)} the CPU per operation.`);
  lines.push(
    '',
    '## Checks',
    '',
    'Before measuring, one create (a full-width name with extra spaces) and one update on every server answered the same account but for ids and ' +
      'timestamps, and left the same audit and outbox rows (sizes in characters):',
    '',
    '```json',
    JSON.stringify(JSON.parse(r.sample).rows),
    '```',
    '',
    'Afterwards, crmkit\'s and the bare handler\'s files held the same rows (counts, and total characters of the names, audit before/after and outbox ' +
      'payloads); the third server ran only the create and update measurements:',
    '',
    '| server | accounts | account chars | audit events | audit chars | outbox events | outbox chars | ownerships |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rowCounts.map((x) => `| ${x.name} | ${fmtInt(x.accounts as number)} | ${fmtInt(x.accountBytes as number)} | ${fmtInt(x.audits as number)} | ${fmtInt(x.auditBytes as number)} | ${fmtInt(x.outbox as number)} | ${fmtInt(x.outboxBytes as number)} | ${fmtInt(x.ownerships as number)} |`),
  );
  if (r.profiles.length) {
    lines.push('', '## Where the time goes (CPU profiles, extra phases after the measured ones)', '');
    lines.push('Sampled every 200 µs inside the server child with `node:inspector`; the profiler itself slows the server, so read the shares, not the rates. ' +
      'Summaries by `lib/profile.ts` (*by package* counts native code to its JS caller: better-sqlite3\'s native calls under the adapter are the SQLite work).');
    for (const p of r.profiles) lines.push('', `### ${p.title}`, '', '```', p.summary, '```');
  }
  return `${lines.join('\n')}\n`;
}
