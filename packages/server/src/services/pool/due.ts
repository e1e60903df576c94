import {
  noFollowUpRule, policyFor, poolCandidateBound, poolReturnDecision, type CandidateBound, type PoolCandidate, type PoolExclusion, type PoolPolicy, type PoolReturnDecision, type PoolReturnRule, type VisibilityScope,
} from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { Db, Tx } from '../../db/client.js';

/**
 * The rules a return can fall due by. Later capabilities add theirs here (no deal within M days of a
 * claim), each with its `candidates` bound (see core's PoolReturnRule), or the sweep and the preview
 * read every owned account again.
 */
export const poolReturnRules: PoolReturnRule[] = [noFollowUpRule];
/** What keeps an account from returning (open opportunities, once the pipeline exists). */
export const poolExclusions: PoolExclusion[] = [];

/** Exactly what the pool rules read of an account, plus what an answer names. */
export interface CandidateRow {
  id: string;
  name: string;
  grade: string | null;
  ownerTeamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
  ownedSince: Date | null;
  lastFollowUpAt: Date | null;
}

/** An account's return decision and the row it was made from. */
export interface Judged {
  row: CandidateRow;
  decision: PoolReturnDecision;
}

/** One pool return as the preview and the sweep answer it. */
export interface PoolReturn {
  accountId: string;
  accountName: string;
  primaryOwnerId: string | null;
  ownerTeamId: string | null;
  dueAt: string;
  remindAt: string;
  rule: string;
  explanation: PoolReturnDecision['explanation'];
}

/** Whether an account sits in the pool: no owning team and no primary owner. */
export const inPool = (a: { ownerTeamId: string | null; primaryOwnerId: string | null }) => a.ownerTeamId === null && a.primaryOwnerId === null;

/** The one place an account is judged for return, so the preview, the sweep and its re-check cannot disagree. */
export function judge(row: CandidateRow, policies: readonly PoolPolicy[], at: Date): PoolReturnDecision | null {
  const candidate: PoolCandidate = {
    accountId: row.id, grade: row.grade, primaryOwnerId: row.primaryOwnerId, ownerTeamId: row.ownerTeamId, ownedSince: row.ownedSince, lastFollowUpAt: row.lastFollowUpAt,
  };
  return poolReturnDecision(candidate, policyFor(policies, row.grade), at, poolReturnRules, poolExclusions);
}

export function toPoolReturn({ row, decision }: Judged): PoolReturn {
  return {
    accountId: row.id,
    accountName: row.name,
    primaryOwnerId: row.primaryOwnerId,
    ownerTeamId: row.ownerTeamId,
    dueAt: decision.dueAt.toISOString(),
    remindAt: decision.remindAt.toISOString(),
    rule: decision.rule,
    explanation: decision.explanation,
  };
}

/** By due time, then id: the order both the preview and the sweep answer in. */
export const byDueThenId = (a: Judged, b: Judged) => a.decision.dueAt.getTime() - b.decision.dueAt.getTime() || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);

const SCAN_CHUNK = 10_000;

/** The candidate rows of the given ids (active accounts of the tenant), read raw in one statement. */
export async function readCandidateRows(db: Db | Tx, tenantId: string, ids: readonly string[]): Promise<CandidateRow[]> {
  const rows: CandidateRow[] = [];
  // A thousand ids a statement, well under SQLite's and PostgreSQL's bound-parameter limits.
  for (let i = 0; i < ids.length; i += 1_000) {
    rows.push(...(await db.$queryRaw<CandidateRow[]>`
      SELECT "id", "name", "grade", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId", "ownedSince", "lastFollowUpAt"
      FROM "Account" WHERE "tenantId" = ${tenantId} AND "archivedAt" IS NULL AND "id" IN (${Prisma.join(ids.slice(i, i + 1_000))})`));
  }
  return rows;
}

/** The candidate bound of core's pool rules (data the server turns into SQL). */

const timeColumns = { ownedSince: Prisma.raw('"ownedSince"'), lastFollowUpAt: Prisma.raw('"lastFollowUpAt"') } as const;

/**
 * A candidate bound as an SQL condition on "Account", with the meaning `matchesCandidateBound`
 * gives it in core (NULL-safe: `atMost` needs the column set, `gradeNotIn` lets an unset grade in).
 */
export function candidateBoundSql(bound: CandidateBound): Prisma.Sql {
  switch (bound.op) {
    case 'true':
      return Prisma.sql`1 = 1`;
    case 'false':
      return Prisma.sql`1 = 0`;
    case 'and':
    case 'or':
      if (bound.of.length === 0) return bound.op === 'and' ? Prisma.sql`1 = 1` : Prisma.sql`1 = 0`;
      return Prisma.sql`(${Prisma.join(bound.of.map(candidateBoundSql), bound.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'isNull':
      return Prisma.sql`${timeColumns[bound.field]} IS NULL`;
    case 'atMost':
      return Prisma.sql`${timeColumns[bound.field]} <= ${bound.instant}`;
    case 'gradeIn':
      return bound.grades.length ? Prisma.sql`"grade" IN (${Prisma.join([...bound.grades])})` : Prisma.sql`1 = 0`;
    case 'gradeNotIn':
      return bound.grades.length ? Prisma.sql`("grade" IS NULL OR "grade" NOT IN (${Prisma.join([...bound.grades])}))` : Prisma.sql`1 = 1`;
  }
}

/** A visibility scope as an SQL condition on "Account" (none for the whole tenant). */
function visibilitySql(scope: VisibilityScope): Prisma.Sql {
  if (scope.all) return Prisma.empty;
  const sets: [string, readonly string[]][] = [['"ownerTeamId"', scope.teamIds], ['"primaryOwnerId"', scope.ownerIds], ['"secondaryOwnerId"', scope.ownerIds], ['"id"', scope.accountIds]];
  const clauses = sets.filter(([, ids]) => ids.length > 0).map(([column, ids]) => Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join([...ids])})`);
  return clauses.length ? Prisma.sql` AND (${Prisma.join(clauses, ' OR ')})` : Prisma.sql` AND 1 = 0`;
}

/**
 * Judges the owned, active accounts of the tenant (within `visibility`) at `at` and keeps those
 * due by `dueBy(policy)` (the policy applying to the account's grade), ordered by due time then
 * id. The preview passes a fixed instant; the sweep `at + reminderDays` days, which keeps the
 * accounts whose reminder is due (remindAt <= at) and with them those due to return.
 *
 * Only candidates are read: the rules' candidate bound for the same horizon (core's
 * `poolCandidateBound`) becomes the WHERE clause, so the database skips the accounts no rule can
 * find due. The bound is a superset; every row read is judged by `judge`, the one place that
 * decides. Rows are read set-based, a chunk of ids at a time along the (tenantId, id) index, as
 * raw rows (the ORM's per-row mapping costs more than the query), never one query per account.
 */
export async function judgeOwnedAccounts(
  db: Db | Tx,
  q: { tenantId: string; policies: readonly PoolPolicy[]; at: Date; dueBy: (policy: PoolPolicy) => Date; visibility?: VisibilityScope },
): Promise<Judged[]> {
  const kept: Judged[] = [];
  const bound = poolCandidateBound(q.policies, q.dueBy, poolReturnRules);
  if (bound.op === 'false') return kept; // without a policy nothing ever returns
  const candidates = candidateBoundSql(bound);
  const visible = visibilitySql(q.visibility ?? { all: true });
  for (let after = ''; ; ) {
    const rows = await db.$queryRaw<CandidateRow[]>`
      SELECT "id", "name", "grade", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId", "ownedSince", "lastFollowUpAt"
      FROM "Account"
      WHERE "tenantId" = ${q.tenantId} AND "id" > ${after} AND "archivedAt" IS NULL
        AND ("ownerTeamId" IS NOT NULL OR "primaryOwnerId" IS NOT NULL)${visible}
        AND ${candidates}
      ORDER BY "id" LIMIT ${SCAN_CHUNK}`;
    for (const row of rows) {
      const decision = judge(row, q.policies, q.at);
      if (decision && decision.dueAt <= q.dueBy(policyFor(q.policies, row.grade)!)) kept.push({ row, decision });
    }
    if (rows.length < SCAN_CHUNK) break;
    after = rows[rows.length - 1]!.id;
  }
  return kept.sort(byDueThenId);
}
