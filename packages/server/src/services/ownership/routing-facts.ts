import { type DelegationFact, type DelegationScope, type RoutingFacts, type RoutingPurpose } from '@crmkit/core';
import type { Db, Tx } from '../../db/client.js';
import { prismaRoutingRows, type RoutingRows } from '../../db/routing-reads.js';

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
export async function loadRoutingFacts(source: Db | Tx | RoutingRows, q: RoutingQuestion): Promise<RoutingFacts> {
  const facts = await loadAccountRoutingFacts(source, { ...q, productLineIds: q.productLineId ? [q.productLineId] : [] });
  return facts.forLine(q.productLineId, q.orderRepId);
}

/** The routing facts of one account at one instant, for any of the product lines loaded with them. */
export interface AccountRoutingFacts {
  /** The facts for a question about `productLineId` (one of those loaded) and, for orders, the line's rep. */
  forLine(productLineId: string | undefined, orderRepId?: string | undefined): RoutingFacts;
}

const isRows = (source: Db | Tx | RoutingRows): source is RoutingRows => typeof (source as RoutingRows).activeAt === 'function';

/**
 * {@link loadRoutingFacts} for several product lines of one account at once (an order's lines): the
 * same reads, run once, with the members of every product line asked about in one of them. The
 * rows come from `source`: SQLite's read-only driver statements (`ctx.reads.routing`) or Prisma.
 */
export async function loadAccountRoutingFacts(
  source: Db | Tx | RoutingRows,
  q: { tenantId: string; accountId: string; at: Date; purpose: RoutingPurpose; productLineIds: readonly string[]; orderRepId?: string | undefined },
): Promise<AccountRoutingFacts> {
  const rows = isRows(source) ? source : prismaRoutingRows(source);
  const { tenantId, accountId, at } = q;
  const ownership = await rows.ownership(tenantId, accountId, at);
  const teamId = ownership?.teamId ?? null;
  const productLineIds = [...new Set(q.productLineIds)];
  const [leaderId, members, overrides, delegations, away] = await Promise.all([
    teamId ? rows.leader(tenantId, teamId, at) : null,
    teamId && productLineIds.length ? rows.members(tenantId, teamId, productLineIds, at) : [],
    rows.overrides(tenantId, accountId, at),
    rows.delegations(tenantId, at),
    rows.away(tenantId, at),
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
      ownership?.primaryOwnerId, ownership?.secondaryOwnerId, leaderId, ...memberOf.values(), ...lineOverrides.map((o) => o?.userId), q.orderRepId,
      ...delegations.flatMap((d) => [d.delegatorId, d.delegateId]),
    ].filter((id): id is string => typeof id === 'string'),
  );
  const activeUserIds = people.size ? await rows.activeAt(tenantId, [...people], at) : new Set<string>();
  const delegationFacts: DelegationFact[] = delegations.map((d) => ({
    id: d.id, delegatorId: d.delegatorId, delegateId: d.delegateId, scope: d.scope as DelegationScope, accountIds: JSON.parse(d.accountIds) as string[], validFrom: d.validFrom, validTo: d.validTo,
  }));
  return {
    forLine(productLineId, orderRepId = q.orderRepId) {
      const override = overrideFor(productLineId);
      return {
        at,
        purpose: q.purpose,
        accountId,
        ownership: ownership ? { teamId: ownership.teamId, primaryOwnerId: ownership.primaryOwnerId, secondaryOwnerId: ownership.secondaryOwnerId } : null,
        leaderId,
        ...(productLineId ? { productLine: { id: productLineId, memberId: memberOf.get(productLineId) ?? null } } : {}),
        ...(orderRepId !== undefined ? { orderRepId } : {}),
        override: override ? { id: override.id, userId: override.userId, actorId: override.actorId, reason: override.reason } : null,
        activeUserIds,
        delegations: delegationFacts,
        away,
      };
    },
  };
}
