import { decodeCursor, encodeCursor, getTeamInputSchema, listTeamsInputSchema, type Page, type Team } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { inForceWhere, loadTeam, teamAt, teamsAt } from './team-rows.js';

/** The instant an "as of" question is about: the given one, or now. */
export function asOfInstant(ctx: ServiceContext, asOf: string | undefined): Date {
  return asOf ? new Date(asOf) : ctx.clock.now();
}

/** One team of the caller's tenant as it stood at `asOf` (default now): leader, members and product lines then. */
export async function getTeam(ctx: ServiceContext, input: z.input<typeof getTeamInputSchema>): Promise<Team> {
  authorize(ctx.actor, 'teams:read');
  const { id, asOf } = getTeamInputSchema.parse(input);
  const row = await loadTeam(ctx.db, ctx.actor.tenantId, id);
  return teamAt(ctx.db, ctx.actor.tenantId, row, asOfInstant(ctx, asOf));
}

const cursorShape = z.object({ id: z.string() });

/** The tenant's teams as they are now, oldest first; with `memberId`, only the teams that user belongs to (or leads) now. */
export async function listTeams(ctx: ServiceContext, input: z.input<typeof listTeamsInputSchema>): Promise<Page<Team>> {
  authorize(ctx.actor, 'teams:read');
  const { limit, cursor, memberId } = listTeamsInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const after = cursor ? decodeCursor(cursor, cursorShape).id : undefined;
  const now = ctx.clock.now();
  let teamIds: string[] | undefined;
  if (memberId !== undefined) {
    const memberships = await ctx.db.teamMembership.findMany({ where: { tenantId, userId: memberId, ...inForceWhere(now) }, select: { teamId: true } });
    teamIds = [...new Set(memberships.map((m) => m.teamId))];
  }
  const rows = await ctx.db.team.findMany({
    where: { tenantId, id: { ...(after ? { gt: after } : {}), ...(teamIds ? { in: teamIds } : {}) } },
    select: { id: true, name: true, parentTeamId: true, createdAt: true, archivedAt: true },
    orderBy: { id: 'asc' },
    take: limit + 1,
  });
  const page = await teamsAt(ctx.db, tenantId, rows.slice(0, limit), now);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
