import {
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type UseMutationResult,
  type UseQueryResult,
} from '@tanstack/react-query';
import type { Account, CrmError, Delegation, OwnershipPeriod, Page, ResolutionOutput, Team } from '@crmkit/core';
import type { RouterInputs } from '@crmkit/client';
import { useAccountPages, type AccountPageParam, type AccountPagesOptions, type AccountPagesResult } from './account-pages.js';
import { useCrmClient } from './provider.js';
import type { CrmMutationOptions, CrmQueryOptions } from './accounts.js';
import {
  crmKeys,
  type DelegationListKey,
  type DelegationsFilter,
  type OwnershipHistoryKey,
  type PoolFilter,
  type PoolListKey,
  type ResolveInput,
  type ResolveKey,
  type TeamDetailKey,
  type TeamOptions,
} from './keys.js';

/** Who is responsible and why: the person (null only for an account nobody can answer for) and the explanation's ordered steps. */
export type Resolution = ResolutionOutput;
/** An account's ownership periods, oldest first; the last is open (`validTo: null`) once the account has been owned. */
export interface OwnershipHistory {
  accountId: string;
  periods: OwnershipPeriod[];
}
/** One page of `pool.list`. */
export type PoolPage = Page<Account>;
/** The cursor a pool page was fetched with (`null` for the first page). */
export type PoolPageParam = AccountPageParam;
/** One page of `delegations.list`. */
export type DelegationPage = Page<Delegation>;

/** The question `useResponsible` asks; nothing is fetched while `accountId` is undefined. */
export type UseResponsibleInput = Omit<ResolveInput, 'accountId'> & { accountId: string | undefined };

/** Input of `useAssignOwnership`'s mutation: the account, and the team/owners to change (left out: kept, null: cleared), with why. */
export type AssignOwnershipInput = RouterInputs['ownership']['assign'];
/** Input of `useClaimAccount`'s mutation. */
export type ClaimAccountInput = RouterInputs['pool']['claim'];
/** Input of `useReleaseAccount`'s mutation. */
export type ReleaseAccountInput = RouterInputs['pool']['release'];
/** Input of `useAssignFromPool`'s mutation: the account, the user to own it, optionally their team, with why. */
export type AssignFromPoolInput = RouterInputs['pool']['assign'];

// ---------------------------------------------------------------------------------------------
// Queries

/**
 * Who is responsible for an account, for a purpose (default `general`), a product line or an
 * order's rep, now or `asOf` an instant, with the server's explanation (rule matched, delegation
 * applied, fallback taken). The explanation's last step names the person. Disabled while
 * `accountId` is undefined; an account the caller may not see fails with NOT_FOUND.
 *
 * @example
 * const { data: who } = useResponsible({ accountId, purpose: 'order', productLineId });
 * return who && <p>{who.userId ?? 'nobody'} <small>{who.explanation.at(-1)?.message}</small></p>;
 */
export function useResponsible<TData = Resolution>(input: UseResponsibleInput, options: CrmQueryOptions<Resolution, TData, ResolveKey> = {}): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  const { accountId } = input;
  const queryKey = crmKeys.ownership.resolve({ ...input, accountId: accountId ?? '' });
  return useQuery<Resolution, CrmError, TData, ResolveKey>({
    ...options,
    queryKey,
    queryFn: ({ signal }) => {
      if (accountId === undefined) throw new Error('useResponsible ran without an accountId'); // unreachable: disabled
      return crm.ownership.resolve.query({ ...queryKey[4], accountId }, { signal });
    },
    enabled: accountId !== undefined && (options.enabled ?? true),
  });
}

/**
 * Every ownership period of an account, oldest first: team, primary and secondary owner, when,
 * why (`cause`, and the person's words as `reason`) and by whom. The last period is the current one when its `validTo` is null. Disabled while
 * `accountId` is undefined.
 *
 * @example
 * const { data } = useOwnershipHistory(accountId);
 * return <ol>{data?.periods.map((p) => <li key={p.validFrom}>{p.validFrom}: {p.primaryOwnerId ?? p.teamId ?? 'pool'} ({p.cause} {p.reason})</li>)}</ol>;
 */
export function useOwnershipHistory<TData = OwnershipHistory>(
  accountId: string | undefined,
  options: CrmQueryOptions<OwnershipHistory, TData, OwnershipHistoryKey> = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  return useQuery<OwnershipHistory, CrmError, TData, OwnershipHistoryKey>({
    ...options,
    queryKey: crmKeys.ownership.history(accountId ?? ''),
    queryFn: ({ signal }) => {
      if (accountId === undefined) throw new Error('useOwnershipHistory ran without an accountId'); // unreachable: disabled
      return crm.ownership.history.query({ accountId }, { signal });
    },
    enabled: accountId !== undefined && (options.enabled ?? true),
  });
}

/**
 * One sales team with its leader, members and product-line assignments, now or as it stood
 * `asOf` an instant. Disabled while `id` is undefined.
 *
 * @example
 * const { data: team } = useTeam(teamId);
 * const lastMonth = useTeam(teamId, { asOf: '2026-01-01T00:00:00Z' });
 * return team && <p>{team.name}, led by {team.leaderId}: {team.members.map((m) => m.userId).join(', ')}</p>;
 */
export function useTeam<TData = Team>(id: string | undefined, options: CrmQueryOptions<Team, TData, TeamDetailKey> & TeamOptions = {}): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  const { asOf, ...queryOptions } = options;
  return useQuery<Team, CrmError, TData, TeamDetailKey>({
    ...queryOptions,
    queryKey: crmKeys.teams.detail(id ?? '', asOf),
    queryFn: ({ signal }) => {
      if (id === undefined) throw new Error('useTeam ran without an id'); // unreachable: disabled
      return crm.teams.get.query(asOf === undefined ? { id } : { id, asOf }, { signal });
    },
    enabled: id !== undefined && (queryOptions.enabled ?? true),
  });
}

/** The result of `usePool`: TanStack's infinite query result plus the pages flattened. */
export type UsePoolResult = AccountPagesResult;

/** Options of `usePool`, passed through to `useInfiniteQuery`. */
export type UsePoolOptions = AccountPagesOptions<PoolListKey>;

/**
 * The customer pool (accounts with no owning team and no primary owner), newest first, paged
 * over the server's cursor; filter by `grade` or name `search`, `limit` is the page size.
 * `accounts` holds every account loaded so far. Claims, releases and assignments made through
 * this package's hooks refresh it.
 *
 * @example
 * const { accounts, hasNextPage, fetchNextPage } = usePool({ grade: 'B' });
 * const claim = useClaimAccount();
 * return <ul>{accounts.map((a) => <li key={a.id}>{a.name} <button onClick={() => claim.mutate({ accountId: a.id })}>Claim</button></li>)}</ul>;
 */
export function usePool(filter: PoolFilter = {}, options: UsePoolOptions = {}): UsePoolResult {
  const crm = useCrmClient();
  const queryKey = crmKeys.pool.list(filter);
  return useAccountPages(queryKey, (cursor, signal) => crm.pool.list.query({ ...queryKey[3], ...(cursor ? { cursor } : {}) }, { signal }), options);
}

/**
 * One page of delegations, newest first: with `userId`, those the user gives or receives; with
 * `activeAt` (an ISO instant), those in force then. Reps only ever see delegations they take
 * part in. Page on with `cursor: data.nextCursor`.
 *
 * @example
 * const { data } = useDelegations({ userId: 'li.na', activeAt: new Date().toISOString() });
 * return <ul>{data?.items.map((d) => <li key={d.id}>{d.delegatorId} → {d.delegateId} ({d.scope}) until {d.validTo}</li>)}</ul>;
 */
export function useDelegations<TData = DelegationPage>(
  filter: DelegationsFilter = {},
  options: CrmQueryOptions<DelegationPage, TData, DelegationListKey> = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  const queryKey = crmKeys.delegations.list(filter);
  return useQuery<DelegationPage, CrmError, TData, DelegationListKey>({
    ...options,
    queryKey,
    queryFn: ({ signal }) => crm.delegations.list.query(queryKey[3], { signal }),
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

/**
 * What a change of an account's ownership makes stale: the pool (it may enter or leave it),
 * every account query (visibility follows ownership, so lists, details and trees may gain or
 * lose the account), the queries visibility also filters (orders by their ordering account,
 * exposure, and group receivables by the subtree the caller sees), and that account's ownership
 * history and routing answers.
 */
function invalidateOwnershipOf(queryClient: QueryClient, accountId: string): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: crmKeys.pool.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.accounts.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.orders.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.exposure.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.ownership.account(accountId) }),
  ]);
}

/**
 * A useMutation on one account's ownership whose success first refreshes crmkit's caches (awaited,
 * so the mutation stays pending until mounted queries have refetched), then calls the caller's onSuccess.
 */
function useOwnershipMutation<TData, TVariables extends { accountId: string }, TOnMutateResult>(
  mutationFn: (variables: TVariables) => Promise<TData>,
  options: CrmMutationOptions<TData, TVariables, TOnMutateResult>,
): UseMutationResult<TData, CrmError, TVariables, TOnMutateResult> {
  const queryClient = useQueryClient();
  const { onSuccess, ...rest } = options;
  return useMutation<TData, CrmError, TVariables, TOnMutateResult>({
    ...rest,
    mutationFn,
    onSuccess: async (data, variables, ...args) => {
      await invalidateOwnershipOf(queryClient, variables.accountId);
      return onSuccess?.(data, variables, ...args);
    },
  });
}

/**
 * The signed-in user claims an account from the pool as its primary owner. On success the pool,
 * the account lists and details (the account becomes visible to its new owner) and the account's
 * ownership history and routing answers refetch; the mutation settles once mounted ones have.
 * A claim over the pool policy's cap, or within the reclaim block after losing the account, fails
 * with PRECONDITION_FAILED (`error.details.rule` is `claim-cap` or `reclaim-block`); an account
 * no longer in the pool with PRECONDITION_FAILED (NOT_FOUND when its new owner's accounts are out
 * of the caller's sight), and one taken by a concurrent claim with CONFLICT.
 *
 * @example
 * const claim = useClaimAccount();
 * <button disabled={claim.isPending} onClick={() => claim.mutate({ accountId: account.id })}>Claim</button>
 * {claim.error?.code === 'PRECONDITION_FAILED' && <p role="alert">{claim.error.message}</p>}
 */
export function useClaimAccount<TOnMutateResult = unknown>(
  options: CrmMutationOptions<OwnershipPeriod, ClaimAccountInput, TOnMutateResult> = {},
): UseMutationResult<OwnershipPeriod, CrmError, ClaimAccountInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useOwnershipMutation((input) => crm.pool.claim.mutate(input), options);
}

/**
 * Gives an account back to the pool (its primary owner may; managers and admins for any account
 * they see), with why. On success the same queries as `useClaimAccount` refetch: the account
 * reappears in the pool and leaves the lists of those who saw it only as its owner.
 *
 * @example
 * const release = useReleaseAccount();
 * release.mutate({ accountId: account.id, reason: 'no longer buying from us' });
 */
export function useReleaseAccount<TOnMutateResult = unknown>(
  options: CrmMutationOptions<OwnershipPeriod, ReleaseAccountInput, TOnMutateResult> = {},
): UseMutationResult<OwnershipPeriod, CrmError, ReleaseAccountInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useOwnershipMutation((input) => crm.pool.release.mutate(input), options);
}

/**
 * A manager assigns a pool account to a user (optionally within a team), with why. On success the
 * same queries as `useClaimAccount` refetch.
 *
 * @example
 * const assign = useAssignFromPool();
 * assign.mutate({ accountId: account.id, userId: 'li.na', teamId, reason: 'her territory' });
 */
export function useAssignFromPool<TOnMutateResult = unknown>(
  options: CrmMutationOptions<OwnershipPeriod, AssignFromPoolInput, TOnMutateResult> = {},
): UseMutationResult<OwnershipPeriod, CrmError, AssignFromPoolInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useOwnershipMutation((input) => crm.pool.assign.mutate(input), options);
}

/**
 * Changes an account's owning team, primary or secondary owner from now on (fields left out keep
 * their value, `null` clears one), with why: the current period closes and a new one opens. On
 * success the pool, the account queries (visibility follows ownership) and the account's history
 * and routing answers refetch. Answers the period now in force (null when the account was never
 * owned and nothing was set).
 *
 * @example
 * const assign = useAssignOwnership();
 * assign.mutate({ accountId, teamId, primaryOwnerId: 'zhao.gang', reason: 'territory split' });
 */
export function useAssignOwnership<TOnMutateResult = unknown>(
  options: CrmMutationOptions<OwnershipPeriod | null, AssignOwnershipInput, TOnMutateResult> = {},
): UseMutationResult<OwnershipPeriod | null, CrmError, AssignOwnershipInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useOwnershipMutation((input) => crm.ownership.assign.mutate(input), options);
}
