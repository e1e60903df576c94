import { CrmError, getPoolPolicyInputSchema, setPoolPolicyInputSchema, type AuditEntityType, type poolPolicySchema } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';

/** `pool.policy`: every policy of the tenant, or (with `grade`) the one that applies to that grade. */

// The audit log names the tenant's pool policy as one entity (its id is the tenant's).
const POOL_POLICY_ENTITY: AuditEntityType = 'poolPolicy';

/** A stored policy row (its grade was validated on the way in). */
export type PoolPolicy = z.infer<typeof poolPolicySchema>;

const policySelect = { grade: true, returnAfterDays: true, reclaimBlockDays: true, reminderDays: true, maxClaimsPerRep: true } as const;

/** Grades in order, `*` last, with exactly the policy's fields. */
function normalized(policies: readonly (Omit<PoolPolicy, 'grade'> & { grade: string })[]): PoolPolicy[] {
  return policies
    .map(({ grade, returnAfterDays, reclaimBlockDays, reminderDays, maxClaimsPerRep }) => ({ grade: grade as PoolPolicy['grade'], returnAfterDays, reclaimBlockDays, reminderDays, maxClaimsPerRep }))
    .sort((a, b) => Number(a.grade === '*') - Number(b.grade === '*') || (a.grade < b.grade ? -1 : a.grade > b.grade ? 1 : 0));
}

/** The tenant's pool policies, grade `*` last. */
export async function loadPoolPolicies(db: Db | Tx, tenantId: string): Promise<PoolPolicy[]> {
  return normalized(await db.poolPolicy.findMany({ where: { tenantId }, select: policySelect }));
}

/** The pool policy of the caller's tenant; readable by everyone who may claim, so reps know the rules they work under. */
export async function getPoolPolicy(ctx: ServiceContext, input: z.input<typeof getPoolPolicyInputSchema>): Promise<{ policies: PoolPolicy[] }> {
  authorize(ctx.actor, 'pool:claim');
  const { grade } = getPoolPolicyInputSchema.parse(input);
  const policies = await loadPoolPolicies(ctx.db, ctx.actor.tenantId);
  if (grade === undefined) return { policies };
  const applying = grade === '*' ? policies.find((p) => p.grade === '*') : (policies.find((p) => p.grade === grade) ?? policies.find((p) => p.grade === '*'));
  return { policies: applying ? [applying] : [] };
}

/**
 * Replaces the tenant's pool policy: one row per grade (`*` for grades without their own).
 * Grades left out lose their own rule and fall back to `*`. The next sweep applies it. Setting
 * the same policy again writes nothing.
 */
export async function setPoolPolicy(ctx: ServiceContext, input: z.input<typeof setPoolPolicyInputSchema>): Promise<{ policies: PoolPolicy[] }> {
  authorize(ctx.actor, 'pool:manage');
  const { policies } = setPoolPolicyInputSchema.parse(input);
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (seen.has(p.grade)) throw new CrmError('VALIDATION', `grade ${p.grade} appears twice`, { fieldErrors: { [`policies.${i}.grade`]: [`grade ${p.grade} appears twice`] } });
    seen.add(p.grade);
  });
  const { tenantId } = ctx.actor;
  const wanted = normalized(policies);
  return inTransaction(ctx, async (tx) => {
    const before = await loadPoolPolicies(tx, tenantId);
    if (JSON.stringify(before) === JSON.stringify(wanted)) return { policies: before };
    const now = ctx.clock.now();
    await tx.poolPolicy.deleteMany({ where: { tenantId, grade: { notIn: policies.map((p) => p.grade) } } });
    for (const p of policies) {
      await tx.poolPolicy.upsert({ where: { tenantId_grade: { tenantId, grade: p.grade } }, create: { tenantId, ...p, updatedAt: now }, update: { ...p, updatedAt: now } });
    }
    await recordChange(tx, ctx, { action: 'pool_policy.updated', entityType: POOL_POLICY_ENTITY, entityId: tenantId, before: { policies: before }, after: { policies: wanted } });
    return { policies: wanted };
  });
}
