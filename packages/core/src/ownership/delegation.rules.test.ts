import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from '../__tests__/crm-error-from.js';
import { DAY_MS } from '../clock.js';
import { assertValidDelegation } from './delegation.rules.js';
import type { DelegationFact, DelegationScope } from './resolve.rules.js';

const BASE = Date.UTC(2026, 2, 1);
const day = (n: number) => new Date(BASE + n * DAY_MS);

let seq = 0;
/** A delegation over days [from, to). */
function del(delegatorId: string, delegateId: string, from: number, to: number, scope: DelegationScope = 'all', accountIds: string[] = []): DelegationFact {
  return { id: `del_${++seq}`, delegatorId, delegateId, scope, accountIds, validFrom: day(from), validTo: day(to) };
}
const next = (delegatorId: string, delegateId: string, from: number, to: number, scope: DelegationScope = 'all', accountIds: string[] = []) => {
  const { id: _id, ...rest } = del(delegatorId, delegateId, from, to, scope, accountIds);
  return rest;
};

describe('assertValidDelegation: the window and the people', () => {
  it('accepts a plain delegation with nothing else in force', () => {
    expect(() => assertValidDelegation(next('li', 'zhou', 0, 7), [])).not.toThrow();
  });

  it('refuses self-delegation with VALIDATION on delegateId', () => {
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'li', 0, 7), []));
    expect(err.code).toBe('VALIDATION');
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(['delegateId']);
  });

  it('refuses validTo equal to or before validFrom with VALIDATION on validTo', () => {
    for (const to of [0, -1]) {
      const err = crmErrorFrom(() => assertValidDelegation(next('li', 'zhou', 0, to), []));
      expect(err.code).toBe('VALIDATION');
      expect(Object.keys(err.fieldErrors ?? {})).toEqual(['validTo']);
    }
    const oneMs = { ...next('li', 'zhou', 0, 0), validTo: new Date(BASE + 1) };
    expect(() => assertValidDelegation(oneMs, [])).not.toThrow();
  });

  it("refuses an 'accounts' delegation that names no account with VALIDATION", () => {
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'zhou', 0, 7, 'accounts', []), []));
    expect(err.code).toBe('VALIDATION');
    expect(Object.keys(err.fieldErrors ?? {})).toEqual(['accountIds']);
  });
});

describe('assertValidDelegation: conflicts (one delegator, same work, same time)', () => {
  it('refuses an overlapping same-scope delegation by the same delegator with CONFLICT naming the clash', () => {
    const existing = del('li', 'zhou', 0, 7);
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'qian', 6, 10), [existing]));
    expect(err.code).toBe('CONFLICT');
    expect(err.details).toEqual({ delegationId: existing.id });
  });

  it('accepts back-to-back windows (the next one starts exactly when the first ends)', () => {
    expect(() => assertValidDelegation(next('li', 'qian', 7, 10), [del('li', 'zhou', 0, 7)])).not.toThrow();
  });

  it("refuses any overlap with an 'all' delegation, whatever the scope", () => {
    for (const [scope, ids] of [['complaints', []], ['approvals', []], ['accounts', ['acc_1']], ['all', []]] as const) {
      expect(crmErrorFrom(() => assertValidDelegation(next('li', 'qian', 2, 3, scope, [...ids]), [del('li', 'zhou', 0, 7)])).code).toBe('CONFLICT');
      expect(crmErrorFrom(() => assertValidDelegation(next('li', 'qian', 2, 3), [del('li', 'zhou', 0, 7, scope, [...ids])])).code).toBe('CONFLICT');
    }
  });

  it("'complaints' and 'approvals' windows of one delegator may overlap", () => {
    expect(() => assertValidDelegation(next('li', 'qian', 0, 7, 'approvals'), [del('li', 'zhou', 0, 7, 'complaints')])).not.toThrow();
    expect(() => assertValidDelegation(next('li', 'qian', 0, 7, 'complaints'), [del('li', 'zhou', 0, 7, 'approvals')])).not.toThrow();
  });

  it("two 'complaints' delegations of one delegator may not overlap", () => {
    expect(crmErrorFrom(() => assertValidDelegation(next('li', 'qian', 3, 9, 'complaints'), [del('li', 'zhou', 0, 7, 'complaints')])).code).toBe('CONFLICT');
  });

  it("'accounts' delegations overlap only when their account sets intersect", () => {
    const existing = [del('li', 'zhou', 0, 7, 'accounts', ['acc_1', 'acc_2'])];
    expect(() => assertValidDelegation(next('li', 'qian', 0, 7, 'accounts', ['acc_3']), existing)).not.toThrow();
    expect(crmErrorFrom(() => assertValidDelegation(next('li', 'qian', 0, 7, 'accounts', ['acc_3', 'acc_2']), existing)).code).toBe('CONFLICT');
  });

  it('different delegators may delegate to the same person at the same time', () => {
    expect(() => assertValidDelegation(next('zhao', 'zhou', 0, 7), [del('li', 'zhou', 0, 7)])).not.toThrow();
  });
});

describe('assertValidDelegation: cycles', () => {
  it('refuses the reverse of a delegation in force at the same time with CYCLE, path from and back to the delegator', () => {
    const back = del('zhou', 'li', 0, 7);
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'zhou', 2, 4), [back]));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['li', 'zhou', 'li'], delegationIds: [back.id] });
    expect(err.fieldErrors?.delegateId?.length).toBe(1);
  });

  it('refuses a longer loop li → zhou → qian → li among overlapping delegations, with the whole path and the delegations on it', () => {
    const [zq, ql] = [del('zhou', 'qian', 1, 5), del('qian', 'li', 2, 9)];
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'zhou', 0, 7), [zq, ql, del('zhao', 'li', 0, 9)]));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['li', 'zhou', 'qian', 'li'], delegationIds: [zq.id, ql.id] });
  });

  it('finds a loop behind a branch that leads nowhere', () => {
    const [zq, ql] = [del('zhou', 'qian', 0, 7, 'approvals'), del('qian', 'li', 0, 7)];
    const err = crmErrorFrom(() => assertValidDelegation(next('li', 'zhou', 0, 7, 'complaints'), [del('zhou', 'sun', 0, 7, 'complaints'), zq, ql]));
    expect(err.code).toBe('CYCLE');
    expect(err.details).toEqual({ path: ['li', 'zhou', 'qian', 'li'], delegationIds: [zq.id, ql.id] });
  });

  it('a reverse delegation in a window that does not overlap is no cycle', () => {
    expect(() => assertValidDelegation(next('li', 'zhou', 7, 14), [del('zhou', 'li', 0, 7)])).not.toThrow();
    expect(() => assertValidDelegation(next('li', 'zhou', 0, 7), [del('zhou', 'li', 7, 14)])).not.toThrow();
  });

  it('a path whose delegations are never in force together is no cycle (zhou → qian ends when qian → li starts)', () => {
    expect(() => assertValidDelegation(next('li', 'zhou', 0, 10), [del('zhou', 'qian', 0, 5), del('qian', 'li', 5, 10)])).not.toThrow();
  });

  it('a chain without a way back is no cycle', () => {
    expect(() => assertValidDelegation(next('li', 'zhou', 0, 7), [del('zhou', 'qian', 0, 7), del('qian', 'sun', 0, 7), del('sun', 'zhou', 8, 9)])).not.toThrow();
  });

  it('terminates on existing data that already holds a loop not through the delegator', () => {
    expect(() => assertValidDelegation(next('li', 'zhou', 0, 7), [del('zhou', 'qian', 0, 7), del('qian', 'zhou', 0, 7)])).not.toThrow();
  });
});

/* ---------------------------------------------------------------- property ------------------------------------------------------------- */

const USERS = ['a', 'b', 'c', 'd', 'e'] as const;
const arbNext = fc
  .record({
    delegatorId: fc.constantFrom(...USERS),
    delegateId: fc.constantFrom(...USERS),
    scope: fc.constantFrom<DelegationScope>('all', 'complaints', 'approvals', 'accounts'),
    accountIds: fc.subarray(['acc_1', 'acc_2', 'acc_3']),
    from: fc.integer({ min: 0, max: 30 }),
    len: fc.integer({ min: -1, max: 12 }),
  })
  .map(({ from, len, ...d }) => ({ ...d, validFrom: day(from), validTo: day(from + len) }));

/** Whether some instant has all of the delegations in force together (for intervals, pairwise overlap suffices). */
const allInForceTogether = (ds: readonly DelegationFact[]) => Math.max(...ds.map((d) => d.validFrom.getTime())) < Math.min(...ds.map((d) => d.validTo.getTime()));

/** Independent check: a directed cycle whose delegations all share an instant, by brute force over simple cycles. */
function findCycle(ds: readonly DelegationFact[]): DelegationFact[] | null {
  const extend = (path: DelegationFact[]): DelegationFact[] | null => {
    const start = path[0]!.delegatorId;
    const end = path.at(-1)!.delegateId;
    if (end === start) return allInForceTogether(path) ? path : null;
    if (!allInForceTogether(path)) return null;
    for (const d of ds) {
      if (d.delegatorId !== end || path.some((p) => p.delegatorId === d.delegateId && d.delegateId !== start)) continue;
      const found = extend([...path, d]);
      if (found) return found;
    }
    return null;
  };
  for (const d of ds) {
    const found = extend([d]);
    if (found) return found;
  }
  return null;
}

/** Independent check: two delegations of one delegator covering the same work at the same time. */
function findConflict(ds: readonly DelegationFact[]): [DelegationFact, DelegationFact] | null {
  const sameWork = (x: DelegationFact, y: DelegationFact) =>
    x.scope === 'all' || y.scope === 'all' || (x.scope === 'accounts' && y.scope === 'accounts' ? x.accountIds.some((a) => y.accountIds.includes(a)) : x.scope === y.scope);
  for (const [i, x] of ds.entries()) for (const y of ds.slice(i + 1)) if (x.delegatorId === y.delegatorId && allInForceTogether([x, y]) && sameWork(x, y)) return [x, y];
  return null;
}

describe('assertValidDelegation: properties', () => {
  it('after accepting a random sequence (skipping refusals), no cycle among delegations in force together and no conflict remains', () => {
    fc.assert(
      fc.property(fc.array(arbNext, { maxLength: 25 }), (proposals) => {
        const accepted: DelegationFact[] = [];
        proposals.forEach((p, i) => {
          try {
            assertValidDelegation(p, accepted);
          } catch (e) {
            expect(['VALIDATION', 'CONFLICT', 'CYCLE']).toContain((e as { code?: string }).code);
            return;
          }
          accepted.push({ ...p, id: `d${i}` });
        });
        expect(findCycle(accepted)).toBeNull();
        expect(findConflict(accepted)).toBeNull();
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses with CYCLE exactly when adding the delegation would close a loop in force together (no false refusals)', () => {
    fc.assert(
      fc.property(fc.array(arbNext, { maxLength: 25 }), arbNext, (proposals, candidate) => {
        const accepted: DelegationFact[] = [];
        proposals.forEach((p, i) => {
          try {
            assertValidDelegation(p, accepted);
            accepted.push({ ...p, id: `d${i}` });
          } catch {
            /* skipped */
          }
        });
        let code: string | null = null;
        let path: unknown;
        let delegationIds: unknown;
        try {
          assertValidDelegation(candidate, accepted);
        } catch (e) {
          code = (e as { code: string }).code;
          ({ path, delegationIds } = (e as { details?: { path?: unknown; delegationIds?: unknown } }).details ?? {});
        }
        if (code === 'VALIDATION' || code === 'CONFLICT') return;
        const closes = findCycle([...accepted, { ...candidate, id: 'candidate' }]) !== null;
        expect(code === 'CYCLE').toBe(closes);
        if (code === 'CYCLE') {
          const p = path as string[];
          expect(p[0]).toBe(candidate.delegatorId);
          expect(p[1]).toBe(candidate.delegateId);
          expect(p.at(-1)).toBe(candidate.delegatorId);
          // The delegations named lead from the delegate, hop by hop, back to the delegator.
          const hops = (delegationIds as string[]).map((id) => accepted.find((d) => d.id === id)!);
          expect(hops.map((d) => [d.delegatorId, d.delegateId])).toEqual(p.slice(1, -1).map((u, i) => [u, p[i + 2]]));
        }
      }),
      { numRuns: 1500 },
    );
  });
});
