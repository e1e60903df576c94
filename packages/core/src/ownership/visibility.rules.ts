import type { Role } from '../roles.js';

/** What an actor may see, as sets: an account is visible when it matches any of them. */
export type VisibilityScope =
  | { all: true }
  | { all: false; teamIds: readonly string[]; ownerIds: readonly string[]; accountIds: readonly string[] };

export interface VisibilityFacts {
  actorId: string;
  role: Role;
  /** Teams the actor leads now, with their sub-teams. */
  ledTeamIds: readonly string[];
  /** Teams the actor is a member (or leader) of now. */
  memberTeamIds: readonly string[];
  /** Users who have an `all`-scope delegation to the actor in force now. */
  delegatorIds: readonly string[];
  /**
   * Accounts named by `accounts`-scope delegations to the actor in force now, only those their
   * delegator still holds (`heldScope`): the caller narrows them before asking.
   */
  delegatedAccountIds: readonly string[];
}

/**
 * Who sees which accounts: admins, service users and integrations see the whole tenant (an
 * integration key is narrowed by its scopes instead); a manager sees the accounts of the teams
 * they lead (and sub-teams); a rep sees the accounts they own (primary or secondary), those of
 * teams they belong to, and those of people who delegated to them.
 */
export function visibilityScope(f: VisibilityFacts): VisibilityScope {
  if (f.role === 'admin' || f.role === 'service' || f.role === 'integration') return { all: true };
  const teamIds = new Set([...f.memberTeamIds, ...(f.role === 'manager' ? f.ledTeamIds : [])]);
  return { all: false, teamIds: [...teamIds], ownerIds: [f.actorId, ...f.delegatorIds], accountIds: [...f.delegatedAccountIds] };
}

/** What a user holds: the teams they belong to now, and (for a manager) those they lead with their sub-teams. */
export type HoldingFacts = Pick<VisibilityFacts, 'actorId' | 'role' | 'ledTeamIds' | 'memberTeamIds'>;

/**
 * The accounts a user holds: those they own (primary or secondary) and those of their teams, as
 * their own visibility reaches them (led sub-teams count for managers), but never through a
 * delegation to them nor the whole tenant by role. A delegation passes on only these, so it never
 * widens anyone's visibility beyond the delegator's own.
 *
 * @example canSee(heldScope({ actorId: 'li', role: 'rep', ledTeamIds: [], memberTeamIds: ['east'] }), account)
 */
export function heldScope(f: HoldingFacts): VisibilityScope {
  return visibilityScope({ ...f, role: f.role === 'manager' ? 'manager' : 'rep', delegatorIds: [], delegatedAccountIds: [] });
}

export interface OwnedAccount {
  id: string;
  ownerTeamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
}

/** Whether an account is inside a visibility scope: the rule the server's query filter mirrors. */
export function canSee(scope: VisibilityScope, account: OwnedAccount): boolean {
  if (scope.all) return true;
  return (
    (account.ownerTeamId !== null && scope.teamIds.includes(account.ownerTeamId)) ||
    (account.primaryOwnerId !== null && scope.ownerIds.includes(account.primaryOwnerId)) ||
    (account.secondaryOwnerId !== null && scope.ownerIds.includes(account.secondaryOwnerId)) ||
    scope.accountIds.includes(account.id)
  );
}
