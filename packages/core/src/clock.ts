/** The only source of "now" in crmkit, so time-driven rules can be tested across any boundary. */
export interface Clock {
  now(): Date;
}

/** Reads the system time. */
export const systemClock: Clock = { now: () => new Date() };

export interface FakeClock extends Clock {
  /** Moves time forward by milliseconds (or backwards with a negative number). */
  advance(ms: number): Date;
  set(at: Date | string): Date;
}

/**
 * A clock that only moves when told to.
 *
 * @example
 * const clock = createFakeClock('2026-12-31T23:59:00Z');
 * clock.advance(2 * 60_000); // now 2027-01-01T00:01:00Z
 */
export function createFakeClock(start: Date | string = '2026-01-01T00:00:00Z'): FakeClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new RangeError(`invalid start time: ${String(start)}`);
  return {
    now: () => new Date(current),
    advance(ms) {
      if (!Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms}`);
      current += ms;
      return new Date(current);
    },
    set(at) {
      const t = new Date(at).getTime();
      if (Number.isNaN(t)) throw new RangeError(`invalid time: ${String(at)}`);
      current = t;
      return new Date(current);
    },
  };
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
