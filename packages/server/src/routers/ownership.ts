import {
  assignOwnershipInputSchema, availabilitySchema, clearOverrideInputSchema, createDelegationInputSchema, delegationPageSchema, delegationSchema, endDelegationInputSchema,
  listDelegationsInputSchema, overrideInputSchema, ownershipHistoryInputSchema, ownershipHistorySchema, ownershipPeriodSchema, resolutionSchema, resolveInputSchema,
  setAvailabilityInputSchema,
  routingOverrideSchema,
} from '@crmkit/core';
import { setAvailability } from '../services/availability/availability.js';
import { createDelegation, endDelegation, listDelegations } from '../services/delegations/delegations.js';
import { assignOwnership } from '../services/ownership/assign.js';
import { ownershipHistory } from '../services/ownership/history.js';
import { clearOverride, overrideRouting } from '../services/ownership/override.js';
import { resolveOwnership } from '../services/ownership/resolve.js';
import { authedProcedure as p, router } from '../trpc.js';

export const ownershipRouter = router({
  /** Answers the ownership period in force after the change (null: the account has never been owned). */
  assign: p.input(assignOwnershipInputSchema).output(ownershipPeriodSchema.nullable()).mutation(({ ctx, input }) => assignOwnership(ctx.service, input)),
  history: p.input(ownershipHistoryInputSchema).output(ownershipHistorySchema).query(({ ctx, input }) => ownershipHistory(ctx.service, input)),
  resolve: p.input(resolveInputSchema).output(resolutionSchema).query(({ ctx, input }) => resolveOwnership(ctx.service, input)),
  override: p.input(overrideInputSchema).output(routingOverrideSchema).mutation(({ ctx, input }) => overrideRouting(ctx.service, input)),
  /** Answers the override it ended, or null when none was in force. */
  clearOverride: p.input(clearOverrideInputSchema).output(routingOverrideSchema.nullable()).mutation(({ ctx, input }) => clearOverride(ctx.service, input)),
});

export const delegationsRouter = router({
  create: p.input(createDelegationInputSchema).output(delegationSchema).mutation(({ ctx, input }) => createDelegation(ctx.service, input)),
  end: p.input(endDelegationInputSchema).output(delegationSchema).mutation(({ ctx, input }) => endDelegation(ctx.service, input)),
  list: p.input(listDelegationsInputSchema).output(delegationPageSchema).query(({ ctx, input }) => listDelegations(ctx.service, input)),
});

export const availabilityRouter = router({
  set: p.input(setAvailabilityInputSchema).output(availabilitySchema).mutation(({ ctx, input }) => setAvailability(ctx.service, input)),
});
