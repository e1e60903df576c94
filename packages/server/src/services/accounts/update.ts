import { CrmError, searchKey, updateAccountInputSchema, type Account, type UpdateAccountInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { columnList, fromSqlite, type SqliteAccountRow } from '../../db/account-reads.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { inTransaction, recordChange, recordChangeOn } from '../audit/record.js';
import { loadVisibleAccount, loadVisibleAccountOn, visibilityOf } from '../visibility.js';
import { accountSelect, assertActive, assertVersion, toAccount, type AccountSelected } from './account-rows.js';

type Fields = Omit<ReturnType<typeof updateAccountInputSchema.parse>, 'id' | 'expectedVersion'>;

/**
 * Changes an account's fields (`null` clears one). A call that changes nothing returns the
 * account as it is, without a new version or an audit event. NOT_FOUND for an account outside the
 * caller's visibility.
 *
 * On a SQLite database crmkit opened, the transaction runs on the driver; otherwise through
 * Prisma. Both write the same row, audit and outbox events.
 */
export async function updateAccount(ctx: ServiceContext, input: UpdateAccountInput): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const { id, expectedVersion, ...fields } = updateAccountInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  if (ctx.writer) {
    return ctx.writer.transaction((w) => {
      const current = loadVisibleAccountOn(w, tenantId, id, scope);
      assertActive(current);
      assertVersion(current, expectedVersion);
      const changes = changesTo(current, fields);
      if (!changes) return toAccount(current);
      const after = updateOn(w, ctx, current, changes);
      recordChangeOn(w, ctx, { action: 'account.updated', entityType: 'account', entityId: id, before: toAccount(current), after });
      return after;
    });
  }
  return inTransaction(ctx, async (tx) => {
    const current = await loadVisibleAccount(tx, tenantId, id, scope);
    assertActive(current);
    assertVersion(current, expectedVersion);
    const changes = changesTo(current, fields);
    if (!changes) return toAccount(current);
    const updated = await tx.account.updateMany({ where: { id, tenantId, version: current.version }, data: { ...changes, version: current.version + 1, updatedAt: ctx.clock.now() } });
    if (updated.count !== 1) throw changedMeanwhile(id);
    const after = toAccount(await tx.account.findFirstOrThrow({ where: { id, tenantId }, select: accountSelect }));
    await recordChange(tx, ctx, { action: 'account.updated', entityType: 'account', entityId: id, before: toAccount(current), after });
    return after;
  });
}

/** The columns that change (with the name's search key when the name does), or null when nothing does. */
function changesTo(current: AccountSelected, fields: Fields): Record<string, unknown> | null {
  const changes = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && current[key as keyof typeof current] !== value));
  if (Object.keys(changes).length === 0) return null;
  return typeof changes.name === 'string' ? { ...changes, nameSearch: searchKey(changes.name) } : changes;
}

const changedMeanwhile = (id: string) => new CrmError('CONFLICT', `account ${id} changed during the update; read it again`, { details: { id } });

/** Account columns an update may set (the statement's text is built only from these names). */
const updatable = new Set(['name', 'nameSearch', 'grade', 'settlesOwnInvoices', 'taxId', 'phone', 'email', 'website', 'region', 'currency']);

/** The UPDATE … RETURNING of an update on the SQLite driver. */
function updateOn(w: SqliteWrite, ctx: ServiceContext, current: AccountSelected, changes: Record<string, unknown>): Account {
  const columns = Object.keys(changes).sort();
  for (const column of columns) if (!updatable.has(column)) throw new Error(`crmkit: ${column} is not an updatable account column`);
  const row = w.get<SqliteAccountRow>(
    `UPDATE "Account" SET ${columns.map((c) => `"${c}" = ?`).join(', ')}, "version" = ?, "updatedAt" = ? WHERE "id" = ? AND "tenantId" = ? AND "version" = ? RETURNING ${columnList}`,
    ...columns.map((c) => changes[c]), current.version + 1, ctx.clock.now(), current.id, ctx.actor.tenantId, current.version,
  );
  if (!row) throw changedMeanwhile(current.id);
  return toAccount(fromSqlite(row));
}
