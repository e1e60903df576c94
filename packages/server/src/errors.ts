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
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  METHOD_NOT_SUPPORTED: 'METHOD_NOT_SUPPORTED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
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

/** What the driver adapter reported under a Prisma error (`kind`, and the driver's own code). */
function driverCause(error: unknown): { kind?: unknown; originalCode?: unknown } | undefined {
  return (error as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } } | null)?.meta?.driverAdapterError?.cause;
}

/** The SQLite result code of an error better-sqlite3 threw itself (crmkit's driver write paths), e.g. `SQLITE_BUSY`. */
function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && error.name === 'SqliteError' && typeof code === 'string' ? code : undefined;
}

/** Whether the database stayed locked past the busy timeout (SQLite's SQLITE_BUSY, from Prisma whatever its code, or from the driver). */
function databaseBusy(error: unknown): boolean {
  if (sqliteCode(error)?.startsWith('SQLITE_BUSY')) return true;
  const cause = driverCause(error);
  return prismaCode(error) !== undefined && (cause?.kind === 'SocketTimeout' || (typeof cause?.originalCode === 'string' && cause.originalCode.startsWith('SQLITE_BUSY')));
}

/** Whether SQLite refused a write because the database (file, directory or connection) is read-only. */
function databaseReadOnly(error: unknown): boolean {
  const code = driverCause(error)?.originalCode ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY');
}

/**
 * Prisma codes of a database that could not be reached or gave no connection in time: P1001/P1002
 * (unreachable, timed out), P1008 (operation timed out), P1017 (connection closed), P2024 (no pool
 * connection in time), P2028 (a transaction could not start in time: every connection was busy).
 */
const unavailableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const unavailableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'TooManyConnections']);
/** node-postgres' own words for a pool that gave no connection in time, a dropped connection, or a full server. */
const unavailableMessage = /timeout exceeded when trying to connect|connection terminated|too many clients|remaining connection slots/i;

/** Whether the database could not serve the call now, though it may in a moment: no connection to be had, or none in time. */
function databaseUnavailable(error: unknown): boolean {
  const code = prismaCode(error);
  if (code !== undefined && unavailableCodes.has(code)) return true;
  const kind = driverCause(error)?.kind;
  if (typeof kind === 'string' && unavailableKinds.has(kind)) return true;
  // pg's pool errors are plain Errors; Prisma may pass them on bare or wrapped.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (unavailableMessage.test(e.message)) return true;
  }
  return false;
}

/** The answer to a request body over the server's `maxBodySize` (known to the server, not always to the adapter that refused it). */
export function bodyTooLarge(maxBodySize?: number, cause?: unknown): CrmError {
  const limit = maxBodySize === undefined ? '' : ` (${maxBodySize} bytes)`;
  return new CrmError('PAYLOAD_TOO_LARGE', `the request body is larger than this server accepts${limit}`, {
    ...(maxBodySize === undefined ? {} : { details: { maxBodySize } }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The refusal of a tRPC adapter (not a procedure) made clear: its own messages are terse or cut off. */
function fromAdapter(error: TRPCError, code: CrmErrorCode): CrmError {
  switch (code) {
    case 'PAYLOAD_TOO_LARGE':
      return /batch/i.test(error.message)
        ? new CrmError(code, 'the batch carries more calls than this server accepts', { cause: error })
        : bodyTooLarge(undefined, error);
    case 'UNSUPPORTED_MEDIA_TYPE': {
      const type = /content-type "([^"]*)/i.exec(error.message)?.[1];
      const message = type === undefined ? 'a request body needs content-type application/json' : `crmkit accepts request bodies of type application/json, not "${type}"`;
      return new CrmError(code, message, { cause: error });
    }
    default:
      return new CrmError(code, error.message, { cause: error });
  }
}

/** Whether a body over the adapter's size limit is what failed (its PAYLOAD_TOO_LARGE may arrive wrapped by the body reader). */
function tooLargeBody(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    if (e instanceof TRPCError && e.code === 'PAYLOAD_TOO_LARGE') return true;
  }
  return false;
}

/**
 * The one place where any failure becomes a CrmError: domain errors pass through, zod errors
 * become VALIDATION with field paths, database constraint errors become CONFLICT / NOT_FOUND; a
 * database locked by another writer, a write conflict, a read-only database, or no connection in
 * time (Prisma P2028, pool exhaustion) become UNAVAILABLE (retryable); anything else is INTERNAL
 * (its message never reaches the caller).
 */
export function toCrmError(error: unknown): CrmError {
  if (isCrmError(error)) return error;
  if (error instanceof TRPCError) {
    if (isCrmError(error.cause)) return error.cause;
    if (error.cause instanceof z.ZodError) {
      return new CrmError('VALIDATION', 'the input is invalid', { fieldErrors: fieldErrorsOf(error.cause), cause: error });
    }
    // tRPC's own batch limit (`maxBatchSize`) and body limit say BAD_REQUEST; the request was too large.
    if (/^Batch call exceeds maximum size/.test(error.message) || tooLargeBody(error)) return fromAdapter(error, 'PAYLOAD_TOO_LARGE');
    const code = fromTrpc[error.code];
    if (code === 'VALIDATION') {
      // Malformed bodies and the like: no field to name, so the input as a whole is at fault.
      // (crmkit's handlers answer a GET's malformed `input` parameter before tRPC reads it.)
      const message = error.cause instanceof SyntaxError || /JSON/.test(error.message) ? 'the request body is not valid JSON' : error.message;
      return new CrmError('VALIDATION', message, { fieldErrors: { '': [message] }, cause: error });
    }
    if (code) return fromAdapter(error, code);
    // tRPC wraps what a procedure throws: judge the thrown error itself (a database error among them).
    return error.cause ? toCrmError(error.cause) : new CrmError('INTERNAL', 'internal error', { cause: error });
  }
  if (error instanceof z.ZodError) return new CrmError('VALIDATION', 'the input is invalid', { fieldErrors: fieldErrorsOf(error), cause: error });
  if (databaseBusy(error)) return new CrmError('UNAVAILABLE', 'the database is busy with another write; retry it', { cause: error });
  if (databaseReadOnly(error)) return new CrmError('UNAVAILABLE', 'the database is read-only: crmkit cannot write to it', { cause: error });
  if (databaseUnavailable(error)) return new CrmError('UNAVAILABLE', 'the database could not take the call in time; retry it', { cause: error });
  // A deadlock or serialization failure (PostgreSQL 40P01, 40001): P2034, or P2010 when a raw query (a row lock) hit it.
  const collided = driverCause(error)?.kind === 'TransactionWriteConflict';
  if (collided) return new CrmError('UNAVAILABLE', 'the write collided with a concurrent one; retry it', { cause: error });
  const driverCode = sqliteCode(error);
  if (driverCode === 'SQLITE_CONSTRAINT_UNIQUE' || driverCode === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new CrmError('CONFLICT', 'an entity with the same unique key already exists', { cause: error });
  }
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
