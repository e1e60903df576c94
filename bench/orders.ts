/**
 * The orders suite, run by run.ts (`--suite orders`, or with every suite by default). One crmkit
 * server (`createCrmServer`, SQLite at its default durability: WAL, synchronous=FULL) in a child
 * process on one seeded file, called through @crmkit/client over HTTP, all in one run:
 *
 * (a) orders.confirm of 3-line drafts (one line per product line, created beforehand through the
 *     API, outside the measurement) on accounts owned by a team with a primary owner, product-line
 *     members and a delegation in force, so attribution does real routing work; beside
 *     accounts.update on the same server. One call at a time and --concurrency in flight, in rounds
 *     with the two operations taking turns. Target: confirm at ≥ 0.5 of update's req/s.
 * (b) accounts.exposure for a headquarters whose group has 100,000 historical invoices against one
 *     whose group has 10 (the same figures). Target: within 1.5×.
 * (c) ownership.resolve (product line whose member delegates) beside accounts.get of the same
 *     account. Target: server CPU per request within 3×.
 * (d) after the measurements, extra CPU-profiled phases of orders.confirm and ownership.resolve,
 *     one call at a time, summarized by lib/profile.ts.
 *
 * Checks: the seeded history must agree with crmkit's own recomputation (credit.rebuild, dry run)
 * before measuring and, with every confirmed order, afterwards; both exposure accounts must answer
 * the seeded figures; a confirmed check order must carry the expected attribution on every line;
 * the resolve account must resolve to the delegate.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrmClient } from '@crmkit/client';
import { startServer, type ServerChild } from './lib/children.js';
import { mergeChunks, runLoad, type LoadChunk, type LoadResult } from './lib/load.js';
import type { BenchOptions } from './lib/options.js';
import { summarizeProfile } from './lib/profile.js';
import { createRandom, pick } from './lib/random.js';
import { seedOrdersDatabase, type ExpectedFigures, type OrdersSeed } from './lib/seed-orders.js';

const repoDir = fileURLToPath(new URL('..', import.meta.url));
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => n.toFixed(2);
const fmtX = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');
const synchronousNames: Record<number, string> = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' };

type Client = ReturnType<typeof createCrmClient>;

interface Op {
  name: string;
  call: (i: number) => Promise<unknown>;
}

interface Row {
  section: 'writes' | 'exposure' | 'resolve';
  operation: string;
  inFlight: number;
  load: LoadResult;
  cpuUsPerRequest: number;
}

interface Profiled {
  title: string;
  summary: string;
}

const companies = ['Hualian', 'Meridian', 'Northwind', 'Jiahe', 'Blue Harbor', 'Everbright', 'Contoso', 'Sunrise'];
const kinds = ['Supermarkets', 'Trading', 'Logistics', 'Foods', 'Retail', 'Pharmacy'];
const regions = ['East China', 'North China', 'South China', 'Southwest', 'Hong Kong', 'Europe'];

/**
 * Measures `ops` on one server: `total` calls each, `inFlight` at a time, split into `rounds`
 * rounds with the operations taking turns (the order rotating per round), so drifting background
 * load hits them alike. Call i of op k is `op.call(offset + i)`.
 */
async function measure(server: ServerChild, ops: Op[], o: { section: Row['section']; total: number; inFlight: number; offset: number; rounds: number }): Promise<Row[]> {
  const measured = new Map<Op, { chunks: LoadChunk[]; cpuUs: number }>(ops.map((op) => [op, { chunks: [], cpuUs: 0 }]));
  for (let round = 0; round < o.rounds; round++) {
    const from = Math.floor((o.total * round) / o.rounds);
    const count = Math.floor((o.total * (round + 1)) / o.rounds) - from;
    for (const op of ops.map((_, k) => ops[(k + round) % ops.length]!)) {
      const before = await server.stats();
      const chunk = await runLoad(count, o.inFlight, (i) => op.call(o.offset + from + i));
      const after = await server.stats();
      const m = measured.get(op)!;
      m.chunks.push(chunk);
      m.cpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
      console.log(`${op.name} · ${o.inFlight} in flight · round ${round + 1}/${o.rounds}: ${fmtInt(count / (chunk.ms / 1000))} req/s`);
    }
  }
  return ops.map((op) => {
    const m = measured.get(op)!;
    const load = mergeChunks(m.chunks);
    return { section: o.section, operation: op.name, inFlight: o.inFlight, load, cpuUsPerRequest: m.cpuUs / load.requests };
  });
}

async function warmUp(ops: Op[], count: number, inFlight: number, offset = 0) {
  for (const op of ops) {
    process.stdout.write(`${op.name}: warm-up ${fmtInt(count)} … `);
    const chunk = await runLoad(count, inFlight, (i) => op.call(offset + i));
    console.log(`${fmtInt(count / (chunk.ms / 1000))} req/s`);
  }
}

const sameFigures = (got: unknown, expected: ExpectedFigures[]) => JSON.stringify(got) === JSON.stringify(expected);

/** What must hold before anything is measured; answers the sample check order for the report. */
async function checkBeforeMeasuring(client: Client, seed: OrdersSeed, newLines: () => OrderLines) {
  // The raw-driver history must be what crmkit itself computes from the documents.
  const t0 = performance.now();
  const rebuilt = await client.credit.rebuild.mutate({ dryRun: true });
  const rebuildMs = performance.now() - t0;
  if (rebuilt.differences.length) throw new Error(`credit.rebuild finds ${rebuilt.differences.length} differences in the seeded figures: ${JSON.stringify(rebuilt.differences.slice(0, 3))}`);
  for (const g of [seed.long, seed.short]) {
    const e = await client.accounts.exposure.query({ accountId: g.headquartersId });
    if (!sameFigures(e.own, g.own) || !sameFigures(e.group, g.group)) {
      throw new Error(`accounts.exposure(${g.headquartersId}) answered ${JSON.stringify(e)}; expected own ${JSON.stringify(g.own)}, group ${JSON.stringify(g.group)}`);
    }
  }
  const invoices = await client.invoices.list.query({ billToAccountId: seed.long.headquartersId, limit: 1 });
  if (invoices.items.length !== 1) throw new Error('invoices.list does not see the seeded history');

  // The resolve account: the first product line's member delegates, so the answer is the delegate.
  const resolved = await client.ownership.resolve.query({ accountId: seed.resolveAccountId, productLineId: seed.productLineIds[0]! });
  if (resolved.userId !== seed.delegateId || !resolved.explanation.some((s) => s.rule === 'delegation' && s.outcome === 'applied')) {
    throw new Error(`ownership.resolve answered ${JSON.stringify(resolved)}; expected ${seed.delegateId} through the delegation`);
  }

  // One order confirmed: each line attributed to its product line's member (of record) and to whoever acts for them.
  const draft = await client.orders.create.mutate({ orderingAccountId: seed.orderingAccountIds[0]!, currency: 'CNY', lines: newLines() });
  const confirmed = await client.orders.confirm.mutate({ id: draft.id, expectedVersion: draft.version });
  if (confirmed.status !== 'confirmed' || confirmed.openMinor !== confirmed.totalMinor) throw new Error(`orders.confirm answered ${JSON.stringify(confirmed).slice(0, 400)}`);
  for (const line of confirmed.lines) {
    const pl = line.productLineId!;
    const a = line.attribution;
    if (a?.status !== 'attributed' || a.ownerOfRecord.userId !== seed.memberOf[pl] || a.acting.userId !== seed.actingFor[pl]) {
      throw new Error(`line ${line.id} (${pl}) is attributed ${JSON.stringify(a)}; expected of record ${seed.memberOf[pl]}, acting ${seed.actingFor[pl]}`);
    }
  }
  return { rebuildMs, figures: rebuilt.figures, sample: confirmed, resolved };
}

type OrderLines = { productLineId: string; sku: string; description: string; quantity: number; unitPriceMinor: number }[];

export async function runOrdersSuite(options: BenchOptions, tempDir: string): Promise<void> {
  const o = options.orders;
  const loadBefore = loadavg();
  console.log(`seeding ${fmtInt(o.accounts)} accounts, the team and product lines, and ${fmtInt(o.historyInvoices)} + ${fmtInt(o.shortInvoices)} historical invoices …`);
  const seedPath = join(tempDir, 'orders.db');
  const seed = await seedOrdersDatabase(seedPath, { accounts: o.accounts, historyInvoices: o.historyInvoices, shortInvoices: o.shortInvoices, seed: options.seed });
  console.log(`seeded: accounts ${seed.seconds.toFixed(1)} s, team/product lines/ownership/delegation through the API ${seed.setupSeconds.toFixed(1)} s, ` +
    `invoice history with the raw driver ${seed.historySeconds.toFixed(1)} s (${JSON.stringify(seed.historyRows)})`);

  const server = await startServer('crmkit', 'crmkit.ts', ['--database-url', seed.databaseUrl]);
  try {
    console.log(`crmkit server: pid ${server.pid}, ${server.url}, SQLite ${JSON.stringify(server.info)}`);
    if (server.info.synchronous !== 2 || server.info.journal_mode !== 'wal') throw new Error(`crmkit runs at ${JSON.stringify(server.info)}, not its default WAL + synchronous=FULL`);
    const client = createCrmClient({ url: server.url, apiKey: seed.apiKey, retry: { attempts: 1 } });

    const random = createRandom(options.seed + 17);
    const newLines = (): OrderLines =>
      seed.productLineIds.map((productLineId, k) => ({
        productLineId,
        sku: `SKU-${k + 1}-${String(Math.floor(random() * 10_000)).padStart(4, '0')}`,
        description: ['Cordless drill kits', 'Induction cookers', 'Extended warranty, 3 years'][k]!,
        quantity: 1 + Math.floor(random() * 40),
        unitPriceMinor: 50_00 + Math.floor(random() * 2_000_00),
      }));
    const checks = await checkBeforeMeasuring(client, seed, newLines);
    console.log(`checks passed: credit.rebuild (dry run, ${fmtInt(checks.rebuildMs)} ms) agrees with the seeded figures; both exposure accounts answer them; ` +
      `ownership.resolve answers ${checks.resolved.userId}; a confirmed order's lines carry the expected attribution`);

    // The drafts, through the API, before anything is measured.
    const perOp = o.warmup + 2 * o.requests + o.profileRequests;
    const t0 = performance.now();
    const drafts: { id: string; version: number }[] = new Array(perOp);
    await runLoad(perOp, options.concurrency, async (i) => {
      const d = await client.orders.create.mutate({ orderingAccountId: seed.orderingAccountIds[i % seed.orderingAccountIds.length]!, currency: 'CNY', lines: newLines(), reference: `PO-${i + 1}` });
      drafts[i] = { id: d.id, version: d.version };
    });
    const draftSeconds = (performance.now() - t0) / 1000;
    console.log(`created ${fmtInt(perOp)} draft orders of 3 lines through orders.create in ${draftSeconds.toFixed(1)} s`);

    const updateInputs = Array.from({ length: perOp }, (_, i) => ({
      id: seed.updateAccountIds[Math.floor(random() * seed.updateAccountIds.length)]!,
      name: `${pick(random, companies)} ${pick(random, kinds)} U${i + 1}`,
      region: pick(random, regions),
    }));
    const confirm: Op = { name: 'orders.confirm', call: (i) => client.orders.confirm.mutate({ id: drafts[i]!.id, expectedVersion: drafts[i]!.version }) };
    const update: Op = { name: 'accounts.update', call: (i) => client.accounts.update.mutate(updateInputs[i]!) };

    const rows: Row[] = [];
    // (a) writes: warm-up, then one at a time and N in flight, confirm and update taking turns.
    await warmUp([confirm, update], o.warmup, options.concurrency);
    for (const [k, inFlight] of [1, options.concurrency].entries()) {
      rows.push(...(await measure(server, [confirm, update], { section: 'writes', total: o.requests, inFlight, offset: o.warmup + k * o.requests, rounds: options.rounds })));
    }

    // (b) accounts.exposure: the long history's headquarters against the short one's.
    const exposureOps: Op[] = [
      { name: `accounts.exposure · ${fmtInt(o.historyInvoices)} invoices`, call: () => client.accounts.exposure.query({ accountId: seed.long.headquartersId }) },
      { name: `accounts.exposure · ${fmtInt(o.shortInvoices)} invoices`, call: () => client.accounts.exposure.query({ accountId: seed.short.headquartersId }) },
    ];
    // (c) ownership.resolve beside accounts.get of the same account.
    const resolveOps: Op[] = [
      { name: 'ownership.resolve', call: () => client.ownership.resolve.query({ accountId: seed.resolveAccountId, productLineId: seed.productLineIds[0]! }) },
      { name: 'accounts.get', call: () => client.accounts.get.query({ id: seed.resolveAccountId }) },
    ];
    for (const [section, ops] of [['exposure', exposureOps], ['resolve', resolveOps]] as const) {
      await warmUp(ops, o.readWarmup, options.concurrency);
      for (const inFlight of [1, options.concurrency]) rows.push(...(await measure(server, ops, { section, total: o.readRequests, inFlight, offset: 0, rounds: options.rounds })));
    }

    // (d) profiles, in extra phases after the measured ones (the sampling profiler slows what it samples).
    const profiles: Profiled[] = [];
    if (o.profileRequests > 0) {
      const dir = options.profileDir ?? join(tempDir, 'profiles');
      mkdirSync(dir, { recursive: true });
      for (const [op, offset] of [[confirm, o.warmup + 2 * o.requests], [resolveOps[0]!, 0]] as const) {
        const file = join(dir, `orders-${op.name.replace(/\W+/g, '-')}.cpuprofile`);
        await server.startProfile();
        await runLoad(o.profileRequests, 1, (i) => op.call(offset + i));
        await server.stopProfile(file);
        const summary = summarizeProfile(file, o.profileRequests);
        const title = `${op.name} · ${fmtInt(o.profileRequests)} calls, one at a time`;
        profiles.push({ title, summary });
        console.log(`profile ${title}: ${file}\n${summary.replace(/^/gm, '  ')}`);
      }
    }

    // Afterwards: every confirmation kept the figures as the documents say.
    const after = await client.credit.rebuild.mutate({ dryRun: true });
    if (after.differences.length) throw new Error(`after the run credit.rebuild finds ${after.differences.length} differences: ${JSON.stringify(after.differences.slice(0, 3))}`);
    const confirmedCount = await countConfirmed(client);
    const expectedConfirmed = 1 + perOp;
    if (confirmedCount !== expectedConfirmed) throw new Error(`${confirmedCount} orders are confirmed; expected ${expectedConfirmed}`);
    console.log(`after the run: ${fmtInt(confirmedCount)} orders confirmed, credit.rebuild (dry run) finds no differences in ${fmtInt(after.figures)} figures`);

    const report = markdown({ options, seed, server, rows, profiles, checks, draftSeconds, drafts: perOp, confirmedCount, figuresAfter: after.figures, load: { before: loadBefore, after: loadavg() } });
    console.log(`\n${report}`);
    if (o.resultsFile) {
      mkdirSync(dirname(o.resultsFile), { recursive: true });
      writeFileSync(o.resultsFile, report);
      console.log(`written to ${relative(process.cwd(), o.resultsFile)}`);
    }
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

/** The commit the server code was at, and whether packages/ had uncommitted changes (the server runs from source). */
function sourceState(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repoDir, encoding: 'utf8' });
  const head = git('log', '-1', '--format=%h %cI %s');
  if (head.status !== 0) return 'unknown (no git)';
  const dirty = git('status', '--porcelain', '--', 'packages').stdout.trim();
  const subject = head.stdout.trim().replace(/^(\S+) (\S+) (.*)$/, (_, h: string, d: string, m: string) => `commit ${h} (${d}, "${m.length > 80 ? `${m.slice(0, 77)}…` : m}")`);
  return `${subject}${dirty ? `, with uncommitted changes in packages/ (${dirty.split('\n').length} files)` : ', packages/ clean'}`;
}

function markdown(r: {
  options: BenchOptions;
  seed: OrdersSeed;
  server: ServerChild;
  rows: Row[];
  profiles: Profiled[];
  checks: Awaited<ReturnType<typeof checkBeforeMeasuring>>;
  draftSeconds: number;
  drafts: number;
  confirmedCount: number;
  figuresAfter: number;
  load: { before: number[]; after: number[] };
}): string {
  const { options, seed } = r;
  const o = options.orders;
  const cpu = cpus();
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const inFlights = [1, options.concurrency];
  const find = (section: Row['section'], k: number, inFlight: number) => r.rows.filter((x) => x.section === section && x.inFlight === inFlight)[k]!;
  const table = (section: Row['section']) => [
    '| operation | in flight | req/s | p50 ms | p99 ms | server CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.filter((x) => x.section === section).map((x) => `| ${x.operation} | ${x.inFlight} | ${fmtInt(x.load.perSecond)} | ${fmtMs(x.load.p50)} | ${fmtMs(x.load.p99)} | ${fmtInt(x.cpuUsPerRequest)} |`),
  ];
  const ratios = (section: Row['section'], label: string) => [
    `| ${label} | req/s | p50 | p99 | server CPU/req |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...inFlights.map((n) => {
      const [a, b] = [find(section, 0, n), find(section, 1, n)];
      return `| ${n} in flight | ${fmtX(a.load.perSecond / b.load.perSecond)} | ${fmtX(a.load.p50 / b.load.p50)} | ${fmtX(a.load.p99 / b.load.p99)} | ${fmtX(a.cpuUsPerRequest / b.cpuUsPerRequest)} |`;
    }),
  ];
  const verdict = (met: boolean) => (met ? '**met**' : '**not met**');
  const confirmRatios = inFlights.map((n) => find('writes', 0, n).load.perSecond / find('writes', 1, n).load.perSecond);
  const exposureWorst = Math.max(...inFlights.flatMap((n) => [find('exposure', 0, n).load.p50 / find('exposure', 1, n).load.p50, find('exposure', 0, n).cpuUsPerRequest / find('exposure', 1, n).cpuUsPerRequest, find('exposure', 1, n).load.perSecond / find('exposure', 0, n).load.perSecond]));
  const resolveCpu = inFlights.map((n) => find('resolve', 0, n).cpuUsPerRequest / find('resolve', 1, n).cpuUsPerRequest);
  const sync = synchronousNames[r.server.info.synchronous as number] ?? String(r.server.info.synchronous);
  const h = seed.historyRows;
  const sample = r.checks.sample;
  const lines = [
    '# crmkit benchmark: orders (orders.confirm, accounts.exposure, ownership.resolve)',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform} · ` +
      `load average (1/5/15 min) ${fmtLoad(r.load.before)} before, ${fmtLoad(r.load.after)} after`,
    '',
    `One crmkit server (\`createCrmServer(…).listen()\`, journal_mode=${r.server.info.journal_mode}, synchronous=${sync}: its defaults, read from Prisma's own connection) ` +
      `in a child process on one SQLite file with ${fmtInt(o.accounts)} accounts in one tenant, called through \`@crmkit/client\` over HTTP with an admin API key; ` +
      `every figure below comes from that one server in one run. Measured phases are split into ${options.rounds} round${options.rounds === 1 ? '' : 's'} with the two operations compared taking turns.`,
    '',
    `Code measured: ${sourceState()}.`,
    ...(r.load.before[0]! > cpu.length * 0.5
      ? ['', `**Other work was running on the machine** (1-minute load average ${r.load.before[0]!.toFixed(2)} before the run, on ${cpu.length} CPUs): absolute rates are low; the ratios, taken with the operations taking turns, hold up better.`]
      : []),
    '',
    '## Targets',
    '',
    '| target | result | verdict |',
    '| --- | --- | --- |',
    `| orders.confirm ÷ accounts.update req/s ≥ 0.5 | ${inFlights.map((n, i) => `${confirmRatios[i]!.toFixed(2)} (${n} in flight)`).join(', ')} | ${verdict(confirmRatios.every((x) => x >= 0.5))} |`,
    `| accounts.exposure, ${fmtInt(o.historyInvoices)} invoices within 1.5× of ${fmtInt(o.shortInvoices)} | worst of p50, CPU/req and inverse req/s ratios: ${exposureWorst.toFixed(2)}× | ${verdict(exposureWorst <= 1.5)} |`,
    `| ownership.resolve server CPU/req within 3× of accounts.get | ${inFlights.map((n, i) => `${resolveCpu[i]!.toFixed(2)}× (${n} in flight)`).join(', ')} | ${verdict(resolveCpu.every((x) => x <= 3))} |`,
    '',
    '## orders.confirm beside accounts.update',
    '',
    `${fmtInt(o.requests)} measured calls per operation and concurrency after ${fmtInt(o.warmup)} warm-up calls. Each confirmation is of its own draft, created ` +
      `beforehand through \`orders.create\` (${fmtInt(r.drafts)} drafts at ${options.concurrency} in flight in ${r.draftSeconds.toFixed(1)} s, outside the measurement), ` +
      `placed by one of ${seed.orderingAccountIds.length} top-level accounts owned by team ${seed.teamId} (leader ${seed.leaderId}) with a primary owner each. Every order has ` +
      `3 lines, one per product line; each product line has a team member assigned, and the first one's member (${seed.memberOf[seed.productLineIds[0]!]}) has delegated all ` +
      `work to ${seed.delegateId}, so each confirmation loads the routing facts (ownership period, leader, product-line members, overrides, delegations, away windows, ` +
      'active users), resolves each line twice (owner of record, person acting) and writes the attribution, the order, its exposure figures (bill-to account and group), an ' +
      'audit and an outbox event, in one transaction. accounts.update: a random active account of the tenant, a new name and region (as in the writes suite).',
    '',
    ...table('writes'),
    '',
    ...ratios('writes', 'confirm ÷ update'),
    '',
    `A confirmed check order (before measuring): total ${sample.totalMinor}, lines attributed ` +
      sample.lines.map((l) => `${l.productLineId}: of record ${l.attribution?.ownerOfRecord.userId}, acting ${l.attribution?.acting.userId}`).join('; ') + '.',
    '',
    '## accounts.exposure by invoice history',
    '',
    `Two groups of four accounts (a headquarters and three stores, two settling their own invoices); exposure is asked of the headquarters (own and group figures). ` +
      `The long group has ${fmtInt(seed.long.invoices)} invoices issued over three years, the short one ${fmtInt(seed.short.invoices)}; in both all are settled, each by a payment ` +
      'allocated in full, but the last two (1,250,000.00 CNY at headquarters, 380,000.00 at store 1), and headquarters has 50,000.00 on account, so both answer the same ' +
      `figures. **Seeded with the raw driver** (better-sqlite3, one transaction, ${r.seed.historySeconds.toFixed(1)} s): ${fmtInt(h.invoices)} Invoice rows, ${fmtInt(h.invoiceLines)} InvoiceLine, ` +
      `${fmtInt(h.payments)} Payment, ${fmtInt(h.settlements)} InvoiceSettlement and ${fmtInt(h.figures)} ExposureFigure rows (the figures those documents add up to), no audit or outbox rows. ` +
      `Before measuring, \`credit.rebuild({ dryRun: true })\` (crmkit recomputing every figure from the documents, ${fmtInt(r.checks.rebuildMs)} ms) found no difference, ` +
      `and both accounts answered the expected figures. ${fmtInt(o.readRequests)} measured calls per account and concurrency after ${fmtInt(o.readWarmup)} warm-up calls.`,
    '',
    ...table('exposure'),
    '',
    ...ratios('exposure', 'long ÷ short'),
    '',
    '## ownership.resolve beside accounts.get',
    '',
    `The account ${seed.resolveAccountId} is owned by the team (leader ${seed.leaderId}) with a primary owner; ownership.resolve is asked for the first product line, whose ` +
      `member ${seed.memberOf[seed.productLineIds[0]!]} has delegated to ${seed.delegateId} (in force), and answers ${r.checks.resolved.userId} with ${r.checks.resolved.explanation.length} explanation steps ` +
      `(${r.checks.resolved.explanation.map((s) => `${s.rule} ${s.outcome}`).join(', ')}). accounts.get reads the same account. ${fmtInt(o.readRequests)} measured calls per operation ` +
      `and concurrency after ${fmtInt(o.readWarmup)} warm-up calls.`,
    '',
    ...table('resolve'),
    '',
    ...ratios('resolve', 'resolve ÷ get'),
    '',
    '## Reading the tables',
    '',
    '- *server CPU µs/req*: the server child\'s user+system CPU during the measured phase ÷ its requests (`process.cpuUsage()` over IPC before and after).',
    '- Latencies are measured around each client call with `performance.now()`; percentiles are nearest-rank. The load generator runs on the same cores as the server.',
    '- Ratios are the first operation of each pair ÷ the second. For exposure, "within 1.5×" is read on p50 and CPU per request (≤ 1.5) and req/s (≥ 1/1.5), at both concurrencies.',
    `- After the run, ${fmtInt(r.confirmedCount)} orders were confirmed (the check order, warm-up, measured and profiled) and \`credit.rebuild({ dryRun: true })\` still found no ` +
      `difference in ${fmtInt(r.figuresAfter)} figures.`,
  ];
  if (r.profiles.length) {
    lines.push('', '## Where the time goes (CPU profiles, extra phases after the measured ones)', '');
    lines.push('Sampled every 200 µs inside the server child with `node:inspector`; the profiler itself slows the server, so read the shares, not the rates. ' +
      'Summaries by `lib/profile.ts` (*by package* counts native code to its JS caller: better-sqlite3\'s native calls under the adapter are the SQLite work).');
    for (const p of r.profiles) lines.push('', `### ${p.title}`, '', '```', p.summary, '```');
  }
  return `${lines.join('\n')}\n`;
}
