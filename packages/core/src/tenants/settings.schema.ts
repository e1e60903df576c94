import { z } from 'zod';
import { timeZoneSchema } from '../calendar.js';
import { currencyCodeSchema } from '../money.js';
import { expectedVersionSchema, isoDateTime } from '../schema-helpers.js';

/**
 * The tenant's credit policy (DOMAIN §6, docs/concepts/credit.md):
 * - `checkAt`: `confirmation` (the default) checks an order's whole amount when it is confirmed and
 *   counts it toward exposure from then; `fulfilment` checks each delivery for the quantities
 *   delivered and counts an order from its deliveries (for bulk orders delivered over months).
 * - `onBreach`: `refuse` answers CREDIT_LIMIT_EXCEEDED, CREDIT_HOLD or OVERDUE_INVOICES; `hold`
 *   puts the order `on_hold` (reserving nothing) and opens an approval request.
 * - `overrunBps`: how far over a limit is still allowed, in basis points (500: 5 %).
 * - `maxOverdueDays`: refuse (or hold) while an invoice of the path is overdue more than this many
 *   local days; null: never.
 * - `approvalDays`: an undecided approval request expires at the end of this many local days after
 *   the day it was opened (1: at the end of the next local day).
 */
export const creditPolicySchema = z.object({
  checkAt: z.enum(['confirmation', 'fulfilment']),
  onBreach: z.enum(['refuse', 'hold']),
  overrunBps: z.number().int().min(0).max(100_000),
  maxOverdueDays: z.number().int().min(0).max(3650).nullable(),
  approvalDays: z.number().int().min(1).max(365),
});
export type CreditPolicy = z.infer<typeof creditPolicySchema>;

/** The policy of a tenant that never set one: check at confirmation, refuse, no overrun, no overdue block, approvals last 3 local days. */
export const DEFAULT_CREDIT_POLICY: CreditPolicy = { checkAt: 'confirmation', onBreach: 'refuse', overrunBps: 0, maxOverdueDays: null, approvalDays: 3 };

/**
 * A tenant's settings: the IANA time zone its calendar dates live in (due dates, "days overdue",
 * ageing count local days there) and the currency it reports in.
 */
export const tenantSettingsSchema = z.object({
  tenantId: z.string(),
  timeZone: z.string(),
  baseCurrency: currencyCodeSchema,
  credit: creditPolicySchema,
  version: z.number().int(),
  updatedAt: isoDateTime.nullable(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const updateTenantSettingsInputSchema = z.strictObject({
  timeZone: timeZoneSchema.optional(),
  baseCurrency: currencyCodeSchema.optional(),
  /** The credit policy fields to change; those left out keep their value. */
  credit: z.strictObject(creditPolicySchema.shape).partial().optional(),
  expectedVersion: expectedVersionSchema,
});
export type UpdateTenantSettingsInput = z.input<typeof updateTenantSettingsInputSchema>;
