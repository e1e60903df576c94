import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { DAY_MS } from '../clock.js';
import { explanationStepSchema } from '../explanation.js';
import {
  assertCanClaim, matchesCandidateBound, noFollowUpRule, policyFor, poolCandidateBound, poolReturnDecision, type CandidateBound, type PoolCandidate, type PoolExclusion, type PoolPolicy, type PoolReturnRule,
  tenureStartAfter,
} from './pool.rules.js';

const d = (iso: string) => new Date(iso);
const POLICY: PoolPolicy = { grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 5 };

function candidate(over: Partial<PoolCandidate> = {}): PoolCandidate {
  return { accountId: 'acc_1', grade: null, primaryOwnerId: 'li', ownerTeamId: 'team_east', ownedSince: d('2026-01-01T10:00:00Z'), lastFollowUpAt: null, ...over };
}

describe('noFollowUpRule', () => {
  it('is due N days after the tenure start when there was no follow-up', () => {
    expect(noFollowUpRule(candidate({ ownedSince: d('2026-01-01T10:00:00Z') }), POLICY)).toEqual({
      rule: 'no-follow-up',
      dueAt: d('2026-01-31T10:00:00Z'),
      message: 'owned since 2026-01-01T10:00:00.000Z with no follow-up; returns after 30 days without a follow-up',
    });
  });

  it('crosses a month end exactly: 2026-01-31T10:00Z + 30 days = 2026-03-02T10:00Z', () => {
    expect(noFollowUpRule(candidate({ ownedSince: d('2025-12-01T00:00:00Z'), lastFollowUpAt: d('2026-01-31T10:00:00Z') }), POLICY)?.dueAt).toEqual(d('2026-03-02T10:00:00Z'));
  });

  it('crosses a year end exactly: 2025-12-15T08:30Z + 30 days = 2026-01-14T08:30Z', () => {
    expect(noFollowUpRule(candidate({ ownedSince: d('2025-12-15T08:30:00Z') }), POLICY)?.dueAt).toEqual(d('2026-01-14T08:30:00Z'));
  });

  it('crosses a leap day: 2028-02-15T00:00Z + 30 days = 2028-03-16T00:00Z', () => {
    expect(noFollowUpRule(candidate({ ownedSince: d('2028-02-15T00:00:00Z') }), POLICY)?.dueAt).toEqual(d('2028-03-16T00:00:00Z'));
  });

  it('counts from the last follow-up when it is later than the tenure start, and says so', () => {
    const due = noFollowUpRule(candidate({ ownedSince: d('2026-01-01T10:00:00Z'), lastFollowUpAt: d('2026-02-10T09:15:00Z') }), POLICY);
    expect(due?.dueAt).toEqual(d('2026-03-12T09:15:00Z'));
    expect(due?.message).toContain('last follow-up 2026-02-10T09:15:00.000Z');
  });

  it('counts from the tenure start when the last follow-up predates it (a follow-up by the previous owner)', () => {
    const due = noFollowUpRule(candidate({ ownedSince: d('2026-02-01T00:00:00Z'), lastFollowUpAt: d('2026-01-20T00:00:00Z') }), POLICY);
    expect(due?.dueAt).toEqual(d('2026-03-03T00:00:00Z'));
    expect(due?.message).toContain('owned since 2026-02-01T00:00:00.000Z');
  });

  it('never falls due with neither a tenure start nor a follow-up', () => {
    expect(noFollowUpRule(candidate({ ownedSince: null, lastFollowUpAt: null }), POLICY)).toBeNull();
  });

  it('property: due = max(ownedSince, lastFollowUpAt) + N days, to the millisecond', () => {
    const instant = fc.option(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }));
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 400 }), (owned, follow, n) => {
        const due = noFollowUpRule(candidate({ ownedSince: owned === null ? null : new Date(owned), lastFollowUpAt: follow === null ? null : new Date(follow) }), { ...POLICY, returnAfterDays: n });
        const since = [owned, follow].filter((x): x is number => x !== null);
        if (since.length === 0) expect(due).toBeNull();
        else expect(due?.dueAt.getTime()).toBe(Math.max(...since) + n * DAY_MS);
      }),
    );
  });
});

describe('policyFor', () => {
  const a: PoolPolicy = { ...POLICY, grade: 'A', returnAfterDays: 60 };
  const star: PoolPolicy = { ...POLICY, grade: '*' };

  it("picks the grade's own policy over the '*' default, whatever the order", () => {
    expect(policyFor([star, a], 'A')).toBe(a);
    expect(policyFor([a, star], 'A')).toBe(a);
  });

  it("falls back to '*' for a grade without its own policy and for an ungraded account", () => {
    expect(policyFor([a, star], 'B')).toBe(star);
    expect(policyFor([a, star], null)).toBe(star);
  });

  it("is null without a matching policy and without '*'", () => {
    expect(policyFor([a], 'B')).toBeNull();
    expect(policyFor([a], null)).toBeNull();
    expect(policyFor([], 'A')).toBeNull();
  });
});

describe('poolReturnDecision', () => {
  const at = d('2026-01-15T00:00:00Z');

  it('decides the return time, the reminder time (dueAt − reminderDays) and explains the policy and the rule', () => {
    const decision = poolReturnDecision(candidate(), POLICY, at);
    expect(decision).toMatchObject({ accountId: 'acc_1', dueAt: d('2026-01-31T10:00:00Z'), remindAt: d('2026-01-28T10:00:00Z'), rule: 'no-follow-up' });
    expect(decision!.explanation.map((s) => [s.rule, s.outcome, s.subjectId])).toEqual([
      ['pool-policy', 'applied', null],
      ['no-follow-up', 'matched', 'acc_1'],
    ]);
    for (const s of decision!.explanation) expect(explanationStepSchema.parse(s)).toEqual(s);
  });

  it('reminds across a month end: due 2026-03-02T10:00Z, 3 days earlier is 2026-02-27T10:00Z', () => {
    const decision = poolReturnDecision(candidate({ lastFollowUpAt: d('2026-01-31T10:00:00Z') }), POLICY, at);
    expect(decision?.dueAt).toEqual(d('2026-03-02T10:00:00Z'));
    expect(decision?.remindAt).toEqual(d('2026-02-27T10:00:00Z'));
  });

  it('is null for an unowned (pool) account', () => {
    expect(poolReturnDecision(candidate({ ownerTeamId: null, primaryOwnerId: null }), POLICY, at)).toBeNull();
  });

  it('applies to an account owned by a team only, or by a primary owner only', () => {
    expect(poolReturnDecision(candidate({ primaryOwnerId: null }), POLICY, at)?.dueAt).toEqual(d('2026-01-31T10:00:00Z'));
    expect(poolReturnDecision(candidate({ ownerTeamId: null }), POLICY, at)?.dueAt).toEqual(d('2026-01-31T10:00:00Z'));
  });

  it('is null without a policy', () => {
    expect(poolReturnDecision(candidate(), null, at)).toBeNull();
  });

  it('is null when no rule gives a due time', () => {
    expect(poolReturnDecision(candidate({ ownedSince: null }), POLICY, at)).toBeNull();
    expect(poolReturnDecision(candidate(), POLICY, at, [])).toBeNull();
  });

  it('is null when an exclusion holds at the instant, and unaffected when it does not', () => {
    const openOpportunityUntilFeb: PoolExclusion = (_c, when) => (when < d('2026-02-01T00:00:00Z') ? { rule: 'open-opportunity', message: 'an opportunity is open' } : null);
    expect(poolReturnDecision(candidate(), POLICY, at, undefined, [openOpportunityUntilFeb])).toBeNull();
    expect(poolReturnDecision(candidate(), POLICY, d('2026-02-01T00:00:00Z'), undefined, [openOpportunityUntilFeb])?.dueAt).toEqual(d('2026-01-31T10:00:00Z'));
  });

  it('with pluggable rules, the earliest due time wins and names its rule', () => {
    const noDealWithin20Days: PoolReturnRule = (c) => (c.ownedSince ? { rule: 'no-deal', dueAt: new Date(c.ownedSince.getTime() + 20 * DAY_MS), message: 'no deal within 20 days of claim' } : null);
    const never: PoolReturnRule = () => null;
    const decision = poolReturnDecision(candidate(), POLICY, at, [never, noFollowUpRule, noDealWithin20Days]);
    expect(decision).toMatchObject({ rule: 'no-deal', dueAt: d('2026-01-21T10:00:00Z'), remindAt: d('2026-01-18T10:00:00Z') });
    expect(decision!.explanation.at(-1)).toMatchObject({ rule: 'no-deal', outcome: 'matched', message: 'no deal within 20 days of claim' });
    // a follow-up does not reset the no-deal clock: the earlier of the two still wins
    const followedUp = poolReturnDecision(candidate({ lastFollowUpAt: d('2026-01-10T00:00:00Z') }), POLICY, at, [noFollowUpRule, noDealWithin20Days]);
    expect(followedUp?.rule).toBe('no-deal');
    // once the no-deal rule is later, no-follow-up wins
    const laterDeal: PoolReturnRule = (c) => ({ rule: 'no-deal', dueAt: new Date(c.ownedSince!.getTime() + 90 * DAY_MS), message: 'm' });
    expect(poolReturnDecision(candidate(), POLICY, at, [laterDeal, noFollowUpRule])?.rule).toBe('no-follow-up');
  });

  it('passes the applicable policy to each rule', () => {
    const seen: PoolPolicy[] = [];
    const spy: PoolReturnRule = (_c, p) => {
      seen.push(p);
      return null;
    };
    poolReturnDecision(candidate(), POLICY, at, [spy]);
    expect(seen).toEqual([POLICY]);
  });

  it('property: dueAt is the minimum over the rules and remindAt is exactly reminderDays earlier', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -100, max: 100 })), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 30 }), (offsets, reminderDays) => {
        const base = Date.UTC(2026, 5, 1);
        const rules: PoolReturnRule[] = offsets.map((o, i) => () => (o === null ? null : { rule: `r${i}`, dueAt: new Date(base + o * DAY_MS), message: `r${i}` }));
        const decision = poolReturnDecision(candidate(), { ...POLICY, reminderDays }, new Date(base), rules);
        const dues = offsets.filter((o): o is number => o !== null);
        if (dues.length === 0) {
          expect(decision).toBeNull();
          return;
        }
        const min = Math.min(...dues);
        expect(decision!.dueAt.getTime()).toBe(base + min * DAY_MS);
        expect(decision!.rule).toBe(`r${offsets.indexOf(min)}`);
        expect(decision!.remindAt.getTime()).toBe(decision!.dueAt.getTime() - reminderDays * DAY_MS);
      }),
    );
  });
});

describe('candidate bounds (the SQL pre-filter of the sweep and the preview)', () => {
  const until = d('2026-03-31T00:00:00Z');

  it('noFollowUpRule: the later of tenure start and last follow-up at most until − N days', () => {
    const bound = noFollowUpRule.candidates!(POLICY, until);
    const edge = d('2026-03-01T00:00:00Z'); // until − 30 days
    const passes = (ownedSince: Date | null, lastFollowUpAt: Date | null) => matchesCandidateBound(bound, candidate({ ownedSince, lastFollowUpAt }));
    expect(passes(edge, null)).toBe(true);
    expect(passes(new Date(edge.getTime() + 1), null)).toBe(false);
    expect(passes(d('2026-01-01T00:00:00Z'), edge)).toBe(true);
    expect(passes(d('2026-01-01T00:00:00Z'), new Date(edge.getTime() + 1))).toBe(false);
    expect(passes(null, edge)).toBe(true);
    expect(passes(null, null)).toBe(false);
  });

  it('poolCandidateBound: each policy bounds the grades policyFor gives it; "*" the rest, ungraded included', () => {
    const a: PoolPolicy = { ...POLICY, grade: 'A', returnAfterDays: 10 };
    const bound = poolCandidateBound([a, POLICY], () => until);
    const owned = d('2026-03-10T00:00:00Z'); // 21 days before until: due under A (10 days), not under * (30 days)
    expect(matchesCandidateBound(bound, candidate({ grade: 'A', ownedSince: owned }))).toBe(true);
    expect(matchesCandidateBound(bound, candidate({ grade: 'B', ownedSince: owned }))).toBe(false);
    expect(matchesCandidateBound(bound, candidate({ grade: null, ownedSince: d('2026-02-01T00:00:00Z') }))).toBe(true);
    expect(poolCandidateBound([], () => until)).toEqual({ op: 'false' });
    expect(poolCandidateBound([a], () => until, [() => null])).toEqual({ op: 'gradeIn', grades: ['A'] }); // a rule without a bound: every account of the grade
  });

  // Instants clustered around the edges (until − N days), so exact boundaries are hit often.
  const grades = ['A', 'B', 'C', 'D'] as const;
  const policyArb = fc.record({
    grade: fc.constantFrom<PoolPolicy['grade']>('A', 'B', 'C', '*'),
    returnAfterDays: fc.integer({ min: 1, max: 60 }),
    reclaimBlockDays: fc.constant(7),
    reminderDays: fc.integer({ min: 0, max: 10 }),
    maxClaimsPerRep: fc.constant(5),
  });
  const base = Date.UTC(2026, 11, 31, 12);
  const offsetArb = fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: -70 * DAY_MS, max: 5 * DAY_MS }), fc.integer({ min: -70, max: 5 }).map((days) => days * DAY_MS));
  const untilArb = fc.oneof(fc.constantFrom(0, -1, 1), fc.integer({ min: -3, max: 3 }).map((days) => days * DAY_MS), fc.integer({ min: -3 * DAY_MS, max: 3 * DAY_MS }));
  const candidateArb = fc.record({
    accountId: fc.constant('acc_1'),
    grade: fc.option(fc.constantFrom(...grades)),
    primaryOwnerId: fc.option(fc.constant('li')),
    ownerTeamId: fc.option(fc.constant('team_east')),
    ownedSince: fc.option(offsetArb.map((o) => new Date(base + o))),
    lastFollowUpAt: fc.option(offsetArb.map((o) => new Date(base + o))),
  });
  // Another bounded rule, as a later capability would add one: due M days after the tenure start.
  const noDealWithin = (days: number): PoolReturnRule =>
    Object.assign((c: PoolCandidate) => (c.ownedSince ? { rule: 'no-deal', dueAt: new Date(c.ownedSince.getTime() + days * DAY_MS), message: 'no deal' } : null), {
      candidates: (_p: PoolPolicy, u: Date): CandidateBound => ({ op: 'atMost', field: 'ownedSince', instant: new Date(u.getTime() - days * DAY_MS) }),
    });
  const unbounded: PoolReturnRule = (c) => (c.lastFollowUpAt ? { rule: 'unbounded', dueAt: new Date(c.lastFollowUpAt.getTime() + 3 * DAY_MS), message: 'u' } : null);

  it('property: the bound never excludes an account the decision finds due by until (fixed until, or at + reminderDays per policy)', () => {
    fc.assert(
      fc.property(
        fc.array(policyArb, { maxLength: 5 }),
        candidateArb,
        fc.subarray([noFollowUpRule, noDealWithin(20), unbounded], { minLength: 1 }),
        untilArb,
        fc.boolean(),
        (policies, c, rules, untilOffset, perPolicy) => {
          const at = new Date(base + untilOffset);
          const until = (p: PoolPolicy) => (perPolicy ? new Date(at.getTime() + p.reminderDays * DAY_MS) : at);
          const policy = policyFor(policies, c.grade);
          const decision = poolReturnDecision(c, policy, at, rules);
          if (decision && decision.dueAt.getTime() <= until(policy!).getTime()) {
            expect(matchesCandidateBound(poolCandidateBound(policies, until, rules), c)).toBe(true);
          }
          // In reminder terms (the sweep's horizon): remindAt <= at must pass the per-policy bound.
          if (decision && decision.remindAt.getTime() <= at.getTime()) {
            expect(matchesCandidateBound(poolCandidateBound(policies, (p) => new Date(at.getTime() + p.reminderDays * DAY_MS), rules), c)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: for noFollowUpRule the bound is exact on owned accounts (the pre-filter loads only what is due)', () => {
    fc.assert(
      fc.property(fc.array(policyArb, { maxLength: 5 }), candidateArb, untilArb, (policies, c, untilOffset) => {
        fc.pre(c.primaryOwnerId !== null || c.ownerTeamId !== null);
        const until = new Date(base + untilOffset);
        const decision = poolReturnDecision(c, policyFor(policies, c.grade), until, [noFollowUpRule]);
        const due = decision !== null && decision.dueAt.getTime() <= until.getTime();
        expect(matchesCandidateBound(poolCandidateBound(policies, () => until, [noFollowUpRule]), c)).toBe(due);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertCanClaim', () => {
  const at = d('2026-03-01T00:00:00Z');

  it('allows a claim under the cap with no reclaim history', () => {
    expect(() => assertCanClaim({ userId: 'li', at, policy: POLICY, heldCount: 4, lostAt: null })).not.toThrow();
  });

  it('refuses a claim at the cap with PRECONDITION_FAILED, rule claim-cap, and the numbers', () => {
    const err = crmErrorFrom(() => assertCanClaim({ userId: 'li', at, policy: { ...POLICY, grade: 'A' }, heldCount: 5, lostAt: null }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.details).toEqual({ rule: 'claim-cap', held: 5, limit: 5, grade: 'A' });
  });

  it('refuses a claim over the cap too', () => {
    expect(crmErrorFrom(() => assertCanClaim({ userId: 'li', at, policy: POLICY, heldCount: 9, lostAt: null })).details?.rule).toBe('claim-cap');
  });

  it('refuses a reclaim within K days with rule reclaim-block and the instant it ends', () => {
    const lostAt = d('2026-02-27T12:00:00Z');
    const err = crmErrorFrom(() => assertCanClaim({ userId: 'li', at, policy: POLICY, heldCount: 0, lostAt }));
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.details).toEqual({ rule: 'reclaim-block', until: '2026-03-06T12:00:00.000Z' });
  });

  it('allows the reclaim exactly at lostAt + K days, and refuses it 1 ms before (across a year end)', () => {
    const lostAt = d('2025-12-28T09:00:00Z');
    const until = d('2026-01-04T09:00:00Z');
    expect(() => assertCanClaim({ userId: 'li', at: until, policy: POLICY, heldCount: 0, lostAt })).not.toThrow();
    expect(crmErrorFrom(() => assertCanClaim({ userId: 'li', at: new Date(until.getTime() - 1), policy: POLICY, heldCount: 0, lostAt })).details?.rule).toBe('reclaim-block');
  });

  it('the cap is checked before the reclaim block', () => {
    expect(crmErrorFrom(() => assertCanClaim({ userId: 'li', at, policy: POLICY, heldCount: 5, lostAt: at })).details?.rule).toBe('claim-cap');
  });

  it('without a policy there is neither a cap nor a reclaim block', () => {
    expect(() => assertCanClaim({ userId: 'li', at, policy: null, heldCount: 10_000, lostAt: at })).not.toThrow();
  });

  it('property: refused exactly when held >= cap or at < lostAt + K days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 14 }), fc.option(fc.integer({ min: -20 * DAY_MS, max: 0 })), (cap, held, k, lostOffset) => {
        const policy = { ...POLICY, maxClaimsPerRep: cap, reclaimBlockDays: k };
        const lostAt = lostOffset === null ? null : new Date(at.getTime() + lostOffset);
        const expected = held >= cap ? 'claim-cap' : lostAt && at.getTime() < lostAt.getTime() + k * DAY_MS ? 'reclaim-block' : null;
        let got: unknown = null;
        try {
          assertCanClaim({ userId: 'li', at, policy, heldCount: held, lostAt });
        } catch {
          got = crmErrorFrom(() => assertCanClaim({ userId: 'li', at, policy, heldCount: held, lostAt })).details?.rule;
        }
        expect(got).toBe(expected);
      }),
    );
  });
});

describe('tenureStartAfter', () => {
  const at = new Date('2026-05-01T00:00:00Z');
  const none = { teamId: null, primaryOwnerId: null, secondaryOwnerId: null };
  it('starts the pool clock on a claim, a handover to another primary, or a team taking an unowned account', () => {
    expect(tenureStartAfter(none, { ...none, primaryOwnerId: 'li' }, at)).toEqual(at);
    expect(tenureStartAfter({ ...none, primaryOwnerId: 'li' }, { ...none, primaryOwnerId: 'zhao' }, at)).toEqual(at);
    expect(tenureStartAfter(none, { ...none, teamId: 'tm_east' }, at)).toEqual(at);
  });
  it('keeps the clock on a secondary-owner or team change, and clears it when the account goes to the pool', () => {
    expect(tenureStartAfter({ ...none, primaryOwnerId: 'li' }, { ...none, primaryOwnerId: 'li', secondaryOwnerId: 'chen' }, at)).toBeUndefined();
    expect(tenureStartAfter({ ...none, teamId: 'tm_a', primaryOwnerId: 'li' }, { ...none, teamId: 'tm_b', primaryOwnerId: 'li' }, at)).toBeUndefined();
    expect(tenureStartAfter({ ...none, primaryOwnerId: 'li' }, none, at)).toBeNull();
  });
});
