import { type DelegationFact, type DelegationScope, type RoutingFacts, type RoutingPurpose } from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import type { Db, Tx } from '../../db/client.js';

export interface RoutingQuestion {
  tenantId: string;
  accountId: string;
  at: Date;
  purpose: RoutingPurpose;
  productLineId?: string | undefined;
  orderRepId?: string | undefined;
}

/**
 * Loads what `resolveResponsible` needs, as of `at`: the ownership period in force, the team's
 * leader and product-line member then, the override then, who of the people involved was active
 * then, and the delegations and away windows around `at`. Each query reads only the rows in force
 * at `at` (indexed by their start), so long histories cost no more than short ones.
 */
export async function loadRoutingFacts(db: Db | Tx, q: RoutingQuestion): Promise<RoutingFacts> {
  const facts = await loadAccountRoutingFacts(db, { ...q, productLineIds: q.productLineId ? [q.productLineId] : [] });
  return facts.forLine(q.productLineId, q.orderRepId);
}

/** The routing facts of one account at one instant, for any of the product lines loaded with them. */
export interface AccountRoutingFacts {
  /** The facts for a question about `productLineId` (one of those loaded) and, for orders, the line's rep. */
  forLine(productLineId: string | undefined, orderRepId?: string | undefined): RoutingFacts;
}

/**
 * {@link loadRoutingFacts} for several product lines of one account at once (an order's lines): the
 * same queries, run once, with the members of every product line asked about in one of them.
 */
export async function loadAccountRoutingFacts(
  db: Db | Tx,
  q: { tenantId: string; accountId: string; at: Date; purpose: RoutingPurpose; productLineIds: readonly string[]; orderRepId?: string | undefined },
): Promise<AccountRoutingFacts> {
  const { tenantId, accountId, at } = q;
  const inForceWhere = { validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] };
  const ownership = await db.accountOwnership.findFirst({ where: { tenantId, accountId, ...inForceWhere }, orderBy: { validFrom: 'desc' } });
  const teamId = ownership?.teamId ?? null;
  const productLineIds = [...new Set(q.productLineIds)];
  const [leader, members, overrides, delegations, away] = await Promise.all([
    teamId ? db.teamMembership.findFirst({ where: { tenantId, teamId, role: 'leader', ...inForceWhere }, orderBy: { validFrom: 'desc' } }) : null,
    teamId && productLineIds.length
      ? db.productLineAssignment.findMany({ where: { tenantId, teamId, productLineId: { in: productLineIds }, ...inForceWhere }, orderBy: { validFrom: 'desc' } })
      : [],
    db.routingOverride.findMany({ where: { tenantId, accountId, ...inForceWhere } }),
    // A delegation ended early still answered for the times before it was ended.
    db.delegation.findMany({ where: { tenantId, OR: [{ endedAt: null }, { endedAt: { gt: at } }], validFrom: { lte: at }, validTo: { gt: at } } }),
    db.availability.findMany({ where: { tenantId, awayFrom: { lte: at }, awayTo: { gt: at } } }),
  ]);
  // The latest assignment in force per product line (rows come newest first).
  const memberOf = new Map<string, string | null>();
  for (const m of members) if (!memberOf.has(m.productLineId)) memberOf.set(m.productLineId, m.userId);
  // The most specific override wins: product line and purpose, then either, then the account.
  const specificity = (o: { productLineId: string | null; purpose: string | null }) => (o.productLineId ? 2 : 0) + (o.purpose ? 1 : 0);
  const overrideFor = (productLineId: string | undefined) =>
    overrides
      .filter((o) => (o.productLineId === null || o.productLineId === productLineId) && (o.purpose === null || o.purpose === q.purpose))
      .sort((a, b) => specificity(b) - specificity(a) || b.validFrom.getTime() - a.validFrom.getTime())[0];
  const lineOverrides = [undefined, ...productLineIds].map(overrideFor);
  // Only the people these answers can involve are judged, not the whole tenant.
  const people = new Set<string>(
    [
      ownership?.primaryOwnerId, ownership?.secondaryOwnerId, leader?.userId, ...memberOf.values(), ...lineOverrides.map((o) => o?.userId), q.orderRepId,
      ...delegations.flatMap((d) => [d.delegatorId, d.delegateId]),
    ].filter((id): id is string => typeof id === 'string'),
  );
  const activeUserIds = people.size ? await activeAt(db, tenantId, [...people], at) : new Set<string>();
  const delegationFacts: DelegationFact[] = delegations.map((d) => ({
    id: d.id, delegatorId: d.delegatorId, delegateId: d.delegateId, scope: d.scope as DelegationScope, accountIds: JSON.parse(d.accountIds) as string[], validFrom: d.validFrom, validTo: d.validTo,
  }));
  const awayFacts = away.map((a) => ({ userId: a.userId, awayFrom: a.awayFrom, awayTo: a.awayTo }));
  return {
    forLine(productLineId, orderRepId = q.orderRepId) {
      const override = overrideFor(productLineId);
      return {
        at,
        purpose: q.purpose,
        accountId,
        ownership: ownership ? { teamId: ownership.teamId, primaryOwnerId: ownership.primaryOwnerId, secondaryOwnerId: ownership.secondaryOwnerId } : null,
        leaderId: leader?.userId ?? null,
        ...(productLineId ? { productLine: { id: productLineId, memberId: memberOf.get(productLineId) ?? null } } : {}),
        ...(orderRepId !== undefined ? { orderRepId } : {}),
        override: override ? { id: override.id, userId: override.userId, actorId: override.actorId, reason: override.reason } : null,
        activeUserIds,
        delegations: delegationFacts,
        away: awayFacts,
      };
    },
  };
}

/**
 * Who of `userIds` was active at `at`: their user row exists and none of their inactivity windows
 * holds `at` (`User.active` is only the present). One statement for all of them.
 */
async function activeAt(db: Db | Tx, tenantId: string, userIds: string[], at: Date): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT u."id" FROM "User" u
    WHERE u."tenantId" = ${tenantId} AND u."id" IN (${Prisma.join(userIds)})
      AND NOT EXISTS (
        SELECT 1 FROM "UserInactivity" w
        WHERE w."tenantId" = u."tenantId" AND w."userId" = u."id" AND w."validFrom" <= ${at} AND (w."validTo" IS NULL OR w."validTo" > ${at}))`;
  return new Set(rows.map((r) => r.id));
}
