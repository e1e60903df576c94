import { describe, expect, it } from 'vitest';
import { CrmError, crmErrorCodes, isCrmError, isCrmErrorCode, type CrmErrorCode } from './errors.js';

const codes = Object.keys(crmErrorCodes) as CrmErrorCode[];

describe('crmErrorCodes', () => {
  it('gives every code a tRPC code, an HTTP status and a retryable flag', () => {
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      const entry = crmErrorCodes[code];
      expect(typeof entry.trpc).toBe('string');
      expect(entry.trpc).toMatch(/^[A-Z_]+$/);
      expect(Number.isInteger(entry.http)).toBe(true);
      expect(entry.http === 0 || (entry.http >= 400 && entry.http <= 599)).toBe(true);
      expect(typeof entry.retryable).toBe('boolean');
    }
  });

  it('marks exactly rate limiting, unavailability, network failures and timeouts as retryable', () => {
    expect(codes.filter((c) => crmErrorCodes[c].retryable).sort()).toEqual(['NETWORK', 'RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);
  });

  it('maps the common codes to their HTTP statuses', () => {
    expect(crmErrorCodes.VALIDATION.http).toBe(400);
    expect(crmErrorCodes.UNAUTHORIZED.http).toBe(401);
    expect(crmErrorCodes.FORBIDDEN.http).toBe(403);
    expect(crmErrorCodes.NOT_FOUND.http).toBe(404);
    expect(crmErrorCodes.CONFLICT.http).toBe(409);
    expect(crmErrorCodes.CYCLE.http).toBe(422);
    expect(crmErrorCodes.RATE_LIMITED.http).toBe(429);
    expect(crmErrorCodes.INTERNAL.http).toBe(500);
    expect(crmErrorCodes.UNAVAILABLE.http).toBe(503);
  });

  it('gives the request-level refusals their own HTTP statuses: 405, 413 and 415', () => {
    expect(crmErrorCodes.METHOD_NOT_SUPPORTED).toEqual({ trpc: 'METHOD_NOT_SUPPORTED', http: 405, retryable: false });
    expect(crmErrorCodes.PAYLOAD_TOO_LARGE).toEqual({ trpc: 'PAYLOAD_TOO_LARGE', http: 413, retryable: false });
    expect(crmErrorCodes.UNSUPPORTED_MEDIA_TYPE).toEqual({ trpc: 'UNSUPPORTED_MEDIA_TYPE', http: 415, retryable: false });
  });

  it('gives every code its own tRPC code and HTTP status, so either names the code (the credit refusals share 402, told apart by crmCode)', () => {
    const credit = ['CREDIT_LIMIT_EXCEEDED', 'CREDIT_HOLD', 'OVERDUE_INVOICES'] as const;
    const others = codes.filter((c) => !(credit as readonly string[]).includes(c));
    expect(new Set(others.map((c) => crmErrorCodes[c].trpc)).size).toBe(others.length);
    expect(new Set(others.map((c) => crmErrorCodes[c].http)).size).toBe(others.length);
    for (const c of credit) expect(crmErrorCodes[c]).toEqual({ trpc: 'PAYMENT_REQUIRED', http: 402, retryable: false });
    expect(others.some((c) => crmErrorCodes[c].http === 402)).toBe(false);
  });
});

describe('CrmError', () => {
  it('takes retryable and httpStatus from the code table for every code', () => {
    for (const code of codes) {
      const err = new CrmError(code, 'x');
      expect(err.retryable).toBe(crmErrorCodes[code].retryable);
      expect(err.httpStatus).toBe(crmErrorCodes[code].http);
    }
    expect(new CrmError('RATE_LIMITED', 'slow down').retryable).toBe(true);
    expect(new CrmError('VALIDATION', 'bad').retryable).toBe(false);
    expect(new CrmError('UNAVAILABLE', 'down').httpStatus).toBe(503);
  });

  it('is an Error named CrmError carrying its code, message, field errors, details and cause', () => {
    const cause = new Error('root');
    const err = new CrmError('CONFLICT', 'stale version', { fieldErrors: { expectedVersion: ['stale'] }, details: { current: 3 }, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('CrmError');
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('stale version');
    expect(err.fieldErrors).toEqual({ expectedVersion: ['stale'] });
    expect(err.details).toEqual({ current: 3 });
    expect(err.cause).toBe(cause);
  });

  it('leaves field errors, details and cause undefined when not given', () => {
    const err = new CrmError('INTERNAL', 'oops');
    expect(err.fieldErrors).toBeUndefined();
    expect(err.details).toBeUndefined();
    expect('cause' in err).toBe(false);
  });

  it('makes a VALIDATION error naming one field with validation()', () => {
    const err = CrmError.validation('email', 'expected an email address');
    expect(err.code).toBe('VALIDATION');
    expect(err.message).toBe('expected an email address');
    expect(err.fieldErrors).toEqual({ email: ['expected an email address'] });
    expect(err.details).toBeUndefined();
    expect(CrmError.validation('', 'bad input', { got: 1 }).details).toEqual({ got: 1 });
  });

  it('makes a NOT_FOUND error naming the entity and id with notFound()', () => {
    const err = CrmError.notFound('account', 'acc_1');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.httpStatus).toBe(404);
    expect(err.message).toBe('account acc_1 not found');
    expect(err.details).toEqual({ entity: 'account', id: 'acc_1' });
  });
});

describe('isCrmError', () => {
  it('is true for a CrmError', () => {
    expect(isCrmError(new CrmError('NOT_FOUND', 'x'))).toBe(true);
  });

  it('is true for a structurally equal error from another copy of the package', () => {
    class OtherCopyCrmError extends Error {
      override readonly name = 'CrmError';
      readonly code = 'CONFLICT';
    }
    expect(isCrmError(new OtherCopyCrmError('x'))).toBe(true);
    expect(isCrmError({ name: 'CrmError', code: 'NOT_FOUND', message: 'gone' })).toBe(true);
  });

  it('is false for other errors and values', () => {
    expect(isCrmError(new Error('x'))).toBe(false);
    expect(isCrmError(new TypeError('x'))).toBe(false);
    expect(isCrmError(Object.assign(new Error('x'), { code: 'NOT_FOUND' }))).toBe(false);
    expect(isCrmError({ name: 'CrmError' })).toBe(false);
    expect(isCrmError({ name: 'CrmError', code: 'NOPE' })).toBe(false);
    expect(isCrmError({ name: 'CrmError', code: 404 })).toBe(false);
    expect(isCrmError({ name: 'Error', code: 'NOT_FOUND' })).toBe(false);
    expect(isCrmError(null)).toBe(false);
    expect(isCrmError(undefined)).toBe(false);
    expect(isCrmError('CrmError')).toBe(false);
  });

  it('is false for a code inherited from Object.prototype, such as toString', () => {
    for (const code of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(isCrmError({ name: 'CrmError', code })).toBe(false);
    }
  });
});

describe('isCrmErrorCode', () => {
  it('is true for every code in the table and false for anything else', () => {
    for (const code of codes) expect(isCrmErrorCode(code)).toBe(true);
    for (const value of ['toString', 'not_found', '', 404, null, undefined, {}]) expect(isCrmErrorCode(value)).toBe(false);
  });
});
