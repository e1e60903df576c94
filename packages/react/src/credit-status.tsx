import { useMemo, type ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import {
  formatMoney,
  type AccountCreditStatus,
  type CreditApproval,
  type CreditDecisionRecord,
  type CreditScope,
  type CrmError,
  type CurrencyCode,
  type MissingRate,
} from '@crmkit/core';
import { useCreditStatus } from './credit.js';

/** How the widget names an account of the path the caller may not see (the server's own words in explanations). */
export const hiddenAccountLabel = 'an account you may not see';

/** The decision kinds `CreditStatusState.lastIssue` reports: the ones a person must act on or know about. */
export type CreditIssueKind = 'refuse' | 'hold' | 'breach';

/** One limit on the account's path, ready to render: amounts are in the limit's currency, formatted with core's `formatMoney`. */
export interface CreditLimitRow {
  /** Unique within the status: level and scope (`'1-group'`). */
  key: string;
  /** The account holding the limit, or null when the caller may not see it. */
  accountId: string | null;
  /** `accountId`, or `hiddenAccountLabel` when it is null. */
  account: string;
  /** Its place on the path: 0 is the account itself, 1 its parent, and so on up to the root. */
  level: number;
  /** `own` (the account's own documents) or `group` (its whole subtree). */
  scope: CreditScope;
  currency: CurrencyCode;
  limitMinor: number;
  /** `limitMinor` formatted (`'10000.00'`). */
  limit: string;
  /** The limit with the tenant's overrun allowance (equal to the limit without one). */
  allowedMinor: number;
  allowed: string;
  /** Exposure converted into the limit's currency; null when an exchange rate is missing. */
  exposureMinor: number | null;
  exposure: string | null;
  /** `allowed − exposure` (negative when over); null when an exchange rate is missing. */
  availableMinor: number | null;
  available: string | null;
  /** Whether this limit is already over (available below 0). */
  breached: boolean;
}

/** A credit hold on an account of the path. */
export interface CreditHoldRow {
  /** The account on hold, or null when the caller may not see it. */
  accountId: string | null;
  /** `accountId`, or `hiddenAccountLabel`. */
  account: string;
  reason: string;
  /** Who put it on hold, and when (ISO instant). */
  by: string;
  at: string;
}

/** A pending approval request of the account, with its amount formatted. */
export type CreditPendingApprovalRow = CreditApproval & {
  /** `amountMinor` formatted in the request's currency. */
  amount: string;
};

/** The last credit decision about the account when it refused an order, held one for approval, or recorded a breach. */
export interface CreditDecisionIssue {
  kind: CreditIssueKind;
  /** The refusal code (`CREDIT_LIMIT_EXCEEDED`, `CREDIT_HOLD`, `OVERDUE_INVOICES`, `NO_EXCHANGE_RATE`), or null (a breach from outside facts). */
  code: string | null;
  /** The order it was about, or null (a breach). */
  orderId: string | null;
  /** When (ISO instant) and by whom. */
  at: string;
  by: string;
  /** The explanation's messages in order, accounts the caller may not see already named `hiddenAccountLabel` by the server. */
  messages: string[];
  /** The full record, with the decision's findings and the explanation's steps. */
  record: CreditDecisionRecord;
}

/** What `CreditStatus` hands its `render` function. */
export interface CreditStatusState {
  /** The server's answer once loaded (also while it refetches in the background). */
  status: AccountCreditStatus | undefined;
  /** Every limit on the path, from the account up to the root (own before group at each level); empty until loaded and when there is none. */
  limits: CreditLimitRow[];
  /** Whether any limit on the path is over; false until loaded. */
  breached: boolean;
  /** Credit holds on the path; empty until loaded. */
  holds: CreditHoldRow[];
  /** The account's pending approval requests, newest first; empty until loaded. */
  pendingApprovals: CreditPendingApprovalRow[];
  /** Conversions no exchange rate was found for (those limits show null exposure and available). */
  missingRates: MissingRate[];
  /** The last decision about the account when it was a refusal, a hold or a breach; null otherwise (and until loaded). */
  lastIssue: CreditDecisionIssue | null;
  /** True until the first answer arrives (false while `accountId` is null or undefined: nothing is fetched). */
  isLoading: boolean;
  /** Why loading failed, e.g. `error.code === 'NOT_FOUND'` for an account the caller may not see, `NETWORK` when offline. */
  error: CrmError | null;
  /** The underlying query, for `refetch`, `isFetching` and the rest. */
  query: UseQueryResult<AccountCreditStatus, CrmError>;
}

export interface CreditStatusProps {
  /** The account whose credit to show; nothing is fetched while null or undefined. */
  accountId: string | null | undefined;
  /**
   * Renders the status; it owns all markup and styling. Without it the widget renders plain,
   * unstyled, accessible markup: a captioned table of the limits, a line saying whether any is
   * breached, labelled lists of holds and pending approvals, and the last refusal, hold or breach
   * with its explanation; a `role="status"` line while loading and a `role="alert"` with the error code.
   */
  render?: (state: CreditStatusState) => ReactNode;
}

const noLimits: CreditLimitRow[] = [];
const noHolds: CreditHoldRow[] = [];
const noApprovals: CreditPendingApprovalRow[] = [];
const noRates: MissingRate[] = [];
const issueKinds: ReadonlySet<string> = new Set<CreditIssueKind>(['refuse', 'hold', 'breach']);

const accountLabel = (accountId: string | null) => accountId ?? hiddenAccountLabel;
const money = (amountMinor: number, currency: CurrencyCode) => formatMoney({ amountMinor, currency });

interface Derived {
  limits: CreditLimitRow[];
  holds: CreditHoldRow[];
  pendingApprovals: CreditPendingApprovalRow[];
  lastIssue: CreditDecisionIssue | null;
}

/** The server's status as rows with formatted amounts. */
function derive(status: AccountCreditStatus): Derived {
  const last = status.lastDecision;
  return {
    limits: status.limits.map((l) => ({
      key: `${l.level}-${l.scope}`,
      accountId: l.accountId,
      account: accountLabel(l.accountId),
      level: l.level,
      scope: l.scope,
      currency: l.currency,
      limitMinor: l.limitMinor,
      limit: money(l.limitMinor, l.currency),
      allowedMinor: l.allowedMinor,
      allowed: money(l.allowedMinor, l.currency),
      exposureMinor: l.exposureMinor,
      exposure: l.exposureMinor === null ? null : money(l.exposureMinor, l.currency),
      availableMinor: l.availableMinor,
      available: l.availableMinor === null ? null : money(l.availableMinor, l.currency),
      breached: l.availableMinor !== null && l.availableMinor < 0,
    })),
    holds: status.holds.map((h) => ({ accountId: h.accountId, account: accountLabel(h.accountId), reason: h.reason, by: h.by, at: h.at })),
    pendingApprovals: status.pendingApprovals.map((a) => ({ ...a, amount: money(a.amountMinor, a.currency) })),
    lastIssue:
      last && issueKinds.has(last.kind)
        ? { kind: last.kind as CreditIssueKind, code: last.code, orderId: last.orderId, at: last.at, by: last.by, messages: last.explanation.map((s) => s.message), record: last }
        : null,
  };
}

/** The heading of the last issue in the default markup. */
function issueTitle(issue: CreditDecisionIssue): string {
  const order = issue.orderId ? `order ${issue.orderId}` : 'an order';
  switch (issue.kind) {
    case 'refuse':
      return `Last credit decision: ${order} refused${issue.code ? ` (${issue.code})` : ''} at ${issue.at}`;
    case 'hold':
      return `Last credit decision: ${order} held for approval${issue.code ? ` (${issue.code})` : ''} at ${issue.at}`;
    case 'breach':
      return `Last credit decision: a limit was breached at ${issue.at}`;
  }
}

/** The markup `CreditStatus` renders without a `render` function. */
function defaultMarkup({ status, limits, breached, holds, pendingApprovals, missingRates, lastIssue, isLoading, error }: CreditStatusState): ReactNode {
  if (error) return <p role="alert">{`Credit status could not be loaded (${error.code}): ${error.message}`}</p>;
  if (isLoading) return <p role="status">Loading credit status…</p>;
  if (!status) return null;
  return (
    <section aria-label={`Credit of ${status.accountId}`}>
      {limits.length === 0 ? (
        <p>{`No credit limit applies to ${status.accountId}.`}</p>
      ) : (
        <table>
          <caption>{`Credit limits of ${status.accountId}`}</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Level</th>
              <th scope="col">Scope</th>
              <th scope="col">Currency</th>
              <th scope="col">Limit</th>
              <th scope="col">Exposure</th>
              <th scope="col">Available</th>
            </tr>
          </thead>
          <tbody>
            {limits.map((l) => (
              <tr key={l.key}>
                <th scope="row">{l.account}</th>
                <td>{String(l.level)}</td>
                <td>{l.scope}</td>
                <td>{l.currency}</td>
                <td>{l.limit}</td>
                <td>{l.exposure ?? 'unknown (no exchange rate)'}</td>
                <td>{l.available ?? 'unknown (no exchange rate)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {limits.length > 0 && <p>{breached ? 'Over limit: at least one limit on the path is exceeded.' : 'Within every limit on the path.'}</p>}
      {missingRates.length > 0 && <p>{`Missing exchange rates: ${missingRates.map((m) => `${m.from}→${m.to}`).join(', ')}.`}</p>}
      {holds.length > 0 && (
        <ul aria-label="Credit holds">
          {holds.map((h) => (
            <li key={`${h.account}-${h.at}`}>{`${h.account} on hold since ${h.at} by ${h.by}: ${h.reason}`}</li>
          ))}
        </ul>
      )}
      {pendingApprovals.length > 0 && (
        <ul aria-label="Pending credit approvals">
          {pendingApprovals.map((a) => (
            <li key={a.id}>{`Order ${a.orderId}: ${a.amount} ${a.currency}, awaiting ${a.approverId ?? a.routedToId ?? 'an admin'} until ${a.expiresAt}`}</li>
          ))}
        </ul>
      )}
      {lastIssue && (
        <section aria-label="Last credit decision">
          <p>{issueTitle(lastIssue)}</p>
          <ol>
            {lastIssue.messages.map((message, i) => (
              <li key={i}>{message}</li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}

/**
 * A headless credit status widget: loads an account's credit status and hands your markup every
 * limit on its path (own or group, the level, the account or `hiddenAccountLabel` for one the caller
 * may not see, the limit, exposure and available, formatted by core's `formatMoney` in the limit's
 * currency), whether any is breached, holds on the path, the account's pending approval requests,
 * and, when the last credit decision about the account refused an order, held one for approval or
 * recorded a breach, that decision with its explanation. Without `render` it renders plain
 * accessible markup. Whatever refreshes exposure (`useConfirmOrder`, `useSetAccountParent`,
 * ownership changes) refreshes it, and so do `useApproveCredit` and `useRejectCredit`.
 *
 * @example
 * <CreditStatus accountId={storeId} render={({ limits, breached, lastIssue, isLoading, error }) =>
 *   error ? <p role="alert">{error.code}</p>
 *   : isLoading ? <p>Loading…</p>
 *   : <>
 *       <dl>{limits.map((l) => <div key={l.key}><dt>{l.account} ({l.scope})</dt><dd>{l.available ?? '?'} of {l.limit} {l.currency} available</dd></div>)}</dl>
 *       {breached && <strong>Over limit</strong>}
 *       {lastIssue?.kind === 'refuse' && <ol>{lastIssue.messages.map((m, i) => <li key={i}>{m}</li>)}</ol>}
 *     </>} />
 */
export function CreditStatus({ accountId, render = defaultMarkup }: CreditStatusProps): ReactNode {
  const query = useCreditStatus(accountId);
  const data = query.data;
  const derived = useMemo(() => (data ? derive(data) : undefined), [data]);
  return render({
    status: data,
    limits: derived?.limits ?? noLimits,
    breached: data?.breached ?? false,
    holds: derived?.holds ?? noHolds,
    pendingApprovals: derived?.pendingApprovals ?? noApprovals,
    missingRates: data?.missingRates ?? noRates,
    lastIssue: derived?.lastIssue ?? null,
    isLoading: query.isLoading,
    error: query.error,
    query,
  });
}
