import { z } from 'zod';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { currencyCodeSchema } from '../money.js';
import { isoDateTime } from '../schema-helpers.js';

/**
 * An account's exposure in one currency, with its parts:
 * `exposureMinor = ordersOpenMinor + invoicesOpenMinor − onAccountCreditMinor`.
 */
export const exposurePartsSchema = z.object({
  currency: currencyCodeSchema,
  /** Confirmed orders billed to the account, not yet invoiced. */
  ordersOpenMinor: z.number().int(),
  /** Open balances of its invoices. */
  invoicesOpenMinor: z.number().int(),
  /** Its payments not yet allocated, and credit notes not yet applied. */
  onAccountCreditMinor: z.number().int(),
  exposureMinor: z.number().int(),
});
export type ExposureParts = z.infer<typeof exposurePartsSchema>;

export const exposureInputSchema = z.strictObject({ accountId: accountIdSchema });

/** `own`: the account's own documents; `group`: its whole subtree, itself included. One entry per currency. */
export const accountExposureSchema = z.object({ accountId: accountIdSchema, own: z.array(exposurePartsSchema), group: z.array(exposurePartsSchema) });
export type AccountExposure = z.infer<typeof accountExposureSchema>;

export const receivablesInputSchema = z.strictObject({
  accountId: accountIdSchema,
  /** The account's whole group (its subtree) instead of the account alone. */
  group: z.boolean().optional(),
  /** The instant to age at (default: now): what was open then, aged in the tenant's local days. */
  asOf: isoDateTime.optional(),
});
export type ReceivablesInput = z.input<typeof receivablesInputSchema>;

const agedInvoiceSchema = z.object({
  id: z.string(),
  kind: z.enum(['invoice', 'credit_note']),
  billToAccountId: accountIdSchema,
  number: z.string().nullable(),
  dueDate: z.string(),
  openMinor: z.number().int(),
  daysPastDue: z.number().int(),
  bucket: z.enum(['current', '1-30', '31-60', '61-90', 'over-90']),
});

export const receivablesCurrencySchema = z.object({
  currency: currencyCodeSchema,
  buckets: z.object({ current: z.number().int(), '1-30': z.number().int(), '31-60': z.number().int(), '61-90': z.number().int(), 'over-90': z.number().int() }),
  /** Sum of the open invoices (credit notes' unapplied credit counts under on-account credit). */
  openMinor: z.number().int(),
  onAccountCreditMinor: z.number().int(),
  /** `openMinor − onAccountCreditMinor`. */
  netMinor: z.number().int(),
  invoices: z.array(agedInvoiceSchema),
});

export const receivablesSchema = z.object({
  accountId: accountIdSchema,
  group: z.boolean(),
  asOf: isoDateTime,
  timeZone: z.string(),
  /** The local date `asOf` falls on in the tenant's zone. */
  asOfDate: z.string(),
  currencies: z.array(receivablesCurrencySchema),
});
export type Receivables = z.infer<typeof receivablesSchema>;

export const rebuildExposureInputSchema = z.strictObject({ dryRun: z.boolean().optional() });
const figureSchema = z.object({ ordersOpenMinor: z.number().int(), invoicesOpenMinor: z.number().int(), onAccountCreditMinor: z.number().int() });
export const rebuildExposureResultSchema = z.object({
  figures: z.number().int(),
  /** Where the kept figures differed from the rebuilt ones (empty when they agree), before the rebuild replaced them. */
  differences: z.array(z.object({ accountId: z.string(), scope: z.enum(['own', 'group']), currency: z.string(), kept: figureSchema, rebuilt: figureSchema })),
  dryRun: z.boolean(),
});
export type RebuildExposureResult = z.infer<typeof rebuildExposureResultSchema>;
