import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../clock.js';
import { explanationStepSchema, type ExplanationStep } from '../explanation.js';
import { followDelegations, resolveResponsible, type AwayFact, type DelegationFact, type DelegationScope, type RoutingFacts, type RoutingPurpose } from './resolve.rules.js';

/*
 * The seed's story (DOMAIN §1, §4): a supermarket chain is owned by the east team (led by wang) with no
 * primary owner; li sells small appliances, zhao power tools. zhou and qian are colleagues who stand in.
 */
const AT = new Date('2026-03-10T09:00:00Z');
const ACCOUNT = 'acc_chain';
const APPLIANCES = { id: 'pl_appliances', memberId: 'li' };
const TOOLS = { id: 'pl_tools', memberId: 'zhao' };

function facts(over: Partial<RoutingFacts> = {}): RoutingFacts {
  return {
    at: AT,
    purpose: 'order',
    accountId: ACCOUNT,
    ownership: { teamId: 'team_east', primaryOwnerId: null, secondaryOwnerId: null },
    leaderId: 'wang',
    activeUserIds: new Set(['wang', 'li', 'zhao', 'zhou', 'qian', 'sun']),
    delegations: [],
    away: [],
    ...over,
  };
}

let seq = 0;
function delegation(delegatorId: string, delegateId: string, over: Partial<DelegationFact> = {}): DelegationFact {
  return {
    id: `del_${++seq}`,
    delegatorId,
    delegateId,
    scope: 'all',
    accountIds: [],
    validFrom: new Date(AT.getTime() - 2 * DAY_MS),
    validTo: new Date(AT.getTime() + 5 * DAY_MS),
    ...over,
  };
}

function away(userId: string, from = new Date(AT.getTime() - DAY_MS), to = new Date(AT.getTime() + 5 * DAY_MS)): AwayFact {
  return { userId, awayFrom: from, awayTo: to };
}

/** The explanation without its prose, for exact comparison. */
const trace = (steps: readonly ExplanationStep[]) => steps.map((s) => [s.rule, s.outcome, s.subjectId]);

describe('resolveResponsible: the seed story (team-owned supermarket chain, reps by product line)', () => {
  it('routes an appliance order line to the appliance rep, explaining the product-line match', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES }));
    expect(r.userId).toBe('li');
    expect(trace(r.explanation)).toEqual([['product-line', 'matched', 'li']]);
    expect(r.explanation[0]!.message).toContain('pl_appliances');
  });

  it('routes a power-tool order line to the power-tool rep', () => {
    const r = resolveResponsible(facts({ productLine: TOOLS }));
    expect(r.userId).toBe('zhao');
    expect(trace(r.explanation)).toEqual([['product-line', 'matched', 'zhao']]);
  });

  it('an unmatched product line falls back to the team leader with outcome fallback, after skipping each earlier rule', () => {
    const r = resolveResponsible(facts({ productLine: { id: 'pl_garden', memberId: null } }));
    expect(r.userId).toBe('wang');
    expect(trace(r.explanation)).toEqual([
      ['product-line', 'skipped', null],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'skipped', null],
      ['team-leader', 'fallback', 'wang'],
    ]);
  });

  it('no product line asked and no owners: the leader, as fallback', () => {
    const r = resolveResponsible(facts());
    expect(r.userId).toBe('wang');
    expect(r.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'fallback', subjectId: 'wang' });
  });

  it('the appliance rep on leave with a delegate: the delegate, with a delegation step applied', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES, away: [away('li')], delegations: [delegation('li', 'zhou')] }));
    expect(r.userId).toBe('zhou');
    expect(trace(r.explanation)).toEqual([
      ['delegation', 'applied', 'zhou'],
      ['product-line', 'matched', 'zhou'],
    ]);
    expect(r.explanation[1]!.message).toContain('acting for li');
  });

  it('the appliance rep on leave without a delegate: the secondary owner', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES, away: [away('li')], ownership: { teamId: 'team_east', primaryOwnerId: null, secondaryOwnerId: 'sun' } }));
    expect(r.userId).toBe('sun');
    expect(trace(r.explanation)).toEqual([
      ['availability', 'skipped', 'li'],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'matched', 'sun'],
    ]);
  });

  it('the appliance rep on leave without a delegate and no secondary owner: the leader', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES, away: [away('li')] }));
    expect(r.userId).toBe('wang');
    expect(trace(r.explanation)).toEqual([
      ['availability', 'skipped', 'li'],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'skipped', null],
      ['team-leader', 'fallback', 'wang'],
    ]);
  });

  it('the power-tool line is unaffected by the appliance rep being away', () => {
    expect(resolveResponsible(facts({ productLine: TOOLS, away: [away('li')] })).userId).toBe('zhao');
  });
});

describe('resolveResponsible: order of preference', () => {
  const owned = { teamId: 'team_east', primaryOwnerId: 'sun', secondaryOwnerId: 'qian' };

  it('an order-tied question goes to the order line rep before the product-line member', () => {
    const r = resolveResponsible(facts({ purpose: 'order', orderRepId: 'zhao', productLine: APPLIANCES, ownership: owned }));
    expect(r.userId).toBe('zhao');
    expect(trace(r.explanation)).toEqual([['order-rep', 'matched', 'zhao']]);
  });

  it('a complaint about an order goes to that order line rep', () => {
    expect(resolveResponsible(facts({ purpose: 'complaint', orderRepId: 'zhao', productLine: APPLIANCES, ownership: owned })).userId).toBe('zhao');
  });

  it('the order rep is ignored for purposes not tied to an order (renewal, approval)', () => {
    expect(resolveResponsible(facts({ purpose: 'renewal', orderRepId: 'zhao', productLine: APPLIANCES, ownership: owned })).userId).toBe('li');
    expect(resolveResponsible(facts({ purpose: 'approval', orderRepId: 'zhao', ownership: owned })).userId).toBe('sun');
  });

  it('an order with no rep recorded (null) is a skipped order-rep step, then the product-line member', () => {
    const r = resolveResponsible(facts({ purpose: 'order', orderRepId: null, productLine: APPLIANCES }));
    expect(r.userId).toBe('li');
    expect(trace(r.explanation)).toEqual([
      ['order-rep', 'skipped', null],
      ['product-line', 'matched', 'li'],
    ]);
  });

  it('the primary owner comes before the secondary owner, and both before the leader', () => {
    expect(resolveResponsible(facts({ ownership: owned })).userId).toBe('sun');
    expect(resolveResponsible(facts({ ownership: owned, away: [away('sun')] })).userId).toBe('qian');
    expect(resolveResponsible(facts({ ownership: owned, away: [away('sun'), away('qian')] })).userId).toBe('wang');
  });

  it('an owner who is no longer an active user is skipped', () => {
    const r = resolveResponsible(facts({ ownership: owned, activeUserIds: new Set(['wang', 'qian']) }));
    expect(r.userId).toBe('qian');
    expect(trace(r.explanation)).toEqual([
      ['availability', 'skipped', 'sun'],
      ['secondary-owner', 'matched', 'qian'],
    ]);
  });

  it("the leader's override wins over every other rule and is recorded with who and why", () => {
    const r = resolveResponsible(
      facts({ purpose: 'order', orderRepId: 'li', productLine: APPLIANCES, ownership: owned, override: { id: 'ovr_1', userId: 'zhao', actorId: 'wang', reason: 'key account' } }),
    );
    expect(r.userId).toBe('zhao');
    expect(trace(r.explanation)).toEqual([['override', 'matched', 'zhao']]);
    expect(r.explanation[0]!.message).toContain('override by wang: key account');
  });

  it('an override to someone away without a delegate falls through to the next rule', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES, override: { id: 'ovr_1', userId: 'zhao', actorId: 'wang', reason: 'x' }, away: [away('zhao')] }));
    expect(r.userId).toBe('li');
    expect(trace(r.explanation)).toEqual([
      ['availability', 'skipped', 'zhao'],
      ['product-line', 'matched', 'li'],
    ]);
  });

  it('an override to someone who delegates goes to their delegate', () => {
    const r = resolveResponsible(facts({ override: { id: 'ovr_1', userId: 'zhao', actorId: 'wang', reason: 'x' }, delegations: [delegation('zhao', 'qian')] }));
    expect(r.userId).toBe('qian');
    expect(trace(r.explanation)).toEqual([
      ['delegation', 'applied', 'qian'],
      ['override', 'matched', 'qian'],
    ]);
  });
});

describe('resolveResponsible: delegation scopes', () => {
  it("a 'complaints' delegation applies to complaints only", () => {
    const delegations = [delegation('li', 'zhou', { scope: 'complaints' })];
    expect(resolveResponsible(facts({ purpose: 'complaint', orderRepId: 'li', delegations })).userId).toBe('zhou');
    expect(resolveResponsible(facts({ purpose: 'order', orderRepId: 'li', delegations })).userId).toBe('li');
    for (const purpose of ['approval', 'renewal', 'pool-notice', 'general'] as const) {
      expect(resolveResponsible(facts({ purpose, productLine: APPLIANCES, delegations })).userId).toBe('li');
    }
  });

  it("an 'approvals' delegation applies to approvals only", () => {
    const delegations = [delegation('li', 'zhou', { scope: 'approvals' })];
    expect(resolveResponsible(facts({ purpose: 'approval', productLine: APPLIANCES, delegations })).userId).toBe('zhou');
    expect(resolveResponsible(facts({ purpose: 'order', productLine: APPLIANCES, delegations })).userId).toBe('li');
    expect(resolveResponsible(facts({ purpose: 'complaint', orderRepId: 'li', delegations })).userId).toBe('li');
  });

  it("an 'accounts' delegation applies only to the accounts it lists, for every purpose", () => {
    const delegations = [delegation('li', 'zhou', { scope: 'accounts', accountIds: ['acc_other', ACCOUNT] })];
    for (const purpose of ['order', 'approval', 'renewal', 'general'] as const) {
      expect(resolveResponsible(facts({ purpose, productLine: APPLIANCES, delegations })).userId).toBe('zhou');
    }
    expect(resolveResponsible(facts({ accountId: 'acc_elsewhere', productLine: APPLIANCES, delegations })).userId).toBe('li');
  });

  it('a scoped delegation that does not cover the question leaves an away delegator without a delegate', () => {
    const r = resolveResponsible(facts({ purpose: 'order', productLine: APPLIANCES, away: [away('li')], delegations: [delegation('li', 'zhou', { scope: 'complaints' })] }));
    expect(r.userId).toBe('wang');
    expect(r.explanation[0]).toMatchObject({ rule: 'availability', outcome: 'skipped', subjectId: 'li' });
  });

  it('of two covering delegations in force, the most recently started one applies', () => {
    const older = delegation('li', 'zhou', { validFrom: new Date(AT.getTime() - 3 * DAY_MS) });
    const newer = delegation('li', 'qian', { scope: 'accounts', accountIds: [ACCOUNT], validFrom: new Date(AT.getTime() - DAY_MS) });
    expect(resolveResponsible(facts({ productLine: APPLIANCES, delegations: [older, newer] })).userId).toBe('qian');
    expect(resolveResponsible(facts({ productLine: APPLIANCES, delegations: [newer, older] })).userId).toBe('qian');
  });
});

describe('resolveResponsible: delegation chains, loops and windows', () => {
  it('a chain li → zhou → qian with zhou away resolves to qian, each hop explained', () => {
    const r = resolveResponsible(facts({ productLine: APPLIANCES, away: [away('li'), away('zhou')], delegations: [delegation('li', 'zhou'), delegation('zhou', 'qian')] }));
    expect(r.userId).toBe('qian');
    expect(trace(r.explanation)).toEqual([
      ['delegation', 'applied', 'zhou'],
      ['delegation', 'applied', 'qian'],
      ['product-line', 'matched', 'qian'],
    ]);
  });

  it('a chain that ends in someone away without a delegate passes the candidate over', () => {
    const r = resolveResponsible(
      facts({ productLine: APPLIANCES, ownership: { teamId: 'team_east', primaryOwnerId: null, secondaryOwnerId: 'sun' }, away: [away('zhou')], delegations: [delegation('li', 'zhou')] }),
    );
    expect(r.userId).toBe('sun');
    expect(trace(r.explanation)).toEqual([
      ['delegation', 'applied', 'zhou'],
      ['availability', 'skipped', 'zhou'],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'matched', 'sun'],
    ]);
  });

  it('a delegation loop (that bypassed validation) terminates, is explained, and the next rule is taken', () => {
    const r = resolveResponsible(
      facts({ productLine: APPLIANCES, ownership: { teamId: 'team_east', primaryOwnerId: null, secondaryOwnerId: 'sun' }, delegations: [delegation('li', 'zhou'), delegation('zhou', 'li')] }),
    );
    expect(r.userId).toBe('sun');
    expect(trace(r.explanation)).toEqual([
      ['delegation', 'applied', 'zhou'],
      ['delegation', 'applied', 'li'],
      ['delegation', 'skipped', 'li'],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'matched', 'sun'],
    ]);
  });

  it('a delegation in force from validFrom (inclusive) applies at that exact instant', () => {
    const delegations = [delegation('li', 'zhou', { validFrom: AT })];
    expect(resolveResponsible(facts({ productLine: APPLIANCES, delegations })).userId).toBe('zhou');
    expect(resolveResponsible(facts({ at: new Date(AT.getTime() - 1), productLine: APPLIANCES, delegations })).userId).toBe('li');
  });

  it('an expired delegation is ignored: not in force at validTo (exclusive), in force 1 ms before', () => {
    const delegations = [delegation('li', 'zhou', { validTo: AT })];
    const base = { productLine: APPLIANCES, away: [away('li')], ownership: { teamId: 'team_east', primaryOwnerId: null, secondaryOwnerId: 'sun' }, delegations };
    expect(resolveResponsible(facts(base)).userId).toBe('sun');
    expect(resolveResponsible(facts({ ...base, at: new Date(AT.getTime() - 1) })).userId).toBe('zhou');
  });

  it('away windows are inclusive of awayFrom and exclusive of awayTo', () => {
    const leave = [away('li', AT, new Date(AT.getTime() + HOUR_MS))];
    expect(resolveResponsible(facts({ productLine: APPLIANCES, away: leave })).userId).toBe('wang');
    expect(resolveResponsible(facts({ at: new Date(AT.getTime() - 1), productLine: APPLIANCES, away: leave })).userId).toBe('li');
    expect(resolveResponsible(facts({ at: new Date(AT.getTime() + HOUR_MS), productLine: APPLIANCES, away: leave })).userId).toBe('li');
  });
});

describe('resolveResponsible: the leader and the pool', () => {
  it('an away leader without a delegate is still chosen as the last resort', () => {
    const r = resolveResponsible(facts({ away: [away('wang')] }));
    expect(r.userId).toBe('wang');
    expect(r.explanation.at(-2)).toMatchObject({ rule: 'availability', outcome: 'skipped', subjectId: 'wang' });
    expect(r.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'fallback', subjectId: 'wang' });
  });

  it("a delegating leader's delegate takes the fallback", () => {
    const r = resolveResponsible(facts({ away: [away('wang')], delegations: [delegation('wang', 'qian')] }));
    expect(r.userId).toBe('qian');
    expect(r.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'fallback', subjectId: 'qian' });
    expect(r.explanation.at(-1)!.message).toContain('acting for the team leader wang');
  });

  it('an account with owners but no leader and nobody available answers null, explained', () => {
    const r = resolveResponsible(facts({ ownership: { teamId: null, primaryOwnerId: 'sun', secondaryOwnerId: null }, leaderId: null, away: [away('sun')] }));
    expect(r.userId).toBeNull();
    expect(r.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'skipped', subjectId: null });
  });

  it('a pool account (no ownership row, or no team and no owners) answers null with a single pool step', () => {
    for (const ownership of [null, { teamId: null, primaryOwnerId: null, secondaryOwnerId: null }]) {
      const r = resolveResponsible(facts({ ownership, leaderId: null, productLine: APPLIANCES, override: { id: 'o', userId: 'zhao', actorId: 'wang', reason: 'x' } }));
      expect(r.userId).toBeNull();
      expect(trace(r.explanation)).toEqual([['pool', 'matched', null]]);
    }
  });
});

describe('followDelegations', () => {
  it('returns the person themselves with no steps when they are available and not delegating', () => {
    expect(followDelegations(facts(), 'li', 'rep')).toEqual({ userId: 'li', steps: [] });
  });

  it('a self-delegation (bypassing validation) is a loop and yields nobody', () => {
    const r = followDelegations(facts({ delegations: [delegation('li', 'li')] }), 'li', 'rep');
    expect(r.userId).toBeNull();
    expect(trace(r.steps)).toEqual([
      ['delegation', 'applied', 'li'],
      ['delegation', 'skipped', 'li'],
    ]);
  });
});

/* ---------------------------------------------------------------- property ------------------------------------------------------------- */

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'] as const;
const ACCOUNTS = ['acc1', 'acc2', 'acc3'] as const;
const PURPOSES: RoutingPurpose[] = ['order', 'complaint', 'approval', 'renewal', 'pool-notice', 'general'];
const SCOPES: DelegationScope[] = ['all', 'complaints', 'approvals', 'accounts'];
const BASE = Date.UTC(2026, 0, 1);
/** Instants are whole hours over four days, so windows often start, end or touch at the asked instant. */
const hour = (h: number) => new Date(BASE + h * HOUR_MS);
const arbUser = fc.constantFrom(...USERS);
const arbWindow = fc.tuple(fc.integer({ min: 0, max: 72 }), fc.integer({ min: 1, max: 48 })).map(([from, len]) => [hour(from), hour(from + len)] as const);

const arbDelegation: fc.Arbitrary<DelegationFact> = fc
  .record({
    id: fc.uuid(),
    delegatorId: arbUser,
    delegateId: arbUser, // self-delegations and cycles included: the resolver must survive data that bypassed validation
    scope: fc.constantFrom<DelegationScope>('all', 'all', 'all', ...SCOPES),
    accountIds: fc.subarray([...ACCOUNTS]),
    window: arbWindow,
  })
  .map(({ window, ...d }) => ({ ...d, validFrom: window[0], validTo: window[1] }));

const arbAway: fc.Arbitrary<AwayFact> = fc.record({ userId: arbUser, window: arbWindow }).map(({ userId, window }) => ({ userId, awayFrom: window[0], awayTo: window[1] }));

const arbFacts: fc.Arbitrary<RoutingFacts> = fc
  .record({
    atHour: fc.integer({ min: 0, max: 96 }),
    purpose: fc.constantFrom(...PURPOSES),
    accountId: fc.constantFrom(...ACCOUNTS),
    ownership: fc.option(fc.record({ teamId: fc.option(fc.constant('team_1')), primaryOwnerId: fc.option(arbUser), secondaryOwnerId: fc.option(arbUser) }), { freq: 10 }),
    leaderId: fc.option(arbUser, { freq: 4 }),
    productLine: fc.option(fc.record({ id: fc.constant('pl_1'), memberId: fc.option(arbUser) })),
    orderRepId: fc.oneof(fc.constant(undefined), fc.constant(null), arbUser),
    override: fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: fc.record({ id: fc.constant('ovr_1'), userId: arbUser, actorId: arbUser, reason: fc.constant('because') }), weight: 1 },
    ),
    active: fc.subarray([...USERS]),
    delegations: fc.array(arbDelegation, { maxLength: 20 }),
    away: fc.array(arbAway, { maxLength: 8 }),
  })
  .map(({ atHour, productLine, active, ...f }) => ({
    ...f,
    at: hour(atHour),
    ...(productLine ? { productLine } : {}),
    activeUserIds: new Set(active),
  }));

/** Independent oracles (not the resolver's helpers). */
const isAwayAt = (f: RoutingFacts, u: string) => f.away.some((a) => a.userId === u && a.awayFrom <= f.at && f.at < a.awayTo);
const delegatesAt = (f: RoutingFacts, u: string) =>
  f.delegations.some(
    (d) =>
      d.delegatorId === u &&
      d.validFrom <= f.at &&
      f.at < d.validTo &&
      (d.scope === 'all' ||
        (d.scope === 'complaints' && f.purpose === 'complaint') ||
        (d.scope === 'approvals' && f.purpose === 'approval') ||
        (d.scope === 'accounts' && d.accountIds.includes(f.accountId))),
  );
const isPool = (f: RoutingFacts) => !f.ownership || (f.ownership.teamId === null && f.ownership.primaryOwnerId === null && f.ownership.secondaryOwnerId === null);

describe('resolveResponsible: properties over random teams, delegations (with cycles) and availability', () => {
  it('always answers an active, present, non-delegating user of the tenant, or the leader; never loops; the last step names the answer', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const r = resolveResponsible(f);
        // terminates with a bounded explanation: at most 5 candidates plus the leader, each hop visiting a person once
        expect(r.explanation.length).toBeLessThanOrEqual(6 * (USERS.length + 2));
        for (const s of r.explanation) expect(explanationStepSchema.safeParse(s).success).toBe(true);
        const last = r.explanation.at(-1)!;
        expect(last.subjectId).toBe(r.userId);

        if (isPool(f)) {
          expect(r.userId).toBeNull();
          expect(last.rule).toBe('pool');
          expect(r.explanation).toHaveLength(1);
          return;
        }
        if (r.userId === null) {
          // only possible when there is no leader to fall back on
          expect(f.leaderId).toBeNull();
          expect(last).toMatchObject({ rule: 'team-leader', outcome: 'skipped' });
          return;
        }
        const available = f.activeUserIds.has(r.userId) && !isAwayAt(f, r.userId) && !delegatesAt(f, r.userId);
        expect(available || r.userId === f.leaderId).toBe(true);
        if (!available) expect(last).toMatchObject({ rule: 'team-leader', outcome: 'fallback' });
      }),
      { numRuns: 3000 },
    );
  });

  it('an owned account whose team has a leader always has someone responsible', () => {
    fc.assert(
      fc.property(arbFacts, arbUser, fc.option(arbUser), fc.option(arbUser), (f, leaderId, primaryOwnerId, secondaryOwnerId) => {
        const r = resolveResponsible({ ...f, ownership: { teamId: 'team_1', primaryOwnerId, secondaryOwnerId }, leaderId });
        expect(r.userId).not.toBeNull();
        expect(r.explanation.at(-1)!.subjectId).toBe(r.userId);
      }),
      { numRuns: 1000 },
    );
  });

  it('the first candidate in the order of preference wins when they are available and not delegating', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        if (isPool(f)) return;
        const own = f.ownership!;
        // Complaints (DOMAIN §2): the order's rep, then the secondary owner; none tied to an order: the leader.
        const order =
          f.purpose === 'complaint'
            ? [f.override?.userId, ...(f.orderRepId || f.productLine ? [f.orderRepId, f.productLine?.memberId, own.secondaryOwnerId] : [])]
            : [f.override?.userId, f.purpose === 'order' ? f.orderRepId : undefined, f.productLine?.memberId, own.primaryOwnerId, own.secondaryOwnerId];
        const first = order.find((u) => !!u);
        if (!first || !f.activeUserIds.has(first) || isAwayAt(f, first) || delegatesAt(f, first)) return;
        const r = resolveResponsible(f);
        expect(r.userId).toBe(first);
        const noted = r.explanation.filter((s) => (s.outcome === 'skipped' && s.subjectId === null) || s.rule === 'complaint').length;
        expect(r.explanation).toHaveLength(noted + 1);
      }),
      { numRuns: 2000 },
    );
  });

  it('every delegation step the explanation applies is a delegation in force at the instant and covering the question', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const r = resolveResponsible(f);
        const applied = r.explanation.filter((s) => s.rule === 'delegation' && s.outcome === 'applied').map((s) => s.subjectId);
        for (const delegate of applied) {
          expect(f.delegations.some((d) => d.delegateId === delegate && delegatesAt({ ...f, delegations: [d] }, d.delegatorId))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('resolveResponsible: complaints (DOMAIN §2)', () => {
  const owned = { teamId: 'team_east', primaryOwnerId: 'li', secondaryOwnerId: 'zhou' };

  it('sends a complaint tied to no order or product line straight to the team leader, who assigns it', () => {
    const r = resolveResponsible(facts({ purpose: 'complaint', ownership: owned }));
    expect(r.userId).toBe('wang');
    expect(trace(r.explanation)).toEqual([
      ['complaint', 'applied', null],
      ['team-leader', 'fallback', 'wang'],
    ]);
  });

  it('sends a complaint about an order to its rep, then (rep away, no delegate) to the secondary owner, never the primary owner', () => {
    expect(resolveResponsible(facts({ purpose: 'complaint', ownership: owned, orderRepId: 'zhao' })).userId).toBe('zhao');
    const r = resolveResponsible(facts({ purpose: 'complaint', ownership: owned, orderRepId: 'zhao', away: [away('zhao')] }));
    expect(r.userId).toBe('zhou');
    expect(trace(r.explanation).map(([rule]) => rule)).toEqual(['availability', 'secondary-owner']);
    const noSecondary = resolveResponsible(facts({ purpose: 'complaint', ownership: { ...owned, secondaryOwnerId: null }, orderRepId: 'zhao', away: [away('zhao')] }));
    expect(noSecondary.userId).toBe('wang');
  });

  it('sends a complaint about a product line to its member, then the secondary owner', () => {
    const r = resolveResponsible(facts({ purpose: 'complaint', ownership: { ...owned, primaryOwnerId: null }, productLine: TOOLS }));
    expect(trace(r.explanation)).toEqual([['product-line', 'matched', 'zhao']]);
    const away2 = resolveResponsible(facts({ purpose: 'complaint', ownership: owned, productLine: TOOLS, away: [away('zhao')] }));
    expect(away2.userId).toBe('zhou');
  });
});
