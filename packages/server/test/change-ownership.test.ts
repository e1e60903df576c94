import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, isCrmError, policyFor, poolCandidateBound, type PoolPolicy } from '@crmkit/core';
import type { Actor } from '../src/context.js';
import { inTransaction } from '../src/services/audit/record.js';
import { changeOwnership, changeOwnershipMany, type OwnershipChange, type OwnershipState } from '../src/services/ownership/change-ownership.js';
import { candidateBoundSql, judge, judgeOwnedAccounts, poolReturnRules, type CandidateRow } from '../src/services/pool/due.js';
import { Prisma } from '../generated/sqlite/client.js';
import { startHarness, type Harness } from './helpers/harness.js';

const systemActor = (tenantId: string): Actor => ({ tenantId, type: 'system', id: 'test-setup', role: 'admin', scopes: null });
const NOBODY: OwnershipState = { teamId: null, primaryOwnerId: null, secondaryOwnerId: null };
const own = (o: Partial<OwnershipState>): OwnershipState => ({ ...NOBODY, ...o });

/** The states the accounts start in (index = account), set one by one with changeOwnership. */
const initial: (OwnershipState | 'legacy-no-ownedSince')[] = [
  NOBODY, // 0 in the pool
  own({ primaryOwnerId: 'li' }), // 1
  own({ primaryOwnerId: 'li', secondaryOwnerId: 'wang' }), // 2
  own({ teamId: 'tm_east' }), // 3 team only
  own({ teamId: 'tm_east', primaryOwnerId: 'li', secondaryOwnerId: 'wang' }), // 4
  'legacy-no-ownedSince', // 5 owned by li, ownedSince never recorded
  own({ primaryOwnerId: 'li' }), // 6
  own({ primaryOwnerId: 'zhao' }), // 7
  own({ primaryOwnerId: 'zhao', secondaryOwnerId: 'li' }), // 8
  own({ teamId: 'tm_west', primaryOwnerId: 'wang' }), // 9
  NOBODY, // 10
];

/** The changes compared (account index, change), deliberately not in account order. */
const HOUR = 3_600_000;
const changes = (at: Date): [number, Omit<OwnershipChange, 'accountId'>][] => [
  [9, { next: NOBODY, cause: 'pool-return', at }],
  [0, { next: own({ primaryOwnerId: 'li' }), cause: 'claim', at }], // unowned → owned: tenure starts
  [1, { next: own({ primaryOwnerId: 'li' }), cause: 'assign' }], // no-op
  [2, { next: own({ primaryOwnerId: 'li', secondaryOwnerId: 'zhao' }), cause: 'assign', reason: 'cover while wang travels' }], // secondary only: ownedSince kept
  [3, { next: own({ teamId: 'tm_east', primaryOwnerId: 'li' }), cause: 'assign', at }], // primary added: tenure starts
  [4, { next: NOBODY, cause: 'release', reason: 'not a fit' }],
  [5, { next: own({ primaryOwnerId: 'li', secondaryOwnerId: 'wang' }), cause: 'assign', at }], // legacy: ownedSince stays null
  [6, { next: own({ primaryOwnerId: 'wang' }), cause: 'departure', reason: 'li left', at: new Date(at.getTime() - HOUR) }], // handover at another instant
  [7, { next: own({ teamId: 'tm_west' }), cause: 'assign', at }], // primary removed, team keeps it: tenure starts
  [8, { next: NOBODY, cause: 'pool-return', at }],
  [10, { next: NOBODY, cause: 'assign', at }], // no-op on an unowned account
];

interface World {
  h: Harness;
  accountIds: string[];
}

async function world(): Promise<World> {
  const h = await startHarness({ start: '2026-05-04T09:00:00Z' });
  const ctx = h.crm.serviceContext(systemActor(h.tenantA));
  const accountIds: string[] = [];
  for (let i = 0; i < initial.length; i++) accountIds.push((await h.adminA.accounts.create.mutate({ name: `Account ${i}` })).id);
  h.clock.advance(DAY_MS);
  await inTransaction(ctx, async (tx) => {
    for (const [i, state] of initial.entries()) {
      if (state === 'legacy-no-ownedSince') {
        await changeOwnership(tx, ctx, accountIds[i]!, own({ primaryOwnerId: 'li' }), { cause: 'assign' });
        await tx.account.update({ where: { id: accountIds[i]! }, data: { ownedSince: null } });
      } else {
        await changeOwnership(tx, ctx, accountIds[i]!, state, { cause: 'assign' });
      }
    }
  });
  h.clock.advance(3 * DAY_MS + 17_000);
  return { h, accountIds };
}

/**
 * Every row an ownership change writes (events of accounts only: API keys carry a random
 * prefix), with date columns as the database stores them (text)
 * and every generated id replaced by its rank among the ids of its kind in this database, so two
 * databases compare equal when the same rows were written with ids made in the same order.
 */
async function snapshot({ h }: World) {
  const db = h.crm.db;
  const text = (column: string) => `CAST("${column}" AS TEXT) AS "${column}"`;
  const rows = {
    accounts: await db.$queryRawUnsafe(`SELECT "id", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId", ${text('ownedSince')}, ${text('updatedAt')}, "version" FROM "Account" ORDER BY "id"`),
    periods: await db.$queryRawUnsafe(
      `SELECT "id", "tenantId", "accountId", "teamId", "primaryOwnerId", "secondaryOwnerId", ${text('validFrom')}, ${text('validTo')}, "cause", "reason", "actorId" FROM "AccountOwnership" ORDER BY "id"`,
    ),
    audit: await db.$queryRawUnsafe(`SELECT "id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", ${text('at')} FROM "AuditEvent" WHERE "entityType" = 'account' ORDER BY "id"`),
    outbox: await db.$queryRawUnsafe(`SELECT "id", "tenantId", "type", "entityType", "entityId", "payload", ${text('createdAt')}, ${text('deliveredAt')} FROM "OutboxEvent" WHERE "entityType" = 'account' ORDER BY "id"`),
  };
  return normalizeIds(JSON.stringify(rows));
}

function normalizeIds(json: string): unknown {
  const idPattern = /\b([a-z]+)_[0-9A-HJKMNP-TV-Z]{26}\b/g;
  const ids = [...new Set(json.match(idPattern) ?? [])].sort();
  const rank = new Map<string, string>();
  const perPrefix = new Map<string, number>();
  for (const id of ids) {
    const prefix = id.slice(0, id.indexOf('_'));
    const n = perPrefix.get(prefix) ?? 0;
    perPrefix.set(prefix, n + 1);
    rank.set(id, `${prefix}#${n}`);
  }
  return JSON.parse(json.replace(idPattern, (id) => rank.get(id)!));
}

describe('changeOwnershipMany', () => {
  let one: World;
  let many: World;
  beforeAll(async () => {
    [one, many] = await Promise.all([world(), world()]);
  });
  afterAll(async () => {
    await Promise.all([one?.h.close(), many?.h.close()]);
  });

  it('writes exactly what changeOwnership per account writes: periods, mirror columns, audit and outbox events, ids in the same order', async () => {
    expect(await snapshot(many)).toEqual(await snapshot(one));

    const sequential = await (async () => {
      const ctx = one.h.crm.serviceContext(systemActor(one.h.tenantA));
      const at = one.h.clock.now();
      return inTransaction(ctx, async (tx) => {
        const out = [];
        for (const [i, c] of changes(at)) out.push(await changeOwnership(tx, ctx, one.accountIds[i]!, c.next, c));
        return out;
      });
    })();
    const batched = await (async () => {
      const ctx = many.h.crm.serviceContext(systemActor(many.h.tenantA));
      const at = many.h.clock.now();
      return inTransaction(ctx, (tx) => changeOwnershipMany(tx, ctx, changes(at).map(([i, c]) => ({ accountId: many.accountIds[i]!, ...c }))));
    })();

    expect(batched.map((p) => p === null)).toEqual(changes(new Date()).map(([i]) => i === 1 || i === 10));
    expect(normalizeIds(JSON.stringify(batched))).toEqual(normalizeIds(JSON.stringify(sequential)));
    const [a, b] = [await snapshot(one), await snapshot(many)];
    expect(b).toEqual(a);

    // And the rules the rows must follow, spelled out once.
    const at = many.h.clock.now();
    const account = (i: number) => many.h.crm.db.account.findUniqueOrThrow({ where: { id: many.accountIds[i]! } });
    expect((await account(0)).ownedSince).toEqual(at); // claimed: the pool clock starts
    expect((await account(2)).ownedSince).toEqual(new Date(at.getTime() - 3 * DAY_MS - 17_000)); // secondary change: kept
    expect((await account(5)).ownedSince).toBeNull(); // legacy: still unknown
    expect((await account(7)).ownedSince).toEqual(at);
    expect((await account(9))).toMatchObject({ ownerTeamId: null, primaryOwnerId: null, secondaryOwnerId: null, ownedSince: null });
    const open = await many.h.crm.db.accountOwnership.groupBy({ by: ['accountId'], where: { validTo: null }, _count: { _all: true } });
    expect(open.every((g) => g._count._all === 1)).toBe(true);
    expect(open).toHaveLength(initial.length - 1); // only account 10 was never owned, so has no period
  });

  it('does nothing for no changes, refuses an account given twice, and an account outside the tenant fails the whole call', async () => {
    const { h, accountIds } = many;
    const ctx = h.crm.serviceContext(systemActor(h.tenantA));
    const before = await snapshot(many);
    expect(await inTransaction(ctx, (tx) => changeOwnershipMany(tx, ctx, []))).toEqual([]);
    const twice: OwnershipChange[] = [{ accountId: accountIds[0]!, next: NOBODY, cause: 'release' }, { accountId: accountIds[0]!, next: own({ primaryOwnerId: 'wang' }), cause: 'assign' }];
    const refused = await inTransaction(ctx, (tx) => changeOwnershipMany(tx, ctx, twice)).catch((e: unknown) => e);
    expect(isCrmError(refused) && refused.code).toBe('VALIDATION');
    const otherTenant = h.crm.serviceContext(systemActor(h.tenantB));
    const missing = await inTransaction(otherTenant, (tx) => changeOwnershipMany(tx, otherTenant, [{ accountId: accountIds[3]!, next: NOBODY, cause: 'release' }])).catch((e: unknown) => e);
    expect(isCrmError(missing) && missing.code).toBe('NOT_FOUND');
    expect(await snapshot(many)).toEqual(before);
  });
});

describe('pool candidate bound in SQL (the pre-filter of the sweep and the preview)', () => {
  let h: Harness;
  const policies: PoolPolicy[] = [
    { grade: 'A', returnAfterDays: 10, reclaimBlockDays: 7, reminderDays: 2, maxClaimsPerRep: 5 },
    { grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 5 },
  ];
  beforeAll(async () => {
    h = await startHarness({ start: '2026-12-31T23:00:00Z' });
  });
  afterAll(() => h?.close());

  it('selects exactly the owned accounts the rule finds due, to the millisecond, with NULLs and grades as the rule reads them', async () => {
    const until = h.clock.now();
    const edge = (days: number, ms = 0) => new Date(until.getTime() - days * DAY_MS + ms);
    const cases: { grade: 'A' | 'B' | null; ownedSince: Date | null; lastFollowUpAt: Date | null; owner?: 'team' | 'none' }[] = [];
    for (const [grade, n] of [['A', 10], ['B', 30], [null, 30]] as const) {
      for (const ms of [-1, 0, 1]) {
        cases.push({ grade, ownedSince: edge(n, ms), lastFollowUpAt: null });
        cases.push({ grade, ownedSince: null, lastFollowUpAt: edge(n, ms) });
        cases.push({ grade, ownedSince: edge(n + 40), lastFollowUpAt: edge(n, ms) });
        cases.push({ grade, ownedSince: edge(n, ms), lastFollowUpAt: edge(n + 40) }, { grade, ownedSince: edge(n, ms), lastFollowUpAt: null, owner: 'team' });
      }
      cases.push({ grade, ownedSince: null, lastFollowUpAt: null }, { grade, ownedSince: edge(n + 1), lastFollowUpAt: null, owner: 'none' });
    }
    const ids: string[] = [];
    for (const [i, c] of cases.entries()) {
      const { id } = await h.adminA.accounts.create.mutate({ name: `Edge ${i}`, ...(c.grade ? { grade: c.grade } : {}) });
      const owner = c.owner === 'none' ? { ownerTeamId: null, primaryOwnerId: null } : c.owner === 'team' ? { ownerTeamId: 'tm_east', primaryOwnerId: null } : { ownerTeamId: null, primaryOwnerId: 'li' };
      await h.crm.db.account.update({ where: { id }, data: { ...owner, ownedSince: c.ownedSince, lastFollowUpAt: c.lastFollowUpAt } });
      ids.push(id);
    }
    const all = await h.crm.db.$queryRaw<CandidateRow[]>`
      SELECT "id", "name", "grade", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId", "ownedSince", "lastFollowUpAt" FROM "Account" WHERE "tenantId" = ${h.tenantA}`;
    const due = all.filter((row) => (judge(row, policies, until)?.dueAt.getTime() ?? Infinity) <= until.getTime()).map((r) => r.id).sort();
    expect(due.length).toBeGreaterThan(10);
    expect(due.length).toBeLessThan(cases.length - 10);

    const bound = poolCandidateBound(policies, () => until, poolReturnRules);
    const selected = await h.crm.db.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Account" WHERE "tenantId" = ${h.tenantA} AND ("ownerTeamId" IS NOT NULL OR "primaryOwnerId" IS NOT NULL) AND ${candidateBoundSql(bound)} ORDER BY "id"`;
    expect(selected.map((r) => r.id)).toEqual(due);

    const judged = await judgeOwnedAccounts(h.crm.db, { tenantId: h.tenantA, policies, at: until, dueBy: () => until });
    expect(judged.map((j) => j.row.id).sort()).toEqual(due);
    // The per-policy horizon of the sweep (at + reminderDays): everything due by then, per grade.
    const reminded = await judgeOwnedAccounts(h.crm.db, { tenantId: h.tenantA, policies, at: until, dueBy: (p) => new Date(until.getTime() + p.reminderDays * DAY_MS) });
    const expected = all.filter((row) => {
      const decision = judge(row, policies, until);
      return decision !== null && decision.remindAt.getTime() <= until.getTime() && policyFor(policies, row.grade) !== null;
    });
    expect(reminded.map((j) => j.row.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(Prisma.sql`${candidateBoundSql({ op: 'false' })}`.sql).toBe('1 = 0');
  });
});
