import { CrmError, decodeCursor, encodeCursor, listAuditInputSchema, type AuditEvent, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { loadVisibleAccount, seesWholeTenant, visibilityOf } from '../visibility.js';

const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

/**
 * The caller may read an account's trail only if they may see the account, and a contact's only if
 * they may see its account: otherwise NOT_FOUND, as for an unknown id. (Callers who see the whole
 * tenant are not asked: an unknown id simply has no events.)
 */
async function assertCanSeeEntity(ctx: ServiceContext, entityType: string, entityId: string): Promise<void> {
  if (seesWholeTenant(ctx.actor) || (entityType !== 'account' && entityType !== 'contact')) return;
  const { tenantId } = ctx.actor;
  let accountId = entityId;
  if (entityType === 'contact') {
    const contact = await ctx.db.contact.findFirst({ where: { id: entityId, tenantId }, select: { accountId: true } });
    if (!contact) throw CrmError.notFound('contact', entityId);
    accountId = contact.accountId;
  }
  try {
    await loadVisibleAccount(ctx.db, tenantId, accountId, await visibilityOf(ctx));
  } catch (error) {
    throw entityType === 'contact' ? CrmError.notFound('contact', entityId) : error;
  }
}

/**
 * The audit trail of one entity, newest first. Audit events cannot be edited or deleted through
 * crmkit. Account and contact trails follow account visibility (see `assertCanSeeEntity`).
 */
export async function listAudit(ctx: ServiceContext, input: z.input<typeof listAuditInputSchema>): Promise<Page<AuditEvent>> {
  authorize(ctx.actor, 'audit:read');
  const { entityType, entityId, limit, cursor } = listAuditInputSchema.parse(input);
  await assertCanSeeEntity(ctx, entityType, entityId);
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
