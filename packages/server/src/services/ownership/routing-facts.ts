import { type DelegationFact, type DelegationScope, type RoutingFacts, type RoutingPurpose } from '@crmkit/core';
import type { Db, Tx } from '../../db/client.js';
import { prismaRoutingRows, type RoutingRows, type SyncRoutingRows } from '../../db/routing-reads.js';

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
export async function loadAccountRoutingFacts(source: Db | Tx | RoutingRows, q: AccountQuestion): Promise<AccountRoutingFacts> {
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
  const gathered = { ownership, leaderId, members, overrides, delegations, away };
  const people = peopleOf(q, gathered);
  const activeUserIds = people.length ? await rows.activeAt(tenantId, people, at) : new Set<string>();
  return factsFromRows(q, { ...gathered, activeUserIds });
}

/** {@link loadAccountRoutingFacts} on synchronous rows (SQLite's driver, inside a driver transaction). */
export function loadAccountRoutingFactsSync(rows: SyncRoutingRows, q: AccountQuestion): AccountRoutingFacts {
  const { tenantId, accountId, at } = q;
  const ownership = rows.ownership(tenantId, accountId, at);
  const teamId = ownership?.teamId ?? null;
  const productLineIds = [...new Set(q.productLineIds)];
  const gathered = {
    ownership,
    leaderId: teamId ? rows.leader(tenantId, teamId, at) : null,
    members: teamId && productLineIds.length ? rows.members(tenantId, teamId, productLineIds, at) : [],
    overrides: rows.overrides(tenantId, accountId, at),
    delegations: rows.delegations(tenantId, at),
    away: rows.away(tenantId, at),
  };
  const people = peopleOf(q, gathered);
  return factsFromRows(q, { ...gathered, activeUserIds: people.length ? rows.activeAt(tenantId, people, at) : new Set<string>() });
}

type AccountQuestion = { tenantId: string; accountId: string; at: Date; purpose: RoutingPurpose; productLineIds: readonly string[]; orderRepId?: string | undefined };
interface GatheredRows {
  ownership: Awaited<ReturnType<RoutingRows['ownership']>>;
  leaderId: string | null;
  members: Awaited<ReturnType<RoutingRows['members']>>;
  overrides: Awaited<ReturnType<RoutingRows['overrides']>>;
  delegations: Awaited<ReturnType<RoutingRows['delegations']>>;
  away: Awaited<ReturnType<RoutingRows['away']>>;
}

// The most specific override wins: product line and purpose, then either, then the account.
const specificity = (o: { productLineId: string | null; purpose: string | null }) => (o.productLineId ? 2 : 0) + (o.purpose ? 1 : 0);
function overrideFor(q: AccountQuestion, rows: GatheredRows, productLineId: string | undefined) {
  return rows.overrides
    .filter((o) => (o.productLineId === null || o.productLineId === productLineId) && (o.purpose === null || o.purpose === q.purpose))
    .sort((a, b) => specificity(b) - specificity(a) || b.validFrom.getTime() - a.validFrom.getTime())[0];
}

/** The latest assignment in force per product line (rows come newest first). */
function membersByLine(rows: GatheredRows): Map<string, string | null> {
  const memberOf = new Map<string, string | null>();
  for (const m of rows.members) if (!memberOf.has(m.productLineId)) memberOf.set(m.productLineId, m.userId);
  return memberOf;
}

/** Only the people these answers can involve are judged active or not, not the whole tenant. */
function peopleOf(q: AccountQuestion, rows: GatheredRows): string[] {
  const lineOverrides = [undefined, ...new Set(q.productLineIds)].map((pl) => overrideFor(q, rows, pl));
  return [
    ...new Set(
      [
        rows.ownership?.primaryOwnerId, rows.ownership?.secondaryOwnerId, rows.leaderId, ...membersByLine(rows).values(), ...lineOverrides.map((o) => o?.userId), q.orderRepId,
        ...rows.delegations.flatMap((d) => [d.delegatorId, d.delegateId]),
      ].filter((id): id is string => typeof id === 'string'),
    ),
  ];
}

/** The facts for each product line asked about, from the rows read (pure). */
function factsFromRows(q: AccountQuestion, rows: GatheredRows & { activeUserIds: Set<string> }): AccountRoutingFacts {
  const memberOf = membersByLine(rows);
  const delegationFacts: DelegationFact[] = rows.delegations.map((d) => ({
    id: d.id, delegatorId: d.delegatorId, delegateId: d.delegateId, scope: d.scope as DelegationScope, accountIds: JSON.parse(d.accountIds) as string[], validFrom: d.validFrom, validTo: d.validTo,
  }));
  const { ownership } = rows;
  return {
    forLine(productLineId, orderRepId = q.orderRepId) {
      const override = overrideFor(q, rows, productLineId);
      return {
        at: q.at,
        purpose: q.purpose,
        accountId: q.accountId,
        ownership: ownership ? { teamId: ownership.teamId, primaryOwnerId: ownership.primaryOwnerId, secondaryOwnerId: ownership.secondaryOwnerId } : null,
        leaderId: rows.leaderId,
        ...(productLineId ? { productLine: { id: productLineId, memberId: memberOf.get(productLineId) ?? null } } : {}),
        ...(orderRepId !== undefined ? { orderRepId } : {}),
        override: override ? { id: override.id, userId: override.userId, actorId: override.actorId, reason: override.reason } : null,
        activeUserIds: rows.activeUserIds,
        delegations: delegationFacts,
        away: rows.away,
      };
    },
  };
}
