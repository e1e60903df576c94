import { z } from 'zod';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { explanationStepSchema } from '../explanation.js';
import { idPattern } from '../ids.js';
import { currencyCodeSchema } from '../money.js';
import { productLineIdSchema } from '../ownership/ownership.schema.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { clearableText, expectedVersionSchema, isoDateTime, optionalText, text } from '../schema-helpers.js';

export const orderIdSchema = z.string().regex(idPattern('ord'), 'expected an order id (ord_…)');
export const orderLineIdSchema = z.string().regex(idPattern('orl'), 'expected an order line id (orl_…)');

/**
 * `draft → confirmed → partially_fulfilled → fulfilled → closed`, and `cancelled` (which
 * `orders.reopen` returns to `draft`). An order closes by itself once fulfilled and wholly invoiced.
 * `on_hold`: under the tenant's `hold` credit policy, a confirmation that breached a credit rule
 * waits for `credit.approve` (→ confirmed), `credit.reject` or expiry (→ draft); it reserves nothing.
 */
export const orderStatusSchema = z.enum(['draft', 'on_hold', 'confirmed', 'partially_fulfilled', 'fulfilled', 'closed', 'cancelled']);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** The largest unit price, in minor units either way (10^13: a hundred billion in a two-decimal currency). */
export const MAX_UNIT_PRICE_MINOR = 10_000_000_000_000;
/** The largest quantity of one line. */
export const MAX_QUANTITY = 1_000_000_000;
/** The most lines an order (or an invoice) may have. */
export const MAX_LINES = 200;

const quantitySchema = z.number().int().min(1).max(MAX_QUANTITY);

/**
 * A line as the caller gives it: the amount is `quantity × unitPriceMinor`, computed by crmkit.
 * A negative unit price is a discount line; an extended warranty is a line of its own product line.
 */
export const orderLineInputSchema = z.strictObject({
  productLineId: productLineIdSchema.optional(),
  sku: optionalText(64),
  description: text(500),
  quantity: quantitySchema,
  unitPriceMinor: z.number().int().min(-MAX_UNIT_PRICE_MINOR).max(MAX_UNIT_PRICE_MINOR),
});
export type OrderLineInput = z.input<typeof orderLineInputSchema>;

/** A line of an amended order: `id` keeps (and changes) an existing line; a line without one is new. */
export const amendedOrderLineInputSchema = orderLineInputSchema.extend({ id: orderLineIdSchema.optional() });

const linesSchema = <T extends z.ZodType>(line: T) => z.array(line).min(1, 'an order needs at least one line').max(MAX_LINES);

export const createOrderInputSchema = z.strictObject({
  orderingAccountId: accountIdSchema,
  /** Default: from the hierarchy (the nearest account up the tree that settles its own invoices). */
  billToAccountId: accountIdSchema.optional(),
  /** Default: the ordering account. */
  shipToAccountId: accountIdSchema.optional(),
  currency: currencyCodeSchema,
  lines: linesSchema(orderLineInputSchema),
  reference: optionalText(100),
  note: optionalText(2000),
  /** When the customer placed it (default: now). */
  orderedAt: isoDateTime.optional(),
});
export type CreateOrderInput = z.input<typeof createOrderInputSchema>;

/**
 * Changes an order. A draft may change anything; a confirmed (or partly fulfilled) order may
 * change its lines (never below what is already invoiced or fulfilled), reference and note.
 * `lines`, when given, is the whole new set: existing lines left out are removed.
 */
export const updateOrderInputSchema = z.strictObject({
  id: orderIdSchema,
  expectedVersion: expectedVersionSchema,
  billToAccountId: accountIdSchema.optional(),
  shipToAccountId: accountIdSchema.optional(),
  currency: currencyCodeSchema.optional(),
  lines: linesSchema(amendedOrderLineInputSchema).optional(),
  reference: clearableText(100),
  note: clearableText(2000),
});
export type UpdateOrderInput = z.input<typeof updateOrderInputSchema>;

export const orderActionInputSchema = z.strictObject({ id: orderIdSchema, expectedVersion: expectedVersionSchema });
export type OrderActionInput = z.input<typeof orderActionInputSchema>;

export const cancelOrderInputSchema = orderActionInputSchema.extend({ reason: text(500) });
export type CancelOrderInput = z.input<typeof cancelOrderInputSchema>;

/** Quantities delivered now, per line (added to what was delivered before). */
export const fulfilOrderInputSchema = orderActionInputSchema.extend({
  lines: z
    .array(z.strictObject({ lineId: orderLineIdSchema, quantity: quantitySchema }))
    .min(1)
    .max(MAX_LINES)
    .refine((lines) => new Set(lines.map((l) => l.lineId)).size === lines.length, 'each line may appear once'),
});
export type FulfilOrderInput = z.input<typeof fulfilOrderInputSchema>;

export const getOrderInputSchema = z.strictObject({ id: orderIdSchema });

export const listOrdersInputSchema = pageInputSchema.extend({
  orderingAccountId: accountIdSchema.optional(),
  billToAccountId: accountIdSchema.optional(),
  status: z.array(orderStatusSchema).min(1).max(7).optional(),
  /** Orders placed at or after this instant. */
  orderedFrom: isoDateTime.optional(),
  /** Orders placed before this instant. */
  orderedBefore: isoDateTime.optional(),
});
export type ListOrdersInput = z.input<typeof listOrdersInputSchema>;

/**
 * The fields every order-to-cash document carries: where it came from (`source`, `crmkit` for those
 * made here, and the ERP's `externalId`: together they address it in sync), who made it, its
 * version and its instants.
 */
export const documentRecordShape = {
  source: z.string(),
  externalId: z.string().nullable(),
  createdBy: z.string(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
};

/** One person recorded on a line at confirmation, with the resolver's explanation. */
export const attributedPersonSchema = z.object({ userId: z.string().nullable(), explanation: z.array(explanationStepSchema) });

/**
 * Who answered for a line when its order was confirmed: the **owner of record** (the ownership
 * rules on the ordering account for the line's product line, ignoring delegation and absence) and
 * the **person acting** (after them). `unattributed` when the account was in the pool.
 */
export const lineAttributionSchema = z.object({
  status: z.enum(['attributed', 'unattributed']),
  at: isoDateTime,
  ownerOfRecord: attributedPersonSchema,
  acting: attributedPersonSchema,
});
export type LineAttribution = z.infer<typeof lineAttributionSchema>;

export const orderLineSchema = z.object({
  id: orderLineIdSchema,
  position: z.number().int(),
  productLineId: z.string().nullable(),
  sku: z.string().nullable(),
  description: z.string(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  amountMinor: z.number().int(),
  fulfilledQuantity: z.number().int(),
  invoicedMinor: z.number().int(),
  /** `amountMinor − invoicedMinor`: what invoices may still take from this line. */
  uninvoicedMinor: z.number().int(),
  attribution: lineAttributionSchema.nullable(),
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderSchema = z.object({
  id: orderIdSchema,
  orderingAccountId: accountIdSchema,
  billToAccountId: accountIdSchema,
  shipToAccountId: accountIdSchema,
  currency: currencyCodeSchema,
  status: orderStatusSchema,
  totalMinor: z.number().int(),
  invoicedMinor: z.number().int(),
  /** What the order adds to its bill-to account's exposure now (confirmed, not yet invoiced). */
  openMinor: z.number().int(),
  /** How the bill-to and ship-to accounts were chosen. */
  partyExplanation: z.array(explanationStepSchema),
  reference: z.string().nullable(),
  note: z.string().nullable(),
  orderedAt: isoDateTime,
  confirmedAt: isoDateTime.nullable(),
  cancelledAt: isoDateTime.nullable(),
  cancelReason: z.string().nullable(),
  closedAt: isoDateTime.nullable(),
  ...documentRecordShape,
  lines: z.array(orderLineSchema),
});
export type Order = z.infer<typeof orderSchema>;

/** An order in a list (its lines left out). */
export const orderSummarySchema = orderSchema.omit({ lines: true, partyExplanation: true });
export type OrderSummary = z.infer<typeof orderSummarySchema>;
export const orderPageSchema = pageSchema(orderSummarySchema);
