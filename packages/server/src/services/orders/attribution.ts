import { resolveResponsible } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SyncRoutingRows } from '../../db/routing-reads.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { loadAccountRoutingFacts, loadAccountRoutingFactsSync, type AccountRoutingFacts } from '../ownership/routing-facts.js';
import type { OrderLineRow, OrderRow } from './order-rows.js';

/**
 * Records who answers for each line not yet attributed, as of `at` (the confirmation, or the
 * amendment that added the line): the owner of record (the ownership rules for the line's product
 * line on the ordering account, delegation and absence ignored) and the person acting (after
 * them), each with the resolver's explanation. The routing facts are loaded once for the order.
 * A line whose account has nobody (the pool) is `unattributed`. Recorded lines are never rewritten.
 */
/** What a line records from its two resolutions. */
function attributionOf(facts: AccountRoutingFacts, line: OrderLineRow, at: Date) {
  const lineFacts = facts.forLine(line.productLineId ?? undefined);
  const acting = resolveResponsible(lineFacts);
  const ofRecord = resolveResponsible({ ...lineFacts, delegations: [], away: [] });
  return {
    attribution: ofRecord.userId === null ? 'unattributed' : 'attributed',
    ownerOfRecordId: ofRecord.userId,
    ownerOfRecordWhy: JSON.stringify(ofRecord.explanation),
    actingUserId: acting.userId,
    actingWhy: JSON.stringify(acting.explanation),
    attributedAt: at,
  };
}

const question = (ctx: ServiceContext, order: OrderRow, pending: readonly OrderLineRow[], at: Date) => ({
  tenantId: ctx.actor.tenantId,
  accountId: order.orderingAccountId,
  at,
  purpose: 'order' as const,
  productLineIds: pending.flatMap((l) => (l.productLineId ? [l.productLineId] : [])),
});

/** {@link attributeLines} in a driver transaction, on the driver's routing rows: the same columns. */
export function attributeLinesOn(w: SqliteWrite, routing: SyncRoutingRows, ctx: ServiceContext, order: OrderRow, lines: readonly OrderLineRow[], at: Date): void {
  const pending = lines.filter((l) => l.attribution === null);
  if (pending.length === 0) return;
  const facts = loadAccountRoutingFactsSync(routing, question(ctx, order, pending, at));
  for (const line of pending) {
    const data = attributionOf(facts, line, at);
    w.run(
      'UPDATE "OrderLine" SET "attribution" = ?, "ownerOfRecordId" = ?, "ownerOfRecordWhy" = ?, "actingUserId" = ?, "actingWhy" = ?, "attributedAt" = ? WHERE "id" = ?',
      data.attribution, data.ownerOfRecordId, data.ownerOfRecordWhy, data.actingUserId, data.actingWhy, data.attributedAt, line.id,
    );
    Object.assign(line, data);
  }
}

export async function attributeLines(tx: Tx, ctx: ServiceContext, order: OrderRow, lines: readonly OrderLineRow[], at: Date): Promise<void> {
  const pending = lines.filter((l) => l.attribution === null);
  if (pending.length === 0) return;
  // On SQLite the read-only driver statements read what this transaction would (it holds the write lock and wrote no routing rows).
  const facts = await loadAccountRoutingFacts(ctx.provider === 'sqlite' && ctx.reads.routing ? ctx.reads.routing : tx, question(ctx, order, pending, at));
  for (const line of pending) {
    const data = attributionOf(facts, line, at);
    await tx.orderLine.update({ where: { id: line.id }, data });
    Object.assign(line, data);
  }
}
