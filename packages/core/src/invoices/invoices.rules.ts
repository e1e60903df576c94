import { CrmError } from '../errors.js';

/**
 * An invoice's total from its line amounts; VALIDATION on `lines` unless it is positive and a safe
 * integer (an invoice credits nothing: a credit note does).
 *
 * @example invoiceTotal([3_000_00, 150_00]) // 315000
 */
export function invoiceTotal(amounts: readonly number[]): number {
  const total = amounts.reduce((sum, a) => sum + a, 0);
  if (!Number.isSafeInteger(total) || total <= 0) throw CrmError.validation('lines', 'an invoice total must be positive: credit an invoice with a credit note', { totalMinor: total });
  return total;
}

/**
 * VALIDATION on `path` unless a credit-note line may take `amountMinor` off an invoice line: never
 * more than the line has left after the credit notes before it.
 */
export function assertCreditable(line: { id: string; amountMinor: number; creditedMinor: number }, amountMinor: number, path: string): void {
  const left = Math.max(0, line.amountMinor - line.creditedMinor);
  if (amountMinor > left) throw CrmError.validation(path, `line ${line.id} has ${left} left to credit`, { creditableMinor: left });
}

/** A payment and an invoice as an allocation between them is judged. */
export interface AllocationFacts {
  payment: { id: string; currency: string };
  invoice: { id: string; kind: string; currency: string; status: string; openMinor: number };
  amountMinor: number;
}

/**
 * VALIDATION (at `path.invoiceId` or `path.amountMinor`) unless the amount may be allocated: to an
 * invoice (not a credit note), in the payment's currency (a cross-currency allocation is refused,
 * with both currencies in `details`), open, and not above its open balance.
 */
export function assertAllocatable({ payment, invoice, amountMinor }: AllocationFacts, path: string): void {
  if (invoice.kind !== 'invoice') throw CrmError.validation(`${path}.invoiceId`, `${invoice.id} is a credit note: payments are allocated to invoices`);
  if (invoice.currency !== payment.currency) {
    throw CrmError.validation(`${path}.invoiceId`, `invoice ${invoice.id} is in ${invoice.currency} and the payment in ${payment.currency}: a payment is allocated only to invoices in its currency`, {
      invoiceCurrency: invoice.currency, paymentCurrency: payment.currency,
    });
  }
  if (invoice.status !== 'open' || amountMinor > invoice.openMinor) {
    throw CrmError.validation(`${path}.amountMinor`, `invoice ${invoice.id} has ${invoice.openMinor} open; ${amountMinor} cannot be allocated to it`, { openMinor: invoice.openMinor });
  }
}

/** VALIDATION on `allocations` when the allocations together exceed what the payment has left. */
export function assertWithinPayment(payment: { id: string; amountMinor: number; allocatedMinor: number }, allocationsMinor: number): void {
  const left = payment.amountMinor - payment.allocatedMinor;
  if (allocationsMinor > left) throw CrmError.validation('allocations', `the allocations (${allocationsMinor}) exceed what payment ${payment.id} has left (${left})`, { unallocatedMinor: left, allocationsMinor });
}
