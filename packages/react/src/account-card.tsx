import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { Account, CrmError } from '@crmkit/core';
import { useAccount } from './accounts.js';

/** What `AccountCard` hands its `render` function. */
export interface AccountCardState {
  /** The account once loaded (also while it refetches in the background). */
  account: Account | undefined;
  /** True until the first answer arrives. */
  isLoading: boolean;
  /** Why loading failed, e.g. `error.code === 'NOT_FOUND'`. */
  error: CrmError | null;
  /** The underlying query, for `refetch`, `isFetching` and the rest. */
  query: UseQueryResult<Account, CrmError>;
}

export interface AccountCardProps {
  /** The account to show; nothing is fetched while undefined. */
  id: string | undefined;
  /** Renders the card; it owns all markup and styling. */
  render: (state: AccountCardState) => ReactNode;
}

/**
 * A headless account card: loads one account and leaves the markup to you.
 *
 * @example
 * <AccountCard id={accountId} render={({ account, isLoading, error }) =>
 *   error ? <p role="alert">{error.message}</p>
 *   : isLoading ? <p>Loading…</p>
 *   : <h2>{account?.name} <small>{account?.grade}</small></h2>} />
 */
export function AccountCard({ id, render }: AccountCardProps): ReactNode {
  const query = useAccount(id);
  return render({ account: query.data, isLoading: query.isLoading, error: query.error, query });
}
