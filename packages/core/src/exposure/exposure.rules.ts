import { CrmError } from '../errors.js';

/** The three parts of exposure, in minor units of one currency. */
export interface ExposureFigures {
  ordersOpenMinor: number;
  invoicesOpenMinor: number;
  onAccountCreditMinor: number;
}

/** A change of one account's own figures in one currency. */
export interface ExposureDelta extends Partial<ExposureFigures> {
  accountId: string;
  currency: string;
}

export const zeroFigures = (): ExposureFigures => ({ ordersOpenMinor: 0, invoicesOpenMinor: 0, onAccountCreditMinor: 0 });

/** `orders + invoices − on-account credit`. */
export const exposureOf = (f: ExposureFigures): number => f.ordersOpenMinor + f.invoicesOpenMinor - f.onAccountCreditMinor;

const PARTS = ['ordersOpenMinor', 'invoicesOpenMinor', 'onAccountCreditMinor'] as const;

function add(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new CrmError('VALIDATION', 'an exposure figure would leave the safe integer range', { details: { a, b } });
  return sum;
}

/**
 * The deltas combined per account and currency, entries that change nothing dropped, in a fixed
 * order (account, then currency).
 *
 * @example mergeDeltas([{ accountId: 'a', currency: 'CNY', ordersOpenMinor: 5 }, { accountId: 'a', currency: 'CNY', ordersOpenMinor: -5 }]) // []
 */
export function mergeDeltas(deltas: readonly ExposureDelta[]): (ExposureFigures & { accountId: string; currency: string })[] {
  const byKey = new Map<string, ExposureFigures & { accountId: string; currency: string }>();
  for (const d of deltas) {
    const key = `${d.accountId}\u0000${d.currency}`;
    const entry = byKey.get(key) ?? { accountId: d.accountId, currency: d.currency, ...zeroFigures() };
    for (const part of PARTS) entry[part] = add(entry[part], d[part] ?? 0);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .filter((e) => PARTS.some((p) => e[p] !== 0))
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0));
}

/** Figures keyed by `accountId` then currency. */
export type FigureTable = Map<string, Map<string, ExposureFigures>>;

/** Adds `delta`'s parts into the table's entry for its account and currency. */
export function addInto(table: FigureTable, accountId: string, currency: string, delta: Partial<ExposureFigures>): void {
  let byCurrency = table.get(accountId);
  if (!byCurrency) table.set(accountId, (byCurrency = new Map()));
  const entry = byCurrency.get(currency) ?? zeroFigures();
  for (const part of PARTS) entry[part] = add(entry[part], delta[part] ?? 0);
  byCurrency.set(currency, entry);
}

/**
 * Group figures from own ones: each account's own figures added to itself and every ancestor
 * (`parentOf` walks up; a walk longer than `maxDepth` is refused as a corrupt tree).
 */
export function groupFigures(own: FigureTable, parentOf: (accountId: string) => string | null, maxDepth = 64): FigureTable {
  const group: FigureTable = new Map();
  for (const [accountId, byCurrency] of own) {
    for (let id: string | null = accountId, depth = 0; id !== null; id = parentOf(id), depth += 1) {
      if (depth > maxDepth) throw new Error(`the hierarchy above ${accountId} is deeper than ${maxDepth}: a cycle?`);
      for (const [currency, figures] of byCurrency) addInto(group, id, currency, figures);
    }
  }
  return group;
}
