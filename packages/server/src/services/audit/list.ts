import { CrmError, decodeCursor, encodeCursor, idPattern, listAuditInputSchema, type AuditEvent, type Page } from '@crmkit/core';
import { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { loadVisibleDelegation } from '../delegations/delegations.js';
import { loadVisibleAccount, seesWholeTenant, visibilityOf, visibleAccountsWhere } from '../visibility.js';

const parse = (text: string | null) => (text == null ? null : (JSON.parse(text) as unknown));

/**
 * Which trails a caller who does not see the whole tenant (a manager) may read: an account's or a
 * contact's if they may see the account; a team's if the team is in their scope; a delegation's
 * if `delegations.list` shows it to them (`loadVisibleDelegation`); an API key's only with
 * `apiKeys:manage`. Users, product lines and the pool policy are the tenant's directory and
 * configuration and stay readable, with account ids redacted (`redactHiddenAccounts`). A trail out
 * of reach answers NOT_FOUND, as for an unknown id (FORBIDDEN for API keys, which the role may not
 * manage at all).
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
    case 'delegation':
      await loadVisibleDelegation(ctx, ctx.db, entityId);
      return;
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
  const items: AuditEvent[] = page.map((r) => ({
    id: r.id,
    actor: { type: r.actorType as AuditEvent['actor']['type'], id: r.actorId },
    action: r.action,
    entityType: r.entityType as AuditEvent['entityType'],
    entityId: r.entityId,
    before: parse(r.before),
    after: parse(r.after),
    at: r.at.toISOString(),
  }));
  return {
    items: DIRECTORY_TRAILS.has(entityType) ? await redactHiddenAccounts(ctx, items) : items,
    nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null,
  };
}

/**
 * Trails readable beyond the caller's view of accounts, so their payloads must not name accounts
 * out of it (`user.deactivated` lists every account the leaver owned). Account, contact and
 * delegation trails are read only where the entity itself is visible, and show what its reads show.
 */
const DIRECTORY_TRAILS = new Set(['user', 'team', 'productLine', 'poolPolicy']);

const ACCOUNT_ID = idPattern('acc');
const isAccountId = (v: unknown): v is string => typeof v === 'string' && ACCOUNT_ID.test(v);

/**
 * Leaves out of each payload the ids of accounts the caller cannot see now (dropped from lists,
 * `null` in place of a single value), counting them in `hiddenAccounts` on the payload, so a
 * manager reading a leaver's trail learns how many accounts moved but not which ones they may not
 * see. Whole-tenant callers see payloads as stored.
 */
async function redactHiddenAccounts(ctx: ServiceContext, items: AuditEvent[]): Promise<AuditEvent[]> {
  if (seesWholeTenant(ctx.actor)) return items;
  const named = new Set<string>();
  const collect = (v: unknown): void => {
    if (isAccountId(v)) named.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const e of items) collect([e.before, e.after]);
  if (named.size === 0) return items;
  const scope = await visibilityOf(ctx);
  const visible = await ctx.db.account.findMany({
    where: { tenantId: ctx.actor.tenantId, id: { in: [...named] }, ...visibleAccountsWhere(scope) },
    select: { id: true },
  });
  const seen = new Set(visible.map((a) => a.id));
  const hides = (v: unknown) => isAccountId(v) && !seen.has(v);
  const redact = (payload: unknown): unknown => {
    let hidden = 0;
    const walk = (v: unknown): unknown => {
      if (hides(v)) {
        hidden += 1;
        return null;
      }
      if (Array.isArray(v)) {
        const kept = v.filter((x) => !hides(x));
        hidden += v.length - kept.length;
        return kept.map(walk);
      }
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const out = walk(payload);
    return hidden > 0 && out !== null && typeof out === 'object' && !Array.isArray(out) ? { ...out, hiddenAccounts: hidden } : out;
  };
  return items.map((e) => ({ ...e, before: redact(e.before), after: redact(e.after) }));
}
