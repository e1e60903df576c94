import { describe, expect, it } from 'vitest';
import { createFakeClock, DAY_MS, HOUR_MS, MINUTE_MS, systemClock } from './clock.js';

describe('createFakeClock', () => {
  it('starts at 2026-01-01T00:00:00Z by default and stands still until told to move', () => {
    const clock = createFakeClock();
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('advances across a year end: 2026-12-31T23:59Z plus 2 minutes is 2027-01-01T00:01Z', () => {
    const clock = createFakeClock('2026-12-31T23:59:00Z');
    const after = clock.advance(2 * MINUTE_MS);
    expect(after.toISOString()).toBe('2027-01-01T00:01:00.000Z');
    expect(clock.now().toISOString()).toBe('2027-01-01T00:01:00.000Z');
  });

  it('advances across a month end, including the leap day', () => {
    const clock = createFakeClock('2026-01-31T23:30:00Z');
    expect(clock.advance(HOUR_MS).toISOString()).toBe('2026-02-01T00:30:00.000Z');
    clock.set('2028-02-28T12:00:00Z');
    expect(clock.advance(DAY_MS).toISOString()).toBe('2028-02-29T12:00:00.000Z');
    expect(clock.advance(DAY_MS).toISOString()).toBe('2028-03-01T12:00:00.000Z');
    clock.set('2026-02-28T12:00:00Z');
    expect(clock.advance(DAY_MS).toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('moves backwards when advanced by a negative number', () => {
    const clock = createFakeClock('2027-01-01T00:00:00Z');
    expect(clock.advance(-1).toISOString()).toBe('2026-12-31T23:59:59.999Z');
  });

  it('jumps to the time given to set, as a string or a Date', () => {
    const clock = createFakeClock();
    expect(clock.set('2030-05-06T07:08:09.010Z').toISOString()).toBe('2030-05-06T07:08:09.010Z');
    expect(clock.now().toISOString()).toBe('2030-05-06T07:08:09.010Z');
    clock.set(new Date('2020-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });

  it('throws RangeError for an invalid start time', () => {
    expect(() => createFakeClock('not a date')).toThrow(RangeError);
    expect(() => createFakeClock(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('throws RangeError for an invalid time given to set and keeps its time', () => {
    const clock = createFakeClock('2026-06-01T00:00:00Z');
    expect(() => clock.set('2026-13-45')).toThrow(RangeError);
    expect(() => clock.set(new Date(Number.NaN))).toThrow(RangeError);
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });

  it('is not moved by changes to the Dates it was given or returned', () => {
    const start = new Date('2026-06-01T00:00:00Z');
    const clock = createFakeClock(start);
    start.setUTCFullYear(1999);
    clock.now().setUTCFullYear(1998);
    clock.advance(0).setUTCFullYear(1997);
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });

  it('has minute, hour and day constants in milliseconds', () => {
    expect(MINUTE_MS).toBe(60_000);
    expect(HOUR_MS).toBe(3_600_000);
    expect(DAY_MS).toBe(86_400_000);
  });
});

describe('systemClock', () => {
  it('reads the system time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('fake clock input checks', () => {
  it('refuses to advance by a non-finite amount and keeps its time', () => {
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
