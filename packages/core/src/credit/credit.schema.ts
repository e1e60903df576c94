import { z } from 'zod';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { explanationStepSchema } from '../explanation.js';
import { currencyCodeSchema } from '../money.js';
import { isoDateTime } from '../schema-helpers.js';

const minor = z.number().int().refine(Number.isSafeInteger, 'amount exceeds the safe integer range');

/**
 * A credit limit: at most this many minor units of `currency` (0 allows nothing).
 *
 * @example creditLimitSchema.parse({ amountMinor: 1_000_000_00, currency: 'CNY' })
 */
export const creditLimitSchema = z.object({ amountMinor: minor.refine((n) => n >= 0, 'a credit limit may not be negative'), currency: currencyCodeSchema });
export type CreditLimit = z.infer<typeof creditLimitSchema>;

/**
 * Which exposure a limit covers: `own` (the account's own documents) or `group` (its whole subtree, itself included).
 *
 * @example creditScopeSchema.parse('group')
 */
export const creditScopeSchema = z.enum(['own', 'group']);
export type CreditScope = z.infer<typeof creditScopeSchema>;

/**
 * Why a credit check refuses, in order of precedence: a missing exchange rate (the server answers
 * PRECONDITION_FAILED), a credit hold, overdue invoices, an exceeded limit.
 *
 * @example creditRefusalCodeSchema.parse('CREDIT_HOLD')
 */
export const creditRefusalCodeSchema = z.enum(['NO_EXCHANGE_RATE', 'CREDIT_HOLD', 'OVERDUE_INVOICES', 'CREDIT_LIMIT_EXCEEDED']);
export type CreditRefusalCode = z.infer<typeof creditRefusalCodeSchema>;

/**
 * One currency's part of the exposure a limit covers: its net exposure in its own currency and,
 * converted (rounded up) into the limit's currency, with the rate used (null in the limit's own
 * currency). `convertedMinor` is null when no rate was in force.
 *
 * @example creditExposurePartSchema.parse({ currency: 'USD', exposureMinor: 100_00, convertedMinor: 712_34, rate: { quoted: '7.1234', inverse: false, validFrom: '2026-01-01T00:00:00.000Z' } })
 */
export const creditExposurePartSchema = z.object({
  currency: currencyCodeSchema,
  exposureMinor: minor,
  convertedMinor: minor.nullable(),
  rate: z.object({ quoted: z.string(), inverse: z.boolean(), validFrom: isoDateTime }).nullable(),
});
export type CreditExposurePart = z.infer<typeof creditExposurePartSchema>;

/**
 * A limit on the path with its exposure (without any order) and what is still available:
 * `allowedMinor = ⌊limit × (10000 + overrun bps) / 10000⌋`, `availableMinor = allowed − exposure`
 * (negative when already over). Exposure and available are null when a rate is missing.
 *
 * @example creditLimitStatusSchema.parse({ accountId, scope: 'own', currency: 'CNY', limitMinor: 100, allowedMinor: 100, exposureMinor: 40, availableMinor: 60, parts: [] })
 */
export const creditLimitStatusSchema = z.object({
  /** Null in answers for an account of the path the caller may not see. */
  accountId: accountIdSchema.nullable(),
  scope: creditScopeSchema,
  currency: currencyCodeSchema,
  limitMinor: minor,
  allowedMinor: minor,
  exposureMinor: minor.nullable(),
  availableMinor: minor.nullable(),
  parts: z.array(creditExposurePartSchema),
});
export type CreditLimitStatus = z.infer<typeof creditLimitStatusSchema>;

/**
 * A limit the order was checked against: its status plus the order converted into the limit's
 * currency (null without a rate) and the result.
 *
 * @example creditLimitCheckSchema.parse({ ...status, orderMinor: 50, result: 'fits' })
 */
export const creditLimitCheckSchema = creditLimitStatusSchema.extend({ orderMinor: minor.nullable(), result: z.enum(['fits', 'exceeded', 'no-rate']) });
export type CreditLimitCheck = z.infer<typeof creditLimitCheckSchema>;

/**
 * A limit the order would push over: `shortfallMinor = exposureMinor + orderMinor − allowedMinor > 0`,
 * all in the limit's currency, `exposureMinor` before the order.
 *
 * @example creditBreachSchema.parse({ accountId, scope: 'group', limitMinor: 100, allowedMinor: 100, currency: 'CNY', exposureMinor: 90, orderMinor: 20, shortfallMinor: 10 })
 */
export const creditBreachSchema = z.object({
  /** Null in answers for an account of the path the caller may not see. */
  accountId: accountIdSchema.nullable(),
  scope: creditScopeSchema,
  limitMinor: minor,
  allowedMinor: minor,
  currency: currencyCodeSchema,
  exposureMinor: minor,
  orderMinor: minor,
  shortfallMinor: minor.refine((n) => n > 0, 'a shortfall is positive'),
});
export type CreditBreach = z.infer<typeof creditBreachSchema>;

/**
 * A credit hold on an account of the path: why, by whom, since when.
 *
 * @example creditHoldFindingSchema.parse({ accountId, reason: 'disputed delivery', by: 'u_finance', at: '2026-03-01T00:00:00.000Z' })
 */
export const creditHoldFindingSchema = z.object({ accountId: accountIdSchema.nullable(), reason: z.string(), by: z.string(), at: isoDateTime });
export type CreditHoldFinding = z.infer<typeof creditHoldFindingSchema>;

/**
 * An invoice of an account of the path overdue more than the tenant allows.
 *
 * @example overdueFindingSchema.parse({ accountId, invoiceId: 'inv_1', daysPastDue: 45 })
 */
export const overdueFindingSchema = z.object({ accountId: accountIdSchema.nullable(), invoiceId: z.string().nullable(), daysPastDue: z.number().int() });
export type OverdueFinding = z.infer<typeof overdueFindingSchema>;

/**
 * A conversion the check needed and could not make: no rate `from → to` (nor its inverse) in force.
 *
 * @example missingRateSchema.parse({ from: 'USD', to: 'CNY' })
 */
export const missingRateSchema = z.object({ from: currencyCodeSchema, to: currencyCodeSchema });
export type MissingRate = z.infer<typeof missingRateSchema>;

/**
 * The answer of a credit check. `code` is null exactly when `outcome` is `pass`; every finding is
 * reported (all breaches, holds, overdue invoices and missing rates), and `code` names the one of
 * highest precedence. `limits` lists every limit the order was checked against.
 *
 * @example creditDecisionSchema.parse(checkCredit(facts))
 */
export const creditDecisionSchema = z
  .object({
    outcome: z.enum(['pass', 'refuse']),
    code: creditRefusalCodeSchema.nullable(),
    breaches: z.array(creditBreachSchema),
    holds: z.array(creditHoldFindingSchema),
    overdue: z.array(overdueFindingSchema),
    missingRates: z.array(missingRateSchema),
    limits: z.array(creditLimitCheckSchema),
    explanation: z.array(explanationStepSchema),
  })
  .refine((d) => (d.outcome === 'pass') === (d.code === null), { message: 'a decision refuses exactly when it has a code', path: ['code'] });
export type CreditDecision = z.infer<typeof creditDecisionSchema>;

/**
 * Every limit on an account's path with its exposure and what is available, no order
 * (what `credit.status` shows), and the rates it could not find.
 *
 * @example creditStatusSchema.parse(availableOf(facts))
 */
export const creditStatusSchema = z.object({ limits: z.array(creditLimitStatusSchema), missingRates: z.array(missingRateSchema), explanation: z.array(explanationStepSchema) });
export type CreditStatus = z.infer<typeof creditStatusSchema>;
