import { assertValidParentChange, createAccountInputSchema, newId, searchKey, type Account, type CreateAccountInput, type VisibilityScope } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { fromSqlite, columnList, type SqliteAccountRow } from '../../db/account-reads.js';
import type { SqliteWrite } from '../../db/sqlite-writer.js';
import { inTransaction, recordChange, recordChangeOn } from '../audit/record.js';
import { changeOwnership, changeOwnershipOn } from '../ownership/change-ownership.js';
import { assertCallerActive, assertCallerActiveOn } from '../users/standing.js';
import { loadVisibleAccount, loadVisibleAccountOn, visibilityOf } from '../visibility.js';
import { accountSelect, ancestorChain, ancestorChainOn, assertActive, lockHierarchy, toAccount, type ChainLink } from './account-rows.js';

/** What a creation decided before its transaction. */
interface Creation {
  id: string;
  data: ReturnType<typeof createAccountInputSchema.parse>;
  /** The caller's visibility, to find the parent (null without one). */
  scope: VisibilityScope | null;
  /** A rep or manager who creates an account owns it: they must not be deactivated meanwhile. */
  becomesOwner: boolean;
}

/**
 * Creates an account, optionally as a branch of `parentId` (which must be visible to the caller,
 * active, and leave the tree within its depth limit). A rep or manager who creates an account
 * becomes its primary owner (so they can see what they created); one created by an admin or an
 * integration has no owner and starts in the pool until ownership is assigned or claimed.
 *
 * On a SQLite database crmkit opened, the transaction runs on the driver (`createOn`); otherwise
 * through Prisma. Both write the same rows, audit and outbox events.
 */
export async function createAccount(ctx: ServiceContext, input: CreateAccountInput): Promise<Account> {
  authorize(ctx.actor, 'accounts:write');
  const data = createAccountInputSchema.parse(input);
  const creation: Creation = {
    id: newId('acc', ctx.clock),
    data,
    scope: data.parentId ? await visibilityOf(ctx) : null,
    becomesOwner: ctx.actor.type === 'user' && (ctx.actor.role === 'rep' || ctx.actor.role === 'manager'),
  };
  if (ctx.writer) return ctx.writer.transaction((w) => createOn(w, ctx, creation));
  return inTransaction(ctx, async (tx) => {
    const { id, data, scope, becomesOwner } = creation;
    const { tenantId } = ctx.actor;
    if (data.parentId) await lockHierarchy(tx, ctx);
    if (becomesOwner) await assertCallerActive(tx, ctx);
    if (data.parentId) {
      const parent = await loadVisibleAccount(tx, tenantId, data.parentId, scope!);
      assertActive(parent, 'parent account');
      assertParentFits(id, parent.id, await ancestorChain(tx, tenantId, parent.id));
    }
    const now = ctx.clock.now();
    const row = await tx.account.create({
      data: { ...data, id, tenantId, nameSearch: searchKey(data.name), version: 1, createdAt: now, updatedAt: now },
      select: accountSelect,
    });
    const account = toAccount(row);
    await recordChange(tx, ctx, { action: 'account.created', entityType: 'account', entityId: id, before: null, after: account });
    if (becomesOwner) await changeOwnership(tx, ctx, id, creatorOwns(ctx), { cause: 'create' });
    return account;
  });
}

/** The creation's transaction on the SQLite driver (SQLite runs one write transaction at a time: nothing to lock). */
function createOn(w: SqliteWrite, ctx: ServiceContext, { id, data, scope, becomesOwner }: Creation): Account {
  const { tenantId } = ctx.actor;
  if (becomesOwner) assertCallerActiveOn(w, ctx);
  if (data.parentId) {
    const parent = loadVisibleAccountOn(w, tenantId, data.parentId, scope!);
    assertActive(parent, 'parent account');
    assertParentFits(id, parent.id, ancestorChainOn(w, tenantId, parent.id));
  }
  const now = ctx.clock.now();
  const row = w.get<SqliteAccountRow>(
    `INSERT INTO "Account" ("id", "tenantId", "name", "nameSearch", "parentId", "grade", "settlesOwnInvoices", "taxId", "phone", "email", "website", "region", "currency", "version", "createdAt", "updatedAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING ${columnList}`,
    id, tenantId, data.name, searchKey(data.name), data.parentId, data.grade, data.settlesOwnInvoices ?? false,
    data.taxId, data.phone, data.email, data.website, data.region, data.currency, now, now,
  )!;
  const account = toAccount(fromSqlite(row));
  recordChangeOn(w, ctx, { action: 'account.created', entityType: 'account', entityId: id, before: null, after: account });
  if (becomesOwner) changeOwnershipOn(w, ctx, id, creatorOwns(ctx), { cause: 'create' });
  return account;
}

/** The ownership a creating rep or manager takes: primary owner, no team. */
const creatorOwns = (ctx: ServiceContext) => ({ teamId: null, primaryOwnerId: ctx.actor.id, secondaryOwnerId: null });

/** VALIDATION (core's rule) when a new account under `parentId` would leave the tree too deep. */
function assertParentFits(id: string, parentId: string, chain: ChainLink[]): void {
  assertValidParentChange({ accountId: id, newParent: { id: parentId, ancestorIds: chain.slice(1).map((c) => c.id) }, subtreeHeight: 1 });
}
