import { z } from 'zod';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { localDateSchema } from '../calendar.js';
import { idPattern } from '../ids.js';
import { currencyCodeSchema } from '../money.js';
import { documentRecordShape, MAX_LINES, orderLineIdSchema } from '../orders/orders.schema.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { expectedVersionSchema, isoDateTime, optionalText, text } from '../schema-helpers.js';

export const invoiceIdSchema = z.string().regex(idPattern('inv'), 'expected an invoice id (inv_…)');
export const invoiceLineIdSchema = z.string().regex(idPattern('inl'), 'expected an invoice line id (inl_…)');
export const paymentIdSchema = z.string().regex(idPattern('pay'), 'expected a payment id (pay_…)');

/** The largest amount of one invoice line, payment or allocation, in minor units. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000;
const amountSchema = z.number().int().min(-MAX_AMOUNT_MINOR).max(MAX_AMOUNT_MINOR);
const positiveAmountSchema = z.number().int().min(1).max(MAX_AMOUNT_MINOR);

export const invoiceKindSchema = z.enum(['invoice', 'credit_note']);
export const invoiceStatusSchema = z.enum(['open', 'settled', 'void']);

/**
 * A line of an invoice. One that names an order line reduces that line's uninvoiced remainder by
 * as much of its amount as the remainder holds; the rest (freight, tax) is invoice-only.
 */
export const invoiceLineInputSchema = z.strictObject({
  description: text(500),
  amountMinor: amountSchema.refine((n) => n !== 0, 'an invoice line needs an amount'),
  orderLineId: orderLineIdSchema.optional(),
});

export const createInvoiceInputSchema = z.strictObject({
  billToAccountId: accountIdSchema,
  currency: currencyCodeSchema,
  number: optionalText(64),
  /** When it was issued (default: now). */
  issuedAt: isoDateTime.optional(),
  /** The calendar date it falls due, in the tenant's time zone. */
  dueDate: localDateSchema,
  note: optionalText(2000),
  lines: z
    .array(invoiceLineInputSchema)
    .min(1)
    .max(MAX_LINES)
    .refine((lines) => {
      const ids = lines.flatMap((l) => (l.orderLineId ? [l.orderLineId] : []));
      return new Set(ids).size === ids.length;
    }, 'an order line may appear once per invoice'),
});
export type CreateInvoiceInput = z.input<typeof createInvoiceInputSchema>;

/** A credit note corrects lines of one invoice (a return, a price correction): each line credits an amount off one invoice line. */
export const createCreditNoteInputSchema = z.strictObject({
  invoiceId: invoiceIdSchema,
  number: optionalText(64),
  issuedAt: isoDateTime.optional(),
  reason: text(500),
  lines: z
    .array(z.strictObject({ correctsLineId: invoiceLineIdSchema, amountMinor: positiveAmountSchema, description: optionalText(500) }))
    .min(1)
    .max(MAX_LINES)
    .refine((lines) => new Set(lines.map((l) => l.correctsLineId)).size === lines.length, 'each invoice line may be corrected once per credit note'),
});
export type CreateCreditNoteInput = z.input<typeof createCreditNoteInputSchema>;

export const voidInput = <T extends z.ZodType<string>>(id: T) => z.strictObject({ id, expectedVersion: expectedVersionSchema, reason: text(500) });
export const voidInvoiceInputSchema = voidInput(invoiceIdSchema);
export const getInvoiceInputSchema = z.strictObject({ id: invoiceIdSchema });
export const listInvoicesInputSchema = pageInputSchema.extend({
  billToAccountId: accountIdSchema.optional(),
  kind: invoiceKindSchema.optional(),
  status: z.array(invoiceStatusSchema).min(1).max(3).optional(),
});

/** When and why a document was voided (both null while it stands). */
const voidableShape = { voidedAt: isoDateTime.nullable(), voidReason: z.string().nullable() };

export const invoiceLineSchema = z.object({
  id: invoiceLineIdSchema,
  position: z.number().int(),
  description: z.string(),
  amountMinor: z.number().int(),
  orderLineId: z.string().nullable(),
  /** The part of the amount that reduced the order line's uninvoiced remainder. */
  appliedToOrderMinor: z.number().int(),
  correctsLineId: z.string().nullable(),
  /** What credit notes have taken off this line (a positive amount). */
  creditedMinor: z.number().int(),
});

export const invoiceSchema = z.object({
  id: invoiceIdSchema,
  kind: invoiceKindSchema,
  billToAccountId: accountIdSchema,
  currency: currencyCodeSchema,
  number: z.string().nullable(),
  issuedAt: isoDateTime,
  dueDate: z.string(),
  /** Negative for a credit note. */
  totalMinor: z.number().int(),
  /** An invoice: what is still owed. A credit note: its credit not yet applied (negative). */
  openMinor: z.number().int(),
  status: invoiceStatusSchema,
  correctsInvoiceId: z.string().nullable(),
  note: z.string().nullable(),
  ...voidableShape,
  ...documentRecordShape,
  lines: z.array(invoiceLineSchema),
});
export type Invoice = z.infer<typeof invoiceSchema>;
export const invoicePageSchema = pageSchema(invoiceSchema.omit({ lines: true }));

export const allocationInputSchema = z.strictObject({ invoiceId: invoiceIdSchema, amountMinor: positiveAmountSchema });
const allocationsSchema = z
  .array(allocationInputSchema)
  .max(MAX_LINES)
  .refine((list) => new Set(list.map((a) => a.invoiceId)).size === list.length, 'each invoice may appear once');

export const createPaymentInputSchema = z.strictObject({
  /** The paying account; what is not allocated stays on account as its credit. */
  accountId: accountIdSchema,
  currency: currencyCodeSchema,
  amountMinor: positiveAmountSchema,
  receivedAt: isoDateTime.optional(),
  reference: optionalText(100),
  allocations: allocationsSchema.optional(),
});
export type CreatePaymentInput = z.input<typeof createPaymentInputSchema>;

export const allocatePaymentInputSchema = z.strictObject({ id: paymentIdSchema, expectedVersion: expectedVersionSchema, allocations: allocationsSchema.min(1) });
export type AllocatePaymentInput = z.input<typeof allocatePaymentInputSchema>;
export const voidPaymentInputSchema = voidInput(paymentIdSchema);
export const getPaymentInputSchema = z.strictObject({ id: paymentIdSchema });
export const listPaymentsInputSchema = pageInputSchema.extend({ accountId: accountIdSchema.optional() });

export const allocationSchema = z.object({ id: z.string(), invoiceId: invoiceIdSchema, amountMinor: z.number().int(), at: isoDateTime, voidedAt: isoDateTime.nullable() });

export const paymentSchema = z.object({
  id: paymentIdSchema,
  accountId: accountIdSchema,
  currency: currencyCodeSchema,
  amountMinor: z.number().int(),
  allocatedMinor: z.number().int(),
  /** On account: the payer's credit until allocated. */
  unallocatedMinor: z.number().int(),
  receivedAt: isoDateTime,
  reference: z.string().nullable(),
  status: z.enum(['active', 'void']),
  ...voidableShape,
  ...documentRecordShape,
  allocations: z.array(allocationSchema),
});
export type Payment = z.infer<typeof paymentSchema>;
export const paymentPageSchema = pageSchema(paymentSchema.omit({ allocations: true }));
