import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from './clock.js';
import { idPattern, idPrefixes, newId } from './ids.js';

// newId keeps process-wide state (the last time and random part), so every test here works at
// times later than the tests before it, in file order.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The millisecond time encoded in the 10 characters after the prefix. */
function timeOf(id: string): number {
  const timePart = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let t = 0;
  for (const c of timePart) t = t * 32 + CROCKFORD.indexOf(c);
  return t;
}

describe('newId', () => {
  it('starts with the prefix and an underscore and matches idPattern for that prefix', () => {
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    for (const prefix of Object.values(idPrefixes)) {
      const id = newId(prefix, clock);
      expect(id.startsWith(`${prefix}_`)).toBe(true);
      expect(id).toHaveLength(prefix.length + 1 + 26);
      expect(id).toMatch(idPattern(prefix));
    }
  });

  it('encodes the clock time in its first 10 characters after the prefix', () => {
    const clock = createFakeClock('2026-01-02T03:04:05.678Z');
    expect(timeOf(newId('acc', clock))).toBe(Date.parse('2026-01-02T03:04:05.678Z'));
  });

  it('sorts ids made while the clock stands still strictly in creation order', () => {
    const clock = createFakeClock('2026-02-01T00:00:00Z');
    const ids = Array.from({ length: 2000 }, () => newId('acc', clock));
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => timeOf(id) === Date.parse('2026-02-01T00:00:00Z'))).toBe(true);
  });

  it('sorts an id made at a later time after one made earlier', () => {
    const clock = createFakeClock('2026-03-01T00:00:00Z');
    const earlier = newId('acc', clock);
    clock.advance(1);
    const later = newId('acc', clock);
    expect(earlier < later).toBe(true);
    expect(timeOf(later) - timeOf(earlier)).toBe(1);
    clock.set('2027-01-01T00:00:00Z');
    const muchLater = newId('acc', clock);
    expect(later < muchLater).toBe(true);
    expect(timeOf(muchLater)).toBe(Date.parse('2027-01-01T00:00:00Z'));
  });

  it('keeps sorting in creation order when the clock goes backwards, reusing the latest time', () => {
    const clock = createFakeClock('2027-06-01T00:00:00Z');
    const first = newId('acc', clock);
    clock.advance(-60_000);
    const second = newId('acc', clock);
    expect(first < second).toBe(true);
    expect(timeOf(second)).toBe(Date.parse('2027-06-01T00:00:00Z'));
  });

  it('sorts ids in creation order for any sequence of clock moves, encoding the latest time seen', () => {
    let base = Date.parse('2030-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 60 }), (steps) => {
        base += 1_000_000; // beyond every time used before (each run moves at most ±180 ms)
        const clock = createFakeClock(new Date(base));
        let latest = Number.NEGATIVE_INFINITY;
        let previous = '';
        for (const step of steps) {
          const now = clock.advance(step).getTime();
          latest = Math.max(latest, now);
          const id = newId('evt', clock);
          expect(id > previous).toBe(true);
          expect(timeOf(id)).toBe(latest);
          previous = id;
        }
      }),
    );
  });
});

describe('idPattern', () => {
  it('accepts only upper-case Crockford base32 of exactly 26 characters after the prefix', () => {
    const pattern = idPattern('acc');
    expect(pattern.test('acc_01JDQ3ABCDEFGHJKMNPQRSTVWX')).toBe(true);
    expect(pattern.test('acc_01JDQ3ABCDEFGHJKMNPQRSTVW')).toBe(false); // 25 characters
    expect(pattern.test('acc_01JDQ3ABCDEFGHJKMNPQRSTVWXY')).toBe(false); // 27 characters
    expect(pattern.test('acc_01jdq3abcdefghjkmnpqrstvwx')).toBe(false); // lower case
    for (const letter of 'ILOU') expect(pattern.test(`acc_01JDQ3ABCDEFGHJKMNPQRST${letter}X`)).toBe(false);
    expect(pattern.test('con_01JDQ3ABCDEFGHJKMNPQRSTVWX')).toBe(false); // another prefix
    expect(pattern.test(' acc_01JDQ3ABCDEFGHJKMNPQRSTVWX')).toBe(false);
  });

  it('refuses an id made with another prefix', () => {
    const id = newId('con', createFakeClock('2031-01-01T00:00:00Z'));
    expect(id).toMatch(idPattern('con'));
    expect(id).not.toMatch(idPattern('acc'));
  });
});
