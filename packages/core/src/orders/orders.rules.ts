import { CrmError } from '../errors.js';
import type { OrderStatus } from './orders.schema.js';

/** What an order's lines are to its rules: amounts in minor units, quantities in units. */
export interface LineFigures {
  unitPriceMinor: number;
  quantity: number;
  amountMinor: number;
  fulfilledQuantity: number;
  invoicedMinor: number;
}

/** Statuses in which a confirmed order counts toward its bill-to account's exposure. */
const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['confirmed', 'partially_fulfilled', 'fulfilled']);

/**
 * A line's amount, `quantity × unitPriceMinor`, exactly; VALIDATION on `path` when it leaves the
 * safe integer range.
 *
 * @example lineAmount(3, 12_50, 'lines.0') // 3750
 */
export function lineAmount(quantity: number, unitPriceMinor: number, path: string): number {
  const amount = quantity * unitPriceMinor;
  if (!Number.isSafeInteger(amount)) throw CrmError.validation(path, 'the line amount (quantity × unit price) is too large', { quantity, unitPriceMinor });
  return amount === 0 ? 0 : amount; // no -0
}

/**
 * The order's total; VALIDATION on `lines` when it is negative (discount lines may be negative,
 * the order may not) or too large.
 */
export function orderTotal(amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) {
    total += amount;
    if (!Number.isSafeInteger(total)) throw CrmError.validation('lines', 'the order total is too large');
  }
  if (total < 0) throw CrmError.validation('lines', `the order total may not be negative (it is ${total}): discounts may not exceed the goods`, { totalMinor: total });
  return total;
}

/** What invoices may still take from a line: its amount less what was invoiced (same sign as the amount, or 0). */
export const uninvoicedOf = (line: Pick<LineFigures, 'amountMinor' | 'invoicedMinor'>): number => line.amountMinor - line.invoicedMinor;

/** When an order starts counting toward exposure: from its confirmation (whole amount) or from its deliveries (tenant credit policy `checkAt`). */
export type ExposureBasis = 'confirmation' | 'fulfilment';

/**
 * What a confirmed order adds to its bill-to account's exposure: 0 as a draft, on hold, closed or
 * cancelled (cancelling closes only the uninvoiced remainder: the invoices stand); otherwise
 *
 * - `confirmation` basis (the default): the uninvoiced remainder of its lines, never below 0;
 * - `fulfilment` basis: what was delivered and not yet invoiced, per line of goods
 *   (`fulfilledQuantity × unitPriceMinor − invoicedMinor`, never below 0: an invoice ahead of the
 *   delivery already counts as an invoice), with discount lines taken off only once every line of
 *   goods is delivered (so exposure is never understated); never below 0.
 *
 * @example orderOpenMinor('confirmed', [{ amountMinor: 1000, invoicedMinor: 400 }]) // 600
 * @example orderOpenMinor('partially_fulfilled', [{ unitPriceMinor: 100, quantity: 10, amountMinor: 1000, fulfilledQuantity: 3, invoicedMinor: 0 }], 'fulfilment') // 300
 */
export function orderOpenMinor(status: OrderStatus, lines: readonly Pick<LineFigures, 'amountMinor' | 'invoicedMinor'>[], basis?: 'confirmation'): number;
export function orderOpenMinor(status: OrderStatus, lines: readonly LineFigures[], basis: ExposureBasis): number;
export function orderOpenMinor(status: OrderStatus, lines: readonly (Pick<LineFigures, 'amountMinor' | 'invoicedMinor'> & Partial<LineFigures>)[], basis: ExposureBasis = 'confirmation'): number {
  if (!OPEN_STATUSES.has(status)) return 0;
  if (basis === 'confirmation') return Math.max(0, lines.reduce((sum, line) => sum + uninvoicedOf(line), 0));
  const full = lines as readonly LineFigures[];
  const goods = full.filter(delivers);
  const allDelivered = goods.every((l) => l.fulfilledQuantity >= l.quantity);
  let open = 0;
  for (const l of goods) open += Math.max(0, l.fulfilledQuantity * l.unitPriceMinor - l.invoicedMinor);
  if (allDelivered) for (const l of full) if (!delivers(l)) open += uninvoicedOf(l);
  return Math.max(0, open);
}

/** Whether a line is goods to deliver (a discount line, with a negative unit price, is not). */
const delivers = (line: Pick<LineFigures, 'unitPriceMinor'>) => line.unitPriceMinor >= 0;

/**
 * The status an open order takes from its lines' deliveries and invoices: `fulfilled` once every
 * line of goods is delivered, `partially_fulfilled` once some is, else `confirmed`; and `closed`
 * once fulfilled and wholly invoiced.
 */
export function statusFromLines(lines: readonly LineFigures[]): OrderStatus {
  const goods = lines.filter(delivers);
  const delivered = goods.every((l) => l.fulfilledQuantity >= l.quantity);
  if (delivered) return lines.every((l) => uninvoicedOf(l) === 0) ? 'closed' : 'fulfilled';
  return goods.some((l) => l.fulfilledQuantity > 0) ? 'partially_fulfilled' : 'confirmed';
}

/** Statuses whose next status follows from the lines' deliveries and invoices. */
const FOLLOWS_LINES: ReadonlySet<OrderStatus> = new Set(['confirmed', 'partially_fulfilled', 'fulfilled', 'closed']);

/**
 * The status an order takes after its lines changed: a running order follows its lines
 * ({@link statusFromLines}); a draft or a cancelled order keeps its status.
 *
 * @example nextOrderStatus('confirmed', [{ unitPriceMinor: 100, quantity: 2, amountMinor: 200, fulfilledQuantity: 2, invoicedMinor: 0 }]) // 'fulfilled'
 */
export function nextOrderStatus(status: OrderStatus, lines: readonly LineFigures[]): OrderStatus {
  return FOLLOWS_LINES.has(status) ? statusFromLines(lines) : status;
}

export type OrderAction = 'update' | 'confirm' | 'fulfil' | 'cancel' | 'reopen' | 'invoice';

const allowed: Record<OrderAction, readonly OrderStatus[]> = {
  update: ['draft', 'confirmed', 'partially_fulfilled', 'fulfilled'],
  confirm: ['draft'],
  fulfil: ['confirmed', 'partially_fulfilled'],
  cancel: ['draft', 'on_hold', 'confirmed', 'partially_fulfilled', 'fulfilled'],
  reopen: ['cancelled'],
  invoice: ['confirmed', 'partially_fulfilled', 'fulfilled'],
};

const described: Record<OrderAction, string> = {
  update: 'only an order that is not closed, cancelled or on hold can be changed (an order on hold waits for its credit approval: reject it to amend it)',
  confirm: 'only a draft can be confirmed',
  fulfil: 'only a confirmed order that is not yet wholly delivered can be fulfilled',
  cancel: 'a closed or cancelled order cannot be cancelled',
  reopen: 'only a cancelled order can be reopened',
  invoice: 'only a confirmed order can be invoiced',
};

/** PRECONDITION_FAILED unless the order's status allows the action. */
export function assertOrderAllows(order: { id: string; status: OrderStatus }, action: OrderAction): void {
  if (allowed[action].includes(order.status)) return;
  throw new CrmError('PRECONDITION_FAILED', `order ${order.id} is ${order.status.replace('_', ' ')}: ${described[action]}`, {
    details: { orderId: order.id, status: order.status, action },
  });
}

/**
 * VALIDATION unless an amended line keeps what already happened to it: its quantity not below
 * what was delivered, its amount not below what was invoiced (for a discount line, not above).
 * `path` names the line in the input (`lines.2`).
 */
export function assertAmendable(before: Pick<LineFigures, 'fulfilledQuantity' | 'invoicedMinor'>, after: { quantity: number; amountMinor: number }, path: string): void {
  if (after.quantity < before.fulfilledQuantity) {
    throw CrmError.validation(`${path}.quantity`, `the quantity may not go below the ${before.fulfilledQuantity} already delivered`, { fulfilledQuantity: before.fulfilledQuantity });
  }
  const invoiced = before.invoicedMinor;
  const belowInvoiced = invoiced > 0 ? after.amountMinor < invoiced : invoiced < 0 ? after.amountMinor > invoiced : false;
  if (belowInvoiced) {
    throw CrmError.validation(`${path}.quantity`, `the line amount ${after.amountMinor} may not go below the ${invoiced} already invoiced`, { invoicedMinor: invoiced, amountMinor: after.amountMinor });
  }
}

/** VALIDATION unless a line left out of an amendment had nothing delivered or invoiced. */
export function assertRemovable(line: { id: string } & Pick<LineFigures, 'fulfilledQuantity' | 'invoicedMinor'>): void {
  if (line.fulfilledQuantity > 0 || line.invoicedMinor !== 0) {
    throw CrmError.validation('lines', `line ${line.id} was delivered or invoiced and cannot be removed; keep it (with its id)`, { lineId: line.id });
  }
}

/**
 * How much of an invoice line's amount reduces an order line's uninvoiced remainder: all of it up
 * to the remainder, never past it (the excess, freight or tax, is invoice-only). The invoice line
 * must have the order line's sign (a discount line is invoiced by a negative line).
 *
 * @example appliedToOrderLine({ amountMinor: 1000, invoicedMinor: 800 }, 500, 'lines.0') // 200
 */
export function appliedToOrderLine(line: Pick<LineFigures, 'amountMinor' | 'invoicedMinor'>, invoiceAmountMinor: number, path: string): number {
  const remaining = uninvoicedOf(line);
  if (invoiceAmountMinor === 0 || remaining === 0) return 0;
  if (Math.sign(invoiceAmountMinor) !== Math.sign(line.amountMinor)) {
    throw CrmError.validation(`${path}.amountMinor`, 'an invoice line takes the sign of the order line it invoices (a discount line is invoiced by a negative amount)', {
      orderLineAmountMinor: line.amountMinor,
    });
  }
  return remaining > 0 ? Math.min(invoiceAmountMinor, remaining) : Math.max(invoiceAmountMinor, remaining);
}
