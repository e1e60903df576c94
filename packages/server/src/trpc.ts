import { initTRPC } from '@trpc/server';
import { CrmError, type Clock } from '@crmkit/core';
import type { Actor, ServiceContext } from './context.js';
import type { Db, Reads } from './db/client.js';
import type { Provider } from './db/url.js';
import { toCrmError, toTrpcError } from './errors.js';
import type { Logger } from './logger.js';

/** What a procedure sees before authentication: the server's dependencies and, if authenticated, the actor. */
export interface RequestContext {
  db: Db;
  reads: Reads;
  provider: Provider;
  clock: Clock;
  logger: Logger;
  actor: Actor | null;
  hooks?: ServiceContext['hooks'];
  /** Set by the direct query path, which retries failures through tRPC: log them there, once. */
  quiet?: boolean;
}

/** The extra fields every crmkit error response carries in `error.data`. */
export interface CrmErrorData {
  /** crmkit's domain code (see `crmErrorCodes`). */
  crmCode: CrmError['code'];
  /** Field path → messages, for VALIDATION errors. */
  fieldErrors: Record<string, string[]> | null;
  details: Record<string, unknown> | null;
}

const t = initTRPC.context<RequestContext>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const crm = toCrmError(error);
    const internal = crm.code === 'INTERNAL';
    return {
      ...shape,
      message: internal ? 'internal error' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        crmCode: crm.code,
        fieldErrors: crm.fieldErrors ?? null,
        details: internal ? null : (crm.details ?? null),
      } satisfies CrmErrorData & Record<string, unknown>,
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every failure leaves a procedure as a CrmError with its table's tRPC code (and so its HTTP
 * status); unexpected ones are logged here, once, and answered as INTERNAL without detail.
 */
const mapErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) return result;
  const crm = toCrmError(result.error);
  if (crm.code === 'INTERNAL' && !ctx.quiet) ctx.logger.error({ err: crm.cause ?? result.error, path }, 'unexpected error in procedure');
  throw toTrpcError(crm);
});

export const publicProcedure = t.procedure.use(mapErrors);

/** A procedure that requires a caller; it receives the service context built from the actor. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new CrmError('UNAUTHORIZED', 'missing or invalid credentials');
  const service: ServiceContext = { db: ctx.db, reads: ctx.reads, provider: ctx.provider, clock: ctx.clock, logger: ctx.logger, actor: ctx.actor, ...(ctx.hooks ? { hooks: ctx.hooks } : {}) };
  return next({ ctx: { service } });
});
