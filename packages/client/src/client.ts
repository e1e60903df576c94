import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@crmkit/server';
import { HttpStatusError, toClientError } from './errors.js';
import { crmRetryLink, type RetryOptions } from './retry.js';

interface CommonOptions {
  /** The crmkit endpoint, e.g. `https://crm.example.com/trpc`. */
  url: string;
  /** Give up on a request after this many ms (default 10 000); it then fails with TIMEOUT. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Send calls made in the same tick as one HTTP request (default false). */
  batch?: boolean;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export type CrmClientOptions =
  | (CommonOptions & { /** A service API key (`crm_…`). */ apiKey: string; getToken?: never })
  | (CommonOptions & { /** Returns a current user token minted by your backend; called for every request. */ getToken: () => string | Promise<string>; apiKey?: never });

/** The typed client: `crm.accounts.get.query({ id })`. Every failure is a `CrmError`. */
export type CrmClient = TRPCClient<AppRouter>;

/** Wraps each `.query` / `.mutate` so what it throws is a CrmError, whatever went wrong. */
function withCrmErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if ((key === 'query' || key === 'mutate') && typeof value === 'function') {
        return (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => {
          throw toClientError(error);
        });
      }
      return value !== null && (typeof value === 'object' || typeof value === 'function') ? withCrmErrors(value as object) : value;
    },
  });
}

/**
 * Creates a typed crmkit client for backend services (API key) or browsers (user token).
 *
 * @example
 * const crm = createCrmClient({ url: 'http://127.0.0.1:3000/trpc', apiKey: process.env.CRMKIT_API_KEY! });
 * const hq = await crm.accounts.create.mutate({ name: 'Hualian Supermarkets' });
 */
export function createCrmClient(options: CrmClientOptions): CrmClient {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timedFetch: typeof fetch = async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await baseFetch(input, { ...init, signal });
    // A non-JSON error page (proxy, load balancer) would otherwise surface as BAD_RESPONSE with its status lost.
    if (!response.ok && !/json/i.test(response.headers.get('content-type') ?? '')) {
      void response.body?.cancel().catch(() => {});
      throw new HttpStatusError(response);
    }
    return response;
  };
  const headers = async () => {
    const credential = options.apiKey ?? (await options.getToken!());
    return { ...options.headers, authorization: `Bearer ${credential}` };
  };
  const transport = options.batch ? httpBatchLink({ url: options.url, headers, fetch: timedFetch }) : httpLink({ url: options.url, headers, fetch: timedFetch });
  const client = createTRPCClient<AppRouter>({ links: [crmRetryLink(options.retry), transport] });
  return withCrmErrors(client);
}
