import {
  allocatePaymentInputSchema, assertAllocatable, assertWithinPayment, createPaymentInputSchema, CrmError, decodeCursor, encodeCursor, getPaymentInputSchema, listPaymentsInputSchema, newId, voidPaymentInputSchema,
  type AllocatePaymentInput, type CreatePaymentInput, type ExposureDelta, type Page, type Payment, type VisibilityScope,
} from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { noteBreaches, raisedBy } from '../credit/breach.js';
import { applyExposure, lockForExposure } from '../exposure/figures.js';
import { groupRootOf } from '../invoices/invoice-rows.js';
import { assertVersion } from '../versions.js';
import { minor } from '../orders/order-rows.js';
import { assertCanSeeAccount, loadAccountBehind, loadVisibleAccount, visibilityOf, visibleAccountIds } from '../visibility.js';

const paymentSelect = {
  id: true, accountId: true, currency: true, amountMinor: true, allocatedMinor: true, receivedAt: true, reference: true, status: true, voidedAt: true, voidReason: true,
  source: true, externalId: true, createdBy: true, version: true, createdAt: true, updatedAt: true,
} as const;
type PaymentRow = {
  id: string; accountId: string; currency: string; amountMinor: bigint; allocatedMinor: bigint; receivedAt: Date; reference: string | null; status: string;
  voidedAt: Date | null; voidReason: string | null; source: string; externalId: string | null; createdBy: string; version: number; createdAt: Date; updatedAt: Date;
};

function toPaymentSummary(row: PaymentRow): Omit<Payment, 'allocations'> {
  const amountMinor = minor(row.amountMinor);
  const allocatedMinor = minor(row.allocatedMinor);
  return {
    id: row.id, accountId: row.accountId, currency: row.currency, amountMinor, allocatedMinor, unallocatedMinor: row.status === 'void' ? 0 : amountMinor - allocatedMinor,
    receivedAt: row.receivedAt.toISOString(), reference: row.reference, status: row.status as Payment['status'], voidedAt: row.voidedAt?.toISOString() ?? null,
    voidReason: row.voidReason, source: row.source, externalId: row.externalId, createdBy: row.createdBy, version: row.version, createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function loadPayment(db: Db | Tx, tenantId: string, id: string): Promise<Payment & { row: PaymentRow }> {
  const row = await db.payment.findFirst({ where: { id, tenantId }, select: paymentSelect });
  if (!row) throw CrmError.notFound('payment', id);
  const allocations = await db.invoiceSettlement.findMany({ where: { tenantId, paymentId: id }, orderBy: { id: 'asc' } });
  return {
    ...toPaymentSummary(row),
    allocations: allocations.map((a) => ({ id: a.id, invoiceId: a.invoiceId, amountMinor: minor(a.amountMinor), at: a.at.toISOString(), voidedAt: a.voidedAt?.toISOString() ?? null })),
    row,
  };
}

const answer = ({ row: _row, ...payment }: Payment & { row: PaymentRow }): Payment => payment;

/** A payment the caller may see (visibility follows the paying account); NOT_FOUND otherwise. */
async function loadVisiblePayment(db: Db | Tx, ctx: ServiceContext, id: string, scope: VisibilityScope) {
  const payment = await loadPayment(db, ctx.actor.tenantId, id);
  await loadAccountBehind(db, ctx, scope, payment.accountId, 'payment', id);
  return payment;
}

/**
 * Allocates part of a payment to open invoices: each in the payment's currency (a cross-currency
 * allocation is refused), billed to an account of the payer's group, never above its open balance,
 * and all together never above what the payment has left. Guarded updates keep both true when
 * allocations race. Returns the exposure deltas.
 */
async function allocate(tx: Tx, ctx: ServiceContext, payment: PaymentRow, allocations: readonly { invoiceId: string; amountMinor: number }[]): Promise<ExposureDelta[]> {
  const { tenantId } = ctx.actor;
  const sum = allocations.reduce((s, a) => s + a.amountMinor, 0);
  assertWithinPayment({ id: payment.id, amountMinor: minor(payment.amountMinor), allocatedMinor: minor(payment.allocatedMinor) }, sum);
  // Each bill-to account's group, asked once however many of its invoices are allocated to.
  const roots = new Map<string, string | null>();
  const rootOf = async (accountId: string) => {
    if (!roots.has(accountId)) roots.set(accountId, await groupRootOf(tx, tenantId, accountId));
    return roots.get(accountId)!;
  };
  const payerRoot = await rootOf(payment.accountId);
  const now = ctx.clock.now();
  const deltas: ExposureDelta[] = [];
  for (const [i, a] of allocations.entries()) {
    const invoice = await tx.invoice.findFirst({ where: { tenantId, id: a.invoiceId }, select: { id: true, kind: true, billToAccountId: true, currency: true, openMinor: true, status: true } });
    const path = `allocations.${i}`;
    if (!invoice || (await rootOf(invoice.billToAccountId)) !== payerRoot) {
      throw CrmError.validation(`${path}.invoiceId`, `invoice ${a.invoiceId} is not an invoice of the paying account's group`);
    }
    assertAllocatable({ payment, invoice: { ...invoice, openMinor: minor(invoice.openMinor) }, amountMinor: a.amountMinor }, path);
    const taken = await tx.invoice.updateMany({
      where: { id: invoice.id, tenantId, status: 'open', openMinor: { gte: a.amountMinor } },
      data: { openMinor: { decrement: a.amountMinor }, version: { increment: 1 }, updatedAt: now },
    });
    if (taken.count !== 1) throw new CrmError('CONFLICT', `invoice ${invoice.id} was settled meanwhile; read it again`, { details: { id: invoice.id } });
    await tx.invoice.updateMany({ where: { id: invoice.id, tenantId, openMinor: 0 }, data: { status: 'settled' } });
    await tx.invoiceSettlement.create({ data: { id: newId('stl', ctx.clock), tenantId, invoiceId: invoice.id, paymentId: payment.id, amountMinor: a.amountMinor, at: now } });
    deltas.push({ accountId: invoice.billToAccountId, currency: invoice.currency, invoicesOpenMinor: -a.amountMinor });
  }
  if (sum > 0) {
    const spent = await tx.payment.updateMany({
      where: { id: payment.id, tenantId, status: 'active', allocatedMinor: { lte: minor(payment.amountMinor) - sum } },
      data: { allocatedMinor: { increment: sum }, version: { increment: 1 }, updatedAt: now },
    });
    if (spent.count !== 1) throw new CrmError('CONFLICT', `payment ${payment.id} was allocated meanwhile; read it again`, { details: { id: payment.id } });
    deltas.push({ accountId: payment.accountId, currency: payment.currency, onAccountCreditMinor: -sum });
  }
  return deltas;
}

/**
 * Records a payment received from an account, optionally allocated to invoices at once. What is
 * not allocated stays on account as that account's credit (it lowers its exposure).
 */
export async function createPayment(ctx: ServiceContext, input: CreatePaymentInput): Promise<Payment> {
  authorize(ctx.actor, 'payments:write');
  const q = createPaymentInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    await loadVisibleAccount(tx, tenantId, q.accountId, scope);
    const now = ctx.clock.now();
    const id = newId('pay', ctx.clock);
    const row = await tx.payment.create({
      data: {
        id, tenantId, accountId: q.accountId, currency: q.currency, amountMinor: q.amountMinor, allocatedMinor: 0, receivedAt: q.receivedAt ? new Date(q.receivedAt) : now,
        reference: q.reference ?? null, status: 'active', createdBy: `${ctx.actor.type}:${ctx.actor.id}`, version: 1, createdAt: now, updatedAt: now,
      },
      select: paymentSelect,
    });
    const deltas: ExposureDelta[] = [{ accountId: q.accountId, currency: q.currency, onAccountCreditMinor: q.amountMinor }];
    if (q.allocations?.length) deltas.push(...(await allocate(tx, ctx, row, q.allocations)));
    await applyExposure(tx, ctx, deltas);
    const payment = answer(await loadPayment(tx, tenantId, id));
    await recordChange(tx, ctx, { action: 'payment.received', entityType: 'payment', entityId: id, before: null, after: payment });
    return payment;
  });
}

/**
 * A change to an existing payment in one transaction: the payment as the caller may see it, at the
 * expected version and not void; `change` makes the writes and returns the exposure deltas, which
 * are applied before the audit and outbox event (`action`) is recorded.
 */
async function changePayment(
  ctx: ServiceContext,
  q: { id: string; expectedVersion?: number | undefined },
  action: string,
  change: (tx: Tx, before: Payment & { row: PaymentRow }) => Promise<ExposureDelta[]>,
): Promise<Payment> {
  authorize(ctx.actor, 'payments:write');
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockForExposure(tx, ctx);
    const before = await loadVisiblePayment(tx, ctx, q.id, scope);
    assertVersion('payment', before, q.expectedVersion);
    if (before.status === 'void') throw new CrmError('PRECONDITION_FAILED', `payment ${before.id} is void`, { details: { id: before.id } });
    const deltas = await change(tx, before);
    await applyExposure(tx, ctx, deltas);
    const after = answer(await loadPayment(tx, ctx.actor.tenantId, q.id));
    await recordChange(tx, ctx, { action, entityType: 'payment', entityId: q.id, before: answer(before), after });
    await noteBreaches(tx, ctx, raisedBy(deltas), `${action} ${q.id}`);
    return after;
  });
}

/** Allocates what a payment has left to open invoices (see `createPayment`). */
export async function allocatePayment(ctx: ServiceContext, input: AllocatePaymentInput): Promise<Payment> {
  const q = allocatePaymentInputSchema.parse(input);
  return changePayment(ctx, q, 'payment.allocated', (tx, before) => allocate(tx, ctx, before.row, q.allocations));
}

/** Voids a payment, with a reason: its allocations are reversed (the invoices are open again) and its credit leaves the account. */
export async function voidPayment(ctx: ServiceContext, input: z.input<typeof voidPaymentInputSchema>): Promise<Payment> {
  const q = voidPaymentInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return changePayment(ctx, q, 'payment.voided', async (tx, before) => {
    const now = ctx.clock.now();
    const deltas: ExposureDelta[] = [{ accountId: before.accountId, currency: before.currency, onAccountCreditMinor: -before.unallocatedMinor }];
    for (const s of await tx.invoiceSettlement.findMany({ where: { tenantId, paymentId: before.id, voidedAt: null } })) {
      await tx.invoiceSettlement.update({ where: { id: s.id }, data: { voidedAt: now } });
      const invoice = await tx.invoice.update({
        where: { id: s.invoiceId },
        data: { openMinor: { increment: s.amountMinor }, status: 'open', version: { increment: 1 }, updatedAt: now },
        select: { billToAccountId: true, currency: true },
      });
      deltas.push({ accountId: invoice.billToAccountId, currency: invoice.currency, invoicesOpenMinor: minor(s.amountMinor) });
    }
    const voided = await tx.payment.updateMany({
      where: { id: before.id, tenantId, version: before.version },
      data: { status: 'void', allocatedMinor: 0, voidedAt: now, voidReason: q.reason, version: before.version + 1, updatedAt: now },
    });
    if (voided.count !== 1) throw new CrmError('CONFLICT', `payment ${before.id} changed meanwhile; read it again`, { details: { id: before.id } });
    return deltas;
  });
}

export async function getPayment(ctx: ServiceContext, input: z.input<typeof getPaymentInputSchema>): Promise<Payment> {
  authorize(ctx.actor, 'payments:read');
  const { id } = getPaymentInputSchema.parse(input);
  return answer(await loadVisiblePayment(ctx.db, ctx, id, await visibilityOf(ctx)));
}

/** Payments the caller may see (of visible paying accounts), newest first. */
export async function listPayments(ctx: ServiceContext, input: z.input<typeof listPaymentsInputSchema>): Promise<Page<Omit<Payment, 'allocations'>>> {
  authorize(ctx.actor, 'payments:read');
  const q = listPaymentsInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  if (q.accountId) await assertCanSeeAccount(ctx, q.accountId);
  const after = q.cursor ? decodeCursor(q.cursor, z.object({ id: z.string() })) : null;
  const visible = await visibleAccountIds(ctx, scope);
  const rows = await ctx.db.payment.findMany({
    where: { tenantId, ...(after ? { id: { lt: after.id } } : {}), ...(q.accountId ? { accountId: q.accountId } : {}), ...(visible ? { AND: [{ accountId: { in: visible } }] } : {}) },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
    select: paymentSelect,
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map(toPaymentSummary), nextCursor: rows.length > q.limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
