import type { Role } from '../roles.js';

/**
 * Whom and which teams an actor may manage: everything in the tenant, or these teams and these
 * users. Writes that change teams, hand out accounts or act for another person check it.
 */
export type ManagementScope = { all: true } | { all: false; teamIds: readonly string[]; userIds: readonly string[] };

/** How far an actor's management reaches, before any team is loaded. */
export type ManagementReach = 'tenant' | 'led-teams' | 'self';

export interface ManagementActor {
  type: 'user' | 'apiKey' | 'system';
  id: string;
  role: Role;
}

export interface ManagementFacts extends ManagementActor {
  /** Teams a manager leads now, with every sub-team below them (the set visibility uses). */
  ledTeamIds: readonly string[];
  /** Users who belong now (as leader or member) to those teams. */
  memberIds: readonly string[];
}

/**
 * How far an actor's management reaches: admins (users, API keys, system actors) manage the whole
 * tenant, and so do the roles that see it whole (service, integration) and a manager's API key, each
 * bounded by its permissions; a manager user manages the teams they lead; a rep manages nobody but
 * themselves (a rep's API key, with no user of its own, nobody at all).
 *
 * @example managementReach({ type: 'user', id: 'mei', role: 'manager' }) // 'led-teams'
 */
export function managementReach(actor: ManagementActor): ManagementReach {
  if (actor.role === 'rep') return 'self';
  if (actor.role === 'manager' && actor.type === 'user') return 'led-teams';
  return 'tenant';
}

/**
 * The teams and users an actor manages: a manager the teams they lead now and every sub-team
 * below them, and the people in those teams (themselves included); a rep only themselves.
 *
 * @example managementScope({ type: 'user', id: 'mei', role: 'manager', ledTeamIds: ['east'], memberIds: ['li'] })
 * // { all: false, teamIds: ['east'], userIds: ['mei', 'li'] }
 */
export function managementScope(f: ManagementFacts): ManagementScope {
  switch (managementReach(f)) {
    case 'tenant':
      return { all: true };
    case 'led-teams':
      return { all: false, teamIds: [...new Set(f.ledTeamIds)], userIds: [...new Set([f.id, ...f.memberIds])] };
    case 'self':
      return { all: false, teamIds: [], userIds: f.type === 'user' ? [f.id] : [] };
  }
}

/** Whether the scope may change the team: its members, leader, product lines, sub-teams, accounts. */
export function managesTeam(scope: ManagementScope, teamId: string): boolean {
  return scope.all || scope.teamIds.includes(teamId);
}

/** Whether the scope may act for the user: delegate their work, mark them away, hand them accounts. */
export function managesUser(scope: ManagementScope, userId: string): boolean {
  return scope.all || scope.userIds.includes(userId);
}

/**
 * Whether a delegation is the scope's business: one it manages either side of. `delegations.list`
 * shows exactly these, and an error names a delegation only when this holds.
 */
export function seesDelegation(scope: ManagementScope, d: { delegatorId: string; delegateId: string }): boolean {
  return managesUser(scope, d.delegatorId) || managesUser(scope, d.delegateId);
}
