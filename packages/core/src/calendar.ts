import { z } from 'zod';
import { DAY_MS, HOUR_MS } from './clock.js';
import { CrmError } from './errors.js';

const TIME_ZONE_MESSAGE = 'expected an IANA time zone such as Asia/Shanghai';
const LOCAL_DATE_MESSAGE = 'expected a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31';

/** One formatter per zone (keyed case-insensitively, as Intl reads zone names), so the cache stays bounded. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a zone Intl does not know. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const key = timeZone.toLowerCase();
  let f = formatters.get(key);
  if (!f) {
    // hourCycle h23: en-US would otherwise write midnight as 24 on some engines; era: years before 1 AD.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, calendar: 'gregory', numberingSystem: 'latn', hourCycle: 'h23',
      era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Whether Intl knows the zone. Offsets such as `+08:00` are refused (newer engines accept them, older
 * ones do not), as are NUL and names over 64 characters.
 */
function isTimeZone(value: string): boolean {
  if (value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return false;
  try {
    formatterFor(value);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

/** An IANA time zone name that Intl knows (`Asia/Shanghai`, `UTC`, `America/New_York`). */
export const timeZoneSchema = z.string().refine(isTimeZone, TIME_ZONE_MESSAGE);
export type TimeZone = z.infer<typeof timeZoneSchema>;

/** A calendar date `YYYY-MM-DD` with no time or zone; its day begins at a different instant in each zone. */
export type LocalDate = string;

/** Days since 1970-01-01 of a valid LocalDate, or null. `setUTCFullYear` because Date.UTC maps years 0–99 to 19xx. */
function epochDayOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  // Date rolls 2026-02-30 over to March; a real date survives the round trip unchanged.
  if (y < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return t.getTime() / DAY_MS;
}

function localDateOfEpochDay(day: number, path: string): LocalDate {
  const t = new Date(day * DAY_MS);
  const y = t.getUTCFullYear();
  if (!(y >= 1 && y <= 9999)) throw CrmError.validation(path, 'the date falls outside 0001-01-01 to 9999-12-31');
  return `${String(y).padStart(4, '0')}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

/** A `YYYY-MM-DD` string naming a real date of years 0001–9999 (`2026-02-30` is refused). */
export const localDateSchema = z.string().refine((s) => epochDayOf(s) !== null, LOCAL_DATE_MESSAGE);

function epochDay(date: LocalDate, path: string): number {
  const day = typeof date === 'string' ? epochDayOf(date) : null;
  if (day === null) throw CrmError.validation(path, LOCAL_DATE_MESSAGE);
  return day;
}

function checkedZone(timeZone: string): Intl.DateTimeFormat {
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) throw CrmError.validation('timeZone', TIME_ZONE_MESSAGE);
  return formatterFor(timeZone);
}

/** The zone's wall-clock reading at instant `t`, as milliseconds since 1970 read as if it were UTC. */
function wallClock(t: number, f: Intl.DateTimeFormat): number {
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(t)) p[type] = value;
  const year = Number(p.year);
  const wall = new Date(0);
  wall.setUTCFullYear(p.era === 'BC' ? 1 - year : year, Number(p.month) - 1, Number(p.day));
  const ms = ((t % 1000) + 1000) % 1000; // offsets are whole seconds; Intl does not print the milliseconds
  wall.setUTCHours(Number(p.hour) % 24, Number(p.minute), Number(p.second), ms);
  return wall.getTime();
}

function checkedInstant(instant: Date): number {
  const t = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw CrmError.validation('instant', 'expected a valid Date');
  return t;
}

/**
 * The calendar date of `instant` on a wall clock in `timeZone`.
 *
 * @example localDateOf(new Date('2026-01-31T16:30:00Z'), 'Asia/Shanghai') // '2026-02-01'
 */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const f = checkedZone(timeZone);
  return localDateOfEpochDay(Math.floor(wallClock(checkedInstant(instant), f) / DAY_MS), 'instant');
}

/**
 * Whole calendar days from `from` to `to` (`to − from`; negative when `to` is earlier).
 *
 * @example daysBetween('2026-01-31', '2026-03-01') // 29
 */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return epochDay(to, 'to') - epochDay(from, 'from');
}

/**
 * The date `days` calendar days after `date` (before it when negative).
 *
 * @example addDays('2028-02-28', 1) // '2028-02-29'
 */
export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isSafeInteger(days)) throw CrmError.validation('days', 'expected a whole number of days');
  return localDateOfEpochDay(epochDay(date, 'date') + days, 'days');
}

/** Offsets (under 16 h, even for historical local mean time) are read this far either side of midnight. */
const SEARCH_MS = 17 * HOUR_MS;

/**
 * The first instant of `date` in `timeZone`. Usually local midnight; when a transition skips midnight
 * (a spring-forward at 00:00, or a whole skipped day such as Pacific/Apia's 2011-12-30) it is the
 * transition instant, the first that reads as `date` or later.
 *
 * @example startOfLocalDay('2026-02-01', 'Asia/Shanghai') // 2026-01-31T16:00:00.000Z
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  return startOfEpochDay(epochDay(date, 'date'), checkedZone(timeZone));
}

/**
 * The exclusive end of `date` in `timeZone`: the first instant of the next day. A local day is
 * `[startOfLocalDay(date), startOfNextLocalDay(date))`, 23 or 25 hours long on DST days.
 *
 * @example startOfNextLocalDay('2026-03-08', 'America/New_York') // 2026-03-09T04:00:00.000Z (23 hours after the start)
 */
export function startOfNextLocalDay(date: LocalDate, timeZone: string): Date {
  return startOfEpochDay(epochDay(date, 'date') + 1, checkedZone(timeZone));
}

function startOfEpochDay(day: number, f: Intl.DateTimeFormat): Date {
  const midnight = day * DAY_MS; // the wall-clock reading to find
  // Local midnight is `midnight − offset` for the offset in force then: the one before or after
  // any transition nearby. Where both fit (midnight repeats), the earlier wins.
  let first = Number.POSITIVE_INFINITY;
  for (const probe of [midnight - SEARCH_MS, midnight + SEARCH_MS]) {
    const t = midnight - (wallClock(probe, f) - probe);
    if (t < first && wallClock(t, f) === midnight) first = t;
  }
  if (first !== Number.POSITIVE_INFINITY) return new Date(first);
  // Midnight was skipped: find the first instant whose reading is at or past it.
  let lo = midnight - SEARCH_MS; // reads before midnight
  let hi = midnight + SEARCH_MS; // reads after it
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (wallClock(mid, f) >= midnight) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
