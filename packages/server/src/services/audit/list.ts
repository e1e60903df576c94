import { CrmError, decodeCursor, encodeCursor, listAuditInputSchema, type AuditEvent, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { loadVisibleAccount, seesWholeTenant, visibilityOf } from '../visibility.js';

const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

/**
 * Which trails a caller who does not see the whole tenant (a manager) may read: an account's or a
 * contact's if they may see the account; a team's if the team is in their scope; a delegation's
 * if they take part in it or one of its two people belongs now to a team in their scope; an API
 * key's only with `apiKeys:manage`. Users, product lines and the pool policy are the tenant's
 * directory and configuration and stay readable. A trail out of reach answers NOT_FOUND, as for
 * an unknown id (FORBIDDEN for API keys, which the role may not manage at all).
 */
async function assertCanSeeEntity(ctx: ServiceContext, entityType: string, entityId: string): Promise<void> {
  if (seesWholeTenant(ctx.actor)) return;
  const { tenantId } = ctx.actor;
  switch (entityType) {
    case 'account':
    case 'contact': {
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
      return;
    }
    case 'apiKey':
      authorize(ctx.actor, 'apiKeys:manage');
      return;
    case 'team': {
      const scope = await visibilityOf(ctx);
      if (!scope.all && !scope.teamIds.includes(entityId)) throw CrmError.notFound('team', entityId);
      return;
    }
    case 'delegation': {
      const delegation = await ctx.db.delegation.findFirst({ where: { id: entityId, tenantId }, select: { delegatorId: true, delegateId: true } });
      if (!delegation) throw CrmError.notFound('delegation', entityId);
      const people = [delegation.delegatorId, delegation.delegateId];
      if (people.includes(ctx.actor.id)) return;
      const scope = await visibilityOf(ctx);
      if (scope.all) return;
      const at = ctx.clock.now();
      const shared = await ctx.db.teamMembership.count({
        where: { tenantId, userId: { in: people }, teamId: { in: [...scope.teamIds] }, validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] },
      });
      if (shared === 0) throw CrmError.notFound('delegation', entityId);
      return;
    }
    default:
      return;
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
