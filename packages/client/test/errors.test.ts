import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { HttpStatusError } from '../src/errors.js';
import { CrmError, crmErrorCodes, isRetryable, toClientError, type CrmErrorCode } from '../src/index.js';

const allCodes = Object.keys(crmErrorCodes) as CrmErrorCode[];
const retryableFor = (type: 'query' | 'mutation' | 'subscription') => allCodes.filter((code) => isRetryable(type, code)).sort();

describe('isRetryable', () => {
  it('lets queries retry NETWORK, TIMEOUT, UNAVAILABLE and RATE_LIMITED only', () => {
    expect(retryableFor('query')).toEqual(['NETWORK', 'RATE_LIMITED', 'TIMEOUT', 'UNAVAILABLE']);
  });

  it('lets mutations retry only UNAVAILABLE and RATE_LIMITED, where the server did nothing', () => {
    expect(retryableFor('mutation')).toEqual(['RATE_LIMITED', 'UNAVAILABLE']);
    expect(isRetryable('mutation', 'NETWORK')).toBe(false);
    expect(isRetryable('mutation', 'TIMEOUT')).toBe(false);
  });

  it('never retries VALIDATION or any other code crmkit marks as not retryable', () => {
    for (const type of ['query', 'mutation', 'subscription'] as const) {
      expect(isRetryable(type, 'VALIDATION')).toBe(false);
      for (const code of allCodes.filter((c) => !crmErrorCodes[c].retryable)) expect(isRetryable(type, code), `${type} ${code}`).toBe(false);
    }
  });
});

describe('toClientError', () => {
  const clientError = (opts: { cause?: Error; status?: number; data?: unknown }) => {
    const error = new TRPCClientError<never>('call failed', {
      ...(opts.cause ? { cause: opts.cause } : {}),
      ...(opts.status ? { meta: { response: new Response(null, { status: opts.status }) } } : {}),
      ...(opts.data ? { result: { error: { message: 'call failed', code: -32600, data: opts.data } } as never } : {}),
    });
    return error;
  };

  it('returns a CrmError unchanged', () => {
    const original = new CrmError('CONFLICT', 'stale');
    expect(toClientError(original)).toBe(original);
  });

  it("keeps the server's code, message, fieldErrors and details", () => {
    const error = toClientError(clientError({ data: { crmCode: 'VALIDATION', fieldErrors: { name: ['too short'] }, details: { max: 200 } } }));
    expect(error).toBeInstanceOf(CrmError);
    expect({ code: error.code, message: error.message, fieldErrors: error.fieldErrors, details: error.details }).toEqual({
      code: 'VALIDATION',
      message: 'call failed',
      fieldErrors: { name: ['too short'] },
      details: { max: 200 },
    });
  });

  it('maps HTTP statuses without a crmkit code: 429 to RATE_LIMITED, 502/503/504 to UNAVAILABLE, others to BAD_RESPONSE', () => {
    expect([429, 502, 503, 504, 500, 404].map((status) => toClientError(clientError({ status })).code)).toEqual([
      'RATE_LIMITED', 'UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE', 'BAD_RESPONSE', 'BAD_RESPONSE',
    ]);
  });

  it('reads the status of a non-JSON error page from the HttpStatusError fetch failed with', () => {
    const error = toClientError(clientError({ cause: new HttpStatusError(new Response('<html>busy</html>', { status: 503, statusText: 'Service Unavailable' })) }));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toEqual({ status: 503 });
  });

  it('maps a timeout abort to TIMEOUT and a failed fetch to NETWORK', () => {
    expect(toClientError(clientError({ cause: new DOMException('The operation was aborted due to timeout', 'TimeoutError') })).code).toBe('TIMEOUT');
    expect(toClientError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).code).toBe('TIMEOUT');
    expect(toClientError(clientError({ cause: new TypeError('fetch failed') })).code).toBe('NETWORK');
    expect(toClientError(clientError({ cause: new Error('read ECONNRESET') })).code).toBe('NETWORK');
  });

  it('reports an unparseable answer without a status as BAD_RESPONSE', () => {
    const error = toClientError(clientError({ cause: new SyntaxError('Unexpected token < in JSON') }));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.details).toBeUndefined();
  });
});

describe('cancellation', () => {
  it('reports a call the caller aborted as NETWORK (cancelled), not as a bad response', async () => {
    const { TRPCClientError } = await import('@trpc/client');
    const { toClientError } = await import('../src/errors.js');
    const abort = new DOMException('This operation was aborted', 'AbortError');
    const error = toClientError(TRPCClientError.from(abort));
    expect(error.code).toBe('NETWORK');
    expect(error.details).toEqual({ cancelled: true });
  });
});
