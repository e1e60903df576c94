import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { explanationStepSchema } from '../explanation.js';
import { assertValidParentChange, buildTree, MAX_HIERARCHY_DEPTH, orderPartyDefaults } from './hierarchy.rules.js';


/** Ids of `n` ancestors, nearest first: a1 (parent of the new parent's child) … an. */
const ancestors = (n: number) => Array.from({ length: n }, (_, i) => `a${i + 1}`);

describe('assertValidParentChange', () => {
  it('allows at most 8 levels', () => {
    expect(MAX_HIERARCHY_DEPTH).toBe(8);
  });

  it('passes a null parent (making the account top-level)', () => {
    expect(() => assertValidParentChange({ accountId: 'x', newParent: null, subtreeHeight: 1 })).not.toThrow();
    expect(() => assertValidParentChange({ accountId: 'x', newParent: null, subtreeHeight: MAX_HIERARCHY_DEPTH })).not.toThrow();
  });

  it('passes a move under an unrelated account', () => {
    expect(() => assertValidParentChange({ accountId: 'store', newParent: { id: 'region2', ancestorIds: ['hq'] }, subtreeHeight: 1 })).not.toThrow();
  });

  it('refuses an account as its own parent with CYCLE', () => {
    const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'hq', newParent: { id: 'hq', ancestorIds: [] }, subtreeHeight: 1 }));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['hq', 'hq'] });
    expect(err.fieldErrors?.parentId?.length).toBe(1);
  });

  it('refuses a descendant as the new parent with CYCLE and the loop in details.path', () => {
    // hq → region → store; making store the parent of hq would loop hq → store → region → hq
    const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'hq', newParent: { id: 'store', ancestorIds: ['region', 'hq'] }, subtreeHeight: 3 }));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['hq', 'store', 'region', 'hq'] });
    expect(err.fieldErrors?.parentId?.length).toBe(1);
  });

  it('refuses a direct child as the new parent with CYCLE', () => {
    const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'region', newParent: { id: 'store', ancestorIds: ['region', 'hq'] }, subtreeHeight: 2 }));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['region', 'store', 'region'] });
  });

  it('reports a cycle before depth, even when the move would also be too deep', () => {
    const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'a3', newParent: { id: 'leaf', ancestorIds: ancestors(8) }, subtreeHeight: 5 }));
    expect(err.code).toBe('CYCLE');
  });

  it('passes a move that makes the hierarchy exactly 8 levels deep', () => {
    // parent at depth 7 (6 ancestors) + a leaf = 8 levels
    expect(() => assertValidParentChange({ accountId: 'x', newParent: { id: 'p', ancestorIds: ancestors(6) }, subtreeHeight: 1 })).not.toThrow();
    // top-level parent + a subtree 7 levels high = 8 levels
    expect(() => assertValidParentChange({ accountId: 'x', newParent: { id: 'p', ancestorIds: [] }, subtreeHeight: 7 })).not.toThrow();
  });

  it('refuses a move that makes the hierarchy 9 levels deep with VALIDATION on parentId', () => {
    for (const [ancestorCount, subtreeHeight] of [[7, 1], [6, 2], [0, 8]] as const) {
      const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'x', newParent: { id: 'p', ancestorIds: ancestors(ancestorCount) }, subtreeHeight }));
      expect(err.code).toBe('VALIDATION');
      expect(err.fieldErrors?.parentId?.length).toBe(1);
      expect(err.details).toEqual({ depth: 9, maxDepth: 8 });
    }
  });

  it('uses a custom maximum depth when given', () => {
    expect(() => assertValidParentChange({ accountId: 'x', newParent: { id: 'p', ancestorIds: ['a'] }, subtreeHeight: 1, maxDepth: 3 })).not.toThrow();
    const err = crmErrorFrom(() => assertValidParentChange({ accountId: 'x', newParent: { id: 'p', ancestorIds: ['a'] }, subtreeHeight: 2, maxDepth: 3 }));
    expect(err.code).toBe('VALIDATION');
    expect(err.details).toEqual({ depth: 4, maxDepth: 3 });
  });
});

// ---------------------------------------------------------------------------------------------
// Random forests: parents[i] is null (a top-level account) or the index of an earlier account.

/** `kinds` weights the choice: 'top' starts a new tree, 'previous' extends a chain, 'any' branches. */
const forestOf = (kinds: readonly ('top' | 'previous' | 'any')[], maxLength: number) =>
  fc
    .array(fc.record({ kind: fc.constantFrom(...kinds), pick: fc.nat() }), { minLength: 1, maxLength, size: 'max' })
    .map((choices) =>
      choices.map(({ kind, pick }, i): number | null => {
        if (i === 0 || kind === 'top') return null;
        return kind === 'previous' ? i - 1 : pick % i;
      }),
    );
const forestArb = forestOf(['top', 'previous', 'any', 'any'], 24);
/** Mostly long chains, so moves often cross the depth limit. */
const deepForestArb = forestOf(['top', 'previous', 'previous', 'previous', 'previous', 'previous', 'any'], 30);

const idOf = (i: number) => `acc${i}`;

function ancestorIndexes(parents: readonly (number | null)[], i: number): number[] {
  const out: number[] = [];
  for (let p = parents[i]; p != null; p = parents[p]) out.push(p);
  return out;
}

/** Descendants by walking down from i through a children index (not through ancestor lists). */
function descendantIndexes(parents: readonly (number | null)[], i: number): Set<number> {
  const children = parents.map(() => [] as number[]);
  parents.forEach((p, c) => {
    if (p != null) children[p]!.push(c);
  });
  const out = new Set<number>();
  const stack = [...children[i]!];
  while (stack.length) {
    const c = stack.pop()!;
    out.add(c);
    stack.push(...children[c]!);
  }
  return out;
}

function heightOf(parents: readonly (number | null)[], i: number): number {
  let height = 1;
  for (const d of descendantIndexes(parents, i)) {
    let levels = 1;
    for (let p = parents[d]; p !== i; p = parents[p!]) levels++;
    height = Math.max(height, levels + 1);
  }
  return height;
}

const withMove = (forest: fc.Arbitrary<(number | null)[]>) =>
  forest.chain((parents) =>
    fc.record({
      parents: fc.constant(parents),
      account: fc.nat({ max: parents.length - 1 }),
      // often one of the last accounts, which sit deepest in the chains
      newParent: fc.oneof(fc.nat({ max: parents.length - 1 }), fc.nat({ max: Math.min(3, parents.length - 1) }).map((k) => parents.length - 1 - k)),
    }),
  );

describe('assertValidParentChange on random forests', () => {
  it('throws CYCLE exactly when the new parent is the account itself or one of its descendants', () => {
    fc.assert(
      fc.property(withMove(forestArb), ({ parents, account, newParent }) => {
        const change = {
          accountId: idOf(account),
          newParent: { id: idOf(newParent), ancestorIds: ancestorIndexes(parents, newParent).map(idOf) },
          subtreeHeight: heightOf(parents, account),
          maxDepth: 1_000, // depth is not under test here
        };
        const wouldLoop = newParent === account || descendantIndexes(parents, account).has(newParent);
        if (!wouldLoop) {
          expect(() => assertValidParentChange(change)).not.toThrow();
          return;
        }
        const err = crmErrorFrom(() => assertValidParentChange(change));
        expect(err.code).toBe('CYCLE');
        // the path is the loop: account → new parent → its parents … → account
        const path = err.details?.path as string[];
        expect(path[0]).toBe(idOf(account));
        expect(path[1]).toBe(idOf(newParent));
        expect(path.at(-1)).toBe(idOf(account));
        for (let k = 1; k < path.length - 1; k++) {
          const child = Number(path[k]!.slice(3));
          expect(path[k + 1]).toBe(idOf(parents[child]!));
        }
      }),
    );
  });

  it('throws VALIDATION exactly when the moved subtree would reach deeper than 8 levels', () => {
    fc.assert(
      fc.property(withMove(deepForestArb), ({ parents, account, newParent }) => {
        fc.pre(newParent !== account && !descendantIndexes(parents, account).has(newParent));
        // apply the move to a copy and measure the depth of every account in the moved subtree
        const moved = parents.slice();
        moved[account] = newParent;
        const depth = (i: number) => ancestorIndexes(moved, i).length + 1;
        const deepest = Math.max(depth(account), ...[...descendantIndexes(moved, account)].map(depth));
        const change = {
          accountId: idOf(account),
          newParent: { id: idOf(newParent), ancestorIds: ancestorIndexes(parents, newParent).map(idOf) },
          subtreeHeight: heightOf(parents, account),
        };
        if (deepest <= MAX_HIERARCHY_DEPTH) {
          expect(() => assertValidParentChange(change)).not.toThrow();
        } else {
          const err = crmErrorFrom(() => assertValidParentChange(change));
          expect(err.code).toBe('VALIDATION');
          expect(err.details).toEqual({ depth: deepest, maxDepth: MAX_HIERARCHY_DEPTH });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('orderPartyDefaults', () => {
  const chain = (storeSettles: boolean, regionSettles: boolean, hqSettles = false) => [
    { id: 'store', settlesOwnInvoices: storeSettles },
    { id: 'region', settlesOwnInvoices: regionSettles },
    { id: 'hq', settlesOwnInvoices: hqSettles },
  ];

  it('bills a store that settles its own invoices to the store', () => {
    const result = orderPartyDefaults(chain(true, true, true));
    expect(result.billToAccountId).toBe('store');
    expect(result.shipToAccountId).toBe('store');
  });

  it('bills the region when the store does not settle but the region does', () => {
    const result = orderPartyDefaults(chain(false, true));
    expect(result.billToAccountId).toBe('region');
    expect(result.shipToAccountId).toBe('store');
  });

  it('bills headquarters when neither store nor region settles, even if HQ is not marked as settling', () => {
    for (const hqSettles of [false, true]) {
      const result = orderPartyDefaults(chain(false, false, hqSettles));
      expect(result.billToAccountId).toBe('hq');
      expect(result.shipToAccountId).toBe('store');
    }
  });

  it('bills a top-level account that orders for itself to itself', () => {
    expect(orderPartyDefaults([{ id: 'hq', settlesOwnInvoices: false }])).toMatchObject({ billToAccountId: 'hq', shipToAccountId: 'hq' });
  });

  it('explains each account looked at, ending with the bill-to account matched', () => {
    const { explanation } = orderPartyDefaults(chain(false, false));
    expect(explanation.map((s) => [s.rule, s.outcome, s.subjectId])).toEqual([
      ['ship-to', 'applied', 'store'],
      ['bill-to', 'skipped', 'store'],
      ['bill-to', 'skipped', 'region'],
      ['bill-to', 'matched', 'hq'],
    ]);
    for (const s of explanation) expect(explanationStepSchema.parse(s)).toEqual(s);
  });

  it('refuses an empty chain with VALIDATION', () => {
    expect(crmErrorFrom(() => orderPartyDefaults([])).code).toBe('VALIDATION');
  });

  it('ships to the ordering account and bills the nearest settling account (or the top), for any chain', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: MAX_HIERARCHY_DEPTH }), (settles) => {
        const nodes = settles.map((s, i) => ({ id: `acc${i}`, settlesOwnInvoices: s }));
        const result = orderPartyDefaults(nodes);
        const nearest = settles.indexOf(true);
        const expectedBillTo = nodes[nearest === -1 ? nodes.length - 1 : nearest]!.id;
        expect(result.shipToAccountId).toBe('acc0');
        expect(result.billToAccountId).toBe(expectedBillTo);
        const last = result.explanation.at(-1)!;
        expect(last).toMatchObject({ rule: 'bill-to', outcome: 'matched', subjectId: expectedBillTo });
        expect(result.explanation.filter((s) => s.outcome === 'matched')).toHaveLength(1);
      }),
    );
  });
});

describe('buildTree', () => {
  interface Row {
    id: string;
    parentId: string | null;
  }
  interface Node {
    id: string;
    depth: number;
    children: Node[];
  }
  const make = (row: Row, depth: number, children: Node[]): Node => ({ id: row.id, depth, children });

  const rows: Row[] = [
    { id: 's1', parentId: 'r1' },
    { id: 'hq', parentId: null },
    { id: 'r1', parentId: 'hq' },
    { id: 'other', parentId: null },
    { id: 'r2', parentId: 'hq' },
    { id: 's2', parentId: 'r1' },
    { id: 'o1', parentId: 'other' },
    { id: 's3', parentId: 'r2' },
  ];

  it('nests children under their parents in row order, with the root at depth 1', () => {
    expect(buildTree(rows, 'hq', make)).toEqual({
      id: 'hq',
      depth: 1,
      children: [
        { id: 'r1', depth: 2, children: [{ id: 's1', depth: 3, children: [] }, { id: 's2', depth: 3, children: [] }] },
        { id: 'r2', depth: 2, children: [{ id: 's3', depth: 3, children: [] }] },
      ],
    });
  });

  it('starts depths at 1 for a root that is not top-level', () => {
    expect(buildTree(rows, 'r1', make)).toEqual({
      id: 'r1',
      depth: 1,
      children: [{ id: 's1', depth: 2, children: [] }, { id: 's2', depth: 2, children: [] }],
    });
  });

  it('refuses an unknown root with NOT_FOUND', () => {
    const err = crmErrorFrom(() => buildTree(rows, 'nope', make));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details).toEqual({ entity: 'account', id: 'nope' });
  });

  it('holds exactly the root and its descendants, each at its depth below the root, for any forest', () => {
    fc.assert(
      fc.property(forestArb.chain((parents) => fc.tuple(fc.constant(parents), fc.nat({ max: parents.length - 1 }))), ([parents, root]) => {
        const forestRows = parents.map((p, i) => ({ id: idOf(i), parentId: p == null ? null : idOf(p) }));
        const tree = buildTree(forestRows, idOf(root), make);
        const seen = new Map<string, number>();
        const walk = (node: Node, parentId: string | null) => {
          expect(seen.has(node.id)).toBe(false);
          seen.set(node.id, node.depth);
          if (parentId !== null) expect(forestRows.find((r) => r.id === node.id)!.parentId).toBe(parentId);
          node.children.forEach((c) => walk(c, node.id));
        };
        walk(tree, null);
        const expected = new Set([root, ...descendantIndexes(parents, root)].map(idOf));
        expect(new Set(seen.keys())).toEqual(expected);
        const rootDepth = ancestorIndexes(parents, root).length;
        for (const [id, depth] of seen) expect(depth).toBe(ancestorIndexes(parents, Number(id.slice(3))).length - rootDepth + 1);
      }),
    );
  });
});
