import { Prisma } from '../../generated/sqlite/client.js';
import type { ServiceContext } from '../context.js';
import type { Tx } from './client.js';

/** Ids per locking statement (well under both engines' bound-parameter limits). */
const LOCK_IDS = 1_000;

/**
 * How strongly to lock: `update` for a change of who owns an account (conflicts with every other
 * lock on the row); `write-under` for writes that hang something under the account (a contact, an
 * activity) and must see it unarchived: it conflicts with itself and with any update of the account
 * (an archive), not with rows that merely reference it.
 */
export type AccountLock = 'update' | 'write-under';

/**
 * Locks the given accounts' rows for the rest of the caller's transaction (PostgreSQL, in id
 * order so two lockers cannot deadlock; SQLite's write transactions already run one at a time),
 * so what the caller reads next about them stays true until it commits. Lock before reading what
 * the decision rests on: READ COMMITTED then shows what a concurrent writer committed.
 */
export async function lockAccounts(tx: Tx, ctx: ServiceContext, accountIds: readonly string[], strength: AccountLock = 'update'): Promise<void> {
  if (ctx.provider !== 'postgresql') return;
  const ids = [...new Set(accountIds)].sort();
  const mode = strength === 'update' ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR NO KEY UPDATE`;
  for (let i = 0; i < ids.length; i += LOCK_IDS) {
    const part = ids.slice(i, i + LOCK_IDS);
    await tx.$queryRaw`SELECT "id" FROM "Account" WHERE "tenantId" = ${ctx.actor.tenantId} AND "id" IN (${Prisma.join(part)}) ORDER BY "id" ${mode}`;
  }
}
