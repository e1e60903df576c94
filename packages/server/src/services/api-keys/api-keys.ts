import {
  CrmError, createApiKeyInputSchema, decodeCursor, encodeCursor, listApiKeysInputSchema, newId,
  type ApiKey, type Page, type Permission, type Role,
} from '@crmkit/core';
import { z } from 'zod';
import type { ApiKey as ApiKeyRow } from '../../../generated/sqlite/client.js';
import { authorize, type ServiceContext } from '../../context.js';
import { displayPrefix, hashSecret, newApiKeySecret } from '../../auth/secrets.js';
import { inTransaction, recordChange } from '../audit/record.js';

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id, name: row.name, prefix: row.prefix, role: row.role as Role, scopes: JSON.parse(row.scopes) as Permission[], createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(), lastUsedAt: row.lastUsedAt?.toISOString() ?? null, expiresAt: row.expiresAt?.toISOString() ?? null, revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Creates an API key. The secret is in this answer only; crmkit keeps its hash. */
export async function createApiKey(ctx: ServiceContext, input: z.input<typeof createApiKeyInputSchema>): Promise<{ apiKey: ApiKey; secret: string }> {
  authorize(ctx.actor, 'apiKeys:manage');
  const data = createApiKeyInputSchema.parse(input);
  const now = ctx.clock.now();
  if (data.expiresAt && new Date(data.expiresAt) <= now) throw CrmError.validation('expiresAt', 'expiresAt must be in the future');
  const secret = newApiKeySecret();
  return inTransaction(ctx, async (tx) => {
    const row = await tx.apiKey.create({
      data: {
        id: newId('key', ctx.clock), tenantId: ctx.actor.tenantId, name: data.name, prefix: displayPrefix(secret), secretHash: hashSecret(secret),
        role: data.role, scopes: JSON.stringify(data.scopes ?? []), createdBy: `${ctx.actor.type}:${ctx.actor.id}`, createdAt: now,
        expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
      },
    });
    const apiKey = toApiKey(row);
    await recordChange(tx, ctx, { action: 'apiKey.created', entityType: 'apiKey', entityId: row.id, before: null, after: apiKey });
    return { apiKey, secret };
  });
}

export async function listApiKeys(ctx: ServiceContext, input: z.input<typeof listApiKeysInputSchema>): Promise<Page<ApiKey>> {
  authorize(ctx.actor, 'apiKeys:manage');
  const { limit, cursor, includeRevoked } = listApiKeysInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, z.object({ id: z.string() })).id : undefined;
  const rows = await ctx.db.apiKey.findMany({
    where: { tenantId: ctx.actor.tenantId, ...(before ? { id: { lt: before } } : {}), ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toApiKey);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}

/** Revokes a key for good. Revoking a revoked key answers it unchanged. */
export async function revokeApiKey(ctx: ServiceContext, input: { id: string }): Promise<ApiKey> {
  authorize(ctx.actor, 'apiKeys:manage');
  return inTransaction(ctx, async (tx) => {
    const current = await tx.apiKey.findFirst({ where: { id: input.id, tenantId: ctx.actor.tenantId } });
    if (!current) throw CrmError.notFound('apiKey', input.id);
    if (current.revokedAt) return toApiKey(current);
    const row = await tx.apiKey.update({ where: { id: current.id }, data: { revokedAt: ctx.clock.now() } });
    await recordChange(tx, ctx, { action: 'apiKey.revoked', entityType: 'apiKey', entityId: row.id, before: toApiKey(current), after: toApiKey(row) });
    return toApiKey(row);
  }).then((key) => {
    ctx.hooks?.apiKeyRevoked?.(key.id);
    return key;
  });
}
