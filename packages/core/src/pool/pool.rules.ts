import { DAY_MS } from '../clock.js';
import { CrmError } from '../errors.js';
import { step, type ExplanationStep } from '../explanation.js';

export interface PoolPolicy {
  /** The grade this policy is for, or `*` for every grade without its own. */
  grade: string;
  /** An owned account returns after this many days without a follow-up. */
  returnAfterDays: number;
  /** The owner it was taken from cannot claim it again for this many days. */
  reclaimBlockDays: number;
  /** Owners are reminded this many days before the return. */
  reminderDays: number;
  /** How many accounts (of this grade, or in all for `*`) one rep may hold as primary owner through claims. */
  maxClaimsPerRep: number;
}

/** The policy that applies to a grade: its own, else the `*` default, else none (never returns). */
export function policyFor(policies: readonly PoolPolicy[], grade: string | null): PoolPolicy | null {
  return policies.find((p) => grade !== null && p.grade === grade) ?? policies.find((p) => p.grade === '*') ?? null;
}

/** An owned account, as the pool rules see it. */
export interface PoolCandidate {
  accountId: string;
  grade: string | null;
  primaryOwnerId: string | null;
  ownerTeamId: string | null;
  /** When the current owner's tenure began (claim or assignment). */
  ownedSince: Date | null;
  lastFollowUpAt: Date | null;
}

/** A reason an account falls due to return. Later capabilities add rules (no deal within M days of claim). */
export type PoolReturnRule = (candidate: PoolCandidate, policy: PoolPolicy) => { rule: string; dueAt: Date; message: string } | null;
/** A reason an account must not return now (an open opportunity, for example). */
export type PoolExclusion = (candidate: PoolCandidate, at: Date) => { rule: string; message: string } | null;

/** Base rule: no follow-up for `returnAfterDays` since the later of the tenure start and the last follow-up. */
export const noFollowUpRule: PoolReturnRule = (c, policy) => {
  const since = [c.ownedSince, c.lastFollowUpAt].filter((d): d is Date => d !== null).reduce<Date | null>((a, b) => (a === null || b > a ? b : a), null);
  if (since === null) return null;
  const dueAt = new Date(since.getTime() + policy.returnAfterDays * DAY_MS);
  const what = c.lastFollowUpAt && c.lastFollowUpAt.getTime() === since.getTime() ? `last follow-up ${since.toISOString()}` : `owned since ${since.toISOString()} with no follow-up`;
  return { rule: 'no-follow-up', dueAt, message: `${what}; returns after ${policy.returnAfterDays} days without a follow-up` };
};

export interface PoolReturnDecision {
  accountId: string;
  dueAt: Date;
  remindAt: Date;
  rule: string;
  explanation: ExplanationStep[];
}

/**
 * When an owned account returns to the pool, and why: the earliest due time among the rules,
 * unless an exclusion holds at `at`. Null when it never will under the current facts. The
 * return happens at `dueAt` exactly (not a day early); the owner is reminded at `remindAt`.
 */
export function poolReturnDecision(
  c: PoolCandidate,
  policy: PoolPolicy | null,
  at: Date,
  rules: readonly PoolReturnRule[] = [noFollowUpRule],
  exclusions: readonly PoolExclusion[] = [],
): PoolReturnDecision | null {
  if (c.ownerTeamId === null && c.primaryOwnerId === null) return null;
  if (!policy) return null;
  const explanation: ExplanationStep[] = [step('pool-policy', 'applied', `policy for grade ${policy.grade}: return after ${policy.returnAfterDays} days`, null)];
  for (const exclusion of exclusions) {
    const hit = exclusion(c, at);
    if (hit) return null;
  }
  let best: { rule: string; dueAt: Date; message: string } | null = null;
  for (const rule of rules) {
    const due = rule(c, policy);
    if (due && (best === null || due.dueAt < best.dueAt)) best = due;
  }
  if (!best) return null;
  explanation.push(step(best.rule, 'matched', best.message, c.accountId));
  return { accountId: c.accountId, dueAt: best.dueAt, remindAt: new Date(best.dueAt.getTime() - policy.reminderDays * DAY_MS), rule: best.rule, explanation };
}

export interface ClaimFacts {
  userId: string;
  at: Date;
  policy: PoolPolicy | null;
  /** Accounts the user holds now as primary owner that count against this policy's cap. */
  heldCount: number;
  /** The latest time this user lost the account to the pool (return or release), if any. */
  lostAt: Date | null;
}

/** Refuses a claim over the rep's cap or within the reclaim block, saying which and until when. */
export function assertCanClaim(f: ClaimFacts): void {
  if (f.policy && f.heldCount >= f.policy.maxClaimsPerRep) {
    throw new CrmError('PRECONDITION_FAILED', `${f.userId} already holds ${f.heldCount} accounts; the limit for grade ${f.policy.grade} is ${f.policy.maxClaimsPerRep}`, {
      details: { rule: 'claim-cap', held: f.heldCount, limit: f.policy.maxClaimsPerRep, grade: f.policy.grade },
    });
  }
  if (f.policy && f.lostAt) {
    const until = new Date(f.lostAt.getTime() + f.policy.reclaimBlockDays * DAY_MS);
    if (f.at < until) {
      throw new CrmError('PRECONDITION_FAILED', `${f.userId} lost this account to the pool on ${f.lostAt.toISOString()} and cannot claim it again before ${until.toISOString()}`, {
        details: { rule: 'reclaim-block', until: until.toISOString() },
      });
    }
  }
}
