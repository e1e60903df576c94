import type { ListAccountsInput } from '@crmkit/core';

/** What `useAccounts` filters by: every list input except the cursor, which the hook manages. */
export type AccountsFilter = Omit<ListAccountsInput, 'cursor'>;

/** Options of an account tree query. */
export interface AccountTreeOptions {
  /** Include archived accounts in the tree (default: no). */
  includeArchived?: boolean;
}

/** Drops `undefined` fields so `{}` and `{ search: undefined }` share one cache entry. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const root = ['crmkit'] as const;
const accounts = [...root, 'accounts'] as const;

/**
 * Every TanStack Query key crmkit's hooks use, as a hierarchy: invalidating a prefix
 * invalidates everything under it. Use it to refresh crmkit data after your own writes,
 * or to drop it all when the signed-in user changes.
 *
 * @example
 * const queryClient = useQueryClient();
 * // after an ERP sync changed accounts behind crmkit's back:
 * await queryClient.invalidateQueries({ queryKey: crmKeys.accounts.all });
 * // on sign-out:
 * queryClient.removeQueries({ queryKey: crmKeys.all });
 */
export const crmKeys = {
  /** Everything crmkit caches. */
  all: root,
  accounts: {
    /** Every account query (details, lists, trees). */
    all: accounts,
    /** Every single-account query. */
    details: [...accounts, 'detail'] as const,
    /** One account, as read by `useAccount`. */
    detail: (id: string) => [...accounts, 'detail', id] as const,
    /** Every account list, whatever its filter. */
    lists: [...accounts, 'list'] as const,
    /** One filtered list, as paged by `useAccounts` (the cursor is not part of the key). */
    list: (filter: AccountsFilter = {}) => {
      const { cursor: _ignored, ...rest } = filter as AccountsFilter & { cursor?: unknown };
      return [...accounts, 'list', compact(rest)] as const;
    },
    /** Every account tree. */
    trees: [...accounts, 'tree'] as const,
    /** The tree of the group an account belongs to, as read by `useAccountTree`. */
    tree: (id: string, options: AccountTreeOptions = {}) => [...accounts, 'tree', id, { includeArchived: options.includeArchived ?? false }] as const,
  },
} as const;

export type AccountDetailKey = ReturnType<typeof crmKeys.accounts.detail>;
export type AccountListKey = ReturnType<typeof crmKeys.accounts.list>;
export type AccountTreeKey = ReturnType<typeof crmKeys.accounts.tree>;
