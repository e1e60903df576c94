import { z } from 'zod';
import { accountGradeSchema, accountIdSchema, accountSchema } from '../accounts/accounts.schema.js';
import { explanationStepSchema } from '../explanation.js';
import { idPattern } from '../ids.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { isoDateTime, searchSchema, text } from '../schema-helpers.js';
import { hostUserIdSchema } from '../users/users.schema.js';

export const teamIdSchema = z.string().regex(idPattern('tm'), 'expected a team id (tm_…)');
export const productLineIdSchema = z.string().regex(idPattern('pl'), 'expected a product line id (pl_…)');
export const delegationIdSchema = z.string().regex(idPattern('dlg'), 'expected a delegation id (dlg_…)');
/** Why a change was made; recorded with the period it opens. */
export const reasonSchema = text(500);
/** A past or present instant to ask "as of" (default: now). */
export const asOfSchema = isoDateTime.optional();

// ── Teams ────────────────────────────────────────────────────────────────────────────────
export const teamMemberSchema = z.object({ userId: hostUserIdSchema, role: z.enum(['leader', 'member']), since: isoDateTime });
export const teamSchema = z.object({
  id: teamIdSchema,
  name: z.string(),
  parentTeamId: teamIdSchema.nullable(),
  leaderId: hostUserIdSchema.nullable(),
  members: z.array(teamMemberSchema),
  /** Product line → the member answering for it. */
  productLines: z.array(z.object({ productLineId: productLineIdSchema, userId: hostUserIdSchema, since: isoDateTime })),
  createdAt: isoDateTime,
  archivedAt: isoDateTime.nullable(),
});
export type Team = z.infer<typeof teamSchema>;
export const createTeamInputSchema = z.strictObject({ name: text(200), leaderId: hostUserIdSchema, memberIds: z.array(hostUserIdSchema).max(500).optional(), parentTeamId: teamIdSchema.optional(), reason: reasonSchema.optional() });
export const getTeamInputSchema = z.strictObject({ id: teamIdSchema, asOf: asOfSchema });
export const listTeamsInputSchema = pageInputSchema.extend({ memberId: hostUserIdSchema.optional() }).strict().prefault({});
export const teamPageSchema = pageSchema(teamSchema);
export const addTeamMemberInputSchema = z.strictObject({ teamId: teamIdSchema, userId: hostUserIdSchema, reason: reasonSchema });
export const removeTeamMemberInputSchema = z.strictObject({ teamId: teamIdSchema, userId: hostUserIdSchema, reason: reasonSchema });
export const setTeamLeaderInputSchema = z.strictObject({ teamId: teamIdSchema, userId: hostUserIdSchema, reason: reasonSchema });

// ── Product lines ────────────────────────────────────────────────────────────────────────
export const productLineSchema = z.object({ id: productLineIdSchema, code: z.string(), name: z.string(), createdAt: isoDateTime, archivedAt: isoDateTime.nullable() });
export type ProductLine = z.infer<typeof productLineSchema>;
export const createProductLineInputSchema = z.strictObject({ code: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . -'), name: text(200) });
export const listProductLinesInputSchema = pageInputSchema.extend({}).strict().prefault({});
export const productLinePageSchema = pageSchema(productLineSchema);
/** Assigns a team member to answer for a product line within the team (closing the previous assignment). */
export const assignProductLineInputSchema = z.strictObject({ teamId: teamIdSchema, productLineId: productLineIdSchema, userId: hostUserIdSchema.nullable(), reason: reasonSchema });

// ── Ownership ────────────────────────────────────────────────────────────────────────────
/**
 * Why an ownership period began, as data the rules read (the person's words are its `reason`):
 * `create` the creator owns a new account, `assign` a manager's or admin's assignment, `claim` a
 * rep took it from the pool, `release` its owner gave it back, `pool-assign` a manager handed a
 * pool account out, `pool-return` the sweep returned it, `departure` its owner left; `renewal` and
 * `merge` are for later capabilities.
 *
 * @example ownershipCauseSchema.parse('pool-return')
 */
export const ownershipCauseSchema = z.enum(['create', 'assign', 'claim', 'release', 'pool-assign', 'pool-return', 'departure', 'renewal', 'merge']);
export type OwnershipCause = z.infer<typeof ownershipCauseSchema>;
export const ownershipPeriodSchema = z.object({
  accountId: accountIdSchema,
  teamId: teamIdSchema.nullable(),
  primaryOwnerId: hostUserIdSchema.nullable(),
  secondaryOwnerId: hostUserIdSchema.nullable(),
  validFrom: isoDateTime,
  validTo: isoDateTime.nullable(),
  /** Why the period began. */
  cause: ownershipCauseSchema,
  /** The words of whoever made the change ('' when they gave none, as for a claim or a pool return). */
  reason: z.string(),
  actorId: z.string(),
});
export type OwnershipPeriod = z.infer<typeof ownershipPeriodSchema>;
/** Sets the account's owning team and owners from now on; fields left out keep their value, null clears. */
export const assignOwnershipInputSchema = z.strictObject({
  accountId: accountIdSchema,
  teamId: teamIdSchema.nullable().optional(),
  primaryOwnerId: hostUserIdSchema.nullable().optional(),
  secondaryOwnerId: hostUserIdSchema.nullable().optional(),
  reason: reasonSchema,
});
export const ownershipHistoryInputSchema = z.strictObject({ accountId: accountIdSchema });
export const ownershipHistorySchema = z.object({ accountId: accountIdSchema, periods: z.array(ownershipPeriodSchema) });
export const routingPurposeSchema = z.enum(['order', 'complaint', 'approval', 'renewal', 'pool-notice', 'general']);
export const resolveInputSchema = z.strictObject({
  accountId: accountIdSchema,
  purpose: routingPurposeSchema.default('general'),
  productLineId: productLineIdSchema.optional(),
  /** The rep recorded on the order line, for order-tied purposes (orders arrive with a later capability). */
  orderRepId: hostUserIdSchema.optional(),
  asOf: asOfSchema,
});
export const resolutionSchema = z.object({ accountId: accountIdSchema, userId: hostUserIdSchema.nullable(), at: isoDateTime, explanation: z.array(explanationStepSchema) });
export type ResolutionOutput = z.infer<typeof resolutionSchema>;
/** A leader's override of routing on an account (optionally for one product line or purpose), with why. */
export const overrideInputSchema = z.strictObject({ accountId: accountIdSchema, userId: hostUserIdSchema, productLineId: productLineIdSchema.optional(), purpose: routingPurposeSchema.optional(), reason: reasonSchema });
/** A leader's routing override as stored: in force from validFrom until validTo. */
export const routingOverrideSchema = z.object({
  id: z.string().regex(idPattern('ovr'), 'expected an override id (ovr_…)'),
  accountId: accountIdSchema,
  productLineId: productLineIdSchema.nullable(),
  purpose: routingPurposeSchema.nullable(),
  userId: z.string(),
  validFrom: isoDateTime,
  validTo: isoDateTime.nullable(),
  reason: z.string(),
  actorId: z.string(),
});
export type RoutingOverride = z.infer<typeof routingOverrideSchema>;
export const clearOverrideInputSchema = z.strictObject({ accountId: accountIdSchema, productLineId: productLineIdSchema.optional(), purpose: routingPurposeSchema.optional(), reason: reasonSchema });

// ── Delegation and availability ──────────────────────────────────────────────────────────
export const delegationScopeSchema = z.enum(['all', 'complaints', 'approvals', 'accounts']);
export const delegationSchema = z.object({
  id: delegationIdSchema,
  delegatorId: hostUserIdSchema,
  delegateId: hostUserIdSchema,
  scope: delegationScopeSchema,
  accountIds: z.array(accountIdSchema),
  validFrom: isoDateTime,
  validTo: isoDateTime,
  reason: z.string(),
  endedAt: isoDateTime.nullable(),
});
export type Delegation = z.infer<typeof delegationSchema>;
export const createDelegationInputSchema = z.strictObject({
  /** Defaults to the caller; managers and admins may create delegations for others. */
  delegatorId: hostUserIdSchema.optional(),
  delegateId: hostUserIdSchema,
  scope: delegationScopeSchema.default('all'),
  accountIds: z.array(accountIdSchema).max(500).default([]),
  validFrom: isoDateTime,
  validTo: isoDateTime,
  reason: reasonSchema,
});
export const endDelegationInputSchema = z.strictObject({ id: delegationIdSchema, reason: reasonSchema.optional() });
export const listDelegationsInputSchema = pageInputSchema.extend({ userId: hostUserIdSchema.optional(), activeAt: isoDateTime.optional() }).strict().prefault({});
export const delegationPageSchema = pageSchema(delegationSchema);
export const setAvailabilityInputSchema = z.strictObject({ userId: hostUserIdSchema.optional(), awayFrom: isoDateTime, awayTo: isoDateTime, reason: reasonSchema });
export const availabilitySchema = z.object({ id: z.string(), userId: hostUserIdSchema, awayFrom: isoDateTime, awayTo: isoDateTime, reason: z.string() });

// ── Activities ───────────────────────────────────────────────────────────────────────────
export const activityKindSchema = z.enum(['call', 'visit', 'email', 'meeting', 'note', 'message']);
export const activitySchema = z.object({ id: z.string(), accountId: accountIdSchema, userId: z.string(), kind: activityKindSchema, note: z.string().nullable(), at: isoDateTime });
export type Activity = z.infer<typeof activitySchema>;
export const logActivityInputSchema = z.strictObject({ accountId: accountIdSchema, kind: activityKindSchema, note: text(4000).optional(), at: isoDateTime.optional() });
export const listActivitiesInputSchema = pageInputSchema.extend({ accountId: accountIdSchema }).strict();
export const activityPageSchema = pageSchema(activitySchema);

// ── Customer pool ────────────────────────────────────────────────────────────────────────
export const poolPolicySchema = z.object({
  grade: z.union([accountGradeSchema, z.literal('*')]),
  returnAfterDays: z.number().int().min(1).max(3650),
  reclaimBlockDays: z.number().int().min(0).max(3650),
  reminderDays: z.number().int().min(0).max(3650),
  maxClaimsPerRep: z.number().int().min(1).max(100_000),
});
/** The policy that applies to one grade (its own or the `*` default), or all policies when grade is left out. */
export const getPoolPolicyInputSchema = z.strictObject({ grade: z.union([accountGradeSchema, z.literal('*')]).optional() }).prefault({});
export const poolSweepInputSchema = z.strictObject({ batchSize: z.number().int().min(1).max(1_000).optional() }).prefault({});
export const setPoolPolicyInputSchema = z.strictObject({ policies: z.array(poolPolicySchema).min(1).max(5) });
export const poolPoliciesSchema = z.object({ policies: z.array(poolPolicySchema) });
export const listPoolInputSchema = pageInputSchema.extend({ grade: accountGradeSchema.optional(), search: searchSchema.optional() }).strict().prefault({});
export const poolPageSchema = pageSchema(accountSchema);
export const claimInputSchema = z.strictObject({ accountId: accountIdSchema });
export const releaseInputSchema = z.strictObject({ accountId: accountIdSchema, reason: reasonSchema });
export const poolAssignInputSchema = z.strictObject({ accountId: accountIdSchema, userId: hostUserIdSchema, teamId: teamIdSchema.optional(), reason: reasonSchema });
export const poolPreviewInputSchema = z.strictObject({ withinDays: z.number().int().min(0).max(3650).default(0) }).prefault({});
export const poolReturnSchema = z.object({
  accountId: accountIdSchema,
  accountName: z.string(),
  primaryOwnerId: z.string().nullable(),
  ownerTeamId: z.string().nullable(),
  dueAt: isoDateTime,
  remindAt: isoDateTime,
  rule: z.string(),
  explanation: z.array(explanationStepSchema),
});
export const poolPreviewSchema = z.object({ at: isoDateTime, until: isoDateTime, returns: z.array(poolReturnSchema) });
/** What a sweep did: the accounts it returned (by due time) and those whose owner it reminded. */
export const poolSweepSchema = z.object({ at: isoDateTime, returned: z.array(poolReturnSchema), reminded: z.array(accountIdSchema) });

// ── Departure ────────────────────────────────────────────────────────────────────────────
export const deactivateUserInputSchema = z.union([
  z.strictObject({ userId: hostUserIdSchema, reassignTo: hostUserIdSchema, reason: reasonSchema }),
  z.strictObject({ userId: hostUserIdSchema, toPool: z.literal(true), reason: reasonSchema }),
]);
export const deactivationSchema = z.object({
  userId: hostUserIdSchema,
  reassignedTo: hostUserIdSchema.nullable(),
  accounts: z.array(accountIdSchema),
  teams: z.array(teamIdSchema),
  productLineAssignments: z.number().int(),
  delegationsEnded: z.number().int(),
});
