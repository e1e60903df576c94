import { CrmError } from '../errors.js';
import { step, type ExplanationStep } from '../explanation.js';

/** How deep an account group may go: HQ → region → city → store leaves room to spare. */
export const MAX_HIERARCHY_DEPTH = 8;

export interface ParentChange {
  accountId: string;
  /** The proposed parent and its ancestors, nearest first (`[]` when the parent is top-level). */
  newParent: { id: string; ancestorIds: readonly string[] } | null;
  /** Levels in the account's own subtree, counting the account itself (1 for a leaf). */
  subtreeHeight: number;
  maxDepth?: number;
}

/**
 * Checks that giving an account a new parent keeps the hierarchy a tree of bounded depth.
 * Throws CYCLE when the account would become its own ancestor, VALIDATION when too deep.
 *
 * @example
 * assertValidParentChange({ accountId: hq, newParent: { id: store, ancestorIds: [region, hq] }, subtreeHeight: 3 })
 * // throws CYCLE: hq is an ancestor of store
 */
export function assertValidParentChange({ accountId, newParent, subtreeHeight, maxDepth = MAX_HIERARCHY_DEPTH }: ParentChange): void {
  if (!newParent) return;
  if (newParent.id === accountId) {
    throw new CrmError('CYCLE', 'an account cannot be its own parent', { fieldErrors: { parentId: ['an account cannot be its own parent'] }, details: { path: [accountId, accountId] } });
  }
  const at = newParent.ancestorIds.indexOf(accountId);
  if (at >= 0) {
    const path = [accountId, newParent.id, ...newParent.ancestorIds.slice(0, at + 1)];
    throw new CrmError('CYCLE', `${newParent.id} is a descendant of ${accountId}; making it the parent would create a cycle`, {
      fieldErrors: { parentId: ['the new parent is a descendant of this account'] },
      details: { path },
    });
  }
  const parentDepth = newParent.ancestorIds.length + 1;
  const deepest = parentDepth + subtreeHeight;
  if (deepest > maxDepth) {
    const message = `the hierarchy would be ${deepest} levels deep; at most ${maxDepth} are allowed`;
    throw new CrmError('VALIDATION', message, { fieldErrors: { parentId: [message] }, details: { depth: deepest, maxDepth } });
  }
}

export interface SettlingNode {
  id: string;
  settlesOwnInvoices: boolean;
}

export interface OrderPartyDefaults {
  billToAccountId: string;
  shipToAccountId: string;
  explanation: ExplanationStep[];
}

/**
 * Default bill-to and ship-to accounts for an order placed by the first account of `chain`
 * (the ordering account, then its parent, up to the top-level account). Goods ship to the
 * ordering account. The bill-to is the nearest account in the chain that settles its own
 * invoices; a top-level account always settles for its group.
 *
 * @example
 * orderPartyDefaults([{ id: store, settlesOwnInvoices: false }, { id: region, settlesOwnInvoices: true }, { id: hq, settlesOwnInvoices: false }])
 * // { billToAccountId: region, shipToAccountId: store, explanation: [...] }
 */
export function orderPartyDefaults(chain: readonly SettlingNode[]): OrderPartyDefaults {
  const ordering = chain[0];
  if (!ordering) throw new CrmError('VALIDATION', 'an order needs an ordering account');
  const explanation: ExplanationStep[] = [step('ship-to', 'applied', `goods ship to the ordering account ${ordering.id}`, ordering.id)];
  for (const [i, node] of chain.entries()) {
    const top = i === chain.length - 1;
    if (node.settlesOwnInvoices || top) {
      const why = node.settlesOwnInvoices
        ? `${node.id} settles its own invoices`
        : `${node.id} is the top-level account, which settles for its group`;
      explanation.push(step('bill-to', 'matched', i === 0 ? `${why}, so it is billed itself` : `${why}; billed on behalf of ${ordering.id}`, node.id));
      return { billToAccountId: node.id, shipToAccountId: ordering.id, explanation };
    }
    explanation.push(step('bill-to', 'skipped', `${node.id} does not settle its own invoices; looking at its parent`, node.id));
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last account of a chain always settles');
}

/** Nests flat rows (each with its parent id) under `rootId`, children in the given order. */
export function buildTree<T extends { id: string; parentId: string | null }, N>(
  rows: readonly T[],
  rootId: string,
  makeNode: (row: T, depth: number, children: N[]) => N,
): N {
  const byParent = new Map<string | null, T[]>();
  for (const row of rows) {
    const list = byParent.get(row.parentId) ?? [];
    list.push(row);
    byParent.set(row.parentId, list);
  }
  const root = rows.find((r) => r.id === rootId);
  if (!root) throw CrmError.notFound('account', rootId);
  const visit = (row: T, depth: number): N => makeNode(row, depth, (byParent.get(row.id) ?? []).map((child) => visit(child, depth + 1)));
  return visit(root, 1);
}
