import { resolveResponsible } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { loadAccountRoutingFacts } from '../ownership/routing-facts.js';
import type { OrderLineRow, OrderRow } from './order-rows.js';

/**
 * Records who answers for each line not yet attributed, as of `at` (the confirmation, or the
 * amendment that added the line): the owner of record (the ownership rules for the line's product
 * line on the ordering account, delegation and absence ignored) and the person acting (after
 * them), each with the resolver's explanation. The routing facts are loaded once for the order.
 * A line whose account has nobody (the pool) is `unattributed`. Recorded lines are never rewritten.
 */
export async function attributeLines(tx: Tx, ctx: ServiceContext, order: OrderRow, lines: readonly OrderLineRow[], at: Date): Promise<void> {
  const pending = lines.filter((l) => l.attribution === null);
  if (pending.length === 0) return;
  // On SQLite the read-only driver statements read what this transaction would (it holds the write lock and wrote no routing rows).
  const facts = await loadAccountRoutingFacts(ctx.provider === 'sqlite' && ctx.reads.routing ? ctx.reads.routing : tx, {
    tenantId: ctx.actor.tenantId,
    accountId: order.orderingAccountId,
    at,
    purpose: 'order',
    productLineIds: pending.flatMap((l) => (l.productLineId ? [l.productLineId] : [])),
  });
  for (const line of pending) {
    const lineFacts = facts.forLine(line.productLineId ?? undefined);
    const acting = resolveResponsible(lineFacts);
    const ofRecord = resolveResponsible({ ...lineFacts, delegations: [], away: [] });
    const data = {
      attribution: ofRecord.userId === null ? 'unattributed' : 'attributed',
      ownerOfRecordId: ofRecord.userId,
      ownerOfRecordWhy: JSON.stringify(ofRecord.explanation),
      actingUserId: acting.userId,
      actingWhy: JSON.stringify(acting.explanation),
      attributedAt: at,
    };
    await tx.orderLine.update({ where: { id: line.id }, data });
    Object.assign(line, data);
  }
}
