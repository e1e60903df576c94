import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from './__tests__/crm-error-from.js';
import { addDays, daysBetween, localDateOf, localDateSchema, startOfLocalDay, startOfNextLocalDay, timeZoneSchema } from './calendar.js';
import { DAY_MS, HOUR_MS } from './clock.js';

const at = (iso: string) => new Date(iso);
const hoursIn = (date: string, zone: string) => (startOfNextLocalDay(date, zone).getTime() - startOfLocalDay(date, zone).getTime()) / HOUR_MS;

/** Zones with whole, half and quarter hour offsets, DST both ways, transitions at midnight and a skipped day. */
const zones = [
  'UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'America/Sao_Paulo', 'America/Havana',
  'America/Santiago', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tehran', 'Australia/Lord_Howe', 'Pacific/Chatham',
  'Pacific/Apia', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/St_Johns', 'Africa/Casablanca', 'Antarctica/Troll',
];

const MIN_1970 = Date.UTC(1970, 0, 1);
const MAX_2100 = Date.UTC(2101, 0, 1) - 1;
const instant1970to2100 = fc.integer({ min: MIN_1970, max: MAX_2100 });
/** A date of 1970–2100, written by Date rather than by the code under test. */
const date1970to2100 = fc.integer({ min: 0, max: (MAX_2100 - MIN_1970) / DAY_MS | 0 }).map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10));

describe('timeZoneSchema', () => {
  it('accepts IANA zone names', () => {
    for (const zone of ['Asia/Shanghai', 'UTC', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Europe/London']) {
      expect(timeZoneSchema.parse(zone)).toBe(zone);
    }
  });

  it('refuses unknown zones, offsets, NUL and names over 64 characters, with one message', () => {
    for (const zone of ['', 'Mars/Olympus', 'Asia/Shanghai ', '+08:00', '-05:00', 'UTC+8', 'Asia/Shanghai\u0000', `Asia/${'x'.repeat(60)}`, '../etc/passwd']) {
      const parsed = timeZoneSchema.safeParse(zone);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message)).toEqual(['expected an IANA time zone such as Asia/Shanghai']);
    }
  });

  it('makes the calendar functions refuse an unknown zone with VALIDATION on timeZone', () => {
    for (const call of [() => localDateOf(at('2026-01-01T00:00:00Z'), 'Mars/Olympus'), () => startOfLocalDay('2026-01-01', '+08:00'), () => startOfNextLocalDay('2026-01-01', '')]) {
      const err = crmErrorFrom(call);
      expect(err.code).toBe('VALIDATION');
      expect(err.fieldErrors).toEqual({ timeZone: ['expected an IANA time zone such as Asia/Shanghai'] });
    }
  });
});

describe('localDateSchema', () => {
  it('accepts real dates of years 0001 to 9999', () => {
    for (const date of ['2026-02-28', '2028-02-29', '2000-02-29', '0001-01-01', '0099-12-31', '9999-12-31']) expect(localDateSchema.parse(date)).toBe(date);
  });

  it('refuses dates that do not exist, year 0000 and other shapes', () => {
    for (const date of ['2026-02-30', '2026-02-29', '2100-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-12-31',
      '2026-2-1', '26-02-01', '20260-01-01', '2026-02-01T00:00', ' 2026-02-01', '2026/02/01', '２０２６-02-01', '']) {
      expect(localDateSchema.safeParse(date).success).toBe(false);
    }
  });
});

describe('localDateOf', () => {
  it('reads 2026-01-31T16:30Z as 1 February in Shanghai and 31 January in UTC', () => {
    expect(localDateOf(at('2026-01-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-02-01');
    expect(localDateOf(at('2026-01-31T16:30:00Z'), 'UTC')).toBe('2026-01-31');
    expect(localDateOf(at('2026-01-31T15:59:59.999Z'), 'Asia/Shanghai')).toBe('2026-01-31');
    expect(localDateOf(at('2026-01-31T16:00:00.000Z'), 'Asia/Shanghai')).toBe('2026-02-01');
  });

  it('is exact to the millisecond at DST transitions in New York', () => {
    // 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST
    expect(localDateOf(at('2026-03-08T04:59:59.999Z'), 'America/New_York')).toBe('2026-03-07');
    expect(localDateOf(at('2026-03-08T05:00:00.000Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDateOf(at('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDateOf(at('2026-03-09T04:00:00.000Z'), 'America/New_York')).toBe('2026-03-09');
    expect(localDateOf(at('2026-11-02T04:59:59.999Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDateOf(at('2026-11-02T05:00:00.000Z'), 'America/New_York')).toBe('2026-11-02');
  });

  it('pads years before 1000 and reads instants before 1970', () => {
    expect(localDateOf(at('0500-06-15T12:00:00Z'), 'UTC')).toBe('0500-06-15');
    expect(localDateOf(at('0001-01-01T00:00:00Z'), 'Asia/Shanghai')).toBe('0001-01-01');
    expect(localDateOf(at('1969-12-31T23:59:59.999Z'), 'UTC')).toBe('1969-12-31');
  });

  it('refuses an invalid Date, or one whose local date is outside 0001–9999, with VALIDATION on instant', () => {
    for (const call of [() => localDateOf(new Date('nope'), 'UTC'), () => localDateOf(at('0001-01-01T00:00:00Z'), 'America/New_York'), () => localDateOf(at('9999-12-31T23:00:00Z'), 'Asia/Shanghai')]) {
      const err = crmErrorFrom(call);
      expect(err.code).toBe('VALIDATION');
      expect(Object.keys(err.fieldErrors ?? {})).toEqual(['instant']);
    }
  });

  it('agrees with the ISO date in UTC for any instant of years 0001–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0001-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (t) => {
        expect(localDateOf(new Date(t), 'UTC')).toBe(new Date(t).toISOString().slice(0, 10));
      }),
    );
  });
});

describe('startOfLocalDay and startOfNextLocalDay', () => {
  it('starts 1 February in Shanghai at 2026-01-31T16:00Z', () => {
    expect(startOfLocalDay('2026-02-01', 'Asia/Shanghai')).toEqual(at('2026-01-31T16:00:00.000Z'));
    expect(startOfNextLocalDay('2026-01-31', 'Asia/Shanghai')).toEqual(at('2026-01-31T16:00:00.000Z'));
    expect(startOfLocalDay('2026-02-01', 'UTC')).toEqual(at('2026-02-01T00:00:00.000Z'));
    expect(startOfLocalDay('2026-01-01', 'Asia/Kolkata')).toEqual(at('2025-12-31T18:30:00.000Z'));
  });

  it('gives New York 23 hours on 2026-03-08, 25 on 2026-11-01 and 24 on the days around them', () => {
    expect(startOfLocalDay('2026-03-08', 'America/New_York')).toEqual(at('2026-03-08T05:00:00.000Z'));
    expect(startOfNextLocalDay('2026-03-08', 'America/New_York')).toEqual(at('2026-03-09T04:00:00.000Z'));
    expect(hoursIn('2026-03-08', 'America/New_York')).toBe(23);
    expect(startOfLocalDay('2026-11-01', 'America/New_York')).toEqual(at('2026-11-01T04:00:00.000Z'));
    expect(startOfNextLocalDay('2026-11-01', 'America/New_York')).toEqual(at('2026-11-02T05:00:00.000Z'));
    expect(hoursIn('2026-11-01', 'America/New_York')).toBe(25);
    for (const date of ['2026-03-07', '2026-03-09', '2026-10-31', '2026-11-02']) expect(hoursIn(date, 'America/New_York')).toBe(24);
  });

  it('starts a day whose midnight is skipped at the first instant that exists (São Paulo, 2018-11-04 00:00 → 01:00)', () => {
    expect(startOfLocalDay('2018-11-04', 'America/Sao_Paulo')).toEqual(at('2018-11-04T03:00:00.000Z')); // 01:00 -02
    expect(hoursIn('2018-11-03', 'America/Sao_Paulo')).toBe(24);
    expect(hoursIn('2018-11-04', 'America/Sao_Paulo')).toBe(23);
  });

  it('gives the day before a fall-back at midnight 25 hours (São Paulo, 2019-02-17 00:00 → 2019-02-16 23:00)', () => {
    expect(startOfLocalDay('2019-02-17', 'America/Sao_Paulo')).toEqual(at('2019-02-17T03:00:00.000Z'));
    expect(hoursIn('2019-02-16', 'America/Sao_Paulo')).toBe(25);
  });

  it('gives a skipped day no length (Pacific/Apia went from 2011-12-29 to 2011-12-31)', () => {
    expect(startOfLocalDay('2011-12-30', 'Pacific/Apia')).toEqual(at('2011-12-30T10:00:00.000Z'));
    expect(startOfLocalDay('2011-12-31', 'Pacific/Apia')).toEqual(at('2011-12-30T10:00:00.000Z'));
    expect(hoursIn('2011-12-29', 'Pacific/Apia')).toBe(24);
  });

  it('follows historical offsets to the second and years before 1000', () => {
    // Shanghai kept local mean time, +08:05:43, until 1901
    expect(startOfLocalDay('1890-01-01', 'Asia/Shanghai')).toEqual(at('1889-12-31T15:54:17.000Z'));
    expect(startOfLocalDay('0500-06-15', 'UTC')).toEqual(at('0500-06-15T00:00:00.000Z'));
    expect(startOfLocalDay('0001-01-01', 'UTC')).toEqual(at('0001-01-01T00:00:00.000Z'));
    expect(startOfNextLocalDay('9999-12-31', 'UTC')).toEqual(new Date(Date.UTC(10000, 0, 1)));
  });

  it('refuses a date that is not YYYY-MM-DD with VALIDATION on date', () => {
    for (const call of [() => startOfLocalDay('2026-02-30', 'UTC'), () => startOfNextLocalDay('2026-2-1', 'UTC')]) {
      const err = crmErrorFrom(call);
      expect(err.code).toBe('VALIDATION');
      expect(Object.keys(err.fieldErrors ?? {})).toEqual(['date']);
    }
  });

  it('puts every instant of 1970–2100 inside its own local day, in every zone', () => {
    fc.assert(
      fc.property(instant1970to2100, fc.constantFrom(...zones), (t, zone) => {
        const date = localDateOf(new Date(t), zone);
        expect(startOfLocalDay(date, zone).getTime()).toBeLessThanOrEqual(t);
        expect(startOfNextLocalDay(date, zone).getTime()).toBeGreaterThan(t);
      }),
      { numRuns: 500 },
    );
  });

  it('starts each day at an instant of that day (or of a later one, for a skipped day) right after an instant of an earlier day', () => {
    fc.assert(
      fc.property(date1970to2100, fc.constantFrom(...zones), fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }), (date, zone, delta) => {
        const start = startOfLocalDay(date, zone).getTime();
        expect(localDateOf(new Date(start), zone) >= date).toBe(true);
        expect(localDateOf(new Date(start - 1), zone) < date).toBe(true);
        // and instants near the boundary land in their own day
        const t = start + delta;
        const own = localDateOf(new Date(t), zone);
        expect(startOfLocalDay(own, zone).getTime()).toBeLessThanOrEqual(t);
        expect(startOfNextLocalDay(own, zone).getTime()).toBeGreaterThan(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe('daysBetween and addDays', () => {
  it('counts calendar days across month ends and leap days', () => {
    expect(daysBetween('2026-01-31', '2026-02-01')).toBe(1);
    expect(daysBetween('2026-02-01', '2026-01-31')).toBe(-1);
    expect(daysBetween('2026-01-31', '2026-01-31')).toBe(0);
    expect(daysBetween('2026-01-31', '2026-03-01')).toBe(29);
    expect(daysBetween('2028-01-31', '2028-03-01')).toBe(30);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
    expect(daysBetween('2100-01-01', '2101-01-01')).toBe(365);
    expect(daysBetween('2000-01-01', '2001-01-01')).toBe(366);
    expect(daysBetween('0001-01-01', '9999-12-31')).toBe(3_652_058);
  });

  it('adds days through the leap day of 2028', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
    expect(addDays('2026-02-01', 0)).toBe('2026-02-01');
  });

  it('refuses invalid dates, fractional days and results outside 0001–9999 with VALIDATION', () => {
    expect(Object.keys(crmErrorFrom(() => daysBetween('2026-02-30', '2026-03-01')).fieldErrors ?? {})).toEqual(['from']);
    expect(Object.keys(crmErrorFrom(() => daysBetween('2026-02-01', '2026-02-1')).fieldErrors ?? {})).toEqual(['to']);
    expect(Object.keys(crmErrorFrom(() => addDays('2026-02-01', 1.5)).fieldErrors ?? {})).toEqual(['days']);
    expect(Object.keys(crmErrorFrom(() => addDays('2026-02-01', Number.NaN)).fieldErrors ?? {})).toEqual(['days']);
    expect(Object.keys(crmErrorFrom(() => addDays('9999-12-31', 1)).fieldErrors ?? {})).toEqual(['days']);
    expect(Object.keys(crmErrorFrom(() => addDays('0001-01-01', -1)).fieldErrors ?? {})).toEqual(['days']);
    expect(Object.keys(crmErrorFrom(() => addDays('2026-01-01', Number.MAX_SAFE_INTEGER)).fieldErrors ?? {})).toEqual(['days']);
  });

  it('round-trips: daysBetween(d, addDays(d, n)) is n and addDays back by −n returns d', () => {
    fc.assert(
      fc.property(date1970to2100, fc.integer({ min: -600_000, max: 600_000 }), (date, n) => {
        const later = addDays(date, n);
        expect(localDateSchema.safeParse(later).success).toBe(true);
        expect(daysBetween(date, later)).toBe(n);
        expect(addDays(later, -n)).toBe(date);
      }),
    );
  });

  it('agrees with Date.UTC day counts for years 1000–9999', () => {
    const dateOf = fc.integer({ min: Date.UTC(1000, 0, 1) / DAY_MS, max: Date.UTC(9999, 11, 31) / DAY_MS }).map((d) => new Date(d * DAY_MS));
    fc.assert(
      fc.property(dateOf, dateOf, (a, b) => {
        expect(daysBetween(a.toISOString().slice(0, 10), b.toISOString().slice(0, 10))).toBe((b.getTime() - a.getTime()) / DAY_MS);
      }),
    );
  });
});
