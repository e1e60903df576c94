import { TRPCClientError } from '@trpc/client';
import { CrmError, isCrmErrorCode, type FieldErrors } from '@crmkit/core';

/**
 * What fetch fails with when an HTTP error answer has no JSON body (a proxy's or load balancer's page):
 * tRPC would fail parsing it and drop the response, so its status and Retry-After are kept here.
 */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  readonly response: Response;
  constructor(response: Response) {
    super(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    this.response = response;
  }
}

/** The HTTP response a failed call got, if it got one. */
export function responseOf(error: unknown): { status?: unknown; headers?: Headers } | undefined {
  const e = error as { meta?: { response?: { status?: unknown; headers?: Headers } }; cause?: unknown } | null | undefined;
  return e?.meta?.response ?? (e?.cause instanceof HttpStatusError ? e.cause.response : undefined);
}

function statusOf(error: TRPCClientError<never>): number | undefined {
  const response = responseOf(error);
  return typeof response?.status === 'number' ? response.status : undefined;
}

function isTimeout(cause: unknown): boolean {
  return cause instanceof Error && (cause.name === 'TimeoutError' || (cause.name === 'AbortError' && /timeout/i.test(String((cause as { cause?: unknown }).cause ?? cause.message))));
}

/**
 * Turns whatever a call failed with into a CrmError: the server's domain code when it sent one,
 * else TIMEOUT, NETWORK, UNAVAILABLE / RATE_LIMITED (by HTTP status) or BAD_RESPONSE.
 */
export function toClientError(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  if (error instanceof TRPCClientError) {
    const data = error.data as { crmCode?: unknown; fieldErrors?: FieldErrors | null; details?: Record<string, unknown> | null } | undefined;
    if (data && isCrmErrorCode(data.crmCode)) {
      return new CrmError(data.crmCode, error.message, { ...(data.fieldErrors ? { fieldErrors: data.fieldErrors } : {}), ...(data.details ? { details: data.details } : {}), cause: error });
    }
    const cause = error.cause;
    if (isTimeout(cause)) return new CrmError('TIMEOUT', 'crmkit did not answer in time', { cause: error });
    if (cause instanceof Error && cause.name === 'AbortError') return new CrmError('NETWORK', 'the request was cancelled by the caller', { cause: error, details: { cancelled: true } });
    const status = statusOf(error as TRPCClientError<never>);
    if (status === 429) return new CrmError('RATE_LIMITED', 'too many requests', { cause: error, details: { status } });
    if (status === 502 || status === 503 || status === 504) return new CrmError('UNAVAILABLE', `crmkit is unavailable (HTTP ${status})`, { cause: error, details: { status } });
    if (status === undefined && (cause instanceof TypeError || (cause instanceof Error && /fetch failed|network|ECONNREFUSED|ECONNRESET|socket/i.test(cause.message)))) {
      return new CrmError('NETWORK', 'could not reach crmkit', { cause: error });
    }
    return new CrmError('BAD_RESPONSE', `unexpected answer from crmkit${status ? ` (HTTP ${status})` : ''}: ${error.message}`, { cause: error, ...(status ? { details: { status } } : {}) });
  }
  if (isTimeout(error)) return new CrmError('TIMEOUT', 'crmkit did not answer in time', { cause: error });
  return new CrmError('NETWORK', error instanceof Error ? error.message : 'request failed', { cause: error });
}
