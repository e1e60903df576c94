/**
 * Every failure crmkit reports has one of these codes. This is the one table that maps a
 * code to its tRPC code, HTTP status and whether a client may retry the same request.
 */
export const crmErrorCodes = {
  /** Input failed validation; `fieldErrors` names the offending fields by path. */
  VALIDATION: { trpc: 'BAD_REQUEST', http: 400, retryable: false },
  /** The HTTP method is not one this endpoint answers (the answer's `Allow` header lists those it does). */
  METHOD_NOT_SUPPORTED: { trpc: 'METHOD_NOT_SUPPORTED', http: 405, retryable: false },
  /** The request is larger than the server accepts: a body over its size limit, or a batch over its call limit. */
  PAYLOAD_TOO_LARGE: { trpc: 'PAYLOAD_TOO_LARGE', http: 413, retryable: false },
  /** The request body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: { trpc: 'UNSUPPORTED_MEDIA_TYPE', http: 415, retryable: false },
  /** No or bad credentials (missing, malformed, expired, revoked, tampered). Carries no detail. */
  UNAUTHORIZED: { trpc: 'UNAUTHORIZED', http: 401, retryable: false },
  /** Authenticated, but the role or the API key's scopes do not allow this. */
  FORBIDDEN: { trpc: 'FORBIDDEN', http: 403, retryable: false },
  /** No such entity in the caller's tenant (also the answer for another tenant's ids). */
  NOT_FOUND: { trpc: 'NOT_FOUND', http: 404, retryable: false },
  /** The write conflicts with current state: a duplicate key, or a stale `expectedVersion`. */
  CONFLICT: { trpc: 'CONFLICT', http: 409, retryable: false },
  /** The change would make a hierarchy loop (an account would become its own ancestor). */
  CYCLE: { trpc: 'UNPROCESSABLE_CONTENT', http: 422, retryable: false },
  /** The entity's state forbids the change (for example editing an archived account). */
  PRECONDITION_FAILED: { trpc: 'PRECONDITION_FAILED', http: 412, retryable: false },
  // The credit refusals share 402 (tRPC PAYMENT_REQUIRED): the answer's `data.crmCode` tells them apart.
  /** Confirming would push an own or group limit on the bill-to account's path over; `details.breaches` names each limit, its exposure, the order's amount and the shortfall. */
  CREDIT_LIMIT_EXCEEDED: { trpc: 'PAYMENT_REQUIRED', http: 402, retryable: false },
  /** An account on the bill-to account's path is on credit hold; `details.holds` says which, why and since when. */
  CREDIT_HOLD: { trpc: 'PAYMENT_REQUIRED', http: 402, retryable: false },
  /** The tenant blocks new orders while an invoice of the path is overdue beyond its policy; `details.overdue` lists them. */
  OVERDUE_INVOICES: { trpc: 'PAYMENT_REQUIRED', http: 402, retryable: false },
  /** Too many requests; retry after a pause. */
  RATE_LIMITED: { trpc: 'TOO_MANY_REQUESTS', http: 429, retryable: true },
  /** The server cannot answer now (overloaded, shutting down, database unreachable, busy or read-only). */
  UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', http: 503, retryable: true },
  /** Client side: the request did not reach the server or the connection broke. */
  NETWORK: { trpc: 'CLIENT_CLOSED_REQUEST', http: 0, retryable: true },
  /** Client side: no answer within the client's timeout. */
  TIMEOUT: { trpc: 'TIMEOUT', http: 408, retryable: true },
  /** Client side: the server's answer could not be understood (not crmkit, or corrupted). */
  BAD_RESPONSE: { trpc: 'PARSE_ERROR', http: 502, retryable: false },
  /** An unexpected failure on the server; details are in the server log, never in the answer. */
  INTERNAL: { trpc: 'INTERNAL_SERVER_ERROR', http: 500, retryable: false },
} as const satisfies Record<string, { trpc: string; http: number; retryable: boolean }>;

export type CrmErrorCode = keyof typeof crmErrorCodes;
export type CrmTrpcCode = (typeof crmErrorCodes)[CrmErrorCode]['trpc'];

/** Field path (dot-joined, `''` for the input itself) → messages. */
export type FieldErrors = Record<string, string[]>;

export interface CrmErrorOptions {
  fieldErrors?: FieldErrors;
  /** Machine-readable facts about the failure (for example the ids on a cycle's path). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type crmkit throws, on the server and in the client.
 *
 * @example
 * try { await crm.accounts.get.query({ id }) }
 * catch (e) { if (isCrmError(e) && e.code === 'NOT_FOUND') showMissing() }
 */
export class CrmError extends Error {
  override readonly name = 'CrmError';
  readonly code: CrmErrorCode;
  readonly fieldErrors: FieldErrors | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: CrmErrorCode, message: string, options: CrmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fieldErrors = options.fieldErrors;
    this.details = options.details;
  }

  /** Whether repeating the same request may succeed. */
  get retryable(): boolean {
    return crmErrorCodes[this.code].retryable;
  }

  get httpStatus(): number {
    return crmErrorCodes[this.code].http;
  }

  /** A VALIDATION error for one field. */
  static validation(path: string, message: string, details?: Record<string, unknown>): CrmError {
    return new CrmError('VALIDATION', message, { fieldErrors: { [path]: [message] }, ...(details ? { details } : {}) });
  }

  static notFound(entity: string, id: string): CrmError {
    return new CrmError('NOT_FOUND', `${entity} ${id} not found`, { details: { entity, id } });
  }
}

/** True for a CrmError, including one from another copy of this package. */
export function isCrmError(value: unknown): value is CrmError {
  return (
    value instanceof CrmError ||
    (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'CrmError' && isCrmErrorCode((value as { code?: unknown }).code))
  );
}

export function isCrmErrorCode(value: unknown): value is CrmErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(crmErrorCodes, value);
}
