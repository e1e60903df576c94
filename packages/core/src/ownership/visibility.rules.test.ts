import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../roles.js';
import { canSee, visibilityScope, type OwnedAccount, type VisibilityFacts } from './visibility.rules.js';

/*
 * wang leads team_east (and its sub-team team_east_b), li is a member of team_east, zhou delegated all
 * his work to li, and sun delegated only account acc_sun_delegated to li.
 */
const account = (id: string, ownerTeamId: string | null, primaryOwnerId: string | null = null, secondaryOwnerId: string | null = null): OwnedAccount => ({
  id,
  ownerTeamId,
  primaryOwnerId,
  secondaryOwnerId,
});
const ACCOUNTS = {
  eastTeam: account('acc_east', 'team_east'),
  eastSubTeam: account('acc_east_b', 'team_east_b'),
  westTeam: account('acc_west', 'team_west'),
  actorPrimary: account('acc_primary', 'team_west', 'ACTOR'),
  actorSecondary: account('acc_secondary', 'team_west', 'qian', 'ACTOR'),
  zhouPrimary: account('acc_zhou', 'team_west', 'zhou'),
  zhouSecondary: account('acc_zhou2', null, 'qian', 'zhou'),
  sunDelegated: account('acc_sun_delegated', 'team_west', 'sun'),
  sunOther: account('acc_sun_other', 'team_west', 'sun'),
  pool: account('acc_pool', null),
};

function factsFor(role: Role, actorId: string): VisibilityFacts {
  return {
    actorId,
    role,
    ledTeamIds: role === 'manager' ? ['team_east', 'team_east_b'] : [],
    memberTeamIds: ['team_east'],
    delegatorIds: ['zhou'],
    delegatedAccountIds: ['acc_sun_delegated'],
  };
}

/** The accounts (by key of ACCOUNTS) each role sees, with the actor's id substituted for ACTOR. */
function visibleKeys(role: Role): string[] {
  const actorId = 'me';
  const scope = visibilityScope(factsFor(role, actorId));
  return Object.entries(ACCOUNTS)
    .filter(([, a]) =>
      canSee(scope, { ...a, primaryOwnerId: a.primaryOwnerId === 'ACTOR' ? actorId : a.primaryOwnerId, secondaryOwnerId: a.secondaryOwnerId === 'ACTOR' ? actorId : a.secondaryOwnerId }),
    )
    .map(([k]) => k);
}

describe('visibilityScope and canSee: per role', () => {
  it.each(['admin', 'service', 'integration'] as const)('%s sees the whole tenant, pool included', (role) => {
    expect(visibilityScope(factsFor(role, 'me'))).toEqual({ all: true });
    expect(visibleKeys(role)).toEqual(Object.keys(ACCOUNTS));
  });

  it('a manager sees the teams they lead (with sub-teams), their member teams, what they own, and what was delegated to them', () => {
    expect(visibleKeys('manager')).toEqual(['eastTeam', 'eastSubTeam', 'actorPrimary', 'actorSecondary', 'zhouPrimary', 'zhouSecondary', 'sunDelegated']);
  });

  it("a rep sees their member teams' accounts, what they own (primary or secondary), their delegators' accounts and delegated accounts: nothing else", () => {
    expect(visibleKeys('rep')).toEqual(['eastTeam', 'actorPrimary', 'actorSecondary', 'zhouPrimary', 'zhouSecondary', 'sunDelegated']);
  });

  it("a rep does not see a led team's accounts even if the facts list one (only managers get led teams)", () => {
    const scope = visibilityScope({ ...factsFor('rep', 'me'), ledTeamIds: ['team_east_b'] });
    expect(canSee(scope, ACCOUNTS.eastSubTeam)).toBe(false);
  });

  it('the rep scope is made of sets: member teams, self plus delegators as owners, delegated accounts', () => {
    expect(visibilityScope(factsFor('rep', 'me'))).toEqual({ all: false, teamIds: ['team_east'], ownerIds: ['me', 'zhou'], accountIds: ['acc_sun_delegated'] });
    expect(visibilityScope(factsFor('manager', 'me'))).toEqual({ all: false, teamIds: ['team_east', 'team_east_b'], ownerIds: ['me', 'zhou'], accountIds: ['acc_sun_delegated'] });
  });

  it('a rep with no team, no accounts and no delegations sees nothing', () => {
    const scope = visibilityScope({ actorId: 'new', role: 'rep', ledTeamIds: [], memberTeamIds: [], delegatorIds: [], delegatedAccountIds: [] });
    for (const a of Object.values(ACCOUNTS)) expect(canSee(scope, a)).toBe(false);
  });

  it('pool accounts are invisible to reps and managers, whatever their teams and delegations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Role>('rep', 'manager'),
        fc.record({
          led: fc.array(fc.constantFrom('t1', 't2', 't3')),
          member: fc.array(fc.constantFrom('t1', 't2', 't3')),
          delegators: fc.array(fc.constantFrom('u1', 'u2', 'u3')),
          accounts: fc.array(fc.constantFrom('a1', 'a2')),
        }),
        (role, f) => {
          const scope = visibilityScope({ actorId: 'u0', role, ledTeamIds: f.led, memberTeamIds: f.member, delegatorIds: f.delegators, delegatedAccountIds: f.accounts });
          expect(canSee(scope, account('a_pool', null))).toBe(false);
        },
      ),
    );
  });
});

describe('canSee: property against the rule as written', () => {
  it('a rep sees an account exactly when it is owned by a member team, by the rep or a delegator, or delegated by id', () => {
    const id = fc.constantFrom('a1', 'a2', 'a3');
    const team = fc.option(fc.constantFrom('t1', 't2', 't3'));
    const user = fc.option(fc.constantFrom('me', 'u1', 'u2', 'u3'));
    fc.assert(
      fc.property(
        fc.record({ id, ownerTeamId: team, primaryOwnerId: user, secondaryOwnerId: user }),
        fc.subarray(['t1', 't2', 't3']),
        fc.subarray(['t1', 't2', 't3']),
        fc.subarray(['u1', 'u2', 'u3']),
        fc.subarray(['a1', 'a2', 'a3']),
        (acc, led, member, delegators, delegated) => {
          const scope = visibilityScope({ actorId: 'me', role: 'rep', ledTeamIds: led, memberTeamIds: member, delegatorIds: delegators, delegatedAccountIds: delegated });
          const owners = ['me', ...delegators];
          const expected =
            (acc.ownerTeamId !== null && member.includes(acc.ownerTeamId)) ||
            (acc.primaryOwnerId !== null && owners.includes(acc.primaryOwnerId)) ||
            (acc.secondaryOwnerId !== null && owners.includes(acc.secondaryOwnerId)) ||
            delegated.includes(acc.id);
          expect(canSee(scope, acc)).toBe(expected);
          // a manager sees at least what a rep with the same facts sees, plus the led teams
          const mgr = visibilityScope({ actorId: 'me', role: 'manager', ledTeamIds: led, memberTeamIds: member, delegatorIds: delegators, delegatedAccountIds: delegated });
          expect(canSee(mgr, acc)).toBe(expected || (acc.ownerTeamId !== null && led.includes(acc.ownerTeamId)));
        },
      ),
    );
  });
});
