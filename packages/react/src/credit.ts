import { useMutation, useQuery, useQueryClient, type QueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import type { AccountCreditStatus, CreditApproval, CrmError, ListCreditApprovalsInput, Page } from '@crmkit/core';
import type { RouterInputs } from '@crmkit/client';
import { useCrmClient } from './provider.js';
import type { CrmMutationOptions, CrmQueryOptions } from './accounts.js';
import { useCursorPages, type CursorPageParam, type CursorPagesOptions, type CursorPagesQuery } from './cursor-pages.js';
import { crmKeys } from './keys.js';

/** What `useCreditApprovals` filters by (queue, statuses, account, order, page size); the hook manages the cursor. */
export type CreditApprovalsFilter = Omit<ListCreditApprovalsInput, 'cursor'>;

/** One page of `credit.approvals`. */
export type CreditApprovalPage = Page<CreditApproval>;
/** The cursor an approvals page was fetched with (`null` for the first page). */
export type CreditApprovalPageParam = CursorPageParam;

/** Input of `useApproveCredit`'s mutation: the request, and optionally why. */
export type ApproveCreditInput = RouterInputs['credit']['approve'];
/** Input of `useRejectCredit`'s mutation: the request and why (required: the rep sees it). */
export type RejectCreditInput = RouterInputs['credit']['reject'];

/** Drops `undefined` fields so `{}` and `{ accountId: undefined }` share one cache entry. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const statuses = [...crmKeys.exposure.all, 'credit'] as const;
const approvals = [...crmKeys.all, 'credit', 'approvals'] as const;

/**
 * The TanStack Query keys of the credit hooks, under `crmKeys.all` (so removing `crmKeys.all`
 * on sign-out drops them too).
 *
 * A credit status is computed from exposure figures, so it is cached under `crmKeys.exposure.all`:
 * every hook that refreshes exposure (confirming an order, moving an account, changing ownership,
 * which changes what the caller may see of the path) refreshes mounted credit statuses as well.
 * `crmKeys.exposure.account(id)` is the exact key of `useAccountExposure` and does not prefix
 * them, so reading or writing that entry never touches a credit status.
 *
 * @example
 * const queryClient = useQueryClient();
 * // after a finance system set limits or holds behind crmkit's back:
 * await queryClient.invalidateQueries({ queryKey: creditKeys.statuses });
 * // after approvals were decided elsewhere:
 * await queryClient.invalidateQueries({ queryKey: creditKeys.approvalLists });
 */
export const creditKeys = {
  /** Every credit status, of every account. */
  statuses,
  /** One account's credit status, as read by `useCreditStatus`. */
  status: (accountId: string) => [...statuses, accountId] as const,
  /** Every approvals list, whatever its filter. */
  approvalLists: approvals,
  /**
   * One filtered approvals list, as paged by `useCreditApprovals` (the cursor is not part of the
   * key; `queue` defaults to `mine` and `status` to `['pending']`, as on the server).
   */
  approvals: (filter: CreditApprovalsFilter = {}) => {
    const { cursor: _ignored, queue, status, ...rest } = filter as CreditApprovalsFilter & { cursor?: unknown };
    return [...approvals, compact({ ...rest, queue: queue ?? 'mine', status: status ?? ['pending'] })] as const;
  },
} as const;

export type CreditStatusKey = ReturnType<typeof creditKeys.status>;
export type CreditApprovalsKey = ReturnType<typeof creditKeys.approvals>;

/** The result of `useCreditApprovals`: TanStack's infinite query result plus the pages flattened (newest first). */
export type UseCreditApprovalsResult = CursorPagesQuery<CreditApproval> & {
  /** Every request of the pages loaded so far, in the server's order (newest first). */
  approvals: CreditApproval[];
};

/** Options of `useCreditApprovals`, passed through to `useInfiniteQuery`. */
export type UseCreditApprovalsOptions = CursorPagesOptions<CreditApproval, CreditApprovalsKey>;

// ---------------------------------------------------------------------------------------------
// Queries

/**
 * An account's credit now: its path to the root (`accountId: null` for accounts the caller may not
 * see), every limit on it (own and group, with the level on the path) with its exposure and what is
 * still available in the limit's currency (both null when an exchange rate is missing; available
 * below 0 when over), whether any is breached, holds on the path, the account's pending approval
 * requests, and the last credit decision about the account (pass, refusal, hold, approval,
 * breach…) with its explanation. Disabled while `accountId` is null or undefined; an account the
 * caller may not see fails with NOT_FOUND. Cached under `crmKeys.exposure.all`, so whatever
 * refreshes exposure (`useConfirmOrder`, `useSetAccountParent`, ownership changes) refreshes it,
 * and so do `useApproveCredit` and `useRejectCredit`.
 *
 * @example
 * const { data } = useCreditStatus(storeId);
 * return <ul>{data?.limits.map((l) => (
 *   <li key={`${l.level}-${l.scope}`}>{l.scope} {l.currency} available {l.availableMinor === null ? '?' : formatMoney({ amountMinor: l.availableMinor, currency: l.currency })}</li>
 * ))}</ul>;
 */
export function useCreditStatus<TData = AccountCreditStatus>(
  accountId: string | null | undefined,
  options: CrmQueryOptions<AccountCreditStatus, TData, CreditStatusKey> = {},
): UseQueryResult<TData, CrmError> {
  const crm = useCrmClient();
  return useQuery<AccountCreditStatus, CrmError, TData, CreditStatusKey>({
    ...options,
    queryKey: creditKeys.status(accountId ?? ''),
    queryFn: ({ signal }) => {
      if (accountId == null) throw new Error('useCreditStatus ran without an accountId'); // unreachable: disabled
      return crm.credit.status.query({ accountId }, { signal });
    },
    enabled: accountId != null && (options.enabled ?? true),
  });
}

/**
 * Credit approval requests (orders held by the tenant's `hold` policy), newest first, paged over the
 * server's cursor. By default, a manager's queue: the pending requests routed to the caller or to
 * someone whose approvals are delegated to the caller now. `queue: 'all'` lists every request on
 * an account the caller may see; `status` picks other states (approved, rejected, expired…);
 * `accountId` and `orderId` narrow it; `limit` is the page size. `approvals` holds every request
 * loaded so far; call `fetchNextPage()` while `hasNextPage`. Deciding a request through
 * `useApproveCredit` or `useRejectCredit` refreshes every approvals list.
 *
 * @example
 * const { approvals, hasNextPage, fetchNextPage } = useCreditApprovals();
 * const approve = useApproveCredit();
 * return <ul>{approvals.map((a) => (
 *   <li key={a.id}>{a.orderId}: {formatMoney({ amountMinor: a.amountMinor, currency: a.currency })} {a.currency}
 *     <button onClick={() => approve.mutate({ id: a.id })}>Approve</button></li>
 * ))}</ul>;
 */
export function useCreditApprovals(filter: CreditApprovalsFilter = {}, options: UseCreditApprovalsOptions = {}): UseCreditApprovalsResult {
  const crm = useCrmClient();
  const queryKey = creditKeys.approvals(filter);
  const { query, items } = useCursorPages(queryKey, (cursor, signal) => crm.credit.approvals.query({ ...queryKey[3], ...(cursor ? { cursor } : {}) }, { signal }), options);
  return { ...query, approvals: items };
}

// ---------------------------------------------------------------------------------------------
// Mutations

/**
 * What a decided request makes stale: every approvals list (the request leaves the pending
 * queues), its order (held → confirmed or back to draft) and the order lists, and credit statuses
 * (pending approvals, last decision). An approval also confirms the order, which starts counting
 * toward the bill-to account's exposure and every ancestor's group figures: every exposure
 * (credit statuses included) and receivables query is invalidated by prefix, as `useConfirmOrder`
 * does. TanStack Query refetches only the mounted ones.
 */
function invalidateDecidedApproval(queryClient: QueryClient, approval: CreditApproval, confirmed: boolean): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: creditKeys.approvalLists }),
    queryClient.invalidateQueries({ queryKey: crmKeys.orders.detail(approval.orderId) }),
    queryClient.invalidateQueries({ queryKey: crmKeys.orders.lists }),
    confirmed ? queryClient.invalidateQueries({ queryKey: crmKeys.exposure.all }) : queryClient.invalidateQueries({ queryKey: creditKeys.statuses }),
    confirmed ? queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all }) : undefined,
  ]);
}

/**
 * A useMutation deciding a request whose success first refreshes crmkit's caches (awaited, so the
 * mutation stays pending until mounted queries have refetched), then calls the caller's onSuccess.
 */
function useDecisionMutation<TVariables, TOnMutateResult>(
  mutationFn: (variables: TVariables) => Promise<CreditApproval>,
  confirmed: boolean,
  options: CrmMutationOptions<CreditApproval, TVariables, TOnMutateResult>,
): UseMutationResult<CreditApproval, CrmError, TVariables, TOnMutateResult> {
  const queryClient = useQueryClient();
  const { onSuccess, ...rest } = options;
  return useMutation<CreditApproval, CrmError, TVariables, TOnMutateResult>({
    ...rest,
    mutationFn,
    onSuccess: async (approval, ...args) => {
      await invalidateDecidedApproval(queryClient, approval, confirmed);
      return onSuccess?.(approval, ...args);
    },
  });
}

/**
 * Approves a held order's credit request (its approver, their approvals delegate now, or an admin;
 * never the order's creator or one of its lines' reps): the check runs again with the held amount
 * allowed over limits and overdue invoices, and the order is confirmed. Answers the request, now
 * `approved`. On success every approvals list, the order and the order lists refetch, and so does
 * every mounted exposure, credit status and receivables query; the mutation settles once they have,
 * then your `onSuccess` runs. Fails with a CrmError: FORBIDDEN for someone the request is not
 * routed to (or who created the order), PRECONDITION_FAILED for a request no longer pending or
 * past its expiry, CONFLICT when it was decided meanwhile, CREDIT_HOLD when an account of the path
 * was put on hold since (an approval does not lift a hold), NOT_FOUND for a request the caller may
 * not see.
 *
 * @example
 * const approve = useApproveCredit();
 * <button disabled={approve.isPending} onClick={() => approve.mutate({ id: request.id, reason: 'pays reliably' })}>Approve</button>
 * {approve.error && <p role="alert">{approve.error.code}: {approve.error.message}</p>}
 */
export function useApproveCredit<TOnMutateResult = unknown>(
  options: CrmMutationOptions<CreditApproval, ApproveCreditInput, TOnMutateResult> = {},
): UseMutationResult<CreditApproval, CrmError, ApproveCreditInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useDecisionMutation((input) => crm.credit.approve.mutate(input), true, options);
}

/**
 * Rejects a held order's credit request, with why: the order returns to draft (it reserved nothing
 * while held, so exposure does not move). Answers the request, now `rejected`. On success every
 * approvals list, the order, the order lists and every mounted credit status refetch. Fails like
 * `useApproveCredit` (FORBIDDEN, PRECONDITION_FAILED, CONFLICT, NOT_FOUND), and with VALIDATION
 * for an empty reason.
 *
 * @example
 * const reject = useRejectCredit();
 * reject.mutate({ id: request.id, reason: 'two invoices over 60 days' });
 */
export function useRejectCredit<TOnMutateResult = unknown>(
  options: CrmMutationOptions<CreditApproval, RejectCreditInput, TOnMutateResult> = {},
): UseMutationResult<CreditApproval, CrmError, RejectCreditInput, TOnMutateResult> {
  const crm = useCrmClient();
  return useDecisionMutation((input) => crm.credit.reject.mutate(input), false, options);
}
