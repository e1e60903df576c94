import {
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
  type UseMutationOptions,
  type UseMutationResult,
  type UseQueryOptions,
  type UseQueryResult,
} from '@tanstack/react-query';
import type { Account, AccountTree, CreateAccountInput, CrmError, Page, UpdateAccountInput } from '@crmkit/core';
import { useCrmClient } from './provider.js';
import { useAccountPages, type AccountPageParam, type AccountPagesOptions, type AccountPagesResult } from './account-pages.js';
import { crmKeys, type AccountDetailKey, type AccountListKey, type AccountsFilter, type AccountTreeKey, type AccountTreeOptions } from './keys.js';

/** One page of `accounts.list`. */
export type AccountPage = Page<Account>;
export type { AccountPageParam };

/** Input of `useSetAccountParent`'s mutation. */
export interface SetAccountParentInput {
  id: string;
  /** The new parent, or `null` to make the account top-level. */
  parentId: string | null;
  /** Refuse with CONFLICT unless the account is still at this version. */
  expectedVersion?: number;
}

/** Input of `useArchiveAccount`'s mutation. */
export interface ArchiveAccountInput {
  id: string;
  /** Refuse with CONFLICT unless the account is still at this version. */
  expectedVersion?: number;
}

/** Query options a hook passes through to TanStack Query (everything but the key and the fetch). */
export type CrmQueryOptions<TQueryFnData, TData, TKey extends readonly unknown[]> = Omit<UseQueryOptions<TQueryFnData, CrmError, TData, TKey>, 'queryKey' | 'queryFn'>;

/** Mutation options a hook passes through; crmkit's cache updates run before your `onSuccess`. */
export type CrmMutationOptions<TData, TVariables, TOnMutateResult = unknown> = Omit<UseMutationOptions<TData, CrmError, TVariables, TOnMutateResult>, 'mutationFn'>;

// ---------------------------------------------------------------------------------------------
// Queries

/**
 * One account by id. Disabled (no request, `isPending` with `fetchStatus: 'idle'`) while `id`
 * is undefined. Fails with a CrmError, e.g. `error.code === 'NOT_FOUND'`.
 *
 * @example
 * const { data: account, error, isPending } = useAccount(accountId);
 * if (error?.code === 'NOT_FOUND') return <p>No such account</p>;
 * return isPending ? <Spinner /> : <h1>{account.name}</h1>;
 */
export function useAccount<TData = Account>(id: string | undefined, options: CrmQueryOptions<Account, TData, AccountDetailKey> = {}): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  return useQuery<Account, CrmError, TData, AccountDetailKey>({
    ...options,
    queryKey: crmKeys.accounts.detail(id ?? ''),
    queryFn: ({ signal }) => {
      if (id === undefined) throw new Error('useAccount ran without an id'); // unreachable: disabled
      return crm.accounts.get.query({ id }, { signal });
    },
    enabled: id !== undefined && (options.enabled ?? true),
  });
}

/** The result of `useAccounts`: TanStack's infinite query result plus the pages flattened (newest first). */
export type UseAccountsResult = AccountPagesResult;

/** Options of `useAccounts`, passed through to `useInfiniteQuery`. */
export type UseAccountsOptions = AccountPagesOptions<AccountListKey>;

/**
 * Accounts matching a filter, newest first, paged over the server's cursor. `accounts` holds
 * every account loaded so far; call `fetchNextPage()` while `hasNextPage`.
 * `limit` is the page size (default 50, at most 200). The result is TanStack's query result
 * spread into a new object, so the component re-renders on any change of the query's state.
 *
 * @example
 * const { accounts, hasNextPage, fetchNextPage, isFetchingNextPage } = useAccounts({ search, limit: 20 });
 * return <>
 *   {accounts.map((a) => <Row key={a.id} account={a} />)}
 *   {hasNextPage && <button disabled={isFetchingNextPage} onClick={() => fetchNextPage()}>More</button>}
 * </>;
 */
export function useAccounts(filter: AccountsFilter = {}, options: UseAccountsOptions = {}): UseAccountsResult {
  const crm = useCrmClient();
  const queryKey = crmKeys.accounts.list(filter);
  return useAccountPages(queryKey, (cursor, signal) => crm.accounts.list.query({ ...queryKey[3], ...(cursor ? { cursor } : {}) }, { signal }), options);
}

/**
 * The whole group an account belongs to, from its top-level ancestor down, with each node's
 * depth, children and bill-to account. Disabled while `id` is undefined.
 *
 * @example
 * const { data: tree } = useAccountTree(accountId);
 * const render = (node: AccountTreeNode): ReactNode =>
 *   <li key={node.account.id}>{node.account.name}<ul>{node.children.map(render)}</ul></li>;
 * return tree ? <ul>{render(tree.root)}</ul> : null;
 */
export function useAccountTree<TData = AccountTree>(
  id: string | undefined,
  options: CrmQueryOptions<AccountTree, TData, AccountTreeKey> & AccountTreeOptions = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  const { includeArchived = false, ...queryOptions } = options;
  return useQuery<AccountTree, CrmError, TData, AccountTreeKey>({
    ...queryOptions,
    queryKey: crmKeys.accounts.tree(id ?? '', { includeArchived }),
    queryFn: ({ signal }) => {
      if (id === undefined) throw new Error('useAccountTree ran without an id'); // unreachable: disabled
      return crm.accounts.tree.query({ id, includeArchived }, { signal });
    },
    enabled: id !== undefined && (queryOptions.enabled ?? true),
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Which cached queries a changed account makes stale. */
interface Affects {
  lists?: boolean;
  trees?: boolean;
  /** Exposure and receivables: a move carries a branch's figures from its old ancestors to its new ones. */
  credit?: boolean;
}

/** Puts the server's answer into the detail cache and refreshes what it makes stale. */
function applyAccountChange(queryClient: QueryClient, account: Account, affects: Affects): Promise<unknown> {
  queryClient.setQueryData(crmKeys.accounts.detail(account.id), account);
  return Promise.all([
    affects.lists ? queryClient.invalidateQueries({ queryKey: crmKeys.accounts.lists }) : undefined,
    affects.trees ? queryClient.invalidateQueries({ queryKey: crmKeys.accounts.trees }) : undefined,
    affects.credit ? queryClient.invalidateQueries({ queryKey: crmKeys.exposure.all }) : undefined,
    affects.credit ? queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all }) : undefined,
  ]);
}

/**
 * A useMutation whose success first updates crmkit's caches (awaited, so the mutation stays
 * pending until mounted lists and trees have refetched), then calls the caller's onSuccess.
 */
function useAccountMutation<TVariables, TOnMutateResult>(
  mutationFn: (variables: TVariables) => Promise<Account>,
  affects: (account: Account) => Affects,
  options: CrmMutationOptions<Account, TVariables, TOnMutateResult>,
): UseMutationResult<Account, CrmError, TVariables, TOnMutateResult> {
  const queryClient = useQueryClient();
  const { onSuccess, ...rest } = options;
  return useMutation<Account, CrmError, TVariables, TOnMutateResult>({
    ...rest,
    mutationFn,
    onSuccess: async (account, ...args) => {
      await applyAccountChange(queryClient, account, affects(account));
      return onSuccess?.(account, ...args);
    },
  });
}

/**
 * Creates an account. On success the new account is cached, lists refetch, and so do trees
 * when it was created under a parent; the mutation settles once mounted ones have refetched. Fails with a CrmError, e.g. VALIDATION with
 * `error.fieldErrors.name`.
 *
 * @example
 * const create = useCreateAccount({ onSuccess: (account) => navigate(`/accounts/${account.id}`) });
 * <form onSubmit={() => create.mutate({ name, grade: 'A' })}>…</form>
 * {create.error?.fieldErrors?.name?.[0]}
 */
export function useCreateAccount<TOnMutateResult = unknown>(
  options: CrmMutationOptions<Account, CreateAccountInput, TOnMutateResult> = {},
): UseMutationResult<Account, CrmError, CreateAccountInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useAccountMutation((input) => crm.accounts.create.mutate(input), (account) => ({ lists: true, trees: account.parentId !== null }), options);
}

/**
 * Changes an account's fields (`null` clears an optional one). On success the account's cache
 * entry becomes the returned account, and lists (name, grade…) and trees (bill-to follows
 * `settlesOwnInvoices`) refetch. Pass `expectedVersion` to fail with CONFLICT on a stale edit.
 *
 * @example
 * const update = useUpdateAccount();
 * update.mutate({ id: account.id, expectedVersion: account.version, grade: 'A' });
 * if (update.error?.code === 'CONFLICT') showReloadHint();
 */
export function useUpdateAccount<TOnMutateResult = unknown>(
  options: CrmMutationOptions<Account, UpdateAccountInput, TOnMutateResult> = {},
): UseMutationResult<Account, CrmError, UpdateAccountInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useAccountMutation((input) => crm.accounts.update.mutate(input), () => ({ lists: true, trees: true }), options);
}

/**
 * Moves an account under another parent, or to the top level with `parentId: null`.
 * Fails with CYCLE when the new parent is one of its own branches. On success the account is
 * cached and lists and trees refetch, and so do exposure and receivables (the branch's figures
 * leave its old ancestors' group figures and join its new ones').
 *
 * @example
 * const move = useSetAccountParent();
 * move.mutate({ id: branch.id, parentId: newHq.id });
 */
export function useSetAccountParent<TOnMutateResult = unknown>(
  options: CrmMutationOptions<Account, SetAccountParentInput, TOnMutateResult> = {},
): UseMutationResult<Account, CrmError, SetAccountParentInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useAccountMutation((input) => crm.accounts.setParent.mutate(input), () => ({ lists: true, trees: true, credit: true }), options);
}

/**
 * Archives an account (refused with PRECONDITION_FAILED while it has active branches).
 * On success the account is cached with its `archivedAt`, and lists and trees refetch.
 *
 * @example
 * const archive = useArchiveAccount();
 * <button onClick={() => archive.mutate({ id: account.id, expectedVersion: account.version })}>Archive</button>
 */
export function useArchiveAccount<TOnMutateResult = unknown>(
  options: CrmMutationOptions<Account, ArchiveAccountInput, TOnMutateResult> = {},
): UseMutationResult<Account, CrmError, ArchiveAccountInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useAccountMutation((input) => crm.accounts.archive.mutate(input), () => ({ lists: true, trees: true }), options);
}
