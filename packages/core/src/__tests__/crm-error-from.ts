import { isCrmError, type CrmError } from '../errors.js';

/** Runs fn and returns the CrmError it throws; fails the test when it throws nothing or something else. */
export function crmErrorFrom(fn: () => unknown): CrmError {
  try {
    fn();
  } catch (e) {
    if (isCrmError(e)) return e;
    throw new Error(`expected a CrmError, got ${String(e)}`);
  }
  throw new Error('expected a CrmError, but nothing was thrown');
}
