import { CrmError, updateTenantSettingsInputSchema, type CreditPolicy, type TenantSettings, type UpdateTenantSettingsInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { inTransaction, recordChange } from '../audit/record.js';

const settingsSelect = {
  id: true, timeZone: true, baseCurrency: true, settingsVersion: true, updatedAt: true,
  creditCheckAt: true, creditOnBreach: true, creditOverrunBps: true, creditMaxOverdueDays: true, creditApprovalDays: true,
} as const;
type SettingsRow = {
  id: string; timeZone: string; baseCurrency: string; settingsVersion: number; updatedAt: Date | null;
  creditCheckAt: string; creditOnBreach: string; creditOverrunBps: number; creditMaxOverdueDays: number | null; creditApprovalDays: number;
};

/** The credit policy columns of a tenant row as the policy. */
export const creditPolicyOf = (row: Pick<SettingsRow, 'creditCheckAt' | 'creditOnBreach' | 'creditOverrunBps' | 'creditMaxOverdueDays' | 'creditApprovalDays'>): CreditPolicy => ({
  checkAt: row.creditCheckAt === 'fulfilment' ? 'fulfilment' : 'confirmation',
  onBreach: row.creditOnBreach === 'hold' ? 'hold' : 'refuse',
  overrunBps: row.creditOverrunBps,
  maxOverdueDays: row.creditMaxOverdueDays,
  approvalDays: row.creditApprovalDays,
});

const policyColumns: Record<keyof CreditPolicy, keyof SettingsRow> = {
  checkAt: 'creditCheckAt', onBreach: 'creditOnBreach', overrunBps: 'creditOverrunBps', maxOverdueDays: 'creditMaxOverdueDays', approvalDays: 'creditApprovalDays',
};

const toSettings = (row: SettingsRow): TenantSettings => ({
  tenantId: row.id,
  timeZone: row.timeZone,
  baseCurrency: row.baseCurrency,
  credit: creditPolicyOf(row),
  version: row.settingsVersion,
  updatedAt: row.updatedAt?.toISOString() ?? null,
});

/** The calendar of a tenant: its time zone and base currency (what due dates and ageing read). */
export async function tenantCalendar(db: Db | Tx, tenantId: string): Promise<{ timeZone: string; baseCurrency: string }> {
  const row = await db.tenant.findUnique({ where: { id: tenantId }, select: { timeZone: true, baseCurrency: true } });
  if (!row) throw CrmError.notFound('tenant', tenantId);
  return row;
}

/** The caller's tenant's settings. Every authenticated caller may read them: widgets show dates in the tenant's zone. */
export async function getTenantSettings(ctx: ServiceContext): Promise<TenantSettings> {
  const row = await ctx.db.tenant.findUnique({ where: { id: ctx.actor.tenantId }, select: settingsSelect });
  if (!row) throw CrmError.notFound('tenant', ctx.actor.tenantId);
  return toSettings(row);
}

/**
 * Changes the tenant's time zone, base currency or credit policy (admin; `credit` fields left out
 * keep their value). A new zone changes how every due date
 * is read from now on ("days overdue", ageing); stored due dates stay the calendar dates they are.
 */
export async function updateTenantSettings(ctx: ServiceContext, input: UpdateTenantSettingsInput): Promise<TenantSettings> {
  authorize(ctx.actor, 'settings:manage');
  const { expectedVersion, credit, ...plain } = updateTenantSettingsInputSchema.parse(input);
  const fields: Record<string, unknown> = { ...plain };
  for (const [key, value] of Object.entries(credit ?? {})) fields[policyColumns[key as keyof CreditPolicy]] = value;
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const current = await tx.tenant.findUnique({ where: { id: tenantId }, select: settingsSelect });
    if (!current) throw CrmError.notFound('tenant', tenantId);
    if (expectedVersion !== undefined && current.settingsVersion !== expectedVersion) {
      throw new CrmError('CONFLICT', `the tenant's settings are at version ${current.settingsVersion}, not ${expectedVersion}`, { details: { version: current.settingsVersion, expectedVersion } });
    }
    const changes = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && current[key as keyof SettingsRow] !== value));
    if (Object.keys(changes).length === 0) return toSettings(current);
    const updated = await tx.tenant.updateMany({ where: { id: tenantId, settingsVersion: current.settingsVersion }, data: { ...changes, settingsVersion: current.settingsVersion + 1, updatedAt: ctx.clock.now() } });
    if (updated.count !== 1) throw new CrmError('CONFLICT', "the tenant's settings changed meanwhile; read them again");
    const after = toSettings((await tx.tenant.findUnique({ where: { id: tenantId }, select: settingsSelect }))!);
    await recordChange(tx, ctx, { action: 'tenant.settings_changed', entityType: 'tenant', entityId: tenantId, before: toSettings(current), after });
    return after;
  });
}
