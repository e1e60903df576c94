import {
  approvalExpiresAt, approveCreditInputSchema, can, CrmError, decodeCursor, encodeCursor, expireCreditApprovalsInputSchema, listCreditApprovalsInputSchema, newId, rejectCreditInputSchema, step,
  type ApproveCreditInput, type CreditApproval, type CreditApprovalStatus, type CreditDecision, type ExpireCreditApprovalsResult, type ExplanationStep, type ListCreditApprovalsInput, type Page, type RejectCreditInput,
  type Role, type VisibilityScope,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type Actor, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { lockForExposure } from '../exposure/figures.js';
import { attributeLines } from '../orders/attribution.js';
import type { Loaded } from '../orders/lifecycle.js';
import { loadOrder, minor, toOrder, type OrderLineRow, type OrderRow } from '../orders/order-rows.js';
import { nextStatus, openMinorOf, saveOrder } from '../orders/save.js';
import { leaderAt } from '../teams/team-rows.js';
import { assertCanSeeAccount, visibilityOf, visibleAccountIds } from '../visibility.js';
import { visibleAmong } from './facts.js';
import { checkCreditOnTx, creditEventData, recordDecision, recordRefusal, redactDecision, type CreditVerdict } from './check.js';

// Over-limit approvals (tenant policy `hold`, docs/concepts/credit.md): a held order's request is
// routed to a person with `credit:approve` who manages the owning team, or to their approvals
// delegate; never to the order's creator or its lines' reps. It is approved (the check runs again
// with the held amount allowed, and the order is confirmed), rejected (back to draft), cancelled
// with its order, or expires at the end of the tenant's Nth local day (back to draft).

type ApprovalRow = {
  id: string; tenantId: string; orderId: string; accountId: string; amountMinor: bigint; currency: string; status: string; routedToId: string | null; approverId: string | null; routing: string;
  requestedBy: string; requestedAt: Date; expiresAt: Date; decidedBy: string | null; decidedAt: Date | null; reason: string | null; decision: string;
};

/** The event types of approvals. */
export const CREDIT_EVENTS = {
  requested: 'credit.approval_requested',
  approved: 'credit.approved',
  rejected: 'credit.rejected',
  expired: 'credit.approval_expired',
  breached: 'credit.breached',
} as const;

/** Who may approve a request now: the person it was routed to and their approvals delegate now. */
async function approversNow(db: Db | Tx, tenantId: string, routedToId: string | null, at: Date): Promise<string[]> {
  if (!routedToId) return [];
  const delegations = await db.delegation.findMany({
    where: { tenantId, delegatorId: routedToId, scope: { in: ['approvals', 'all'] }, endedAt: null, validFrom: { lte: at }, validTo: { gt: at } },
    select: { delegateId: true },
    orderBy: { validFrom: 'asc' },
  });
  return [routedToId, ...delegations.map((d) => d.delegateId)];
}

function toApproval(row: ApprovalRow, visible?: (id: string) => boolean): CreditApproval {
  const decision = JSON.parse(row.decision) as CreditDecision;
  return {
    id: row.id,
    orderId: row.orderId,
    accountId: row.accountId,
    amountMinor: minor(row.amountMinor),
    currency: row.currency,
    status: row.status as CreditApprovalStatus,
    approverId: row.approverId,
    routedToId: row.routedToId,
    routing: JSON.parse(row.routing) as ExplanationStep[],
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    reason: row.reason,
    decision: visible ? redactDecision(decision, visible) : decision,
  };
}

/** The accounts a request's decision names. */
function accountsOf(row: ApprovalRow): string[] {
  const d = JSON.parse(row.decision) as CreditDecision;
  const ids = [row.accountId, ...d.limits.map((l) => l.accountId), ...d.breaches.map((b) => b.accountId), ...d.holds.map((x) => x.accountId), ...d.overdue.map((o) => o.accountId)];
  for (const st of d.explanation) if (st.subjectId?.startsWith('acc_')) ids.push(st.subjectId);
  return ids.filter((id): id is string => !!id);
}

/** Requests as the caller may see them: accounts of their decisions the caller may not see are redacted. */
async function shown(db: Db | Tx, ctx: ServiceContext, scope: VisibilityScope, rows: readonly ApprovalRow[]): Promise<CreditApproval[]> {
  const visible = await visibleAmong(db, ctx, scope, rows.flatMap(accountsOf));
  return rows.map((r) => toApproval(r, visible));
}

/** The people who must not decide on an order's credit: its creator and its lines' reps (owner of record and person acting). */
function excludedOf(order: OrderRow, lines: readonly OrderLineRow[]): Set<string> {
  // `createdBy` is `<actor type>:<id>` (`user:li`, `apiKey:key_…`); actors are compared by id.
  const creator = order.createdBy.slice(order.createdBy.indexOf(':') + 1);
  const out = new Set<string>([creator, order.createdBy]);
  for (const l of lines) {
    if (l.ownerOfRecordId) out.add(l.ownerOfRecordId);
    if (l.actingUserId) out.add(l.actingUserId);
  }
  return out;
}

const approves = (role: string) => can(role as Role, 'credit:approve');

/**
 * The approver of a held order: walking up from the ordering account's owning team, the first
 * leader now who is an active user with `credit:approve` (a manager or an admin) and neither the
 * order's creator nor one of its lines' reps; else the first such admin of the tenant. Then that
 * person's approvals delegate now, if any (and not excluded). Every step is explained.
 */
async function routeApproval(tx: Tx, ctx: ServiceContext, order: OrderRow, lines: readonly OrderLineRow[], at: Date): Promise<{ routedToId: string | null; approverId: string | null; routing: ExplanationStep[] }> {
  const { tenantId } = ctx.actor;
  const excluded = excludedOf(order, lines);
  const routing: ExplanationStep[] = [];
  const eligible = async (userId: string): Promise<string | null> => {
    if (excluded.has(userId)) return `${userId} created the order or answers for one of its lines, and may not approve it`;
    const user = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { active: true, role: true } });
    if (!user || !user.active) return `${userId} is not an active user`;
    if (!approves(user.role)) return `${userId} (${user.role}) has no credit:approve permission`;
    return null;
  };
  const account = await tx.account.findFirst({ where: { tenantId, id: order.orderingAccountId }, select: { ownerTeamId: true } });
  let teamId = account?.ownerTeamId ?? null;
  let routedToId: string | null = null;
  if (!teamId) routing.push(step('approval-team', 'skipped', `the ordering account ${order.orderingAccountId} has no owning team`, order.orderingAccountId));
  for (let depth = 0; teamId && depth < 64 && !routedToId; depth += 1) {
    const leader = await leaderAt(tx, tenantId, teamId, at);
    if (!leader) routing.push(step('approval-team', 'skipped', `team ${teamId} has no leader now`, teamId));
    else {
      const why = await eligible(leader);
      if (why) routing.push(step('approval-team', 'skipped', `team ${teamId}'s leader: ${why}`, teamId));
      else {
        routedToId = leader;
        routing.push(step('approval-team', 'matched', `${leader} leads team ${teamId}${depth === 0 ? ', the team owning the ordering account' : `, above the owning team`}, and may approve credit`, leader));
        break;
      }
    }
    const team = await tx.team.findFirst({ where: { tenantId, id: teamId }, select: { parentTeamId: true } });
    teamId = team?.parentTeamId ?? null;
  }
  if (!routedToId) {
    const admins = await tx.user.findMany({ where: { tenantId, role: 'admin', active: true }, select: { id: true }, orderBy: { id: 'asc' }, take: 50 });
    const admin = admins.find((a) => !excluded.has(a.id));
    if (admin) {
      routedToId = admin.id;
      routing.push(step('approval-fallback', 'fallback', `no manager over the owning team may approve: routed to the admin ${admin.id}`, admin.id));
    } else routing.push(step('approval-fallback', 'skipped', 'nobody may approve: any admin who did not create the order may decide', null));
  }
  let approverId = routedToId;
  if (routedToId) {
    const [, ...delegates] = await approversNow(tx, tenantId, routedToId, at);
    for (const d of delegates) {
      const why = await eligible(d);
      if (why) routing.push(step('approval-delegate', 'skipped', `${routedToId}'s delegate ${d}: ${why}`, d));
      else {
        approverId = d;
        routing.push(step('approval-delegate', 'applied', `${routedToId} delegated approvals to ${d} now`, d));
        break;
      }
    }
  }
  return { routedToId, approverId, routing };
}

/**
 * Puts an order whose confirmation failed the check on hold (reserving nothing) and opens its
 * approval request, expiring at the end of the tenant's `approvalDays`-th local day after today.
 */
export async function holdOrder(tx: Tx, ctx: ServiceContext, loaded: Loaded, verdict: CreditVerdict, basis: string) {
  const { tenantId } = ctx.actor;
  const { order } = loaded;
  const now = ctx.clock.now();
  const lines = (await loadOrder(tx, tenantId, order.id)).lines;
  const { routedToId, approverId, routing } = await routeApproval(tx, ctx, order, lines, now);
  const expiresAt = approvalExpiresAt(now, verdict.timeZone, verdict.policy.approvalDays);
  const amountMinor = openMinorOf('confirmed', lines, basis);
  const row: ApprovalRow = {
    id: newId('cap', ctx.clock), tenantId, orderId: order.id, accountId: order.billToAccountId, amountMinor: BigInt(amountMinor), currency: order.currency, status: 'pending', routedToId, approverId,
    routing: JSON.stringify(routing), requestedBy: ctx.actor.id, requestedAt: now, expiresAt, decidedBy: null, decidedAt: null, reason: null, decision: JSON.stringify(verdict.decision),
  };
  await tx.creditApproval.create({ data: row });
  const decisionId = await recordDecision(tx, ctx, { kind: 'hold', accountId: order.billToAccountId, orderId: order.id, decision: verdict.decision, explanation: [...verdict.decision.explanation, ...routing] });
  const approval = toApproval(row);
  await recordChange(tx, ctx, { action: CREDIT_EVENTS.requested, entityType: 'creditApproval', entityId: row.id, before: null, after: approval, event: { decisionId } });
  return saveOrder(tx, ctx, loaded, { action: 'order.held', status: 'on_hold', columns: { exposureBasis: basis === 'fulfilment' ? 'fulfilment' : 'confirmation' }, event: { credit: { ...creditEventData(verdict, decisionId), approvalId: row.id } } });
}

/** Closes an order's pending requests (its cancellation). */
export async function closeApprovals(tx: Tx, ctx: ServiceContext, orderId: string, status: 'cancelled' | 'voided', reason: string | null) {
  const { tenantId } = ctx.actor;
  const pending = await tx.creditApproval.findMany({ where: { tenantId, orderId, status: status === 'cancelled' ? 'pending' : 'approved' } });
  for (const row of pending) {
    await tx.creditApproval.update({ where: { id: row.id }, data: { status, decidedBy: status === 'cancelled' ? ctx.actor.id : row.decidedBy, decidedAt: status === 'cancelled' ? ctx.clock.now() : row.decidedAt, reason: reason ?? row.reason } });
    await recordChange(tx, ctx, { action: `credit.approval_${status}`, entityType: 'creditApproval', entityId: row.id, before: { status: row.status }, after: { status } });
  }
}

/** Loads a request the caller may decide: pending, not expired, the caller its approver (or their delegate now) or an admin, and not the order's creator or a line's rep. */
async function loadDecidable(tx: Tx, ctx: ServiceContext, id: string): Promise<{ row: ApprovalRow; order: OrderRow; lines: OrderLineRow[] }> {
  const { tenantId } = ctx.actor;
  const now = ctx.clock.now();
  const row = (await tx.creditApproval.findFirst({ where: { tenantId, id } })) as ApprovalRow | null;
  if (!row) throw CrmError.notFound('credit approval', id);
  const approvers = [...(await approversNow(tx, tenantId, row.routedToId, now)), ...(row.approverId ? [row.approverId] : [])];
  const isApprover = approvers.includes(ctx.actor.id);
  const isAdmin = ctx.actor.role === 'admin';
  if (!isApprover && !isAdmin) {
    // Someone the request was not routed to: they learn it exists only if they may see its account.
    const scope = await visibilityOf(ctx, tx);
    if (!(await seesAccount(tx, ctx, scope, row.accountId))) throw CrmError.notFound('credit approval', id);
    throw new CrmError('FORBIDDEN', `credit approval ${id} is routed to ${row.routedToId ?? 'an admin'}: only they, their approvals delegate or an admin may decide it`, { details: { id } });
  }
  const { order, lines } = await loadOrder(tx, tenantId, row.orderId);
  if (excludedOf(order, lines).has(ctx.actor.id)) {
    throw new CrmError('FORBIDDEN', `you created order ${order.id} or answer for one of its lines: someone else must decide its credit`, { details: { id, orderId: order.id } });
  }
  if (row.status !== 'pending') throw new CrmError('PRECONDITION_FAILED', `credit approval ${id} is ${row.status}`, { details: { id, status: row.status } });
  if (row.expiresAt.getTime() <= now.getTime()) throw new CrmError('PRECONDITION_FAILED', `credit approval ${id} expired at ${row.expiresAt.toISOString()}`, { details: { id, status: 'expired', expiresAt: row.expiresAt.toISOString() } });
  if (order.status !== 'on_hold') throw new CrmError('PRECONDITION_FAILED', `order ${order.id} is ${order.status}, not on hold`, { details: { id, orderId: order.id, status: order.status } });
  return { row, order, lines };
}

async function seesAccount(db: Db | Tx, ctx: ServiceContext, scope: VisibilityScope, accountId: string): Promise<boolean> {
  const ids = await visibleAccountIds(ctx, scope);
  if (!ids) return (await db.account.count({ where: { tenantId: ctx.actor.tenantId, id: accountId } })) === 1;
  return ids.includes(accountId);
}

/**
 * `credit.approve`: runs the check again with the held amount allowed over limits and overdue
 * invoices (a credit hold or a missing rate still refuses), then confirms the order, reserving.
 * The approval covers that order and that amount only.
 */
export async function approveCredit(ctx: ServiceContext, input: ApproveCreditInput): Promise<CreditApproval> {
  authorize(ctx.actor, 'credit:approve');
  const q = approveCreditInputSchema.parse(input);
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { row, order, lines } = await loadDecidable(tx, ctx, q.id);
    const now = ctx.clock.now();
    const amountMinor = openMinorOf('confirmed', lines, order.exposureBasis);
    const verdict = await checkCreditOnTx(tx, ctx, scope, { action: 'approve', orderId: order.id, billToId: order.billToAccountId, currency: order.currency, amountMinor, approvedMinor: minor(row.amountMinor) });
    await attributeLines(tx, ctx, order, lines, now);
    const decisionId = await recordDecision(tx, ctx, { kind: 'approve', accountId: order.billToAccountId, orderId: order.id, decision: verdict.decision, explanation: verdict.decision.explanation });
    const after = await decide(tx, ctx, row, 'approved', q.reason ?? null, CREDIT_EVENTS.approved, decisionId);
    const loaded = { order, lines, answer: toOrder(order, lines) };
    await saveOrder(tx, ctx, loaded, { action: 'order.confirmed', status: nextStatus('confirmed', lines), columns: { confirmedAt: now }, event: { credit: { ...creditEventData(verdict, decisionId), approvalId: row.id } } });
    return after;
  }).catch((error: unknown) => recordRefusal(ctx, error));
}

/** `credit.reject`: the held order returns to draft with the reason. */
export async function rejectCredit(ctx: ServiceContext, input: RejectCreditInput): Promise<CreditApproval> {
  authorize(ctx.actor, 'credit:approve');
  const q = rejectCreditInputSchema.parse(input);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const { row, order, lines } = await loadDecidable(tx, ctx, q.id);
    const decisionId = await recordDecision(tx, ctx, { kind: 'reject', accountId: order.billToAccountId, orderId: order.id, decision: null, explanation: [step('credit-approval', 'applied', `${ctx.actor.id} rejected the request: ${q.reason}`, order.billToAccountId)] });
    const after = await decide(tx, ctx, row, 'rejected', q.reason, CREDIT_EVENTS.rejected, decisionId);
    await saveOrder(tx, ctx, { order, answer: toOrder(order, lines) }, { action: 'order.credit_rejected', status: 'draft', columns: { confirmedAt: null } });
    return after;
  });
}

async function decide(tx: Tx, ctx: ServiceContext, row: ApprovalRow, status: CreditApprovalStatus, reason: string | null, action: string, decisionId: string): Promise<CreditApproval> {
  const now = ctx.clock.now();
  const updated = await tx.creditApproval.updateMany({ where: { id: row.id, tenantId: row.tenantId, status: 'pending' }, data: { status, decidedBy: ctx.actor.id, decidedAt: now, reason } });
  if (updated.count !== 1) throw new CrmError('CONFLICT', `credit approval ${row.id} was decided meanwhile; read it again`, { details: { id: row.id } });
  const decided = { ...row, status, decidedBy: ctx.actor.id, decidedAt: now, reason };
  const before = toApproval(row);
  const after = toApproval(decided);
  await recordChange(tx, ctx, { action, entityType: 'creditApproval', entityId: row.id, before, after, event: { decisionId } });
  const [answer] = await shown(tx, ctx, await visibilityOf(ctx, tx), [decided]);
  return answer!;
}

const cursorShape = z.object({ id: z.string() });

/**
 * `credit.approvals`: requests newest first. `queue: 'mine'` (default): those routed to the caller
 * or to someone whose approvals are delegated to the caller now; `all`: every request on an
 * account the caller may see. Pending only unless `status` says otherwise.
 */
export async function listCreditApprovals(ctx: ServiceContext, input: ListCreditApprovalsInput): Promise<Page<CreditApproval>> {
  authorize(ctx.actor, 'credit:read');
  const q = listCreditApprovalsInputSchema.parse(input ?? {});
  const { tenantId } = ctx.actor;
  const now = ctx.clock.now();
  const after = q.cursor ? decodeCursor(q.cursor, cursorShape) : null;
  const scope = await visibilityOf(ctx);
  let routed: string[] | null = null;
  let accounts: string[] | undefined;
  if ((q.queue ?? 'mine') === 'mine') {
    const delegators = await ctx.db.delegation.findMany({
      where: { tenantId, delegateId: ctx.actor.id, scope: { in: ['approvals', 'all'] }, endedAt: null, validFrom: { lte: now }, validTo: { gt: now } },
      select: { delegatorId: true },
    });
    routed = [ctx.actor.id, ...delegators.map((d) => d.delegatorId)];
  } else accounts = await visibleAccountIds(ctx, scope);
  if (q.accountId) await assertCanSeeAccount(ctx, q.accountId);
  const rows = (await ctx.db.creditApproval.findMany({
    where: {
      tenantId,
      status: { in: q.status ?? ['pending'] },
      ...(after ? { id: { lt: after.id } } : {}),
      ...(routed ? { OR: [{ routedToId: { in: routed } }, { approverId: ctx.actor.id }] } : {}),
      ...(accounts ? { AND: [{ accountId: { in: accounts } }] } : {}),
      ...(q.accountId ? { accountId: q.accountId } : {}),
      ...(q.orderId ? { orderId: q.orderId } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  })) as ApprovalRow[];
  const page = rows.slice(0, q.limit);
  const items = await shown(ctx.db, ctx, scope, page);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}

/** The pending requests of an account (for `credit.status`). */
export async function pendingApprovalsOf(db: Db, tenantId: string, accountIds: readonly string[]): Promise<CreditApproval[]> {
  const rows = (await db.creditApproval.findMany({ where: { tenantId, accountId: { in: [...accountIds] }, status: 'pending' }, orderBy: { id: 'desc' }, take: 50 })) as ApprovalRow[];
  return rows.map((r) => toApproval(r));
}

/** The actor of the expiry job. */
export function creditExpiryActor(tenantId: string): Actor {
  return { tenantId, type: 'system', id: 'credit-expiry', role: 'admin', scopes: null };
}

/**
 * The expiry job (`credit.expireApprovals`, or the host's scheduler through
 * `runCreditApprovalExpiry`): every pending request whose `expiresAt` has passed is marked
 * `expired`, its order returns to draft, and `credit.approval_expired` is emitted; one transaction
 * per request. Safe to overlap: a request another run (or a decision) got to first is skipped.
 */
export async function runCreditApprovalExpiry(ctx: ServiceContext, input?: { batchSize?: number | undefined }): Promise<ExpireCreditApprovalsResult> {
  authorize(ctx.actor, 'credit:manage');
  const q = expireCreditApprovalsInputSchema.parse(input) ?? {};
  const { tenantId } = ctx.actor;
  const at = ctx.clock.now();
  const due = await ctx.db.creditApproval.findMany({ where: { tenantId, status: 'pending', expiresAt: { lte: at } }, orderBy: [{ expiresAt: 'asc' }, { id: 'asc' }], take: q.batchSize ?? 1000, select: { id: true, orderId: true } });
  const expired: { id: string; orderId: string }[] = [];
  for (const { id, orderId } of due) {
    const done = await inTransaction(ctx, async (tx) => {
      await lockForExposure(tx, ctx);
      const updated = await tx.creditApproval.updateMany({ where: { id, tenantId, status: 'pending', expiresAt: { lte: at } }, data: { status: 'expired', decidedAt: at, decidedBy: ctx.actor.id } });
      if (updated.count !== 1) return false;
      const row = (await tx.creditApproval.findFirst({ where: { id, tenantId } })) as ApprovalRow;
      const explanation = [step('credit-approval', 'applied', `the request was not decided by ${row.expiresAt.toISOString()} (the end of the tenant's approval window): the order returns to draft`, row.accountId)];
      const decisionId = await recordDecision(tx, ctx, { kind: 'expire', accountId: row.accountId, orderId, decision: null, explanation });
      await recordChange(tx, ctx, { action: CREDIT_EVENTS.expired, entityType: 'creditApproval', entityId: id, before: { status: 'pending' }, after: toApproval(row), event: { decisionId, orderId } });
      const { order, lines } = await loadOrder(tx, tenantId, orderId);
      if (order.status === 'on_hold') await saveOrder(tx, ctx, { order, answer: toOrder(order, lines) }, { action: 'order.credit_expired', status: 'draft', columns: { confirmedAt: null } });
      return true;
    });
    if (done) expired.push({ id, orderId });
  }
  return { at: at.toISOString(), expired };
}

/** The scheduled job for every tenant in turn. */
export async function runCreditApprovalExpiryForAllTenants(deps: { db: Db; serviceContext(actor: Actor): ServiceContext }): Promise<Record<string, ExpireCreditApprovalsResult>> {
  const tenants = await deps.db.tenant.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  const results: Record<string, ExpireCreditApprovalsResult> = {};
  for (const { id } of tenants) results[id] = await runCreditApprovalExpiry(deps.serviceContext(creditExpiryActor(id)));
  return results;
}

/** Voids the approvals of an order whose amount was raised after it was approved. */
export async function voidApprovals(tx: Tx, ctx: ServiceContext, orderId: string, reason: string): Promise<void> {
  await closeApprovals(tx, ctx, orderId, 'voided', reason);
}
