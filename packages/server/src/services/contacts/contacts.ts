import {
  CrmError, createContactInputSchema, decodeCursor, encodeCursor, listContactsInputSchema, newId, searchKey, updateContactInputSchema,
  type Contact, type CreateContactInput, type Page, type UpdateContactInput,
} from '@crmkit/core';
import { z } from 'zod';
import type { Contact as ContactRow } from '../../../generated/sqlite/client.js';
import { authorize, type ServiceContext } from '../../context.js';
import { visibilityWhere, type AccountVisibility } from '../../db/account-reads.js';
import type { Db, Tx } from '../../db/client.js';
import { lockAccounts } from '../../db/locks.js';
import { nameSearchWhere } from '../../db/name-search.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { assertActive } from '../accounts/account-rows.js';
import { accountVisibilityOf, loadVisibleAccount, visibilityOf } from '../visibility.js';

const contactSelect = {
  id: true, accountId: true, name: true, title: true, email: true, phone: true, isPrimary: true, version: true, createdAt: true, updatedAt: true, archivedAt: true,
} as const satisfies Partial<Record<keyof ContactRow, true>>;
type ContactSelected = Pick<ContactRow, keyof typeof contactSelect>;

function toContact(row: ContactSelected): Contact {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(), archivedAt: row.archivedAt?.toISOString() ?? null };
}

/**
 * A contact of the tenant whose account the caller may see (`visibility`; absent: the whole
 * tenant), or NOT_FOUND: a contact is visible exactly when its account is.
 */
async function loadContact(db: Db | Tx, tenantId: string, id: string, visibility?: AccountVisibility): Promise<ContactSelected> {
  const row = await db.contact.findFirst({ where: { id, tenantId, ...(visibility ? { account: visibilityWhere(visibility) } : {}) }, select: contactSelect });
  if (!row) throw CrmError.notFound('contact', id);
  return row;
}

/*
 * Contact writes on one account are serialized, so "one primary contact per account" holds under
 * concurrency: the account row is locked (`write-under`) before the transaction writes any contact
 * of it (always account, then contacts), and what it decides on is read after the lock.
 */
/** An account has at most one primary contact: making one primary demotes the others, each with its own audit event. */
async function demoteOtherPrimaries(tx: Tx, ctx: ServiceContext, accountId: string, keepId: string): Promise<void> {
  const others = await tx.contact.findMany({ where: { tenantId: ctx.actor.tenantId, accountId, isPrimary: true, id: { not: keepId } }, select: contactSelect });
  for (const other of others) {
    const row = await tx.contact.update({ where: { id: other.id }, data: { isPrimary: false, version: other.version + 1, updatedAt: ctx.clock.now() }, select: contactSelect });
    await recordChange(tx, ctx, { action: 'contact.updated', entityType: 'contact', entityId: other.id, before: toContact(other), after: toContact(row) });
  }
}

/** Adds a contact person to an active account the caller may see. */
export async function createContact(ctx: ServiceContext, input: CreateContactInput): Promise<Contact> {
  authorize(ctx.actor, 'contacts:write');
  const data = createContactInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockAccounts(tx, ctx, [data.accountId], 'write-under');
    const account = await loadVisibleAccount(tx, tenantId, data.accountId, scope);
    assertActive(account);
    const now = ctx.clock.now();
    const id = newId('con', ctx.clock);
    const row = await tx.contact.create({ data: { ...data, id, tenantId, nameSearch: searchKey(data.name), createdAt: now, updatedAt: now }, select: contactSelect });
    if (row.isPrimary) await demoteOtherPrimaries(tx, ctx, row.accountId, id);
    const contact = toContact(row);
    await recordChange(tx, ctx, { action: 'contact.created', entityType: 'contact', entityId: id, before: null, after: contact });
    return contact;
  });
}

/** One contact whose account the caller may see; NOT_FOUND otherwise. */
export async function getContact(ctx: ServiceContext, input: { id: string }): Promise<Contact> {
  authorize(ctx.actor, 'contacts:read');
  return toContact(await loadContact(ctx.db, ctx.actor.tenantId, input.id, await accountVisibilityOf(ctx)));
}

/** Changes a contact (`null` clears a field; `archived: true` archives it). No change, no new version. */
export async function updateContact(ctx: ServiceContext, input: UpdateContactInput): Promise<Contact> {
  authorize(ctx.actor, 'contacts:write');
  const { id, expectedVersion, archived, ...fields } = updateContactInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  const visibility = await accountVisibilityOf(ctx);
  return inTransaction(ctx, async (tx) => {
    let current = await loadContact(tx, tenantId, id, visibility);
    if (fields.isPrimary === true) {
      await lockAccounts(tx, ctx, [current.accountId], 'write-under');
      current = await loadContact(tx, tenantId, id, visibility); // as the previous holder of the lock left it
    }
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new CrmError('CONFLICT', `contact ${id} is at version ${current.version}, not ${expectedVersion}`, { details: { id, version: current.version, expectedVersion } });
    }
    const changes: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([k, v]) => v !== undefined && current[k as keyof typeof current] !== v));
    if (archived !== undefined && archived !== (current.archivedAt !== null)) changes.archivedAt = archived ? ctx.clock.now() : null;
    else if (current.archivedAt && Object.keys(changes).length > 0) assertActive(current, 'contact');
    if (Object.keys(changes).length === 0) return toContact(current);
    const nameSearch = typeof changes.name === 'string' ? { nameSearch: searchKey(changes.name) } : {};
    const updated = await tx.contact.updateMany({ where: { id, tenantId, version: current.version }, data: { ...changes, ...nameSearch, version: current.version + 1, updatedAt: ctx.clock.now() } });
    if (updated.count !== 1) throw new CrmError('CONFLICT', `contact ${id} changed during the update; read it again`, { details: { id } });
    if (changes.isPrimary === true) await demoteOtherPrimaries(tx, ctx, current.accountId, id);
    const after = toContact(await loadContact(tx, tenantId, id));
    await recordChange(tx, ctx, { action: 'contact.updated', entityType: 'contact', entityId: id, before: toContact(current), after });
    return after;
  });
}

/** Contacts of the tenant (or of one account) whose accounts the caller may see, newest first. */
export async function listContacts(ctx: ServiceContext, input: z.input<typeof listContactsInputSchema>): Promise<Page<Contact>> {
  authorize(ctx.actor, 'contacts:read');
  const { limit, cursor, accountId, search, archived } = listContactsInputSchema.parse(input);
  const before = cursor ? decodeCursor(cursor, z.object({ id: z.string() })).id : undefined;
  const visibility = await accountVisibilityOf(ctx);
  const { tenantId } = ctx.actor;
  const rows = await ctx.db.contact.findMany({
    where: {
      tenantId,
      ...(before ? { id: { lt: before } } : {}),
      ...(accountId ? { accountId } : {}),
      ...(search ? await nameSearchWhere(ctx.db, ctx.provider, 'Contact', tenantId, search) : {}),
      ...(archived === 'exclude' ? { archivedAt: null } : archived === 'only' ? { archivedAt: { not: null } } : {}),
      ...(visibility ? { account: visibilityWhere(visibility) } : {}),
    },
    orderBy: { id: 'desc' },
    take: limit + 1,
    select: contactSelect,
  });
  const page = rows.slice(0, limit).map(toContact);
  return { items: page, nextCursor: rows.length > limit ? encodeCursor({ id: page[page.length - 1]!.id }) : null };
}
