import { decodeCursor, encodeCursor, listAuditInputSchema, type AuditEvent, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';

const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

/** The audit trail of one entity, newest first. Audit events cannot be edited or deleted through crmkit. */
export async function listAudit(ctx: ServiceContext, input: z.input<typeof listAuditInputSchema>): Promise<Page<AuditEvent>> {
  authorize(ctx.actor, 'audit:read');
  const { entityType, entityId, limit, cursor } = listAuditInputSchema.parse(input);
  const after = cursor ? decodeCursor(cursor, z.object({ id: z.string() })).id : undefined;
  const rows = await ctx.db.auditEvent.findMany({
    where: { tenantId: ctx.actor.tenantId, entityType, entityId, ...(after ? { id: { lt: after } } : {}) },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      actor: { type: r.actorType as AuditEvent['actor']['type'], id: r.actorId },
      action: r.action,
      entityType: r.entityType as AuditEvent['entityType'],
      entityId: r.entityId,
      before: parse(r.before),
      after: parse(r.after),
      at: r.at.toISOString(),
    })),
    nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null,
  };
}
