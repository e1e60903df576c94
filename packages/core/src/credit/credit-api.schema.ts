import { z } from 'zod';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { explanationStepSchema } from '../explanation.js';
import { idPattern } from '../ids.js';
import { currencyCodeSchema } from '../money.js';
import { orderIdSchema } from '../orders/orders.schema.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { expectedVersionSchema, isoDateTime, optionalText, text } from '../schema-helpers.js';
import { creditDecisionSchema, creditHoldFindingSchema, creditLimitStatusSchema, creditScopeSchema, missingRateSchema } from './credit.schema.js';
import { exchangeRateSchema } from './fx.rules.js';

// The inputs and answers of the `credit.*` and `fx.*` procedures (docs/concepts/credit.md).

const minor = z.number().int().refine(Number.isSafeInteger, 'amount exceeds the safe integer range');
/** The largest credit limit, 10^14 minor units: with the largest overrun the tenant may allow (1000 %) it stays a safe integer. */
export const MAX_LIMIT_MINOR = 100_000_000_000_000;
export const creditApprovalIdSchema = z.string().regex(idPattern('cap'), 'expected a credit approval id (cap_…)');

/**
 * `credit.setLimit`: sets (or replaces) an account's own or group limit. Lowering a limit below
 * what it already covers needs `force: true` (audited with `reason`): without it the answer is
 * CREDIT_LIMIT_EXCEEDED naming the exposure.
 *
 * @example setCreditLimitInputSchema.parse({ accountId, scope: 'group', amountMinor: 1_000_000_00, currency: 'CNY' })
 */
export const setCreditLimitInputSchema = z.strictObject({
  accountId: accountIdSchema,
  scope: creditScopeSchema,
  amountMinor: z.number().int().min(0, 'a credit limit may not be negative').max(MAX_LIMIT_MINOR, `a credit limit is at most ${MAX_LIMIT_MINOR} minor units`),
  currency: currencyCodeSchema,
  force: z.boolean().optional(),
  reason: optionalText(500),
  expectedVersion: expectedVersionSchema,
});
export type SetCreditLimitInput = z.input<typeof setCreditLimitInputSchema>;

/** `credit.removeLimit`: the account no longer has that limit (nothing is checked against it). */
export const removeCreditLimitInputSchema = z.strictObject({ accountId: accountIdSchema, scope: creditScopeSchema, reason: optionalText(500) });
export type RemoveCreditLimitInput = z.input<typeof removeCreditLimitInputSchema>;

/** A stored limit. `version` starts at 1 and grows with each change. */
export const creditLimitRecordSchema = z.object({
  accountId: accountIdSchema,
  scope: creditScopeSchema,
  amountMinor: minor,
  currency: currencyCodeSchema,
  setBy: z.string(),
  setAt: isoDateTime,
  version: z.number().int(),
});
export type CreditLimitRecord = z.infer<typeof creditLimitRecordSchema>;

/** `credit.hold`: no new order for the account or anything below it passes until `credit.release`. */
export const creditHoldInputSchema = z.strictObject({ accountId: accountIdSchema, reason: text(500) });
export type CreditHoldInput = z.input<typeof creditHoldInputSchema>;

/** `credit.release`: lifts the account's credit hold. */
export const creditReleaseInputSchema = z.strictObject({ accountId: accountIdSchema, reason: optionalText(500) });
export type CreditReleaseInput = z.input<typeof creditReleaseInputSchema>;

/** An account's credit hold. */
export const creditHoldRecordSchema = z.object({ accountId: accountIdSchema, reason: z.string(), by: z.string(), at: isoDateTime });
export type CreditHoldRecord = z.infer<typeof creditHoldRecordSchema>;

/**
 * `fx.setRate`: from `validFrom` on (default: now), one `base` is worth `rate` of `quote` (an exact
 * decimal string such as `'7.1234'`, never a float). The inverse pair uses the exact inverse
 * unless it has its own rate. A rate for the same pair and instant replaces the earlier one.
 *
 * @example setExchangeRateInputSchema.parse({ base: 'USD', quote: 'CNY', rate: '7.1234', validFrom: '2026-01-01T00:00:00.000Z' })
 */
export const setExchangeRateInputSchema = z
  .strictObject({ base: currencyCodeSchema, quote: currencyCodeSchema, rate: exchangeRateSchema, validFrom: isoDateTime.optional() })
  .refine((r) => r.base !== r.quote, { message: 'a rate converts between two different currencies', path: ['quote'] });
export type SetExchangeRateInput = z.input<typeof setExchangeRateInputSchema>;

export const exchangeRateRecordSchema = z.object({ id: z.string(), base: currencyCodeSchema, quote: currencyCodeSchema, rate: z.string(), validFrom: isoDateTime, setBy: z.string(), setAt: isoDateTime });
export type ExchangeRateRecord = z.infer<typeof exchangeRateRecordSchema>;

/** `fx.listRates`: the tenant's rates, newest first, optionally one pair's (either direction). */
export const listExchangeRatesInputSchema = pageInputSchema.extend({ base: currencyCodeSchema.optional(), quote: currencyCodeSchema.optional() });
export type ListExchangeRatesInput = z.input<typeof listExchangeRatesInputSchema>;
export const exchangeRatePageSchema = pageSchema(exchangeRateRecordSchema);

/** The status of a credit approval request. */
export const creditApprovalStatusSchema = z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled', 'voided']);
export type CreditApprovalStatus = z.infer<typeof creditApprovalStatusSchema>;

/**
 * A request to let an order through a credit check it failed (tenant policy `hold`): who it was
 * routed to (and why), what it asks for (`amountMinor` of `currency`, the order's total when held),
 * the decision that held it, and how it ended.
 */
export const creditApprovalSchema = z.object({
  id: creditApprovalIdSchema,
  orderId: orderIdSchema,
  accountId: accountIdSchema,
  amountMinor: minor,
  currency: currencyCodeSchema,
  status: creditApprovalStatusSchema,
  approverId: z.string().nullable(),
  /** The approver named when the request was opened (`approverId` may be their approvals delegate). */
  routedToId: z.string().nullable(),
  routing: z.array(explanationStepSchema),
  requestedBy: z.string(),
  requestedAt: isoDateTime,
  expiresAt: isoDateTime,
  decidedBy: z.string().nullable(),
  decidedAt: isoDateTime.nullable(),
  reason: z.string().nullable(),
  decision: creditDecisionSchema,
});
export type CreditApproval = z.infer<typeof creditApprovalSchema>;

/** `credit.approve`: lets the held order through (the check runs again with its amount allowed) and confirms it. */
export const approveCreditInputSchema = z.strictObject({ id: creditApprovalIdSchema, reason: optionalText(500) });
export type ApproveCreditInput = z.input<typeof approveCreditInputSchema>;

/** `credit.reject`: the held order returns to draft with the reason. */
export const rejectCreditInputSchema = z.strictObject({ id: creditApprovalIdSchema, reason: text(500) });
export type RejectCreditInput = z.input<typeof rejectCreditInputSchema>;

/** `credit.approvals`: approval requests, by default those pending for the caller (their own and those delegated to them). */
export const listCreditApprovalsInputSchema = pageInputSchema.extend({
  status: z.array(creditApprovalStatusSchema).min(1).max(6).optional(),
  /** `mine` (default): routed to the caller or to someone whose approvals are delegated to the caller now; `all`: every request the caller may see. */
  queue: z.enum(['mine', 'all']).optional(),
  accountId: accountIdSchema.optional(),
  orderId: orderIdSchema.optional(),
});
export type ListCreditApprovalsInput = z.input<typeof listCreditApprovalsInputSchema>;
export const creditApprovalPageSchema = pageSchema(creditApprovalSchema);

/** `credit.expireApprovals`: the scheduler job; `at` defaults to now. */
export const expireCreditApprovalsInputSchema = z.strictObject({ batchSize: z.number().int().min(1).max(1000).optional() }).optional();
export const expireCreditApprovalsResultSchema = z.object({ at: isoDateTime, expired: z.array(z.object({ id: creditApprovalIdSchema, orderId: orderIdSchema })) });
export type ExpireCreditApprovalsResult = z.infer<typeof expireCreditApprovalsResultSchema>;

/** A credit decision as recorded: what was decided about which order, when, and why. */
export const creditDecisionRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(['pass', 'refuse', 'hold', 'approve', 'reject', 'expire', 'breach']),
  accountId: accountIdSchema,
  orderId: orderIdSchema.nullable(),
  code: z.string().nullable(),
  at: isoDateTime,
  by: z.string(),
  decision: creditDecisionSchema.nullable(),
  explanation: z.array(explanationStepSchema),
});
export type CreditDecisionRecord = z.infer<typeof creditDecisionRecordSchema>;

export const creditStatusInputSchema = z.strictObject({ accountId: accountIdSchema });
export type CreditStatusInput = z.input<typeof creditStatusInputSchema>;

/**
 * `credit.status`: the account's path to the root (`null` ids for accounts the caller may not
 * see), every limit on it with its exposure and what is available, holds, pending approvals, the
 * tenant's policy and the last decision (pass, refusal, hold, breach…) about the account with its
 * explanation.
 */
export const accountCreditStatusSchema = z.object({
  accountId: accountIdSchema,
  at: isoDateTime,
  path: z.array(z.object({ accountId: accountIdSchema.nullable(), level: z.number().int() })),
  limits: z.array(creditLimitStatusSchema.extend({ level: z.number().int() })),
  /** Whether any limit on the path is over (available below 0). */
  breached: z.boolean(),
  holds: z.array(creditHoldFindingSchema),
  missingRates: z.array(missingRateSchema),
  pendingApprovals: z.array(creditApprovalSchema),
  lastDecision: creditDecisionRecordSchema.nullable(),
  explanation: z.array(explanationStepSchema),
});
export type AccountCreditStatus = z.infer<typeof accountCreditStatusSchema>;
