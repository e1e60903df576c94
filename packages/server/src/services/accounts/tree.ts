import { buildTree, canSee, orderPartyDefaults, type AccountTree, type AccountTreeNode } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { ownedAccountSelect } from '../../db/account-reads.js';
import { loadVisibleAccount, visibilityOf } from '../visibility.js';
import { ancestorChain, subtreeIds, toAccount } from './account-rows.js';

/**
 * The group an account belongs to, each node with its default bill-to account: for a caller who
 * sees the whole tenant, the top-level ancestor and everything below.
 *
 * For a caller with a narrower visibility the tree holds only accounts they may see, and stays a
 * true part of the hierarchy (every node's parent in the tree is its real parent):
 * - the focus account must be visible (else NOT_FOUND, as for an unknown id);
 * - the root is the highest ancestor reached from the focus through visible accounts only: the
 *   walk up stops below the first ancestor the caller cannot see, and `ancestorIds` lists the
 *   visible ancestors up to that root;
 * - below the root, an account the caller cannot see is left out together with its branches
 *   (a visible account beneath it is not hoisted; it has its own tree).
 * `billToAccountId` follows the settling rule over the real hierarchy (as `orderParties` does), so
 * it may be the id of an account outside the tree; only its id is given.
 */
export async function accountTree(ctx: ServiceContext, input: { id: string; includeArchived?: boolean }): Promise<AccountTree> {
  authorize(ctx.actor, 'accounts:read');
  const { tenantId } = ctx.actor;
  const scope = await visibilityOf(ctx);
  await loadVisibleAccount(ctx.db, tenantId, input.id, scope);
  const chain = await ancestorChain(ctx.db, tenantId, input.id);
  const top = chain[chain.length - 1]!;
  const ids = (await subtreeIds(ctx.db, tenantId, top.id)).map((r) => r.id);
  const rows = await ctx.db.account.findMany({
    where: { tenantId, id: { in: ids }, ...(input.includeArchived ? {} : { OR: [{ archivedAt: null }, { id: { in: chain.map((c) => c.id) } }] }) },
    orderBy: { name: 'asc' },
    select: ownedAccountSelect,
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Bill-to follows the settling rule: walk up from each node to the nearest settler.
  const billTo = (id: string): string => {
    const path = [];
    for (let node = byId.get(id); node; node = node.parentId ? byId.get(node.parentId) : undefined) path.push({ id: node.id, settlesOwnInvoices: node.settlesOwnInvoices });
    return orderPartyDefaults(path).billToAccountId;
  };
  const makeNode = (row: (typeof rows)[number], depth: number, children: AccountTreeNode[]): AccountTreeNode => ({ account: toAccount(row), depth, billToAccountId: billTo(row.id), children });
  if (scope.all) return { focusId: input.id, ancestorIds: chain.slice(1).map((c) => c.id), root: buildTree(rows, top.id, makeNode) };
  // The chain is nearest first; keep the unbroken visible run above the focus.
  const firstHidden = chain.findIndex((link) => { const row = byId.get(link.id); return !row || !canSee(scope, row); });
  const visibleChain = firstHidden < 0 ? chain : chain.slice(0, firstHidden);
  const root = visibleChain[visibleChain.length - 1]!;
  const visibleRows = rows.filter((r) => canSee(scope, r));
  return { focusId: input.id, ancestorIds: visibleChain.slice(1).map((c) => c.id), root: buildTree(visibleRows, root.id, makeNode) };
}
