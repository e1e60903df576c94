import { newId, type Clock } from '@crmkit/core';
import type { Db } from '../db/client.js';

/** Creates a tenant. Tenants are provisioned by the host (or the CLI), never through the API. */
export async function createTenant(db: Db, clock: Clock, input: { name: string; id?: string }): Promise<{ id: string; name: string }> {
  const id = input.id ?? newId('ten', clock);
  const row = await db.tenant.upsert({ where: { id }, update: {}, create: { id, name: input.name, createdAt: clock.now() } });
  return { id: row.id, name: row.name };
}
