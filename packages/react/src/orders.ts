import { useMutation, useQuery, useQueryClient, type QueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import type { AccountExposure, CrmError, Order, OrderSummary, Page, Receivables } from '@crmkit/core';
import type { RouterInputs } from '@crmkit/client';
import { useCrmClient } from './provider.js';
import type { CrmMutationOptions, CrmQueryOptions } from './accounts.js';
import { useCursorPages, type CursorPageParam, type CursorPagesOptions, type CursorPagesQuery } from './cursor-pages.js';
import { creditKeys } from './credit.js';
import {
  crmKeys,
  type ExposureKey,
  type OrderDetailKey,
  type OrderListKey,
  type OrdersFilter,
  type ReceivablesKey,
  type ReceivablesOptions,
} from './keys.js';

/** What `useReceivables` answers: per currency the aged open invoices, bucket sums, credit on account and net. */
export type AccountReceivables = Receivables;

/** One page of `orders.list` (orders without their lines). */
export type OrderPage = Page<OrderSummary>;
/** The cursor an order page was fetched with (`null` for the first page). */
export type OrderPageParam = CursorPageParam;

/** The result of `useOrders`: TanStack's infinite query result plus the pages flattened (newest first). */
export type UseOrdersResult = CursorPagesQuery<OrderSummary> & {
  /** Every order of the pages loaded so far, in the server's order. */
  orders: OrderSummary[];
};

/** Options of `useOrders`, passed through to `useInfiniteQuery`. */
export type UseOrdersOptions = CursorPagesOptions<OrderSummary, OrderListKey>;

/** Input of `useConfirmOrder`'s mutation: the order, and optionally the version it must still be at. */
export type ConfirmOrderInput = RouterInputs['orders']['confirm'];

// ---------------------------------------------------------------------------------------------
// Queries

/**
 * One order with its lines, attribution and party explanation. Disabled while `id` is undefined.
 * An order whose ordering account the caller may not see fails with NOT_FOUND, like an unknown id.
 *
 * @example
 * const { data: order, error } = useOrder(orderId);
 * if (error?.code === 'NOT_FOUND') return <p>No such order</p>;
 * return order && <h2>{order.reference ?? order.id}: {order.status}, {formatMoney({ amountMinor: order.totalMinor, currency: order.currency })}</h2>;
 */
export function useOrder<TData = Order>(id: string | undefined, options: CrmQueryOptions<Order, TData, OrderDetailKey> = {}): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  return useQuery<Order, CrmError, TData, OrderDetailKey>({
    ...options,
    queryKey: crmKeys.orders.detail(id ?? ''),
    queryFn: ({ signal }) => {
      if (id === undefined) throw new Error('useOrder ran without an id'); // unreachable: disabled
      return crm.orders.get.query({ id }, { signal });
    },
    enabled: id !== undefined && (options.enabled ?? true),
  });
}

/**
 * Orders matching a filter (ordering or bill-to account, statuses, placed between two instants),
 * newest first, paged over the server's cursor. `orders` holds every order loaded so far (without
 * lines: read one with `useOrder`); call `fetchNextPage()` while `hasNextPage`. `limit` is the page
 * size. Filtering by an account the caller may not see fails with NOT_FOUND.
 *
 * @example
 * const { orders, hasNextPage, fetchNextPage } = useOrders({ billToAccountId: storeId, status: ['confirmed', 'partially_fulfilled'] });
 * return <ul>{orders.map((o) => <li key={o.id}>{o.reference} {o.status}</li>)}</ul>;
 */
export function useOrders(filter: OrdersFilter = {}, options: UseOrdersOptions = {}): UseOrdersResult {
  const crm = useCrmClient();
  const queryKey = crmKeys.orders.list(filter);
  const { query, items } = useCursorPages(queryKey, (cursor, signal) => crm.orders.list.query({ ...queryKey[3], ...(cursor ? { cursor } : {}) }, { signal }), options);
  return { ...query, orders: items };
}

/**
 * An account's exposure per currency: `own` (its own documents) and `group` (its whole subtree),
 * each with its parts (confirmed orders not yet invoiced, open invoices, credit on account).
 * Disabled while `accountId` is undefined; an account the caller may not see fails with NOT_FOUND.
 * `useConfirmOrder` refreshes it.
 *
 * @example
 * const { data } = useAccountExposure(hqId);
 * return <ul>{data?.group.map((e) => <li key={e.currency}>{e.currency} {formatMoney({ amountMinor: e.exposureMinor, currency: e.currency })}</li>)}</ul>;
 */
export function useAccountExposure<TData = AccountExposure>(
  accountId: string | undefined,
  options: CrmQueryOptions<AccountExposure, TData, ExposureKey> = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  return useQuery<AccountExposure, CrmError, TData, ExposureKey>({
    ...options,
    queryKey: crmKeys.exposure.account(accountId ?? ''),
    queryFn: ({ signal }) => {
      if (accountId === undefined) throw new Error('useAccountExposure ran without an accountId'); // unreachable: disabled
      return crm.accounts.exposure.query({ accountId }, { signal });
    },
    enabled: accountId !== undefined && (options.enabled ?? true),
  });
}

/**
 * What an account (or, with `group: true`, its whole subtree as far as the caller sees it) owes,
 * per currency: open invoices aged in the tenant's local days past due into buckets (current,
 * 1–30, 31–60, 61–90, over 90), credit on account and the net. `asOf` (an ISO instant) looks back:
 * documents as they stood then; without it the server ages at its own "now". Disabled while
 * `accountId` is undefined; an account the caller may not see fails with NOT_FOUND.
 *
 * @example
 * const { data } = useReceivables(storeId, { asOf: '2026-03-31T16:00:00Z' });
 * return <p>{data?.currencies.map((c) => `${c.currency} over 90 days: ${formatMoney({ amountMinor: c.buckets['over-90'], currency: c.currency })}`)}</p>;
 */
export function useReceivables<TData = AccountReceivables>(
  accountId: string | undefined,
  options: CrmQueryOptions<Receivables, TData, ReceivablesKey> & ReceivablesOptions = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  const { group, asOf, ...queryOptions } = options;
  const queryKey = crmKeys.receivables.detail(accountId ?? '', { group, asOf });
  return useQuery<Receivables, CrmError, TData, ReceivablesKey>({
    ...queryOptions,
    queryKey,
    queryFn: ({ signal }) => {
      if (accountId === undefined) throw new Error('useReceivables ran without an accountId'); // unreachable: disabled
      return crm.accounts.receivables.query({ accountId, ...queryKey[3] }, { signal });
    },
    enabled: accountId !== undefined && (queryOptions.enabled ?? true),
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

/**
 * What a confirmed order makes stale. The order itself is the server's answer (written into the
 * detail cache, no refetch); order lists change (status, open amount). The order starts counting
 * toward its bill-to account's exposure, whose `group` figures roll up to every ancestor of that
 * account, so the exposure of the bill-to account and of each ancestor changes. The cache does not
 * know the ancestors (no tree may be loaded, and walking `parentId` up would cost requests before
 * the mutation could settle), so every exposure and receivables query is invalidated by prefix:
 * TanStack Query refetches only the mounted ones and merely marks the rest stale, so the cost is
 * bounded by what is on screen, and no ancestor's figures can be missed.
 */
function invalidateConfirmedOrder(queryClient: QueryClient, order: Order): Promise<unknown> {
  queryClient.setQueryData(crmKeys.orders.detail(order.id), order);
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: crmKeys.orders.lists }),
    queryClient.invalidateQueries({ queryKey: crmKeys.exposure.all }),
    queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all }),
    // A confirmation the credit policy held opened an approval request.
    ...(order.status === 'on_hold' ? [queryClient.invalidateQueries({ queryKey: creditKeys.approvalLists })] : []),
  ]);
}

/** The refusals of a credit check: each is recorded as the account's last decision, which credit statuses show. */
const CREDIT_REFUSALS: ReadonlySet<string> = new Set(['CREDIT_LIMIT_EXCEEDED', 'CREDIT_HOLD', 'OVERDUE_INVOICES', 'PRECONDITION_FAILED']);

/**
 * Confirms a draft order: each line records its attribution, and the order starts counting toward
 * its bill-to account's exposure. On success the returned order is cached, order lists refetch,
 * and so does every mounted exposure and receivables query (the bill-to account's ancestors' group
 * figures change too); the mutation settles once they have refetched, then your `onSuccess` runs.
 * Under the tenant's `hold` credit policy an order that fails the credit check comes back
 * `on_hold` (approval lists refetch). Fails with a CrmError: CREDIT_LIMIT_EXCEEDED, CREDIT_HOLD or
 * OVERDUE_INVOICES when the credit check refuses (credit statuses refetch: they show the refusal),
 * PRECONDITION_FAILED for an order that is not a draft (or whose ordering account is archived, or
 * a missing exchange rate: `details.reason: 'NO_EXCHANGE_RATE'`), CONFLICT when `expectedVersion`
 * is stale, NOT_FOUND for an order the caller may not see.
 *
 * @example
 * const confirm = useConfirmOrder();
 * <button disabled={confirm.isPending} onClick={() => confirm.mutate({ id: order.id, expectedVersion: order.version })}>Confirm</button>
 * {confirm.error && <p role="alert">{confirm.error.code}: {confirm.error.message}</p>}
 */
export function useConfirmOrder<TOnMutateResult = unknown>(
  options: CrmMutationOptions<Order, ConfirmOrderInput, TOnMutateResult> = {},
): UseMutationResult<Order, CrmError, ConfirmOrderInput, TOnMutateResult> {
  const crm = useCrmClient();
  const queryClient = useQueryClient();
  const { onSuccess, onError, ...rest } = options;
  return useMutation<Order, CrmError, ConfirmOrderInput, TOnMutateResult>({
    ...rest,
    mutationFn: (input) => crm.orders.confirm.mutate(input),
    onSuccess: async (order, ...args) => {
      await invalidateConfirmedOrder(queryClient, order);
      return onSuccess?.(order, ...args);
    },
    onError: async (error, ...args) => {
      if (CREDIT_REFUSALS.has(error.code)) await queryClient.invalidateQueries({ queryKey: creditKeys.statuses });
      return onError?.(error, ...args);
    },
  });
}
