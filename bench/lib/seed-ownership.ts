import Database from 'better-sqlite3';
import { DAY_MS, createFakeClock, newId, policyFor, poolReturnDecision, type PoolPolicy } from '@crmkit/core';
import { createCrmServer, createLogger } from '@crmkit/server';
import { createCrmClient } from '@crmkit/client';
import { createRandom, pick } from './random.js';
import { seedDatabase, sqliteDateTime, type SeededDatabase } from './seed.js';

/** The pool policy the ownership benchmark runs under (the same shape a tenant sets through pool.setPolicy). */
export const benchPolicies: PoolPolicy[] = [
  { grade: 'A', returnAfterDays: 20, reclaimBlockDays: 14, reminderDays: 5, maxClaimsPerRep: 500 },
  { grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 5_000 },
];

export interface OwnershipSeed extends SeededDatabase {
  /** The instant the data is laid out around: the sweep runs at it (a fake clock); every stored time is at or before it. */
  at: Date;
  /** An account with `periods` ownership periods, and one owned the same way now with a single period. */
  longHistoryAccountId: string;
  freshAccountId: string;
  periods: number;
  /** Who both of them resolve to now, and who the long one resolved to halfway through its history. */
  currentOwnerId: string;
  midHistory: { at: Date; ownerId: string };
  /** Accounts the pool rules (core's poolReturnDecision) find due / only inside their reminder window at `at`. */
  expectedDue: number;
  expectedReminders: number;
  ownershipSeconds: number;
}

interface OwnedRow {
  id: string;
  ownerTeamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
  ownedSince: number | null;
  lastFollowUpAt: number | null;
}

/**
 * The accounts benchmark's database (lib/seed.ts: `count` accounts of one tenant) with every
 * account owned: users, teams and the pool policy through crmkit's own procedures; then, with
 * the raw driver, the owners, tenure start and last follow-up of each account and its open
 * ownership period. The last follow-up (or tenure start) is laid out so that about `dueShare` of
 * the accounts are due to return at `at` (fallen due within `dueWindowMs` before it), about
 * `remindShare` are only inside their reminder window (entered within `remindWindowMs`), and the
 * rest were followed up recently. One account gets `periods` periods of history
 * (every 6 hours, owners rotating), and one other the same current owners with a single period.
 */
export async function seedOwnershipDatabase(
  path: string,
  o: {
    accounts: number;
    periods: number;
    dueShare: number;
    remindShare: number;
    seed: number;
    /** How long before `at` the due accounts fell due (default 60 days: a backlog); a scheduled run sees its interval. */
    dueWindowMs?: number;
    /** How long before `at` the reminded accounts entered their reminder window (default: any time in it). */
    remindWindowMs?: number;
  },
): Promise<OwnershipSeed> {
  const seeded = await seedDatabase(path, o.accounts, o.seed);
  const started = performance.now();
  const random = createRandom(o.seed + 7);

  // People, teams and the policy through the API, as a host would set them up.
  const reps = Array.from({ length: 40 }, (_, i) => `rep-${String(i + 1).padStart(2, '0')}`);
  const leaders = Array.from({ length: 5 }, (_, i) => `lead-${i + 1}`);
  const teamIds: string[] = [];
  const teamOf = new Map<string, string>();
  const crm = await createCrmServer({ databaseUrl: seeded.databaseUrl, migrate: false, logger: createLogger('warn') });
  try {
    const { url } = await crm.listen(0, '127.0.0.1');
    const client = createCrmClient({ url, apiKey: seeded.apiKey, retry: { attempts: 1 } });
    for (const id of reps) await client.users.upsert.mutate({ id, displayName: id, role: 'rep' });
    for (const id of leaders) await client.users.upsert.mutate({ id, displayName: id, role: 'manager' });
    for (const [t, leaderId] of leaders.entries()) {
      const memberIds = reps.filter((_, i) => i % leaders.length === t);
      const team = await client.teams.create.mutate({ name: `Sales ${t + 1}`, leaderId, memberIds });
      teamIds.push(team.id);
      for (const rep of memberIds) teamOf.set(rep, team.id);
    }
    await client.pool.setPolicy.mutate({ policies: benchPolicies.map((p) => ({ ...p, grade: p.grade as 'A' | '*' })) });
  } finally {
    await crm.close();
  }
  // Whole seconds, at or before every later reading of the system clock (the resolve server uses it).
  const at = new Date(Math.floor(Date.now() / 1000) * 1000);
  const atMs = at.getTime();
  const currentOwnerId = reps[0]!;
  let longHistoryAccountId = '';
  let freshAccountId = '';
  let midHistory = { at, ownerId: '' };
  let expectedDue = 0;
  let expectedReminders = 0;

  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    const accounts = db.prepare<[string], { id: string; grade: string | null; archivedAt: string | null }>(`SELECT "id", "grade", "archivedAt" FROM "Account" WHERE "tenantId" = ? ORDER BY "id"`).all(seeded.tenantId);
    const rows: OwnedRow[] = [];
    for (const account of accounts) {
      const policy = policyFor(benchPolicies, account.grade)!;
      const n = policy.returnAfterDays * DAY_MS;
      const r = policy.reminderDays * DAY_MS;
      const u = random();
      // since = the later of tenure start and last follow-up; due when since <= at − N days,
      // reminded when since <= at − N days + R days.
      const dueWindow = o.dueWindowMs ?? 60 * DAY_MS;
      const remindWindow = Math.min(o.remindWindowMs ?? r, r - 1);
      const since =
        u < o.dueShare ? atMs - n - Math.floor(random() * dueWindow)
        : u < o.dueShare + o.remindShare ? atMs - n + r - Math.floor(random() * remindWindow)
        : atMs - (n - r) + 60_000 + Math.floor(random() * (n - r - 120_000));
      const followedUp = random() < 0.6;
      const rep = pick(random, reps);
      const shape = random();
      const owners =
        shape < 0.45 ? { ownerTeamId: null, primaryOwnerId: rep, secondaryOwnerId: null }
        : shape < 0.8 ? { ownerTeamId: teamOf.get(rep)!, primaryOwnerId: rep, secondaryOwnerId: null }
        : shape < 0.9 ? { ownerTeamId: null, primaryOwnerId: rep, secondaryOwnerId: pick(random, reps) }
        : { ownerTeamId: pick(random, teamIds), primaryOwnerId: null, secondaryOwnerId: null };
      rows.push({ id: account.id, ...owners, ownedSince: followedUp ? since - Math.floor(random() * 300 * DAY_MS) : since, lastFollowUpAt: followedUp ? since : null });
    }

    // The two resolve accounts: active, not due, owned now by the same team and primary owner since `recent`.
    const active = accounts.filter((a) => a.archivedAt === null);
    longHistoryAccountId = active[Math.floor(active.length / 2)]!.id;
    freshAccountId = active[Math.floor(active.length / 2) + 1]!.id;
    const current = { ownerTeamId: teamOf.get(currentOwnerId)!, primaryOwnerId: currentOwnerId, secondaryOwnerId: null };
    const recent = atMs - 2 * DAY_MS;
    for (const row of rows) if (row.id === longHistoryAccountId || row.id === freshAccountId) Object.assign(row, current, { ownedSince: recent, lastFollowUpAt: recent });

    // What the pool rules themselves say about the data, to check the benchmark's answers against.
    const accountOf = new Map(accounts.map((a) => [a.id, a]));
    for (const row of rows) {
      const account = accountOf.get(row.id)!;
      if (account.archivedAt !== null) continue;
      const decision = poolReturnDecision(
        { accountId: row.id, grade: account.grade, ownerTeamId: row.ownerTeamId, primaryOwnerId: row.primaryOwnerId, ownedSince: row.ownedSince === null ? null : new Date(row.ownedSince), lastFollowUpAt: row.lastFollowUpAt === null ? null : new Date(row.lastFollowUpAt) },
        policyFor(benchPolicies, account.grade),
        at,
      );
      if (decision && decision.dueAt <= at) expectedDue += 1;
      else if (decision && decision.remindAt <= at) expectedReminders += 1;
    }

    const clock = createFakeClock(at);
    const update = db.prepare(`UPDATE "Account" SET "ownerTeamId" = ?, "primaryOwnerId" = ?, "secondaryOwnerId" = ?, "ownedSince" = ?, "lastFollowUpAt" = ? WHERE "id" = ?`);
    const insertPeriod = db.prepare(`INSERT INTO "AccountOwnership" ("id", "tenantId", "accountId", "teamId", "primaryOwnerId", "secondaryOwnerId", "validFrom", "validTo", "cause", "reason", "actorId") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'assign', ?, ?)`);
    const period = (accountId: string, owners: Pick<OwnedRow, 'ownerTeamId' | 'primaryOwnerId' | 'secondaryOwnerId'>, from: number, to: number | null) => {
      clock.set(new Date(from));
      insertPeriod.run(newId('own', clock), seeded.tenantId, accountId, owners.ownerTeamId, owners.primaryOwnerId, owners.secondaryOwnerId, sqliteDateTime(from), to === null ? null : sqliteDateTime(to), 'bench seed', 'system:bench-seed');
    };
    // The long account's history: `periods` periods of 6 hours, owners rotating, ending with the current one.
    const step = 6 * 3_600_000;
    const firstFrom = recent - (o.periods - 1) * step;
    const historyOwner = (k: number) => reps[(k * 7 + 3) % reps.length]!;
    const midK = Math.floor((o.periods - 1) / 2);
    midHistory = { at: new Date(firstFrom + midK * step + step / 2), ownerId: historyOwner(midK) };
    db.transaction(() => {
      for (const row of rows) {
        update.run(row.ownerTeamId, row.primaryOwnerId, row.secondaryOwnerId, row.ownedSince === null ? null : sqliteDateTime(row.ownedSince), row.lastFollowUpAt === null ? null : sqliteDateTime(row.lastFollowUpAt), row.id);
        if (row.id !== longHistoryAccountId) period(row.id, row, row.ownedSince!, null);
      }
      for (let k = 0; k < o.periods - 1; k++) {
        const rep = historyOwner(k);
        period(longHistoryAccountId, { ownerTeamId: k % 3 === 0 ? null : teamOf.get(rep)!, primaryOwnerId: rep, secondaryOwnerId: k % 5 === 0 ? reps[(k + 1) % reps.length]! : null }, firstFrom + k * step, firstFrom + (k + 1) * step);
      }
      period(longHistoryAccountId, current, recent, null);
    })();
    const count = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM "AccountOwnership" WHERE "accountId" = ?`);
    if (count.get(longHistoryAccountId)!.n !== o.periods || count.get(freshAccountId)!.n !== 1) throw new Error('the resolve accounts did not get the periods intended');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return {
    ...seeded,
    at,
    longHistoryAccountId,
    freshAccountId,
    periods: o.periods,
    currentOwnerId,
    midHistory,
    expectedDue,
    expectedReminders,
    ownershipSeconds: (performance.now() - started) / 1000,
  };
}
