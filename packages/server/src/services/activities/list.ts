import { decodeCursor, encodeCursor, isoDateTime, listActivitiesInputSchema, type Activity, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { assertCanSeeAccount } from '../visibility.js';
import { toActivity } from './log.js';

// The instant is checked like any input instant: a forged one PostgreSQL cannot compare with is VALIDATION on `cursor`.
const cursorShape = z.object({ at: isoDateTime, id: z.string() });

/** An account's activities, newest first (by time, then id). */
export async function listActivities(ctx: ServiceContext, input: z.input<typeof listActivitiesInputSchema>): Promise<Page<Activity>> {
  authorize(ctx.actor, 'activities:read');
  const { accountId, limit, cursor } = listActivitiesInputSchema.parse(input);
  await assertCanSeeAccount(ctx, accountId);
  const after = cursor ? decodeCursor(cursor, cursorShape) : undefined;
  const rows = await ctx.db.activity.findMany({
    where: {
      tenantId: ctx.actor.tenantId,
      accountId,
      ...(after ? { OR: [{ at: { lt: new Date(after.at) } }, { at: new Date(after.at), id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toActivity);
  const last = page[page.length - 1];
  return { items: page, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, id: last.id }) : null };
}
