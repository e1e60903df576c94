import { currencyCodeSchema, newId, timeZoneSchema, type Clock } from '@crmkit/core';
import type { Db } from '../../db/client.js';

export interface CreateTenantInput {
  name: string;
  id?: string;
  /** IANA time zone of the tenant's calendar (default UTC); `tenant.settings.update` changes it. */
  timeZone?: string;
  /** ISO 4217 code of the tenant's base currency (default USD). */
  baseCurrency?: string;
}

/** Creates a tenant (or answers the existing one with that id). Tenants are provisioned by the host (or the CLI), never through the API. */
export async function createTenant(db: Db, clock: Clock, input: CreateTenantInput): Promise<{ id: string; name: string }> {
  const id = input.id ?? newId('ten', clock);
  const settings = {
    ...(input.timeZone !== undefined ? { timeZone: timeZoneSchema.parse(input.timeZone) } : {}),
    ...(input.baseCurrency !== undefined ? { baseCurrency: currencyCodeSchema.parse(input.baseCurrency) } : {}),
  };
  const row = await db.tenant.upsert({ where: { id }, update: {}, create: { id, name: input.name, createdAt: clock.now(), ...settings } });
  return { id: row.id, name: row.name };
}
