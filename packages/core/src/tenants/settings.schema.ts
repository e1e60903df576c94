import { z } from 'zod';
import { timeZoneSchema } from '../calendar.js';
import { currencyCodeSchema } from '../money.js';
import { expectedVersionSchema, isoDateTime } from '../schema-helpers.js';

/**
 * A tenant's settings: the IANA time zone its calendar dates live in (due dates, "days overdue",
 * ageing count local days there) and the currency it reports in.
 */
export const tenantSettingsSchema = z.object({
  tenantId: z.string(),
  timeZone: z.string(),
  baseCurrency: currencyCodeSchema,
  version: z.number().int(),
  updatedAt: isoDateTime.nullable(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const updateTenantSettingsInputSchema = z.strictObject({
  timeZone: timeZoneSchema.optional(),
  baseCurrency: currencyCodeSchema.optional(),
  expectedVersion: expectedVersionSchema,
});
export type UpdateTenantSettingsInput = z.input<typeof updateTenantSettingsInputSchema>;
