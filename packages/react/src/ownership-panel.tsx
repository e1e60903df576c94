import { useMemo, type ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { Account, CrmError, Delegation, OwnershipCause, OwnershipPeriod, RoutingPurpose, Team } from '@crmkit/core';
import { useAccount } from './accounts.js';
import { useDelegations, useOwnershipHistory, useResponsible, useTeam, type DelegationPage, type OwnershipHistory, type Resolution } from './ownership.js';

/** Who owns an account now: the open period of its ownership history. */
export interface CurrentOwners {
  /** The owning team, or null (an account with no team and no primary owner is in the pool). */
  teamId: string | null;
  primaryOwnerId: string | null;
  secondaryOwnerId: string | null;
  /** When the current period began, or null when the account has never been owned. */
  since: string | null;
  /** Why the current period began (`create`, `assign`, `claim`, `release`, `pool-return`…), or null. */
  cause: OwnershipCause | null;
  /** The words of whoever began it ('' when none were given), or null. */
  reason: string | null;
}

/** What `OwnershipPanel` hands its `render` function. Fields are undefined until their answer arrives. */
export interface OwnershipPanelState {
  account: Account | undefined;
  /** The owning team with leader, members and product lines; null when the account has no owning team. */
  team: Team | null | undefined;
  /** The current team and owners. */
  owners: CurrentOwners | undefined;
  /** Who answers for the account now (for the panel's purpose and product line), and why. */
  responsible: Resolution | undefined;
  /**
   * Delegations the primary owner has in force now that reach this account (scope `all`,
   * `complaints`, `approvals`, or `accounts` naming it); empty without a primary owner. A rep
   * only sees delegations they take part in.
   */
  delegations: Delegation[];
  /** Every ownership period, oldest first; the last is the current one when its `validTo` is null. */
  history: OwnershipPeriod[] | undefined;
  /** True while any part is loading for the first time. */
  isLoading: boolean;
  /** The first failure among the parts, e.g. `error.code === 'NOT_FOUND'` for an account the caller may not see. */
  error: CrmError | null;
  /** The underlying queries, for `refetch`, `isFetching` and the rest. */
  queries: {
    account: UseQueryResult<Account, CrmError>;
    history: UseQueryResult<OwnershipHistory, CrmError>;
    team: UseQueryResult<Team, CrmError>;
    responsible: UseQueryResult<Resolution, CrmError>;
    delegations: UseQueryResult<DelegationPage, CrmError>;
  };
}

export interface OwnershipPanelProps {
  /** The account to show; nothing is fetched while undefined. */
  accountId: string | undefined;
  /** What `responsible` is resolved for (default `general`). */
  purpose?: RoutingPurpose;
  /** Resolve `responsible` for this product line (its team member answers first). */
  productLineId?: string;
  /** Renders the panel; it owns all markup and styling. */
  render: (state: OwnershipPanelState) => ReactNode;
}

const noDelegations: Delegation[] = [];

/** The open period (validTo null) of a history, as the current owners; all null for an account never owned. */
function currentOwners(periods: readonly OwnershipPeriod[]): CurrentOwners {
  let open: OwnershipPeriod | undefined;
  for (let i = periods.length - 1; i >= 0 && !open; i--) if (periods[i]!.validTo === null) open = periods[i];
  if (!open) return { teamId: null, primaryOwnerId: null, secondaryOwnerId: null, since: null, cause: null, reason: null };
  return { teamId: open.teamId, primaryOwnerId: open.primaryOwnerId, secondaryOwnerId: open.secondaryOwnerId, since: open.validFrom, cause: open.cause, reason: open.reason };
}

/**
 * A headless ownership panel: loads an account, its current team and owners, who is responsible
 * now (with the explanation), the primary owner's delegations in force and the ownership history,
 * and leaves the markup to you. The current owners come from the history's open period; "now" is
 * the server's instant of the routing answer. Ownership hooks of this package (claim, release,
 * assign) refresh every part.
 *
 * @example
 * <OwnershipPanel accountId={accountId} render={({ team, owners, responsible, delegations, history, isLoading, error }) =>
 *   error ? <p role="alert">{error.message}</p>
 *   : isLoading ? <p>Loading…</p>
 *   : <section>
 *       <h3>{team?.name ?? (owners?.primaryOwnerId ? 'No team' : 'In the pool')}</h3>
 *       <p>Owner: {owners?.primaryOwnerId ?? '—'}, backup: {owners?.secondaryOwnerId ?? '—'}</p>
 *       <p>Responsible now: {responsible?.userId} ({responsible?.explanation.at(-1)?.message})</p>
 *       {delegations.map((d) => <p key={d.id}>Delegated to {d.delegateId} until {d.validTo}</p>)}
 *       <ol>{history?.map((p) => <li key={p.validFrom}>{p.validFrom}: {p.cause} {p.reason}</li>)}</ol>
 *     </section>} />
 */
export function OwnershipPanel({ accountId, purpose, productLineId, render }: OwnershipPanelProps): ReactNode {
  const account = useAccount(accountId);
  const history = useOwnershipHistory(accountId);
  const responsible = useResponsible({ accountId, purpose, productLineId });
  const periods = history.data?.periods;
  const owners = useMemo(() => (periods ? currentOwners(periods) : undefined), [periods]);
  const teamId = owners?.teamId ?? undefined;
  const team = useTeam(teamId);
  const primaryOwnerId = owners?.primaryOwnerId ?? undefined;
  const at = responsible.data?.at;
  const delegationQuery = useDelegations(
    { userId: primaryOwnerId, activeAt: at },
    { enabled: primaryOwnerId !== undefined && at !== undefined },
  );
  const delegationItems = delegationQuery.data?.items;
  const delegations = useMemo(
    () =>
      primaryOwnerId === undefined || !delegationItems
        ? noDelegations
        : delegationItems.filter((d) => d.delegatorId === primaryOwnerId && (d.scope !== 'accounts' || (accountId !== undefined && d.accountIds.includes(accountId)))),
    [delegationItems, primaryOwnerId, accountId],
  );

  const parts = [account, history, responsible, team, delegationQuery] as const;
  return render({
    account: account.data,
    team: owners === undefined ? undefined : teamId === undefined ? null : team.data,
    owners,
    responsible: responsible.data,
    delegations,
    history: periods,
    isLoading: parts.some((q) => q.isLoading),
    error: parts.find((q) => q.error)?.error ?? null,
    queries: { account, history, team, responsible, delegations: delegationQuery },
  });
}
