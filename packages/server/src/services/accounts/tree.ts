import { buildTree, orderPartyDefaults, type AccountTree, type AccountTreeNode } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { accountSelect, ancestorChain, loadAccount, subtreeIds, toAccount } from './account-rows.js';

/**
 * The whole group an account belongs to: its top-level ancestor and everything below, each
 * node with its default bill-to account.
 */
export async function accountTree(ctx: ServiceContext, input: { id: string; includeArchived?: boolean }): Promise<AccountTree> {
  authorize(ctx.actor, 'accounts:read');
  const { tenantId } = ctx.actor;
  await loadAccount(ctx.db, tenantId, input.id);
  const chain = await ancestorChain(ctx.db, tenantId, input.id);
  const top = chain[chain.length - 1]!;
  const ids = (await subtreeIds(ctx.db, tenantId, top.id)).map((r) => r.id);
  const rows = await ctx.db.account.findMany({
    where: { tenantId, id: { in: ids }, ...(input.includeArchived ? {} : { OR: [{ archivedAt: null }, { id: { in: chain.map((c) => c.id) } }] }) },
    orderBy: { name: 'asc' },
    select: accountSelect,
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Bill-to follows the settling rule: walk up from each node to the nearest settler.
  const billTo = (id: string): string => {
    const path = [];
    for (let node = byId.get(id); node; node = node.parentId ? byId.get(node.parentId) : undefined) path.push({ id: node.id, settlesOwnInvoices: node.settlesOwnInvoices });
    return orderPartyDefaults(path).billToAccountId;
  };
  const root = buildTree<(typeof rows)[number], AccountTreeNode>(rows, top.id, (row, depth, children) => ({ account: toAccount(row), depth, billToAccountId: billTo(row.id), children }));
  return { focusId: input.id, ancestorIds: chain.slice(1).map((c) => c.id), root };
}
