import { TRPCError } from '@trpc/server';
import { CrmError, crmErrorCodes, isCrmError, type CrmErrorCode, type FieldErrors } from '@crmkit/core';
import { z } from 'zod';

/** Field path → messages, from a zod error (`''` for the input as a whole). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

const fromTrpc: Partial<Record<TRPCError['code'], CrmErrorCode>> = {
  BAD_REQUEST: 'VALIDATION',
  PARSE_ERROR: 'VALIDATION',
  PAYLOAD_TOO_LARGE: 'VALIDATION',
  METHOD_NOT_SUPPORTED: 'VALIDATION',
  UNSUPPORTED_MEDIA_TYPE: 'VALIDATION',
  UNPROCESSABLE_CONTENT: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
};

function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? code : undefined;
}

/** Whether Prisma failed because the database stayed locked past the busy timeout (SQLite's SQLITE_BUSY, whatever the Prisma code). */
function databaseBusy(error: unknown): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } } | null)?.meta?.driverAdapterError?.cause;
  return prismaCode(error) !== undefined && (cause?.kind === 'SocketTimeout' || (typeof cause?.originalCode === 'string' && cause.originalCode.startsWith('SQLITE_BUSY')));
}

/**
 * The one place where any failure becomes a CrmError: domain errors pass through, zod errors
 * become VALIDATION with field paths, database constraint errors become CONFLICT / NOT_FOUND, a
 * database locked by another writer or a write conflict UNAVAILABLE (retryable), and anything else is INTERNAL (its message never reaches the caller).
 */
export function toCrmError(error: unknown): CrmError {
  if (isCrmError(error)) return error;
  if (error instanceof TRPCError) {
    if (isCrmError(error.cause)) return error.cause;
    if (error.cause instanceof z.ZodError) {
      return new CrmError('VALIDATION', 'the input is invalid', { fieldErrors: fieldErrorsOf(error.cause), cause: error });
    }
    const code = fromTrpc[error.code];
    if (code === 'VALIDATION') {
      // Malformed bodies and the like: no field to name, so the input as a whole is at fault.
      const message = error.cause instanceof SyntaxError || /JSON/.test(error.message) ? 'the request body is not valid JSON' : error.message;
      return new CrmError('VALIDATION', message, { fieldErrors: { '': [message] }, cause: error });
    }
    if (code) return new CrmError(code, error.message, { cause: error });
    // tRPC wraps what a procedure throws: judge the thrown error itself (a database error among them).
    return error.cause ? toCrmError(error.cause) : new CrmError('INTERNAL', 'internal error', { cause: error });
  }
  if (error instanceof z.ZodError) return new CrmError('VALIDATION', 'the input is invalid', { fieldErrors: fieldErrorsOf(error), cause: error });
  if (databaseBusy(error)) return new CrmError('UNAVAILABLE', 'the database is busy with another write; retry it', { cause: error });
  switch (prismaCode(error)) {
    case 'P2002':
      return new CrmError('CONFLICT', 'an entity with the same unique key already exists', { cause: error });
    case 'P2025':
      return new CrmError('NOT_FOUND', 'not found', { cause: error });
    case 'P2034':
      return new CrmError('UNAVAILABLE', 'the write collided with a concurrent one; retry it', { cause: error });
    default:
      return new CrmError('INTERNAL', 'internal error', { cause: error });
  }
}

/** The tRPC error that carries a CrmError to the formatter with the table's tRPC code. */
export function toTrpcError(error: CrmError): TRPCError {
  return new TRPCError({ code: crmErrorCodes[error.code].trpc as TRPCError['code'], message: error.message, cause: error });
}
