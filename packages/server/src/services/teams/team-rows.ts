import { CrmError, type FieldErrors, type Team } from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';

/** The Prisma `where` fragment of effective-dated rows in force at `at` (from inclusive, to exclusive). */
export function inForceWhere(at: Date) {
  return { validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] };
}

/** How a change's author is recorded on the periods it opens. */
export function actorIdOf(ctx: ServiceContext): string {
  return `${ctx.actor.type}:${ctx.actor.id}`;
}

/**
 * Serializes writes to one effective-dated subject (a team, an account's ownership, a tenant's
 * delegations) so two concurrent changes cannot both close the same open period and each open
 * their own. SQLite already runs one write transaction at a time.
 */
export async function lockSubject(tx: Tx, ctx: ServiceContext, subject: string): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const key = `crmkit:${ctx.actor.tenantId}:${subject}`;
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${key}))) AS l`;
}

/**
 * VALIDATION, naming each offending field, unless every referenced id is an active user of the
 * tenant (users are upserted by the host through `users.upsert` before they can hold a role).
 *
 * In a transaction on PostgreSQL it reads the users `FOR SHARE` (in id order), so they stay active
 * until the caller commits: a concurrent `users.deactivate` (which locks the user `FOR UPDATE`
 * first) either waits and then moves on the work the caller gave them, or made this wait and the
 * re-checked `active` refuses them. Call it before locking any account (users before accounts).
 */
export async function assertActiveUsers(db: Db | Tx, ctx: ServiceContext, refs: readonly (readonly [field: string, userId: string])[]): Promise<void> {
  if (refs.length === 0) return;
  const { tenantId } = ctx.actor;
  const ids = [...new Set(refs.map(([, id]) => id))];
  const found = ctx.provider === 'postgresql'
    ? await db.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "User" WHERE "tenantId" = ${tenantId} AND "id" IN (${Prisma.join(ids)}) AND "active" = true ORDER BY "id" FOR SHARE`
    : await db.user.findMany({ where: { tenantId, id: { in: ids }, active: true }, select: { id: true } });
  const known = new Set(found.map((u) => u.id));
  const fieldErrors: FieldErrors = {};
  for (const [field, id] of refs) if (!known.has(id)) (fieldErrors[field] ??= []).push(`${id} is not an active user of this tenant`);
  if (Object.keys(fieldErrors).length > 0) {
    const first = Object.entries(fieldErrors)[0]!;
    throw new CrmError('VALIDATION', `${first[0]}: ${first[1][0]}`, { fieldErrors });
  }
}

export interface TeamRow {
  id: string;
  name: string;
  parentTeamId: string | null;
  createdAt: Date;
  archivedAt: Date | null;
}

const teamSelect = { id: true, name: true, parentTeamId: true, createdAt: true, archivedAt: true } as const;

/** A team of the tenant, or NOT_FOUND (also for another tenant's id). */
export async function loadTeam(db: Db | Tx, tenantId: string, id: string): Promise<TeamRow> {
  const row = await db.team.findFirst({ where: { id, tenantId }, select: teamSelect });
  if (!row) throw CrmError.notFound('team', id);
  return row;
}

/** The user leading the team at `at`, if any. */
export async function leaderAt(db: Db | Tx, tenantId: string, teamId: string, at: Date): Promise<string | null> {
  const row = await db.teamMembership.findFirst({ where: { tenantId, teamId, role: 'leader', ...inForceWhere(at) }, orderBy: { validFrom: 'desc' }, select: { userId: true } });
  return row?.userId ?? null;
}

/** The teams as they stood at `at`: leader, members (leader first) and product-line assignments then. */
export async function teamsAt(db: Db | Tx, tenantId: string, rows: readonly TeamRow[], at: Date): Promise<Team[]> {
  if (rows.length === 0) return [];
  const teamIds = rows.map((r) => r.id);
  const [memberships, assignments] = await Promise.all([
    db.teamMembership.findMany({ where: { tenantId, teamId: { in: teamIds }, ...inForceWhere(at) }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] }),
    db.productLineAssignment.findMany({ where: { tenantId, teamId: { in: teamIds }, ...inForceWhere(at) }, orderBy: [{ validFrom: 'asc' }, { id: 'asc' }] }),
  ]);
  return rows.map((row) => {
    const members = memberships.filter((m) => m.teamId === row.id);
    const leader = members.find((m) => m.role === 'leader');
    const ordered = [...(leader ? [leader] : []), ...members.filter((m) => m !== leader)];
    return {
      id: row.id,
      name: row.name,
      parentTeamId: row.parentTeamId,
      leaderId: leader?.userId ?? null,
      members: ordered.map((m) => ({ userId: m.userId, role: m.role as 'leader' | 'member', since: m.validFrom.toISOString() })),
      productLines: assignments
        .filter((a) => a.teamId === row.id)
        .sort((a, b) => a.productLineId.localeCompare(b.productLineId))
        .map((a) => ({ productLineId: a.productLineId, userId: a.userId, since: a.validFrom.toISOString() })),
      createdAt: row.createdAt.toISOString(),
      archivedAt: row.archivedAt?.toISOString() ?? null,
    };
  });
}

export async function teamAt(db: Db | Tx, tenantId: string, row: TeamRow, at: Date): Promise<Team> {
  return (await teamsAt(db, tenantId, [row], at))[0]!;
}
