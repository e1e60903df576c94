import { initTRPC } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { CrmError, crmErrorCodes, type Clock } from '@crmkit/core';
import type { BatchPacer } from './batch-pacing.js';
import type { Actor, ServiceContext } from './context.js';
import type { Db, Reads } from './db/client.js';
import type { SqliteWriter } from './db/sqlite-writer.js';
import type { Provider } from './db/url.js';
import { bodyTooLarge, toCrmError, toTrpcError } from './errors.js';
import type { Logger } from './logger.js';

/** What a procedure sees before authentication: the server's dependencies and, if authenticated, the actor. */
export interface RequestContext {
  db: Db;
  reads: Reads;
  writer?: SqliteWriter;
  provider: Provider;
  clock: Clock;
  logger: Logger;
  actor: Actor | null;
  hooks?: ServiceContext['hooks'];
  /** Set by the direct query path, which retries failures through tRPC: log them there, once. */
  quiet?: boolean;
  /** The server's `maxBodySize`, for the answer to a body refused while it was read. */
  maxBodySize?: number;
  /** Set for a batched HTTP request: paces its calls (bounded concurrency, a yield before each, a time budget). */
  pacer?: BatchPacer;
}

/** The extra fields every crmkit error response carries in `error.data`. */
export interface CrmErrorData {
  /** crmkit's domain code (see `crmErrorCodes`). */
  crmCode: CrmError['code'];
  /** Field path → messages, for VALIDATION errors. */
  fieldErrors: Record<string, string[]> | null;
  details: Record<string, unknown> | null;
}

/**
 * The error body of every crmkit answer, from its CrmError alone: the tRPC code and the HTTP status
 * (`data.httpStatus`, which the adapters answer with) are the code table's, so they always agree.
 */
export function crmErrorShape(crm: CrmError, path: string | undefined) {
  const entry = crmErrorCodes[crm.code];
  const internal = crm.code === 'INTERNAL';
  return {
    message: internal ? 'internal error' : crm.message,
    code: TRPC_ERROR_CODES_BY_KEY[entry.trpc as keyof typeof TRPC_ERROR_CODES_BY_KEY],
    data: {
      code: entry.trpc,
      httpStatus: entry.http,
      path,
      crmCode: crm.code,
      fieldErrors: crm.fieldErrors ?? null,
      details: internal ? null : (crm.details ?? null),
    } satisfies CrmErrorData & Record<string, unknown>,
  };
}

const t = initTRPC.context<RequestContext>().create({
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const crm = toCrmError(error);
    // A body the adapter refused mid-read: the server's limit is known here, not to the adapter.
    const sized = crm.code === 'PAYLOAD_TOO_LARGE' && crm.details === undefined && /^the request body/.test(crm.message) && ctx?.maxBodySize !== undefined ? bodyTooLarge(ctx.maxBodySize, crm.cause) : crm;
    return crmErrorShape(sized, shape.data.path);
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every failure leaves a procedure as a CrmError with its table's tRPC code (and so its HTTP
 * status); unexpected ones are logged here, once, and answered as INTERNAL without detail. A
 * success by an API key records the key's use.
 */
const mapErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) {
    if (ctx.actor?.type === 'apiKey') ctx.hooks?.apiKeyUsed?.(ctx.actor.id);
    return result;
  }
  const crm = toCrmError(result.error);
  if (crm.code === 'INTERNAL' && !ctx.quiet) ctx.logger.error({ err: crm.cause ?? result.error, path }, 'unexpected error in procedure');
  throw toTrpcError(crm);
});

/**
 * A batch's calls start all at once in tRPC. With better-sqlite3 (synchronous) they would run as
 * one chain of microtasks that starves every other request, and on PostgreSQL take every pooled
 * connection: so each call waits for one of the server's few batch slots (batches take turns),
 * yields to the event loop, and is refused (UNAVAILABLE, retryable) once its batch's time budget
 * is spent or its caller left.
 */
const paceBatchCalls = t.middleware(async ({ ctx, signal, next }) => {
  if (!ctx.pacer) return next();
  const leave = await ctx.pacer.enter(signal);
  try {
    return await next();
  } finally {
    leave();
  }
});

export const publicProcedure = t.procedure.use(mapErrors).use(paceBatchCalls);

/** A procedure that requires a caller; it receives the service context built from the actor. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new CrmError('UNAUTHORIZED', 'missing or invalid credentials');
  const service: ServiceContext = { db: ctx.db, reads: ctx.reads, provider: ctx.provider, clock: ctx.clock, logger: ctx.logger, actor: ctx.actor, ...(ctx.hooks ? { hooks: ctx.hooks } : {}), ...(ctx.writer ? { writer: ctx.writer } : {}) };
  return next({ ctx: { service } });
});
