import { newId, type AuditEntityType } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';

export interface Change {
  /** `<entity>.<verb>`, e.g. `account.created`; also the outbox event type. */
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  before: unknown;
  after: unknown;
  /** More facts for the outbox event's payload (for example a credit decision's exposures), beside `before` and `after`. */
  event?: Record<string, unknown>;
}

/** The audit row and the outbox row of one change (ids made in that order). */
function changeRows(ctx: ServiceContext, change: Change) {
  const at = ctx.clock.now();
  const { tenantId, type: actorType, id: actorId } = ctx.actor;
  const audit = {
    id: newId('aud', ctx.clock),
    tenantId,
    actorType,
    actorId,
    action: change.action,
    entityType: change.entityType,
    entityId: change.entityId,
    before: change.before == null ? null : JSON.stringify(change.before),
    after: change.after == null ? null : JSON.stringify(change.after),
    at,
  };
  const outbox = {
    id: newId('evt', ctx.clock),
    tenantId,
    type: change.action,
    entityType: change.entityType,
    entityId: change.entityId,
    payload: JSON.stringify({ actor: { type: actorType, id: actorId }, before: change.before ?? null, after: change.after ?? null, ...change.event }),
    createdAt: at,
  };
  return { audit, outbox };
}

/**
 * Appends the audit event and the outbox event for one change, in the caller's transaction,
 * so the change, its audit record and its event commit or vanish together.
 */
export async function recordChange(tx: Tx, ctx: ServiceContext, change: Change): Promise<void> {
  const { audit, outbox } = changeRows(ctx, change);
  await tx.auditEvent.create({ data: audit });
  await tx.outboxEvent.create({ data: outbox });
}

/** {@link recordChange} in a driver transaction (SQLite's hot write paths): the same rows. */
export function recordChangeOn(w: SqliteWrite, ctx: ServiceContext, change: Change): void {
  const { audit: a, outbox: o } = changeRows(ctx, change);
  w.run(
    'INSERT INTO "AuditEvent" ("id", "tenantId", "actorType", "actorId", "action", "entityType", "entityId", "before", "after", "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    a.id, a.tenantId, a.actorType, a.actorId, a.action, a.entityType, a.entityId, a.before, a.after, a.at,
  );
  w.run(
    'INSERT INTO "OutboxEvent" ("id", "tenantId", "type", "entityType", "entityId", "payload", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
    o.id, o.tenantId, o.type, o.entityType, o.entityId, o.payload, o.createdAt,
  );
}

/**
 * Runs a write in one transaction. On SQLite the transaction takes the database's write lock
 * first, as `BEGIN IMMEDIATE` would (Prisma's adapter begins deferred): otherwise a transaction
 * that read before another process committed a write could not write at all (SQLITE_BUSY at
 * once), where now it waits its turn (busy timeout) and then reads the current data.
 */
export function inTransaction<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (ctx.provider !== 'sqlite') return ctx.db.$transaction(fn, { maxWait: 10_000, timeout: 20_000 });
  return ctx.db.$transaction(
    async (tx) => {
      // A write statement that changes nothing, to take the write lock before the first read.
      await tx.$executeRawUnsafe('DELETE FROM "OutboxEvent" WHERE 0');
      return fn(tx);
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}
