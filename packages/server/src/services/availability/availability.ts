import { CrmError, newId, setAvailabilityInputSchema, type availabilitySchema } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { subjectUser } from '../delegations/delegations.js';
import { assertActiveUsers } from '../teams/team-rows.js';

export type Availability = z.infer<typeof availabilitySchema>;

/**
 * Marks a user away for a window (leave, holiday) without delegating: routing passes over them
 * while away. For oneself, or for others by admins and by managers for the people in the teams
 * they manage (FORBIDDEN otherwise). A window starting in the past starts now (routing already
 * decided is not rewritten); the stored window is answered.
 */
export async function setAvailability(ctx: ServiceContext, input: z.input<typeof setAvailabilityInputSchema>): Promise<Availability> {
  authorize(ctx.actor, 'delegations:manage');
  const data = setAvailabilityInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const now = ctx.clock.now();
  const requestedFrom = new Date(data.awayFrom);
  const awayFrom = requestedFrom < now ? now : requestedFrom;
  const awayTo = new Date(data.awayTo);
  if (awayTo <= now) throw CrmError.validation('awayTo', 'the window has already ended');
  if (awayTo <= awayFrom) throw CrmError.validation('awayTo', 'awayTo must be after awayFrom');
  return inTransaction(ctx, async (tx) => {
    const userId = await subjectUser(ctx, tx, data.userId, 'userId');
    await assertActiveUsers(tx, ctx, [['userId', userId]]);
    const row = await tx.availability.create({
      data: { id: newId('awy', ctx.clock), tenantId, userId, awayFrom, awayTo, reason: data.reason, createdBy: `${ctx.actor.type}:${ctx.actor.id}`, createdAt: now },
    });
    const window: Availability = { id: row.id, userId, awayFrom: awayFrom.toISOString(), awayTo: awayTo.toISOString(), reason: row.reason };
    await recordChange(tx, ctx, { action: 'user.away_set', entityType: 'user', entityId: userId, before: null, after: window });
    return window;
  });
}
