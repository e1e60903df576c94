import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callTRPCProcedure, TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { CrmError, systemClock, type Clock, type ExpireCreditApprovalsResult, type Permission, type Role } from '@crmkit/core';
import { createAuthenticator, type AuthOptions } from './auth/authenticate.js';
import { mintUserToken, type MintUserTokenOptions } from './auth/tokens.js';
import { createBatchPacing } from './batch-pacing.js';
import { createCors, isPreflight, varyWith, withCorsHeaders, type CorsOptions, type CorsRequest } from './cors.js';
import type { Actor, ServiceContext } from './context.js';
import { migrateDatabase, openDatabase, type Db, type Reads, type SqliteSynchronous } from './db/client.js';
import type { SqliteWriter } from './db/sqlite-writer.js';
import { prismaAccountReads } from './db/account-reads.js';
import type { MigrateResult } from './db/migrations.js';
import { providerOf, type Provider } from './db/url.js';
import { bodyTooLarge, toCrmError } from './errors.js';
import { readBody } from './read-body.js';
import { createLogger, type Logger } from './logger.js';
import { ALLOWED_METHODS, errorAnswer, screenRequest, type EarlyAnswer, type RequestHead, type Screened } from './request-screen.js';
import { appRouter, type AppRouter } from './routers/root.js';
import { createApiKey } from './services/api-keys/api-keys.js';
import { createTenant, type CreateTenantInput } from './services/tenants/create.js';
import { runPoolSweepForAllTenants, type PoolSweepResult } from './services/pool/sweep.js';
import { runCreditApprovalExpiryForAllTenants } from './services/credit/approvals.js';
import { crmErrorShape, type RequestContext } from './trpc.js';

export interface CrmServerOptions {
  /** `file:./crm.db` (SQLite, created on first use) or `postgres://…`. Either this or `prisma`. */
  databaseUrl?: string;
  /** Your own Prisma client of crmkit's schema, with its provider. crmkit then neither migrates nor closes it. */
  prisma?: { client: Db; provider: Provider };
  /**
   * SQLite commit durability (default `FULL`: every commit is synced, so what an ERP was told is
   * stored survives a power cut). `NORMAL` syncs at checkpoints: faster, and the last commits may be
   * lost on power loss.
   */
  sqliteSynchronous?: SqliteSynchronous;
  /** Apply pending migrations on start (default true with `databaseUrl`). */
  migrate?: boolean;
  clock?: Clock;
  auth?: AuthOptions;
  logger?: Logger;
  /**
   * Where crmkit's procedures sit in the request's full URL path (default `/trpc`): `/api/crm` for a Hono route
   * `/api/crm/*` or a Next route handler `app/api/crm/[...trpc]/route.ts`. Under Express or Connect,
   * `app.use('/crm', crm.nodeHandler)` needs no setting: a mount path the framework strips is taken as the endpoint.
   */
  endpoint?: string;
  /** Which other origins may call crmkit from a browser (default: none; crmkit sends no CORS headers). */
  cors?: CorsOptions;
  /** Largest request body accepted, in bytes (default 1 MiB); a larger one answers 413 PAYLOAD_TOO_LARGE. */
  maxBodySize?: number;
  /** Most calls one batched request may carry (default 50); a larger batch answers 413 PAYLOAD_TOO_LARGE and runs none. */
  maxBatchSize?: number;
  /**
   * Calls of batched requests that run at once, all batches together (default 4 on PostgreSQL, so
   * batches never hold every pooled connection; 1 on SQLite, whose one connection runs them one at a
   * time anyway). Waiting batches take turns, and each call starts on its own turn of the event loop.
   */
  batchConcurrency?: number;
  /**
   * Milliseconds a batch's calls may keep starting (default 10 000). Calls not started by then answer
   * UNAVAILABLE (503, retryable; they did nothing), so one request cannot hold the database for long.
   */
  batchTimeBudgetMs?: number;
}

export interface CrmServer {
  router: AppRouter;
  /** Fetch-style handler (Request → Response) for Hono, Next route handlers, Bun, Deno, workers. */
  handleFetch(request: Request): Promise<Response>;
  /** Node `http` handler; mount it in Express/Fastify or pass it to `http.createServer`. */
  nodeHandler(req: IncomingMessage, res: ServerResponse): void;
  /** Starts a Node HTTP server; resolves with its URL. */
  listen(port?: number, host?: string): Promise<{ url: string; server: Server }>;
  /** A server-side caller acting as the given actor (for a host merging crmkit into its own backend). */
  createCaller(actor: Actor): ReturnType<AppRouter['createCaller']>;
  /** The context for a host's own tRPC adapter, acting as the given actor. */
  contextFor(actor: Actor | null): RequestContext;
  /** Service context for calling crmkit's service functions directly. */
  serviceContext(actor: Actor): ServiceContext;
  /** Provisioning that happens outside the API: tenants and their first API key. */
  bootstrap: {
    createTenant(input: CreateTenantInput): Promise<{ id: string; name: string }>;
    createApiKey(input: { tenantId: string; name: string; role: Extract<Role, 'admin' | 'service' | 'integration'>; scopes?: Permission[] }): Promise<{ id: string; secret: string }>;
  };
  /**
   * Mints a user token with this server's secret, naming the user's current `tokensRevokedBefore`
   * (its `rvb` claim): it passes at once, even right after `users.revokeTokens`, until the user's next
   * revocation, deactivation or reactivation.
   */
  mintUserToken(options: Omit<MintUserTokenOptions, 'secret' | 'now' | 'revokedBefore'> & { now?: Date }): Promise<string>;
  /**
   * Time-driven work, for the host's scheduler (cron, a queue, a setInterval). Each job is a
   * function of the clock's now over the data and is idempotent: running it twice changes nothing.
   */
  jobs: {
    /** Returns every due account of every tenant to the customer pool and sends reminders. */
    poolSweep(options?: { batchSize?: number }): Promise<Record<string, PoolSweepResult>>;
    /** Expires every undecided credit approval request past its window, in every tenant (their orders return to draft). */
    creditApprovalExpiry(): Promise<Record<string, ExpireCreditApprovalsResult>>;
  };
  migrations: MigrateResult | null;
  db: Db;
  provider: Provider;
  clock: Clock;
  /** Closes the HTTP server (if started) and the database (if crmkit opened it). */
  close(): Promise<void>;
}

/**
 * Creates a crmkit server: the router, HTTP handlers, and provisioning helpers over one database.
 *
 * @example
 * const crm = await createCrmServer({ databaseUrl: 'file:./crm.db', auth: { tokenSecret: process.env.CRMKIT_TOKEN_SECRET } });
 * const { url } = await crm.listen(3000);
 */
export async function createCrmServer(options: CrmServerOptions): Promise<CrmServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger();
  const endpoint = `/${options.endpoint ?? '/trpc'}`.replace(/^\/+/, '/').replace(/\/+$/, '');
  const cors = createCors(options.cors);
  const maxBodySize = options.maxBodySize ?? 1024 * 1024;
  const maxBatchSize = options.maxBatchSize ?? 50;
  const batchTimeBudgetMs = options.batchTimeBudgetMs ?? 10_000;

  let migrations: MigrateResult | null = null;
  let db: Db;
  let reads: Reads;
  let writer: SqliteWriter | undefined;
  let provider: Provider;
  let closeDb = async () => {};
  if (options.prisma) {
    db = options.prisma.client;
    provider = options.prisma.provider;
    reads = { accounts: prismaAccountReads(db, provider) };
  } else if (options.databaseUrl) {
    provider = providerOf(options.databaseUrl);
    if (options.migrate !== false) {
      migrations = await migrateDatabase(options.databaseUrl);
      if (migrations.applied.length) logger.info({ applied: migrations.applied }, 'applied migrations');
    }
    const opened = openDatabase(options.databaseUrl, options.sqliteSynchronous ? { synchronous: options.sqliteSynchronous } : {});
    db = opened.prisma;
    reads = opened.reads;
    writer = opened.writer;
    closeDb = opened.close;
  } else {
    throw new Error('createCrmServer needs databaseUrl or prisma');
  }

  const batchPacing = createBatchPacing({ concurrency: options.batchConcurrency ?? (provider === 'sqlite' ? 1 : 4), budgetMs: batchTimeBudgetMs });
  const auth = createAuthenticator(db, clock, logger, options.auth);
  // Revoking a key, or deactivating a user or revoking their tokens, through this server forgets it
  // here at once; other instances within apiKeyCacheMs.
  const hooks = {
    apiKeyRevoked: (id: string) => auth.forgetApiKey(id),
    apiKeyUsed: (id: string) => auth.recordUse(id),
    userAccessChanged: (tenantId: string, userId: string) => auth.forgetUser(tenantId, userId),
  };
  const drivers = writer ? { writer } : {};
  const contextFor = (actor: Actor | null): RequestContext => ({ db, reads, ...drivers, provider, clock, logger, actor, hooks, maxBodySize });
  const serviceContext = (actor: Actor): ServiceContext => ({ db, reads, ...drivers, provider, clock, logger, actor, hooks });

  async function contextFromHeader(authorization: string | null | undefined): Promise<RequestContext> {
    try {
      return contextFor(await auth.authenticate(authorization));
    } catch {
      return contextFor(null); // authed procedures answer UNAUTHORIZED; nothing about why leaks
    }
  }

  /** The context of an HTTP request; a batch of several calls gets a pacer of its own. */
  async function requestContext(authorization: string | null | undefined, info: { isBatchCall: boolean; calls: unknown[] }): Promise<RequestContext> {
    const ctx = await contextFromHeader(authorization);
    if (!info.isBatchCall || info.calls.length < 2) return ctx;
    return { ...ctx, pacer: batchPacing.forBatch() };
  }

  const router = appRouter;
  const screenRules = { endpoint, maxBatchSize, maxBodySize };

  /** The last line of defence: an answer for what nothing else caught, so no request can end the process. */
  function unexpectedAnswer(error: unknown): EarlyAnswer {
    logger.error({ err: error }, 'unexpected error answering a request');
    return errorAnswer(new CrmError('INTERNAL', 'internal error'));
  }

  /** A 405 names the methods its procedure answers (RFC 9110 asks every 405 for an `Allow` header). */
  const responseMeta = ({ errors, type }: { errors: TRPCError[]; type: string }) =>
    errors.some((e) => e.code === 'METHOD_NOT_SUPPORTED')
      ? { headers: new Headers({ allow: type === 'query' ? 'GET, HEAD' : type === 'mutation' ? 'POST' : ALLOWED_METHODS }) }
      : {};

  /** The request with its body read up to `maxBodySize` (the fetch adapter has no limit of its own), or null when larger. */
  async function withBoundedBody(request: Request): Promise<Request | null> {
    if (request.method.toUpperCase() !== 'POST' || !request.body) return request;
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBodySize) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
    return new Request(request.url, { method: request.method, headers: request.headers, body: Buffer.concat(chunks), signal: request.signal });
  }

  /** The screen's verdict for a request read against `endpoint`; a CORS preflight gets the CORS policy's answer, never reaching the API. */
  function screen(head: RequestHead, endpoint: string, corsRequest: CorsRequest): Screened {
    const screened = screenRequest(head, { ...screenRules, endpoint });
    // The screen answers 204 to an OPTIONS on crmkit's paths only; elsewhere the 404 stands.
    if (cors && screened.answer?.status === 204 && isPreflight(corsRequest)) return { answer: cors.preflight(corsRequest.origin) };
    return screened;
  }

  /** `response` carrying the CORS headers of its request (`Vary: Origin` gains, other headers stay). */
  function withCors(response: Response, corsHeaders: Record<string, string>): Response {
    const headers = new Headers(response.headers);
    for (const [key, value] of Object.entries(corsHeaders)) headers.set(key, key === 'vary' ? varyWith(headers.get('vary'), value) : value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }

  /** tRPC's answer metadata with the CORS headers added (tRPC appends them, so `Vary` keeps its own values). */
  const responseMetaWithCors =
    (corsHeaders: Record<string, string>): typeof responseMeta =>
    (opts) => {
      const meta = responseMeta(opts);
      const headers = new Headers(meta.headers);
      for (const [key, value] of Object.entries(corsHeaders)) headers.append(key, value);
      return { headers };
    };

  const toResponse = (answer: EarlyAnswer) => new Response(answer.body, { status: answer.status, headers: answer.headers });
  /** A HEAD answer carries the headers of its GET and no body (node:http drops it; a fetch Response does not). */
  const withoutBodyForHead = (request: Request, response: Response) =>
    request.method.toUpperCase() === 'HEAD' && response.body !== null ? new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers }) : response;

  async function handleFetch(request: Request): Promise<Response> {
    const response = withoutBodyForHead(request, await answerFetch(request));
    return cors ? withCors(response, cors.headersFor(request.headers.get('origin'))) : response;
  }

  async function answerFetch(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      const head: RequestHead = {
        method: request.method,
        pathname: url.pathname,
        search: url.search.slice(1),
        contentType: request.headers.get('content-type'),
        contentLength: request.headers.get('content-length'),
      };
      const requestMethod = request.headers.get('access-control-request-method');
      const screened = screen(head, endpoint, { method: request.method, origin: request.headers.get('origin'), requestMethod });
      if (screened.answer) return toResponse(screened.answer);
      let bounded: Request | null;
      try {
        bounded = await withBoundedBody(request);
      } catch {
        const message = 'the request body could not be read';
        return toResponse(errorAnswer(new CrmError('VALIDATION', message, { fieldErrors: { '': [message] } })));
      }
      if (!bounded) {
        return toResponse(errorAnswer(bodyTooLarge(maxBodySize)));
      }
      return await fetchRequestHandler({
        endpoint,
        req: bounded,
        router,
        maxBatchSize,
        responseMeta,
        createContext: ({ req, info }) => requestContext(req.headers.get('authorization'), info),
      });
    } catch (error) {
      return toResponse(unexpectedAnswer(error));
    }
  }

  const procedures = router._def.procedures as unknown as Record<string, { _def: { type: string } } | undefined>;

  /**
   * Answers a single (unbatched) GET query without tRPC's conversion of the Node request into a
   * Fetch Request and back, which costs more than the query itself. It calls the same procedure
   * (same middlewares, validation and output schema) and writes the same body tRPC would. Any
   * failure falls back to tRPC's handler, which answers it canonically; that re-runs a query, a
   * read, only on the error path.
   */
  async function answerQueryDirectly(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: string,
    corsHeaders: Record<string, string>,
  ): Promise<boolean> {
    if (req.method !== 'GET' || !Object.hasOwn(procedures, path) || procedures[path]?._def.type !== 'query' || req.headers['trpc-accept'] !== undefined) return false;
    const params = new URLSearchParams(search);
    if (params.has('batch')) return false;
    const rawInput = params.get('input');
    let input: unknown;
    try {
      input = rawInput === null ? undefined : JSON.parse(rawInput);
    } catch {
      return false;
    }
    const ctx = { ...(await contextFromHeader(req.headers.authorization)), quiet: true };
    let data: unknown;
    try {
      data = await callTRPCProcedure({ router, path, ctx, type: 'query', getRawInput: async () => input, signal: undefined, batchIndex: 0 });
    } catch {
      return false;
    }
    const body = JSON.stringify({ result: { data } });
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), vary: 'trpc-accept, accept' };
    res.writeHead(200, withCorsHeaders(headers, corsHeaders)).end(body);
    return true;
  }

  /**
   * Answers a single (unbatched) POST mutation without tRPC's conversion of the Node request into
   * a Fetch Request and back (about 0.6 ms of CPU a call, as much as a write on the driver). It
   * calls the same procedure (same middlewares, validation and output schema) and writes the body
   * and status tRPC would, errors included: a mutation is never re-run, so once the body is read
   * this path answers whatever happens. False (before reading anything) for what it does not take.
   */
  async function answerMutationDirectly(req: IncomingMessage, res: ServerResponse, path: string, search: string, corsHeaders: Record<string, string>): Promise<boolean> {
    if (req.method !== 'POST' || !Object.hasOwn(procedures, path) || procedures[path]?._def.type !== 'mutation' || req.headers['trpc-accept'] !== undefined) return false;
    if (new URLSearchParams(search).has('batch')) return false;
    // A body a host's middleware already read (express.json() and the like): tRPC's adapter knows how to take it over.
    if ((req as { body?: unknown }).body !== undefined || req.readableEnded) return false;
    const send = (status: number, body: string) => {
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), vary: 'trpc-accept, accept' };
      res.writeHead(status, withCorsHeaders(headers, corsHeaders)).end(body);
    };
    const body = await readBody(req, maxBodySize).catch(() => null);
    if (body === null) {
      const message = 'the request body could not be read';
      const answer = errorAnswer(new CrmError('VALIDATION', message, { fieldErrors: { '': [message] } }), {}, path);
      send(answer.status, answer.body ?? '');
      return true;
    }
    if (body === 'too-large') {
      const answer = errorAnswer(bodyTooLarge(maxBodySize), {}, path);
      send(answer.status, answer.body ?? '');
      return true;
    }
    const ctx = await contextFromHeader(req.headers.authorization);
    try {
      // As tRPC's JSON handler reads a body (Request.json(): UTF-8, BOM dropped, malformed JSON a parse error).
      const getRawInput = async () => {
        // No body: no input (a mutation whose input is optional), as tRPC's own handler reads it.
        if (body.trim() === '') return undefined;
        try {
          return JSON.parse(body) as unknown;
        } catch (cause) {
          throw new TRPCError({ code: 'PARSE_ERROR', message: 'the request body is not valid JSON', cause });
        }
      };
      const data = await callTRPCProcedure({ router, path, ctx, type: 'mutation', getRawInput, signal: undefined, batchIndex: 0 });
      send(200, JSON.stringify({ result: { data } }));
    } catch (error) {
      const shape = crmErrorShape(toCrmError(error), path);
      send(shape.data.httpStatus, JSON.stringify({ error: shape }));
    }
    return true;
  }

  const writeAnswer = (res: ServerResponse, answer: EarlyAnswer, corsHeaders: Record<string, string>) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(answer.status, withCorsHeaders(answer.headers, corsHeaders)).end(answer.body ?? undefined);
  };

  const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? (value[0] ?? null) : (value ?? null));
  const pathOf = (url: string) => {
    const queryAt = url.indexOf('?');
    return queryAt < 0 ? url : url.slice(0, queryAt);
  };

  /**
   * The path a Node request is screened by, and the endpoint it is read against. Express and Connect strip
   * their mount path from `req.url` and keep the full one in `req.originalUrl` (`app.use('/crm', …)` hands
   * over `/accounts.get` from `/crm/accounts.get`): a full path under `endpoint` is read as usual, so is a
   * stripped one (a host that mounted crmkit's whole tree), and otherwise the mount point is the endpoint.
   */
  function locate(url: string, originalUrl: unknown): { pathname: string; endpoint: string } {
    const pathname = pathOf(url);
    if (typeof originalUrl !== 'string' || originalUrl === url) return { pathname, endpoint };
    const full = pathOf(originalUrl);
    if (full.startsWith(`${endpoint}/`)) return { pathname: full, endpoint };
    if (pathname.startsWith(`${endpoint}/`)) return { pathname, endpoint };
    if (pathname === '/') return { pathname: full, endpoint: full.replace(/\/+$/, '') };
    if (full.endsWith(pathname)) return { pathname: full, endpoint: full.slice(0, full.length - pathname.length) };
    return { pathname, endpoint };
  }

  const nodeHandler = (req: IncomingMessage, res: ServerResponse) => {
    let corsHeaders: Record<string, string> = {};
    try {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const search = queryAt < 0 ? '' : url.slice(queryAt + 1);
      const located = locate(url, (req as { originalUrl?: unknown }).originalUrl);
      const head: RequestHead = {
        method: req.method ?? 'GET',
        pathname: located.pathname,
        search,
        contentType: req.headers['content-type'] ?? null,
        contentLength: req.headers['content-length'] ?? null,
      };
      const origin = req.headers.origin ?? null;
      if (cors) corsHeaders = cors.headersFor(origin);
      const requestMethod = headerValue(req.headers['access-control-request-method']);
      const screened = screen(head, located.endpoint, { method: head.method, origin, requestMethod });
      if (screened.answer) {
        writeAnswer(res, screened.answer, corsHeaders);
        return;
      }
      // Set ahead for tRPC's answers: its bodiless HEAD answer skips responseMeta (whose Vary replaces this one).
      for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
      const viaTrpc = () =>
        nodeHTTPRequestHandler({
          req,
          res,
          path: screened.rawPath, // tRPC decodes it
          router,
          maxBodySize,
          maxBatchSize,
          responseMeta: cors ? responseMetaWithCors(corsHeaders) : responseMeta,
          createContext: ({ req: r, info }) => requestContext(r.headers.authorization, info),
        }).catch((error: unknown) => writeAnswer(res, unexpectedAnswer(error), corsHeaders));
      void (req.method === 'POST' ? answerMutationDirectly : answerQueryDirectly)(req, res, screened.path, search, corsHeaders)
        .then(
          (answered) => (answered || res.headersSent ? undefined : viaTrpc()),
          () => (res.headersSent ? undefined : viaTrpc()),
        )
        .catch((error: unknown) => writeAnswer(res, unexpectedAnswer(error), corsHeaders));
    } catch (error) {
      writeAnswer(res, unexpectedAnswer(error), corsHeaders);
    }
  };

  let httpServer: Server | null = null;

  const server: CrmServer = {
    router,
    handleFetch,
    nodeHandler,
    async listen(port = 0, host = '127.0.0.1') {
      httpServer = createServer(nodeHandler);
      httpServer.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        httpServer!.once('error', reject);
        httpServer!.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { url: `http://${shownHost}:${address.port}${endpoint}`, server: httpServer };
    },
    createCaller: (actor) => router.createCaller(contextFor(actor)),
    contextFor,
    serviceContext,
    bootstrap: {
      createTenant: (input) => createTenant(db, clock, input),
      async createApiKey({ tenantId, name, role, scopes }) {
        const system: Actor = { tenantId, type: 'system', id: 'bootstrap', role: 'admin', scopes: null };
        const { apiKey, secret } = await createApiKey(serviceContext(system), { name, role, ...(scopes ? { scopes } : {}) });
        return { id: apiKey.id, secret };
      },
    },
    async mintUserToken(opts) {
      if (!options.auth?.tokenSecret) throw new Error('this server has no auth.tokenSecret');
      const { tenantId, userId } = opts;
      const user = await db.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { tokensRevokedBefore: true } });
      const revokedBefore = user?.tokensRevokedBefore ?? null;
      return mintUserToken({ ...opts, secret: options.auth.tokenSecret, now: opts.now ?? clock.now(), revokedBefore });
    },
    jobs: {
      poolSweep: (opts) => runPoolSweepForAllTenants({ db, serviceContext }, opts),
      creditApprovalExpiry: () => runCreditApprovalExpiryForAllTenants({ db, serviceContext }),
    },
    migrations,
    db,
    provider,
    clock,
    async close() {
      if (httpServer) {
        const s = httpServer;
        httpServer = null;
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await closeDb();
    },
  };
  return server;
}
