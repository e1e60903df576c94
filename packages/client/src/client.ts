import { createTRPCUntypedClient, httpBatchLink, httpLink, type TRPCClient, type TRPCRequestOptions } from '@trpc/client';
import type { AppRouter } from '@crmkit/server';
import { HttpStatusError, toClientError } from './errors.js';
import { crmRetryLink, type RetryOptions } from './retry.js';

interface CommonOptions {
  /** The crmkit endpoint, e.g. `https://crm.example.com/trpc`. */
  url: string;
  /** Give up on a request whose answer has not started after this many ms (default 10 000); it then fails with TIMEOUT. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Send calls made in the same tick as one HTTP request (default false). */
  batch?: boolean;
  /** With `batch`: the most calls one request carries (default 50, the server's default `maxBatchSize`); more are split. */
  maxBatchSize?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export type CrmClientOptions =
  | (CommonOptions & { /** A service API key (`crm_…`). */ apiKey: string; getToken?: never })
  | (CommonOptions & { /** Returns a current user token minted by your backend; called for every request. */ getToken: () => string | Promise<string>; apiKey?: never });

/**
 * The longest URL a batched GET may have before the batch is split: Node's servers refuse request
 * heads over 16 KiB (431), and a URL-encoded CJK search triples in length.
 */
const MAX_BATCH_URL_LENGTH = 8_000;

/** The typed client: `crm.accounts.get.query({ id })`. Every failure is a `CrmError`. */
export type CrmClient = TRPCClient<AppRouter>;

type Untyped = ReturnType<typeof createTRPCUntypedClient<AppRouter>>;

/**
 * The typed surface (`crm.accounts.get.query(input)`) over tRPC's untyped client. Each path's
 * proxy is made once and cached, and `.query` / `.mutate` turn every failure into a CrmError.
 */
function crmProxy(untyped: Untyped, path: readonly string[] = []): unknown {
  const children = new Map<string, unknown>();
  const dotted = path.join('.');
  const fail = (error: unknown): never => {
    throw toClientError(error);
  };
  const query = (input?: unknown, opts?: TRPCRequestOptions) => untyped.query(dotted, input, opts).catch(fail);
  const mutate = (input?: unknown, opts?: TRPCRequestOptions) => untyped.mutation(dotted, input, opts).catch(fail);
  return new Proxy(Object.create(null) as object, {
    get(_, key) {
      if (typeof key !== 'string' || key === 'then') return undefined; // not a thenable
      if (path.length > 0 && key === 'query') return query;
      if (path.length > 0 && key === 'mutate') return mutate;
      let child = children.get(key);
      if (child === undefined) children.set(key, (child = crmProxy(untyped, [...path, key])));
      return child;
    },
  });
}

/** A fetch that gives up after `timeoutMs`, linked to the caller's own signal when there is one. */
function fetchWithTimeout(baseFetch: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const outer = init?.signal;
    // Plain controller + timer: AbortSignal.any costs more per request than the rest of the call.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    try {
      const response = await baseFetch(input, { ...init, signal: controller.signal });
      // A non-JSON error page (proxy, load balancer) would otherwise surface as BAD_RESPONSE with its status lost.
      if (!response.ok && !/json/i.test(response.headers.get('content-type') ?? '')) {
        void response.body?.cancel().catch(() => {});
        throw new HttpStatusError(response);
      }
      return response;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
  };
}

/**
 * Creates a typed crmkit client for backend services (API key) or browsers (user token).
 *
 * @example
 * const crm = createCrmClient({ url: 'http://127.0.0.1:3000/trpc', apiKey: process.env.CRMKIT_API_KEY! });
 * const hq = await crm.accounts.create.mutate({ name: 'Hualian Supermarkets' });
 */
export function createCrmClient(options: CrmClientOptions): CrmClient {
  const timedFetch = fetchWithTimeout(options.fetch ?? globalThis.fetch, options.timeoutMs ?? 10_000);
  const headers = async () => {
    const credential = options.apiKey ?? (await options.getToken!());
    return { ...options.headers, authorization: `Bearer ${credential}` };
  };
  const transport = options.batch ? httpBatchLink({ url: options.url, headers, fetch: timedFetch, maxItems: options.maxBatchSize ?? 50, maxURLLength: MAX_BATCH_URL_LENGTH }) : httpLink({ url: options.url, headers, fetch: timedFetch });
  const untyped = createTRPCUntypedClient<AppRouter>({ links: [crmRetryLink(options.retry), transport] });
  return crmProxy(untyped) as CrmClient;
}
