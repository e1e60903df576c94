import { useMemo, type ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { AGEING_BUCKETS, formatMoney, type AgeingBucket, type CrmError, type CurrencyCode } from '@crmkit/core';
// Core's `Receivables` type goes by its alias here: the component below takes the name.
import { useReceivables, type AccountReceivables } from './orders.js';

/** English labels of the ageing buckets, youngest first, as the default markup shows them. */
export const receivablesBucketLabels: Readonly<Record<AgeingBucket, string>> = {
  current: 'Current',
  '1-30': '1–30 days',
  '31-60': '31–60 days',
  '61-90': '61–90 days',
  'over-90': 'Over 90 days',
};

/** One row of a currency's ageing table. */
export interface ReceivablesBucketRow {
  bucket: AgeingBucket;
  /** The English label of `receivablesBucketLabels`. */
  label: string;
  amountMinor: number;
  /** `amountMinor` formatted with core's `formatMoney` (`'1650.00'`). */
  amount: string;
}

/** One open invoice, aged. */
export interface ReceivablesInvoiceRow {
  id: string;
  /** The invoice's own number, or null when it was issued without one. */
  number: string | null;
  /** Who it is billed to: the account itself, or with `group`, any account of the subtree. */
  billToAccountId: string;
  /** The calendar date it fell due, in the tenant's time zone. */
  dueDate: string;
  /** Local days past due at `asOf` (0 or less: not yet due). */
  daysPastDue: number;
  bucket: AgeingBucket;
  openMinor: number;
  /** `openMinor` formatted. */
  amount: string;
}

/** The ageing of one currency, ready to render: amounts never mix currencies. */
export interface ReceivablesCurrencyTable {
  currency: CurrencyCode;
  /** Every bucket, youngest first (current, 1–30, 31–60, 61–90, over 90), 0 when empty. */
  rows: ReceivablesBucketRow[];
  /** The sum of the open invoices. */
  openMinor: number;
  open: string;
  /** Payments not yet allocated and credit notes not yet applied. */
  onAccountCreditMinor: number;
  onAccountCredit: string;
  /** `openMinor − onAccountCreditMinor` (negative when the customer is in credit). */
  netMinor: number;
  net: string;
  /** The open invoices by due date, oldest first. */
  invoices: ReceivablesInvoiceRow[];
}

/** What `Receivables` hands its `render` function. */
export interface ReceivablesState {
  /** The server's answer once loaded (also while it refetches in the background). */
  receivables: AccountReceivables | undefined;
  /** One ageing table per currency, in currency order; empty until loaded and when nothing is owed or held. */
  currencies: ReceivablesCurrencyTable[];
  /** True until the first answer arrives (false while `accountId` is undefined: nothing is fetched). */
  isLoading: boolean;
  /** Loaded, and no currency has an open invoice or credit on account. */
  isEmpty: boolean;
  /** Why loading failed, e.g. `error.code === 'NOT_FOUND'` for an account the caller may not see, `NETWORK` when offline. */
  error: CrmError | null;
  /** The underlying query, for `refetch`, `isFetching` and the rest. */
  query: UseQueryResult<AccountReceivables, CrmError>;
}

export interface ReceivablesProps {
  /** The account whose receivables to show; nothing is fetched while undefined. */
  accountId: string | undefined;
  /** Its whole group (the subtree the caller may see) instead of the account alone. */
  group?: boolean;
  /** The ISO instant to age at (default: the server's now). */
  asOf?: string;
  /**
   * Renders the receivables; it owns all markup and styling. Without it the widget renders plain,
   * unstyled, accessible markup: per currency an ageing table and an open-invoice table, each
   * with a caption, a `role="status"` line while loading and a `role="alert"` with the error code.
   */
  render?: (state: ReceivablesState) => ReactNode;
}

const noTables: ReceivablesCurrencyTable[] = [];

/** The server's receivables as tables with formatted amounts. */
function tablesOf(receivables: AccountReceivables): ReceivablesCurrencyTable[] {
  return receivables.currencies.map((c) => {
    const fmt = (amountMinor: number) => formatMoney({ amountMinor, currency: c.currency });
    return {
      currency: c.currency,
      rows: AGEING_BUCKETS.map((bucket) => ({ bucket, label: receivablesBucketLabels[bucket], amountMinor: c.buckets[bucket], amount: fmt(c.buckets[bucket]) })),
      openMinor: c.openMinor,
      open: fmt(c.openMinor),
      onAccountCreditMinor: c.onAccountCreditMinor,
      onAccountCredit: fmt(c.onAccountCreditMinor),
      netMinor: c.netMinor,
      net: fmt(c.netMinor),
      invoices: c.invoices.map((i) => ({
        id: i.id,
        number: i.number,
        billToAccountId: i.billToAccountId,
        dueDate: i.dueDate,
        daysPastDue: i.daysPastDue,
        bucket: i.bucket,
        openMinor: i.openMinor,
        amount: fmt(i.openMinor),
      })),
    };
  });
}

/** The markup `Receivables` renders without a `render` function. */
function defaultMarkup({ receivables, currencies, isLoading, isEmpty, error }: ReceivablesState): ReactNode {
  if (error) return <p role="alert">{`Receivables could not be loaded (${error.code}): ${error.message}`}</p>;
  if (isLoading) return <p role="status">Loading receivables…</p>;
  if (!receivables) return null;
  const at = `as of ${receivables.asOfDate} (${receivables.timeZone})`;
  if (isEmpty) return <p>{`No receivables ${at}.`}</p>;
  return currencies.map((c) => (
    <section key={c.currency}>
      <table>
        <caption>{`Receivables in ${c.currency} ${at}`}</caption>
        <thead>
          <tr>
            <th scope="col">Age</th>
            <th scope="col">{`Amount (${c.currency})`}</th>
          </tr>
        </thead>
        <tbody>
          {c.rows.map((row) => (
            <tr key={row.bucket}>
              <th scope="row">{row.label}</th>
              <td>{row.amount}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Open</th>
            <td>{c.open}</td>
          </tr>
          <tr>
            <th scope="row">On-account credit</th>
            <td>{c.onAccountCredit}</td>
          </tr>
          <tr>
            <th scope="row">Net</th>
            <td>{c.net}</td>
          </tr>
        </tfoot>
      </table>
      <table>
        <caption>{`Open invoices in ${c.currency}`}</caption>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">Due</th>
            <th scope="col">Days past due</th>
            <th scope="col">{`Open (${c.currency})`}</th>
          </tr>
        </thead>
        <tbody>
          {c.invoices.map((i) => (
            <tr key={i.id}>
              <th scope="row">{i.number ?? i.id}</th>
              <td>{i.dueDate}</td>
              <td>{i.daysPastDue > 0 ? String(i.daysPastDue) : 'not overdue'}</td>
              <td>{i.amount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  ));
}

/**
 * A headless receivables widget: loads an account's (or its group's) receivables and hands your
 * markup one ageing table per currency (the five buckets, open, on-account credit and net, with
 * amounts formatted by core's `formatMoney`) and the open invoices with their days past due.
 * Without `render` it renders plain accessible tables (a caption per currency). Confirming an order
 * through `useConfirmOrder` refreshes it.
 *
 * @example
 * <Receivables accountId={hqId} group render={({ currencies, isLoading, isEmpty, error }) =>
 *   error ? <p role="alert">{error.code}</p>
 *   : isLoading ? <p>Loading…</p>
 *   : isEmpty ? <p>Nothing owed</p>
 *   : currencies.map((c) => (
 *       <dl key={c.currency}>
 *         {c.rows.map((r) => <div key={r.bucket}><dt>{r.label}</dt><dd>{r.amount} {c.currency}</dd></div>)}
 *         <dt>Net</dt><dd>{c.net}</dd>
 *       </dl>
 *     ))} />
 */
export function Receivables({ accountId, group, asOf, render = defaultMarkup }: ReceivablesProps): ReactNode {
  const query = useReceivables(accountId, { group, asOf });
  const data = query.data;
  const currencies = useMemo(() => (data ? tablesOf(data) : noTables), [data]);
  return render({
    receivables: data,
    currencies,
    isLoading: query.isLoading,
    isEmpty: data !== undefined && data.currencies.length === 0,
    error: query.error,
    query,
  });
}
