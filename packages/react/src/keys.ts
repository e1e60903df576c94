import type { ListAccountsInput, ListOrdersInput } from '@crmkit/core';
import type { RouterInputs } from '@crmkit/client';

/** What `useAccounts` filters by: every list input except the cursor, which the hook manages. */
export type AccountsFilter = Omit<ListAccountsInput, 'cursor'>;

/** Options of an account tree query. */
export interface AccountTreeOptions {
  /** Include archived accounts in the tree (default: no). */
  includeArchived?: boolean;
}

/** Who is responsible for an account, for what (the input of `ownership.resolve`). */
export type ResolveInput = RouterInputs['ownership']['resolve'];

/** What `usePool` filters by (grade, name search, page size); the hook manages the cursor. */
export type PoolFilter = Omit<NonNullable<RouterInputs['pool']['list']>, 'cursor'>;

/** What `useDelegations` filters by: a user taking part (as delegator or delegate), in force at `activeAt`, one page. */
export type DelegationsFilter = NonNullable<RouterInputs['delegations']['list']>;

/** Options of a team query. */
export interface TeamOptions {
  /** The team as it stood at this ISO instant (default: now). */
  asOf?: string;
}

/** What `useOrders` filters by (ordering or bill-to account, statuses, placed between, page size); the hook manages the cursor. */
export type OrdersFilter = Omit<ListOrdersInput, 'cursor'>;

/** Options of a receivables query. */
export interface ReceivablesOptions {
  /** The account's whole group (its subtree, as far as the caller may see it) instead of the account alone (default: no). */
  group?: boolean;
  /** The ISO instant to age at (default: now, the server's clock): documents as they stood then, aged in the tenant's local days. */
  asOf?: string;
}

/** Drops `undefined` fields so `{}` and `{ search: undefined }` share one cache entry. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const root = ['crmkit'] as const;
const accounts = [...root, 'accounts'] as const;
const ownership = [...root, 'ownership'] as const;
const teams = [...root, 'teams'] as const;
const pool = [...root, 'pool'] as const;
const delegations = [...root, 'delegations'] as const;
const orders = [...root, 'orders'] as const;
const exposure = [...root, 'exposure'] as const;
const receivables = [...root, 'receivables'] as const;

/**
 * Every TanStack Query key crmkit's hooks use, as a hierarchy: invalidating a prefix
 * invalidates everything under it. Use it to refresh crmkit data after your own writes,
 * or to drop it all when the signed-in user changes.
 *
 * @example
 * const queryClient = useQueryClient();
 * // after an ERP sync changed accounts behind crmkit's back:
 * await queryClient.invalidateQueries({ queryKey: crmKeys.accounts.all });
 * // after ownership changed in another system: every routing answer and history
 * await queryClient.invalidateQueries({ queryKey: crmKeys.ownership.all });
 * // after an ERP sync posted invoices or payments: every exposure and receivables figure
 * await queryClient.invalidateQueries({ queryKey: crmKeys.exposure.all });
 * await queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all });
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
  ownership: {
    /** Every ownership query (histories and routing answers) of every account. */
    all: ownership,
    /** Everything cached about one account's ownership: its history and every routing answer for it. */
    account: (accountId: string) => [...ownership, accountId] as const,
    /** One account's ownership periods, as read by `useOwnershipHistory`. */
    history: (accountId: string) => [...ownership, accountId, 'history'] as const,
    /** One routing question, as asked by `useResponsible` (`purpose` defaults to `general`, as on the server). */
    resolve: (input: ResolveInput) => {
      const { accountId, purpose, ...rest } = input;
      return [...ownership, accountId, 'resolve', compact({ purpose: purpose ?? 'general', ...rest })] as const;
    },
  },
  teams: {
    /** Every team query. */
    all: teams,
    /** Every single-team query, whatever its instant. */
    details: [...teams, 'detail'] as const,
    /** One team now, or as of an instant, as read by `useTeam`. */
    detail: (id: string, asOf?: string) => [...teams, 'detail', id, compact({ asOf })] as const,
  },
  pool: {
    /** Every pool query. */
    all: pool,
    /** Every pool list, whatever its filter. */
    lists: [...pool, 'list'] as const,
    /** One filtered pool list, as paged by `usePool` (the cursor is not part of the key). */
    list: (filter: PoolFilter = {}) => {
      const { cursor: _ignored, ...rest } = filter as PoolFilter & { cursor?: unknown };
      return [...pool, 'list', compact(rest)] as const;
    },
  },
  delegations: {
    /** Every delegation query. */
    all: delegations,
    /** One page of delegations, as read by `useDelegations`. */
    list: (filter: DelegationsFilter = {}) => [...delegations, 'list', compact(filter)] as const,
  },
  orders: {
    /** Every order query (details and lists). */
    all: orders,
    /** Every single-order query. */
    details: [...orders, 'detail'] as const,
    /** One order with its lines, as read by `useOrder`. */
    detail: (id: string) => [...orders, 'detail', id] as const,
    /** Every order list, whatever its filter. */
    lists: [...orders, 'list'] as const,
    /** One filtered order list, as paged by `useOrders` (the cursor is not part of the key). */
    list: (filter: OrdersFilter = {}) => {
      const { cursor: _ignored, ...rest } = filter as OrdersFilter & { cursor?: unknown };
      return [...orders, 'list', compact(rest)] as const;
    },
  },
  exposure: {
    /** Every exposure query, of every account. */
    all: exposure,
    /** One account's exposure (own and group, per currency), as read by `useAccountExposure`. */
    account: (accountId: string) => [...exposure, accountId] as const,
  },
  receivables: {
    /** Every receivables query, of every account. */
    all: receivables,
    /** Every receivables query of one account, whatever `group` and `asOf`. */
    account: (accountId: string) => [...receivables, accountId] as const,
    /** One account's (or its group's) receivables at an instant, as read by `useReceivables` (`group` defaults to false, as on the server). */
    detail: (accountId: string, options: ReceivablesOptions = {}) => [...receivables, accountId, compact({ group: options.group ?? false, asOf: options.asOf })] as const,
  },
} as const;

export type AccountDetailKey = ReturnType<typeof crmKeys.accounts.detail>;
export type AccountListKey = ReturnType<typeof crmKeys.accounts.list>;
export type AccountTreeKey = ReturnType<typeof crmKeys.accounts.tree>;
export type ResolveKey = ReturnType<typeof crmKeys.ownership.resolve>;
export type OwnershipHistoryKey = ReturnType<typeof crmKeys.ownership.history>;
export type TeamDetailKey = ReturnType<typeof crmKeys.teams.detail>;
export type PoolListKey = ReturnType<typeof crmKeys.pool.list>;
export type DelegationListKey = ReturnType<typeof crmKeys.delegations.list>;
export type OrderDetailKey = ReturnType<typeof crmKeys.orders.detail>;
export type OrderListKey = ReturnType<typeof crmKeys.orders.list>;
export type ExposureKey = ReturnType<typeof crmKeys.exposure.account>;
export type ReceivablesKey = ReturnType<typeof crmKeys.receivables.detail>;
