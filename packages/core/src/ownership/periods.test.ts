import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inForce, inForceAt, overlaps, type Period } from './periods.js';

const d = (iso: string) => new Date(iso);
const ms = (t: number) => new Date(t);
const period = (from: string, to: string | null): Period => ({ validFrom: d(from), validTo: to === null ? null : d(to) });

describe('inForce', () => {
  const p = period('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');

  it('is in force from validFrom inclusive', () => {
    expect(inForce(p, d('2026-03-01T00:00:00Z'))).toBe(true);
    expect(inForce(p, d('2026-02-28T23:59:59.999Z'))).toBe(false);
  });

  it('is no longer in force at validTo (exclusive) but is one millisecond before', () => {
    expect(inForce(p, d('2026-03-31T23:59:59.999Z'))).toBe(true);
    expect(inForce(p, d('2026-04-01T00:00:00Z'))).toBe(false);
  });

  it('an open-ended period stays in force for good after its start', () => {
    const open = period('2026-03-01T00:00:00Z', null);
    expect(inForce(open, d('2099-12-31T00:00:00Z'))).toBe(true);
    expect(inForce(open, d('2026-02-28T00:00:00Z'))).toBe(false);
  });

  it('an empty window (validTo = validFrom) is never in force', () => {
    const empty = period('2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(inForce(empty, d('2026-03-01T00:00:00Z'))).toBe(false);
  });

  it('property: in force exactly when validFrom <= at < validTo', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.option(fc.integer({ min: 0, max: 1000 })), fc.integer({ min: -10, max: 1010 }), (from, to, at) => {
        const expected = from <= at && (to === null || at < to);
        expect(inForce({ validFrom: ms(from), validTo: to === null ? null : ms(to) }, ms(at))).toBe(expected);
      }),
    );
  });
});

describe('inForceAt', () => {
  it('returns null when no period is in force', () => {
    expect(inForceAt([], d('2026-01-01T00:00:00Z'))).toBeNull();
    expect(inForceAt([period('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')], d('2026-02-01T00:00:00Z'))).toBeNull();
  });

  it('picks the period in force in a history of closed-then-opened periods, switching at the boundary', () => {
    const a = { ...period('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), id: 'a' };
    const b = { ...period('2026-02-01T00:00:00Z', null), id: 'b' };
    expect(inForceAt([a, b], d('2026-01-31T23:59:59.999Z'))?.id).toBe('a');
    expect(inForceAt([a, b], d('2026-02-01T00:00:00Z'))?.id).toBe('b');
    expect(inForceAt([b, a], d('2026-01-15T00:00:00Z'))?.id).toBe('a');
  });

  it('picks the latest-starting period when overlapping data is in force, whatever the order', () => {
    const old = { ...period('2026-01-01T00:00:00Z', null), id: 'old' };
    const mid = { ...period('2026-02-01T00:00:00Z', '2026-12-01T00:00:00Z'), id: 'mid' };
    const late = { ...period('2026-03-01T00:00:00Z', null), id: 'late' };
    const at = d('2026-03-15T00:00:00Z');
    expect(inForceAt([old, mid, late], at)?.id).toBe('late');
    expect(inForceAt([late, mid, old], at)?.id).toBe('late');
    expect(inForceAt([mid, old], at)?.id).toBe('mid');
    // a later-starting period not yet in force does not count
    expect(inForceAt([old, late], d('2026-02-15T00:00:00Z'))?.id).toBe('old');
  });

  it('property: the answer is in force and no period in force starts later', () => {
    const arbPeriod = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.option(fc.integer({ min: 1, max: 60 }))).map(([from, len]) => ({
      validFrom: ms(from),
      validTo: len === null ? null : ms(from + len),
    }));
    fc.assert(
      fc.property(fc.array(arbPeriod, { maxLength: 12 }), fc.integer({ min: 0, max: 170 }), (periods, t) => {
        const at = ms(t);
        const found = inForceAt(periods, at);
        const live = periods.filter((p) => inForce(p, at));
        if (live.length === 0) {
          expect(found).toBeNull();
          return;
        }
        expect(found).not.toBeNull();
        expect(inForce(found!, at)).toBe(true);
        expect(found!.validFrom.getTime()).toBe(Math.max(...live.map((p) => p.validFrom.getTime())));
      }),
    );
  });
});

describe('overlaps', () => {
  it('adjacent windows (one ends when the next starts) do not overlap', () => {
    const a = period('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z');
    const b = period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(overlaps(a, b)).toBe(false);
    expect(overlaps(b, a)).toBe(false);
  });

  it('windows sharing one millisecond overlap', () => {
    const a = period('2026-01-01T00:00:00Z', '2026-02-01T00:00:00.001Z');
    const b = period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    expect(overlaps(a, b)).toBe(true);
  });

  it('a window contained in another overlaps it; open-ended windows overlap everything after their start', () => {
    expect(overlaps(period('2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z'), period('2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z'))).toBe(true);
    expect(overlaps(period('2026-01-01T00:00:00Z', null), period('2030-01-01T00:00:00Z', null))).toBe(true);
    expect(overlaps(period('2026-01-01T00:00:00Z', null), period('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'))).toBe(false);
  });

  it('property: symmetric, and true exactly when some instant is in force in both', () => {
    const arbPeriod = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.option(fc.integer({ min: 1, max: 20 }))).map(([from, len]) => ({
      validFrom: ms(from),
      validTo: len === null ? null : ms(from + len),
    }));
    fc.assert(
      fc.property(arbPeriod, arbPeriod, (a, b) => {
        let shared = false;
        for (let t = 0; t <= 100; t++) if (inForce(a, ms(t)) && inForce(b, ms(t))) shared = true;
        expect(overlaps(a, b)).toBe(shared);
        expect(overlaps(b, a)).toBe(overlaps(a, b));
      }),
    );
  });
});
