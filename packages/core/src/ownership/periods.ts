/** An effective-dated row: in force from `validFrom` (inclusive) until `validTo` (exclusive) or for good. */
export interface Period {
  validFrom: Date;
  validTo: Date | null;
}

/** Whether the period is in force at `at`. */
export function inForce(period: Period, at: Date): boolean {
  const t = at.getTime();
  return period.validFrom.getTime() <= t && (period.validTo === null || t < period.validTo.getTime());
}

/** The one period of `periods` in force at `at` (the latest-starting one if data overlaps), or null. */
export function inForceAt<P extends Period>(periods: readonly P[], at: Date): P | null {
  let found: P | null = null;
  for (const p of periods) if (inForce(p, at) && (!found || p.validFrom > found.validFrom)) found = p;
  return found;
}

/** Whether two windows share any instant. */
export function overlaps(a: Period, b: Period): boolean {
  const aEnd = a.validTo?.getTime() ?? Infinity;
  const bEnd = b.validTo?.getTime() ?? Infinity;
  return a.validFrom.getTime() < bEnd && b.validFrom.getTime() < aEnd;
}
