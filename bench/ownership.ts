/**
 * The ownership suite, run by run.ts (`--suite ownership`, or with every suite by default):
 *
 * (a) ownership.resolve through @crmkit/client over HTTP, crmkit in a child process, for an
 *     account with a long ownership history (1,000 periods) against one owned the same way now
 *     with a single period: req/s, p50, p99 and their ratios (target: within 1.5×).
 * (b) the pool sweep (`runPoolSweep`, the service behind `pool.sweep` and the scheduled job) over
 *     100,000 owned accounts, against one SQL statement computing the same due set with the raw
 *     driver on the same data: accounts per second of each and the ratio (target: the sweep at
 *     least 1/3 of the statement). Two scenarios, each seeded on its own file: the scheduled run
 *     (every 15 minutes: it returns what fell due since the previous run) and a backlog (the first
 *     run after a policy is set: ~1% of the accounts overdue by up to 60 days). Every run starts
 *     from a fresh copy of the seeded file, and the sweep's returned set must equal the statement's.
 */
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { createCrmClient } from '@crmkit/client';
import { DAY_MS, createFakeClock, newId } from '@crmkit/core';
import { createCrmServer, createLogger, poolSweepActor, runPoolSweep } from '@crmkit/server';
import { startServer } from './lib/children.js';
import { mergeChunks, runLoad, type LoadChunk, type LoadResult } from './lib/load.js';
import type { BenchOptions } from './lib/options.js';
import { benchPolicies, seedOwnershipDatabase, type OwnershipSeed } from './lib/seed-ownership.js';
import { sqliteDateTime } from './lib/seed.js';

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => n.toFixed(2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface ResolveRow {
  name: string;
  periods: number;
  load: LoadResult;
  serverCpuUsPerRequest: number;
}

/** A sweep benchmark on its own seeded file. */
interface SweepScenario {
  key: 'scheduled' | 'backlog';
  title: string;
  /** What the seed lays out, in a sentence. */
  about: string;
  seed: OwnershipSeed;
  seedPath: string;
}

interface SweepRuns {
  /** Milliseconds of each measured run. */
  sweepMs: number[];
  previewMs: number[];
  sqlMs: number[];
  /** The statement, then the same returns written with the raw driver in one transaction (the floor of any sweep on this file). */
  floorMs: number[];
  floorWriteMs: number[];
  returned: number;
  reminded: number;
  due: number;
  secondSweep: { returned: number; reminded: number };
}

/**
 * The due set in one statement, as a SQL author would write it against crmkit's schema for the
 * benchmark's policies: one pass over the tenant's accounts (NOT INDEXED: left to itself, SQLite
 * walks an owner index and takes ~1.7× as long), the later of tenure start and last follow-up
 * compared with `at − returnAfterDays days` of the account's policy (its grade's, else `*`), each
 * threshold computed once from the PoolPolicy row in the stored text format, so the comparison is
 * exact to the millisecond. (A generic join with PoolPolicy per account measured ~1.3× slower.)
 */
const threshold = (grade: string) =>
  `(SELECT strftime('%Y-%m-%dT%H:%M:%f+00:00', :at, '-' || "returnAfterDays" || ' days') FROM "PoolPolicy" WHERE "tenantId" = :tenantId AND "grade" = '${grade}')`;
const DUE_SQL = `
  SELECT "id" FROM "Account" NOT INDEXED
  WHERE "tenantId" = :tenantId AND "archivedAt" IS NULL AND ("ownerTeamId" IS NOT NULL OR "primaryOwnerId" IS NOT NULL)
    AND max(coalesce("ownedSince", "lastFollowUpAt"), coalesce("lastFollowUpAt", "ownedSince")) <= CASE "grade"
      ${benchPolicies.filter((p) => p.grade !== '*').map((p) => `WHEN '${p.grade}' THEN ${threshold(p.grade)}`).join('\n      ')}
      ELSE ${benchPolicies.some((p) => p.grade === '*') ? threshold('*') : 'NULL'} END`;

/** ownership.resolve for both accounts: answers checked, then warm-up and measured rounds with the accounts taking turns. */
async function measureResolve(options: BenchOptions, seed: OwnershipSeed, dbPath: string): Promise<ResolveRow[]> {
  const server = await startServer('crmkit', 'crmkit.ts', ['--database-url', `file:${dbPath}`]);
  try {
    console.log(`crmkit server: pid ${server.pid}, ${server.url}`);
    const client = createCrmClient({ url: server.url, apiKey: seed.apiKey, retry: { attempts: 1 } });
    // Both resolve to the current primary owner; the long one to another owner halfway back.
    for (const accountId of [seed.longHistoryAccountId, seed.freshAccountId]) {
      const answer = await client.ownership.resolve.query({ accountId });
      const last = answer.explanation.at(-1);
      if (answer.userId !== seed.currentOwnerId || last?.subjectId !== seed.currentOwnerId) throw new Error(`resolve ${accountId} answered ${JSON.stringify(answer)}; expected ${seed.currentOwnerId}`);
    }
    const then = await client.ownership.resolve.query({ accountId: seed.longHistoryAccountId, asOf: seed.midHistory.at.toISOString() });
    if (then.userId !== seed.midHistory.ownerId) throw new Error(`resolve as of ${seed.midHistory.at.toISOString()} answered ${then.userId}; expected ${seed.midHistory.ownerId}`);
    console.log(`both accounts resolve to ${seed.currentOwnerId}; the long one as of ${seed.midHistory.at.toISOString()} to ${then.userId}`);

    const o = options.ownership;
    const accounts = [
      { name: `${fmtInt(seed.periods)} periods`, periods: seed.periods, accountId: seed.longHistoryAccountId },
      { name: 'fresh (1 period)', periods: 1, accountId: seed.freshAccountId },
    ];
    for (const a of accounts) {
      const w = await runLoad(o.resolveWarmup, options.concurrency, () => client.ownership.resolve.query({ accountId: a.accountId }));
      console.log(`ownership.resolve · ${a.name}: warm-up ${fmtInt(o.resolveWarmup)} … ${fmtInt(o.resolveWarmup / (w.ms / 1000))} req/s`);
    }
    const measured = new Map(accounts.map((a) => [a, { chunks: [] as LoadChunk[], cpuUs: 0 }]));
    for (let round = 0; round < options.rounds; round++) {
      const count = Math.floor((o.resolveRequests * (round + 1)) / options.rounds) - Math.floor((o.resolveRequests * round) / options.rounds);
      for (const a of round % 2 ? [...accounts].reverse() : accounts) {
        const before = await server.stats();
        const chunk = await runLoad(count, options.concurrency, () => client.ownership.resolve.query({ accountId: a.accountId }));
        const after = await server.stats();
        const m = measured.get(a)!;
        m.chunks.push(chunk);
        m.cpuUs += after.cpu.user + after.cpu.system - (before.cpu.user + before.cpu.system);
        console.log(`ownership.resolve · ${a.name} · round ${round + 1}/${options.rounds}: ${fmtInt(count / (chunk.ms / 1000))} req/s`);
      }
    }
    return accounts.map((a) => {
      const m = measured.get(a)!;
      const load = mergeChunks(m.chunks);
      return { name: a.name, periods: a.periods, load, serverCpuUsPerRequest: m.cpuUs / load.requests };
    });
  } finally {
    await server.stop();
  }
}

/**
 * A copy of the seeded file, flushed to disk before anything is timed: a copy's dirty pages would
 * otherwise be written out by the first commit's fsync (ext4 commits its journal for the whole file
 * system), and a commit of a few pages would be charged ~100 ms of copying the database.
 */
function freshCopy(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Sweeps and the SQL statement, each run on a fresh copy of the seeded file; the first run is a warm-up. */
async function measureSweep(options: BenchOptions, scenario: SweepScenario, tempDir: string): Promise<SweepRuns> {
  const { seed, seedPath, key } = scenario;
  const runs = options.ownership.sweepRuns;
  const result: SweepRuns = { sweepMs: [], previewMs: [], sqlMs: [], floorMs: [], floorWriteMs: [], returned: 0, reminded: 0, due: 0, secondSweep: { returned: -1, reminded: -1 } };
  const logger = createLogger('warn');
  for (let run = 0; run <= runs; run++) {
    const warmup = run === 0;
    const path = join(tempDir, `sweep-${key}-${run}.db`);
    freshCopy(seedPath, path);
    try {
      // (1) The statement, with the raw driver: once to warm the connection, then timed 3 times.
      const raw = new Database(path, { readonly: true, fileMustExist: true });
      let dueIds: string[];
      try {
        const statement = raw.prepare<{ at: string; tenantId: string }, string>(DUE_SQL).pluck();
        const params = { at: seed.at.toISOString(), tenantId: seed.tenantId };
        dueIds = statement.all(params);
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          const ids = statement.all(params);
          const ms = performance.now() - t0;
          if (ids.length !== dueIds.length) throw new Error('the due statement answered differently on a repeat');
          if (!warmup) result.sqlMs.push(ms);
        }
      } finally {
        raw.close();
      }
      if (dueIds.length !== seed.expectedDue) throw new Error(`the due statement finds ${dueIds.length} accounts; the pool rules ${seed.expectedDue}`);

      // (2) The sweep, as the scheduled job runs it (a fresh server on the copy, its clock at the seed's instant).
      const crm = await createCrmServer({ databaseUrl: `file:${path}`, migrate: false, clock: createFakeClock(seed.at), logger });
      try {
        await crm.db.poolPolicy.findMany({ where: { tenantId: seed.tenantId } }); // the client's first query pays its start-up
        const actor = poolSweepActor(seed.tenantId);
        // The finding pass alone: pool.preview (the procedure, in process) judges with the same function and writes nothing.
        const p0 = performance.now();
        const preview = await crm.createCaller(actor).pool.preview({ withinDays: 0 });
        const previewMs = performance.now() - p0;
        if (preview.returns.length !== dueIds.length) throw new Error(`pool.preview lists ${preview.returns.length} returns; the statement finds ${dueIds.length}`);
        if (!warmup) result.previewMs.push(previewMs);
        const ctx = crm.serviceContext(actor);
        const t0 = performance.now();
        const swept = await runPoolSweep(ctx);
        const ms = performance.now() - t0;
        const returned = new Set(swept.returned.map((r) => r.accountId));
        if (returned.size !== dueIds.length || dueIds.some((id) => !returned.has(id))) {
          throw new Error(`the sweep returned ${returned.size} accounts, the statement finds ${dueIds.length}; the sets differ`);
        }
        if (swept.reminded.length !== seed.expectedReminders) throw new Error(`the sweep reminded ${swept.reminded.length} owners; the pool rules say ${seed.expectedReminders}`);
        const open = await crm.db.accountOwnership.count({ where: { tenantId: seed.tenantId, validTo: null, teamId: null, primaryOwnerId: null, cause: 'pool-return' } });
        if (open !== returned.size) throw new Error(`after the sweep ${open} open pool-return periods, expected ${returned.size}`);
        if (warmup) {
          const again = await runPoolSweep(ctx);
          result.secondSweep = { returned: again.returned.length, reminded: again.reminded.length };
        } else {
          result.sweepMs.push(ms);
        }
        result.returned = swept.returned.length;
        result.reminded = swept.reminded.length;
        result.due = dueIds.length;
        console.log(`pool sweep (${key}) ${warmup ? 'warm-up' : `run ${run}/${runs}`}: ${fmtMs(ms)} ms (${fmtInt(swept.returned.length)} returned, ${fmtInt(swept.reminded.length)} reminded)` +
          `; pool.preview ${fmtMs(previewMs)} ms${warmup ? '' : `; statement ${result.sqlMs.slice(-3).map(fmtMs).join(' / ')} ms`}`);
      } finally {
        await crm.close();
      }
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    }
    if (!warmup) {
      const floorPath = join(tempDir, `floor-${key}-${run}.db`);
      freshCopy(seedPath, floorPath);
      try {
        const { totalMs, writeMs, returned } = rawDriverFloor(floorPath, seed);
        if (returned !== result.due) throw new Error(`the raw-driver floor returned ${returned} accounts, expected ${result.due}`);
        result.floorMs.push(totalMs);
        result.floorWriteMs.push(writeMs);
        console.log(`raw-driver floor (${key}) run ${run}/${runs}: ${fmtMs(totalMs)} ms (statement, then ${fmtMs(writeMs)} ms writing the returns)`);
      } finally {
        for (const suffix of ['', '-wal', '-shm']) rmSync(floorPath + suffix, { force: true });
      }
    }
  }
  return result;
}

/**
 * What the returns cost the raw driver on the same file: the due statement, then for each due
 * account the rows the sweep writes (close the open period, open a pool-return period, clear the
 * owner columns, one audit event, one ownership_changed and one return-notice outbox event, with
 * payloads built the same way), prepared statements in one transaction, committed the way crmkit's
 * connection commits (WAL, synchronous FULL, auto-checkpoint). No reminders, no re-check.
 */
function rawDriverFloor(path: string, seed: OwnershipSeed): { totalMs: number; writeMs: number; returned: number } {
  const db = new Database(path, { fileMustExist: true });
  try {
    const clock = createFakeClock(seed.at);
    const at = sqliteDateTime(seed.at.getTime());
    const statement = db.prepare<{ at: string; tenantId: string }, string>(DUE_SQL).pluck();
    const read = db.prepare<[string], { id: string; name: string; ownerTeamId: string | null; primaryOwnerId: string | null; secondaryOwnerId: string | null }>(
      `SELECT "id", "name", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId" FROM "Account" WHERE "id" = ?`,
    );
    const close = db.prepare(`UPDATE "AccountOwnership" SET "validTo" = ? WHERE "tenantId" = ? AND "validTo" IS NULL AND "accountId" = ?`);
    const open = db.prepare(`INSERT INTO "AccountOwnership" ("id", "tenantId", "accountId", "teamId", "primaryOwnerId", "secondaryOwnerId", "validFrom", "validTo", "cause", "reason", "actorId") VALUES (?, ?, ?, NULL, NULL, NULL, ?, NULL, 'pool-return', '', 'system:pool-sweep')`);
    const clear = db.prepare(`UPDATE "Account" SET "ownerTeamId" = NULL, "primaryOwnerId" = NULL, "secondaryOwnerId" = NULL, "ownedSince" = NULL, "updatedAt" = ? WHERE "tenantId" = ? AND "id" = ?`);
    const audit = db.prepare(`INSERT INTO "AuditEvent" ("id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", "at") VALUES (?, ?, 'system', 'pool-sweep', 'account.ownership_changed', 'account', ?, ?, ?, ?)`);
    const event = db.prepare(`INSERT INTO "OutboxEvent" ("id", "tenantId", "type", "entityType", "entityId", "payload", "createdAt") VALUES (?, ?, ?, 'account', ?, ?, ?)`);
    const t0 = performance.now();
    const ids = statement.all({ at: seed.at.toISOString(), tenantId: seed.tenantId });
    const t1 = performance.now();
    db.transaction(() => {
      for (const id of ids) {
        const row = read.get(id)!;
        const before = { teamId: row.ownerTeamId, primaryOwnerId: row.primaryOwnerId, secondaryOwnerId: row.secondaryOwnerId, cause: 'pool-return' };
        const periodId = newId('own', clock);
        const period = { id: periodId, tenantId: seed.tenantId, accountId: id, teamId: null, primaryOwnerId: null, secondaryOwnerId: null, validFrom: seed.at.toISOString(), validTo: null, cause: 'pool-return', reason: '', actorId: 'system:pool-sweep' };
        const after = { teamId: null, primaryOwnerId: null, secondaryOwnerId: null, cause: 'pool-return', reason: '', period };
        close.run(at, seed.tenantId, id);
        open.run(periodId, seed.tenantId, id, at);
        clear.run(at, seed.tenantId, id);
        audit.run(newId('aud', clock), seed.tenantId, id, JSON.stringify(before), JSON.stringify(after), at);
        const actor = { type: 'system', id: 'pool-sweep' };
        event.run(newId('evt', clock), seed.tenantId, 'account.ownership_changed', id, JSON.stringify({ actor, before, after }), at);
        const notice = {
          accountId: id, accountName: row.name, primaryOwnerId: row.primaryOwnerId, ownerTeamId: row.ownerTeamId, dueAt: seed.at.toISOString(), remindAt: seed.at.toISOString(), rule: 'no-follow-up',
          explanation: [{ rule: 'pool-policy', outcome: 'applied', message: 'policy for grade *: return after 30 days', subjectId: null }, { rule: 'no-follow-up', outcome: 'matched', message: `last follow-up ${seed.at.toISOString()}; returns after 30 days without a follow-up`, subjectId: id }],
          notify: row.primaryOwnerId, previousOwnerId: row.primaryOwnerId, previousTeamId: row.ownerTeamId, previousSecondaryOwnerId: row.secondaryOwnerId, returnedAt: seed.at.toISOString(),
        };
        event.run(newId('evt', clock), seed.tenantId, 'pool.return_notice', id, JSON.stringify({ actor, before: null, after: notice }), at);
      }
    })();
    const t2 = performance.now();
    return { totalMs: t2 - t0, writeMs: t2 - t1, returned: ids.length };
  } finally {
    db.close();
  }
}

/** The section of one sweep scenario: its table, the target's verdict and how each row is taken. */
function sweepSection(options: BenchOptions, scenario: SweepScenario, sweep: SweepRuns): string[] {
  const o = options.ownership;
  const sqlMs = median(sweep.sqlMs);
  const perSecond = (ms: number) => options.accounts / (ms / 1000);
  const ratio = (ms: number[]) => perSecond(median(ms)) / perSecond(sqlMs);
  const row = (what: string, writes: string, ms: number[]) =>
    `| ${what} | ${writes} | ${fmtMs(median(ms))} | ${fmtMs(Math.min(...ms))} | ${fmtMs(Math.max(...ms))} | ${fmtInt(perSecond(median(ms)))} | ${ratio(ms).toFixed(2)} |`;
  const met = ratio(sweep.sweepMs) >= 1 / 3;
  const verdict = scenario.key === 'scheduled'
    ? `Target (the sweep at least 1/3 of the statement's accounts/s): **${met ? 'met' : 'not met'}** (${ratio(sweep.sweepMs).toFixed(2)}). `
    : `The sweep reaches ${ratio(sweep.sweepMs).toFixed(2)} of the statement here, the raw driver writing the same returns ${ratio(sweep.floorMs).toFixed(2)}: a backlog is bound by its writes. `;
  return [
    `### ${scenario.title}`,
    '',
    `${scenario.about} At the sweep's instant ${fmtInt(sweep.due)} of ${fmtInt(options.accounts)} accounts are due to return (${(100 * sweep.due / options.accounts).toFixed(3)}%) ` +
      `and ${fmtInt(sweep.reminded)} more are inside their reminder window, not yet reminded. Each run starts from a fresh copy of the seeded file; ${o.sweepRuns} measured runs after one warm-up; medians.`,
    '',
    '| what | writes | median ms | min ms | max ms | accounts/s | ratio to the statement |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    row(`**crmkit pool sweep** (\`runPoolSweep\`: finds, returns ${fmtInt(sweep.returned)}, reminds ${fmtInt(sweep.reminded)})`, 'yes', sweep.sweepMs),
    row('crmkit `pool.preview` (withinDays 0): the sweep\'s finding pass alone, through the procedure', 'no', sweep.previewMs),
    row(`**one SQL statement**: the due ids (${fmtInt(sweep.due)}), raw better-sqlite3`, 'no', sweep.sqlMs),
    row(`raw driver: the statement, then the same returns written (periods, owner columns, audit, 2 outbox events each; no reminders) in one transaction`, 'yes', sweep.floorMs),
    '',
    verdict +
      `Of the raw driver's ${fmtMs(median(sweep.floorMs))} ms, ${fmtMs(median(sweep.floorWriteMs))} ms are the writes of ${fmtInt(sweep.due)} returns and their commit; ` +
      `the sweep takes ${(median(sweep.sweepMs) / median(sweep.floorMs)).toFixed(2)}× the raw driver's time (it also re-checks each batch in its transaction and writes ${fmtInt(sweep.reminded)} reminders), ` +
      `and its finding pass ${(median(sweep.previewMs) / median(sweep.sqlMs)).toFixed(2)}× the statement's.`,
    `A second sweep at the same instant (warm-up run) returned ${sweep.secondSweep.returned} and reminded ${sweep.secondSweep.reminded}.`,
    '',
  ];
}

function markdown(options: BenchOptions, seed: OwnershipSeed, resolve: ResolveRow[], sweeps: { scenario: SweepScenario; runs: SweepRuns }[], load: { before: number[]; after: number[] }): string {
  const cpu = cpus();
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const [long, fresh] = resolve as [ResolveRow, ResolveRow];
  const o = options.ownership;
  const lines = [
    '# crmkit benchmark: ownership.resolve and the pool sweep',
    '',
    `Run ${new Date().toISOString()} · Node ${process.version} · ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} · ${process.platform} · ` +
      `load average (1/5/15 min) ${fmtLoad(load.before)} before, ${fmtLoad(load.after)} after`,
    '',
    `${fmtInt(options.accounts)} owned accounts in one tenant of a SQLite file (seeded in ${(seed.seconds + seed.ownershipSeconds).toFixed(1)} s), each with its open ownership period; ` +
      `40 reps in 5 teams; pool policy ${benchPolicies.map((p) => `${p.grade}: return after ${p.returnAfterDays} days, remind ${p.reminderDays} days before`).join('; ')}.`,
    '',
    '## ownership.resolve by length of the ownership history',
    '',
    `Through \`@crmkit/client\` over HTTP, crmkit (\`createCrmServer\`) in a child process; ${options.concurrency} requests in flight; ${fmtInt(o.resolveRequests)} measured calls per account ` +
      `(after ${fmtInt(o.resolveWarmup)} warm-up calls) in ${options.rounds} rounds, the accounts taking turns. Both accounts are owned now by the same team and primary owner ` +
      `and resolve to them (checked); the long one's ${fmtInt(seed.periods)} periods (every 6 hours, owners rotating) were written with raw SQL.`,
    '',
    '| account | ownership periods | req/s | p50 ms | p99 ms | server CPU µs/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...resolve.map((r) => `| ${r.name} | ${fmtInt(r.periods)} | ${fmtInt(r.load.perSecond)} | ${fmtMs(r.load.p50)} | ${fmtMs(r.load.p99)} | ${fmtInt(r.serverCpuUsPerRequest)} |`),
    `| **ratio long ÷ fresh** | | ${(long.load.perSecond / fresh.load.perSecond).toFixed(2)} (req/s) | ${(long.load.p50 / fresh.load.p50).toFixed(2)} | ${(long.load.p99 / fresh.load.p99).toFixed(2)} | ${(long.serverCpuUsPerRequest / fresh.serverCpuUsPerRequest).toFixed(2)} |`,
    '',
    `Target: the long history within 1.5× of the fresh account (latency ratio ≤ 1.5, req/s ratio ≥ 0.67).`,
    '',
    '## Pool sweep against one SQL statement',
    '',
    'The sweep\'s time is one pass over the owned accounts to find the due ones (and those to remind) plus the writes of each return. ' +
      'The first part scales with the tenant, the second with how much is due, which is set by how often the sweep runs: ' +
      'a scheduled sweep returns what fell due since its previous run; a backlog is what a first run after a policy is set (or after the job was stopped) finds. ' +
      'The target is read on the scheduled run, the way the job runs; the backlog shows what the writes cost.',
    '',
    ...sweeps.flatMap(({ scenario, runs }) => sweepSection(options, scenario, runs)),
    '### How each row is taken',
    '',
    '- **crmkit `runPoolSweep`**: the service behind `pool.sweep` and `crm.jobs.poolSweep`, called in this process on a server opened on the copy with a fake clock at the seed\'s instant. ' +
      'It reads only the accounts passing the pool rules\' candidate bound (SQL), judges each with the core rules, and returns the due ones with `changeOwnershipMany` ' +
      '(closed and new periods, mirror columns, one audit and one outbox event per account, a return notice per account), then the reminders, 500 accounts a transaction. Timed from the call to its answer.',
    `- **one SQL statement**: \`SELECT id …\` of the due accounts with the raw driver: one pass over the accounts, each account's threshold (its grade's policy, else \`*\`) read from PoolPolicy once, on the same copy before the sweep; 3 timed runs per copy after one untimed. It writes nothing.`,
    `- **pool.preview**: the same finding pass as the sweep's (\`judgeOwnedAccounts\`: the rules' candidate bound as SQL, then the core rule on each candidate), called through \`crm.createCaller(…).pool.preview\` on the same server just before the sweep, so it includes the procedure's input and output validation.`,
    `- **raw driver**: the floor of any sweep on this file: the statement, then per due account the rows the sweep writes (same statements, same payload shapes) with prepared statements in one transaction, committed as crmkit's connection commits (WAL, synchronous FULL, auto-checkpoint); no reminders, no re-check.`,
    `- Every copy of a seeded file is flushed to disk (fsync) before anything is timed on it; otherwise the first commit's fsync writes out the whole copied database (~100 ms here) and charges it to the sweep.`,
    `- Checked on every run: the sweep returns exactly the statement's set, which is the set core's \`poolReturnDecision\` finds on the seeded data, and reminds the owners it says.`,
    `- accounts/s = ${fmtInt(options.accounts)} accounts of the tenant ÷ the time; the ratio is the statement's time ÷ the row's.`,
    '',
  ];
  return lines.join('\n');
}

/** Runs the ownership suite in `tempDir`; prints and (unless --no-write) writes results/ownership.md. */
export async function runOwnershipSuite(options: BenchOptions, tempDir: string): Promise<void> {
  const loadBefore = loadavg();
  const seedPath = join(tempDir, 'ownership-seed.db');
  console.log(`seeding ${fmtInt(options.accounts)} owned accounts …`);
  const seed = await seedOwnershipDatabase(seedPath, {
    accounts: options.accounts,
    periods: options.ownership.periods,
    dueShare: options.ownership.dueShare,
    remindShare: options.ownership.remindShare,
    seed: options.seed,
  });
  console.log(`seeded in ${(seed.seconds + seed.ownershipSeconds).toFixed(1)} s: ${fmtInt(seed.expectedDue)} due at ${seed.at.toISOString()}, ${fmtInt(seed.expectedReminders)} in their reminder window`);

  // The resolve server gets its own copy, so the seeded file stays as seeded for the sweeps.
  const resolvePath = join(tempDir, 'resolve.db');
  copyFileSync(seedPath, resolvePath);
  const resolve = await measureResolve(options, seed, resolvePath);

  // The scheduled run's file: what falls due (and into the reminder window) between two runs, at the
  // rate every account of the tenant would return once per `*` return period if nobody followed any up.
  const o = options.ownership;
  const everyMs = o.sweepEveryMinutes * 60_000;
  const returnAfterMs = benchPolicies.find((p) => p.grade === '*')!.returnAfterDays * DAY_MS;
  const scheduledPath = join(tempDir, 'ownership-scheduled.db');
  console.log(`seeding ${fmtInt(options.accounts)} owned accounts for the scheduled sweep (every ${o.sweepEveryMinutes} minutes) …`);
  const scheduledSeed = await seedOwnershipDatabase(scheduledPath, {
    accounts: options.accounts, periods: 1, seed: options.seed,
    dueShare: everyMs / returnAfterMs, remindShare: everyMs / returnAfterMs, dueWindowMs: everyMs, remindWindowMs: everyMs,
  });
  const scenarios: SweepScenario[] = [
    {
      key: 'scheduled', title: `Scheduled run (every ${o.sweepEveryMinutes} minutes)`, seed: scheduledSeed, seedPath: scheduledPath,
      about: `What one run of the job finds when it runs every ${o.sweepEveryMinutes} minutes: the accounts that fell due, and those that entered their reminder window, since the previous run, ` +
        `at the rate they would if nobody followed up any account of the tenant (${fmtInt(options.accounts)} ÷ ${returnAfterMs / DAY_MS} days, the upper bound of a steady state).`,
    },
    {
      key: 'backlog', title: 'Backlog (a first run after a policy is set)', seed, seedPath,
      about: `${(o.dueShare * 100).toFixed(1)}% of the accounts overdue by up to 60 days and ${(o.remindShare * 100).toFixed(1)}% anywhere inside their reminder window, none reminded yet.`,
    },
  ];
  const sweeps: { scenario: SweepScenario; runs: SweepRuns }[] = [];
  for (const scenario of scenarios) sweeps.push({ scenario, runs: await measureSweep(options, scenario, tempDir) });

  const report = markdown(options, seed, resolve, sweeps, { before: loadBefore, after: loadavg() });
  console.log(`\n${report}`);
  const file = options.ownership.resultsFile;
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, report);
    console.log(`written to ${relative(process.cwd(), file)}`);
  }
}
