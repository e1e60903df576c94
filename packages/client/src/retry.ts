import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AnyRouter } from '@trpc/server';
import type { CrmErrorCode } from '@crmkit/core';
import { responseOf, toClientError } from './errors.js';

export interface RetryOptions {
  /** Total attempts including the first (default 3; 1 disables retries). */
  attempts?: number;
  /** First backoff in ms (default 200); doubles each retry, with full jitter. */
  baseDelayMs?: number;
  /** Longest single wait in ms (default 5000), also the cap on a server's Retry-After. */
  maxDelayMs?: number;
}

/** Reads may be repeated on any transient failure. */
const retryableForQueries: ReadonlySet<CrmErrorCode> = new Set(['NETWORK', 'TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED']);
/** Writes only where the server refused before doing anything, so a retry cannot apply a write twice. */
const retryableForMutations: ReadonlySet<CrmErrorCode> = new Set(['UNAVAILABLE', 'RATE_LIMITED']);

function retryAfterMs(error: unknown): number | undefined {
  const value = responseOf(error)?.headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, new Date(value).getTime() - Date.now());
}

/** Whether a failed operation of this type may be retried. */
export function isRetryable(type: 'query' | 'mutation' | 'subscription', code: CrmErrorCode): boolean {
  return (type === 'query' ? retryableForQueries : retryableForMutations).has(code);
}

/** A tRPC link that retries retryable failures with exponential backoff and full jitter. */
export function crmRetryLink<TRouter extends AnyRouter>(options: RetryOptions = {}, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): TRPCLink<TRouter> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 5000;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let unsubscribe: (() => void) | undefined;
        let stopped = false;
        const attempt = (n: number) => {
          const sub = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              const code = toClientError(error).code;
              if (stopped || n >= attempts || !isRetryable(op.type, code) || op.signal?.aborted) {
                observer.error(error);
                return;
              }
              const backoff = Math.random() * Math.min(cap, base * 2 ** (n - 1));
              const wait = Math.min(cap, retryAfterMs(error) ?? backoff);
              void sleep(wait).then(() => {
                if (!stopped) attempt(n + 1);
              });
            },
          });
          unsubscribe = () => sub.unsubscribe();
        };
        attempt(1);
        return () => {
          stopped = true;
          unsubscribe?.();
        };
      });
}
