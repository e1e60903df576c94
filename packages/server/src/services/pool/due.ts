import {
  noFollowUpRule, policyFor, poolReturnDecision, type PoolCandidate, type PoolExclusion, type PoolPolicy, type PoolReturnDecision, type PoolReturnRule, type VisibilityScope,
} from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { Db, Tx } from '../../db/client.js';

/** The rules a return can fall due by. Later capabilities add theirs here (no deal within M days of a claim). */
export const poolReturnRules: PoolReturnRule[] = [noFollowUpRule];
/** What keeps an account from returning (open opportunities, once the pipeline exists). */
export const poolExclusions: PoolExclusion[] = [];

/** Exactly what the pool rules read of an account, plus what an answer names. */
export const candidateSelect = {
  id: true, name: true, grade: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true, ownedSince: true, lastFollowUpAt: true,
} as const satisfies Prisma.AccountSelect;
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

/** A visibility scope as an SQL condition on "Account" (none for the whole tenant). */
function visibilitySql(scope: VisibilityScope): Prisma.Sql {
  if (scope.all) return Prisma.empty;
  const sets: [string, readonly string[]][] = [['"ownerTeamId"', scope.teamIds], ['"primaryOwnerId"', scope.ownerIds], ['"secondaryOwnerId"', scope.ownerIds], ['"id"', scope.accountIds]];
  const clauses = sets.filter(([, ids]) => ids.length > 0).map(([column, ids]) => Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join([...ids])})`);
  return clauses.length ? Prisma.sql` AND (${Prisma.join(clauses, ' OR ')})` : Prisma.sql` AND 1 = 0`;
}

/**
 * Judges every owned, active account of the tenant (within `visibility`) at `at` and keeps the
 * decisions `keep` accepts, ordered by due time then id. Accounts are read set-based, a chunk
 * of ids at a time along the (tenantId, id) index, as raw rows (the ORM's per-row mapping costs
 * more than the query), never one query per account; only the kept ones stay in memory.
 */
export async function judgeOwnedAccounts(
  db: Db | Tx,
  q: { tenantId: string; policies: readonly PoolPolicy[]; at: Date; keep: (d: PoolReturnDecision) => boolean; visibility?: VisibilityScope },
): Promise<Judged[]> {
  const kept: Judged[] = [];
  if (q.policies.length === 0) return kept; // without a policy nothing ever returns
  const visible = visibilitySql(q.visibility ?? { all: true });
  for (let after = ''; ; ) {
    const rows = await db.$queryRaw<CandidateRow[]>`
      SELECT "id", "name", "grade", "ownerTeamId", "primaryOwnerId", "secondaryOwnerId", "ownedSince", "lastFollowUpAt"
      FROM "Account"
      WHERE "tenantId" = ${q.tenantId} AND "id" > ${after} AND "archivedAt" IS NULL
        AND ("ownerTeamId" IS NOT NULL OR "primaryOwnerId" IS NOT NULL)${visible}
      ORDER BY "id" LIMIT ${SCAN_CHUNK}`;
    for (const row of rows) {
      const decision = judge(row, q.policies, q.at);
      if (decision && q.keep(decision)) kept.push({ row, decision });
    }
    if (rows.length < SCAN_CHUNK) break;
    after = rows[rows.length - 1]!.id;
  }
  return kept.sort(byDueThenId);
}
