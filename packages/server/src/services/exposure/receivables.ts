import { ageReceivables, canSee, localDateOf, receivablesInputSchema, type Receivables, type ReceivablesInput } from '@crmkit/core';
import { Prisma } from '../../../generated/sqlite/client.js';
import { authorize, type ServiceContext } from '../../context.js';
import { subtreeIds } from '../accounts/account-rows.js';
import { minor } from '../orders/order-rows.js';
import { tenantCalendar } from '../tenants/settings.js';
import { assertCanSeeAccount, visibilityOf } from '../visibility.js';

/**
 * What an account (or its whole group) owed at `asOf` (default now): its open invoices aged in the
 * tenant's local days past their due date (current, 1–30, 31–60, 61–90, over 90), and its credit on
 * account (payments not allocated, credit notes not applied), per currency. Historical: a document
 * counts as it stood at `asOf` (settlements and voids after it are not yet there). A group shows the
 * accounts of the subtree the caller may see.
 */
export async function accountReceivables(ctx: ServiceContext, input: ReceivablesInput): Promise<Receivables> {
  authorize(ctx.actor, 'invoices:read');
  const q = receivablesInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  await assertCanSeeAccount(ctx, q.accountId);
  const asOf = q.asOf ? new Date(q.asOf) : ctx.clock.now();
  const { timeZone } = await tenantCalendar(ctx.db, tenantId);
  let ids = [q.accountId];
  if (q.group) {
    const scope = await visibilityOf(ctx);
    ids = (await subtreeIds(ctx.db, tenantId, q.accountId)).map((s) => s.id);
    if (!scope.all) {
      const rows = await ctx.db.account.findMany({ where: { tenantId, id: { in: ids } }, select: { id: true, ownerTeamId: true, primaryOwnerId: true, secondaryOwnerId: true } });
      ids = rows.filter((r) => r.id === q.accountId || canSee(scope, r)).map((r) => r.id);
    }
  }
  const inIds = Prisma.join(ids);
  // Documents that may have been open at asOf: open now, or changed since (a settlement or void after asOf).
  const documents = await ctx.db.$queryRaw<{ id: string; kind: string; billToAccountId: string; number: string | null; dueDate: string; currency: string; totalMinor: bigint | number }[]>`
    SELECT "id", "kind", "billToAccountId", "number", "dueDate", "currency", "totalMinor" FROM "Invoice"
    WHERE "tenantId" = ${tenantId} AND "billToAccountId" IN (${inIds}) AND "issuedAt" <= ${asOf}
      AND ("status" = 'open' OR "updatedAt" > ${asOf}) AND ("voidedAt" IS NULL OR "voidedAt" > ${asOf})`;
  const payments = await ctx.db.$queryRaw<{ id: string; currency: string; amountMinor: bigint | number }[]>`
    SELECT "id", "currency", "amountMinor" FROM "Payment"
    WHERE "tenantId" = ${tenantId} AND "accountId" IN (${inIds}) AND "receivedAt" <= ${asOf}
      AND (("status" = 'active' AND "allocatedMinor" < "amountMinor") OR "updatedAt" > ${asOf}) AND ("voidedAt" IS NULL OR "voidedAt" > ${asOf})`;
  const settledBy = new Map<string, number>();
  const add = (key: string | null, amount: number) => key && settledBy.set(key, (settledBy.get(key) ?? 0) + amount);
  const docIds = [...documents.map((d) => d.id), ...payments.map((p) => p.id)];
  if (docIds.length) {
    const settlements = await ctx.db.invoiceSettlement.findMany({
      where: { tenantId, at: { lte: asOf }, OR: [{ voidedAt: null }, { voidedAt: { gt: asOf } }], AND: [{ OR: [{ invoiceId: { in: docIds } }, { paymentId: { in: docIds } }, { creditNoteId: { in: docIds } }] }] },
      select: { invoiceId: true, paymentId: true, creditNoteId: true, amountMinor: true },
    });
    for (const s of settlements) {
      const amount = minor(s.amountMinor);
      add(`i:${s.invoiceId}`, amount);
      add(s.paymentId && `p:${s.paymentId}`, amount);
      add(s.creditNoteId && `c:${s.creditNoteId}`, amount);
    }
  }
  const open: { id: string; currency: string; dueDate: string; openMinor: number; kind: 'invoice'; billToAccountId: string; number: string | null }[] = [];
  const credit = new Map<string, number>();
  const addCredit = (currency: string, amount: number) => amount !== 0 && credit.set(currency, (credit.get(currency) ?? 0) + amount);
  for (const d of documents) {
    if (d.kind === 'invoice') {
      const openMinor = minor(d.totalMinor) - (settledBy.get(`i:${d.id}`) ?? 0);
      if (openMinor > 0) open.push({ id: d.id, currency: d.currency, dueDate: d.dueDate, openMinor, kind: 'invoice', billToAccountId: d.billToAccountId, number: d.number });
    } else {
      addCredit(d.currency, -minor(d.totalMinor) - (settledBy.get(`c:${d.id}`) ?? 0));
    }
  }
  for (const p of payments) addCredit(p.currency, minor(p.amountMinor) - (settledBy.get(`p:${p.id}`) ?? 0));
  const aged = ageReceivables(open, asOf, timeZone);
  const byId = new Map(open.map((o) => [o.id, o]));
  const currencies = [...new Set([...aged.map((a) => a.currency), ...credit.keys()])].sort();
  return {
    accountId: q.accountId,
    group: q.group ?? false,
    asOf: asOf.toISOString(),
    timeZone,
    asOfDate: localDateOf(asOf, timeZone),
    currencies: currencies.map((currency) => {
      const a = aged.find((x) => x.currency === currency);
      const onAccountCreditMinor = credit.get(currency) ?? 0;
      const openMinor = a?.totalMinor ?? 0;
      return {
        currency,
        buckets: a?.buckets ?? { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, 'over-90': 0 },
        openMinor,
        onAccountCreditMinor,
        netMinor: openMinor - onAccountCreditMinor,
        invoices: (a?.invoices ?? []).map((i) => ({ ...i, kind: 'invoice' as const, billToAccountId: byId.get(i.id)!.billToAccountId, number: byId.get(i.id)!.number })),
      };
    }),
  };
}
