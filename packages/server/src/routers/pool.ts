import {
  activityPageSchema, activitySchema, claimInputSchema, listActivitiesInputSchema, listPoolInputSchema, logActivityInputSchema, ownershipPeriodSchema,
  poolAssignInputSchema, poolPageSchema, poolPoliciesSchema, poolPreviewInputSchema, poolPreviewSchema, poolSweepSchema, releaseInputSchema,
  setPoolPolicyInputSchema, getPoolPolicyInputSchema, poolSweepInputSchema,
} from '@crmkit/core';
import { listActivities } from '../services/activities/list.js';
import { logActivity } from '../services/activities/log.js';
import { assignFromPool } from '../services/pool/assign.js';
import { claimAccount } from '../services/pool/claim.js';
import { listPool } from '../services/pool/list.js';
import { getPoolPolicy, setPoolPolicy } from '../services/pool/policy.js';
import { previewPool } from '../services/pool/preview.js';
import { releaseAccount } from '../services/pool/release.js';
import { sweepPool } from '../services/pool/sweep.js';
import { authedProcedure as p, router } from '../trpc.js';

export const poolRouter = router({
  policy: p.input(getPoolPolicyInputSchema).output(poolPoliciesSchema).query(({ ctx, input }) => getPoolPolicy(ctx.service, input)),
  setPolicy: p.input(setPoolPolicyInputSchema).output(poolPoliciesSchema).mutation(({ ctx, input }) => setPoolPolicy(ctx.service, input)),
  list: p.input(listPoolInputSchema).output(poolPageSchema).query(({ ctx, input }) => listPool(ctx.service, input)),
  claim: p.input(claimInputSchema).output(ownershipPeriodSchema).mutation(({ ctx, input }) => claimAccount(ctx.service, input)),
  release: p.input(releaseInputSchema).output(ownershipPeriodSchema).mutation(({ ctx, input }) => releaseAccount(ctx.service, input)),
  assign: p.input(poolAssignInputSchema).output(ownershipPeriodSchema).mutation(({ ctx, input }) => assignFromPool(ctx.service, input)),
  preview: p.input(poolPreviewInputSchema).output(poolPreviewSchema).query(({ ctx, input }) => previewPool(ctx.service, input)),
  sweep: p.input(poolSweepInputSchema).output(poolSweepSchema).mutation(({ ctx, input }) => sweepPool(ctx.service, input)),
});

export const activitiesRouter = router({
  log: p.input(logActivityInputSchema).output(activitySchema).mutation(({ ctx, input }) => logActivity(ctx.service, input)),
  list: p.input(listActivitiesInputSchema).output(activityPageSchema).query(({ ctx, input }) => listActivities(ctx.service, input)),
});
