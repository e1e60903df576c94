import { CrmError } from '@crmkit/core';
import { errorAnswer, type EarlyAnswer } from './request-screen.js';

/** Which other origins (browser widgets served elsewhere) may call crmkit. Without it, crmkit sends no CORS headers. */
export interface CorsOptions {
  /**
   * Allowed origins, exactly as browsers send them (`https://app.example.com`: scheme, host, port; no path), or a
   * function deciding. An origin not allowed gets no CORS headers, so the browser refuses it.
   */
  origins: readonly string[] | ((origin: string) => boolean);
  /** Send `Access-Control-Allow-Credentials: true` (only needed if the browser sends cookies; bearer tokens do not need it). */
  credentials?: boolean;
  /** How long a browser may cache a preflight's answer (default 600 seconds). */
  maxAgeSeconds?: number;
  /** Request headers allowed besides `authorization`, `content-type` and `trpc-accept`, e.g. the client's extra `headers`. */
  allowHeaders?: readonly string[];
}

/** Request headers crmkit's clients send: credentials, the JSON body's type, and tRPC's streaming negotiation. */
const BASE_ALLOWED_HEADERS = ['authorization', 'content-type', 'trpc-accept'];
/** `retry-after` is what `@crmkit/client` reads to pace its retries of a 503 or 429. */
const EXPOSED_HEADERS = 'retry-after';
const ALLOWED_CORS_METHODS = 'GET, POST, OPTIONS';

/** What a request says that CORS needs: its `Origin` and, for a preflight, `Access-Control-Request-Method`. */
export interface CorsRequest {
  method: string;
  origin: string | null;
  requestMethod: string | null;
}

export interface Cors {
  /**
   * Headers every answer to this request carries: `Vary: Origin` always (caches must not hand one origin's
   * answer to another), and for an allowed origin `Access-Control-Allow-Origin` (that origin, never `*`) and the rest.
   */
  headersFor(origin: string | null): Record<string, string>;
  /** The answer to a preflight: 204 with the allowed methods and headers for an allowed origin; 403 FORBIDDEN, without CORS headers, otherwise. */
  preflight(origin: string): EarlyAnswer;
}

/** A CORS preflight: an OPTIONS carrying `Origin` and `Access-Control-Request-Method`. It is never an API call. */
export function isPreflight(request: CorsRequest): request is CorsRequest & { origin: string } {
  return request.method.toUpperCase() === 'OPTIONS' && !!request.origin && !!request.requestMethod;
}

const normalize = (origin: string) => origin.trim().replace(/\/+$/, '').toLowerCase();

/** The CORS policy of `options`, or null when crmkit sends no CORS headers (the default: same-origin callers only). */
export function createCors(options: CorsOptions | undefined): Cors | null {
  if (!options) return null;
  const listed = typeof options.origins === 'function' ? null : new Set(options.origins.map(normalize));
  const decide = typeof options.origins === 'function' ? options.origins : null;
  const allowed = (origin: string) => {
    try {
      return listed ? listed.has(normalize(origin)) : decide!(origin) === true;
    } catch {
      return false; // a host's predicate that throws allows nothing
    }
  };
  const allowHeaders = [...new Set([...BASE_ALLOWED_HEADERS, ...(options.allowHeaders ?? []).map((h) => h.toLowerCase())])].join(', ');
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const credentials: Record<string, string> = options.credentials ? { 'access-control-allow-credentials': 'true' } : {};

  return {
    headersFor(origin) {
      if (!origin || !allowed(origin)) return { vary: 'origin' };
      return { vary: 'origin', 'access-control-allow-origin': origin, ...credentials, 'access-control-expose-headers': EXPOSED_HEADERS };
    },
    preflight(origin) {
      if (!allowed(origin)) {
        return errorAnswer(new CrmError('FORBIDDEN', 'this origin may not call crmkit'), { vary: 'origin' });
      }
      const headers = {
        vary: 'origin',
        'access-control-allow-origin': origin,
        ...credentials,
        'access-control-allow-methods': ALLOWED_CORS_METHODS,
        'access-control-allow-headers': allowHeaders,
        'access-control-max-age': maxAge,
      };
      return { status: 204, headers, body: null };
    },
  };
}

/** A `Vary` value that also names `field` (once). */
export function varyWith(vary: string | null | undefined, field: string): string {
  if (!vary) return field;
  return vary.split(',').some((f) => f.trim().toLowerCase() === field) ? vary : `${vary}, ${field}`;
}

/** `headers` with the CORS headers added; a `vary` already there keeps its values and gains `origin`. */
export function withCorsHeaders(headers: Record<string, string>, cors: Record<string, string>): Record<string, string> {
  const merged = { ...headers };
  for (const [key, value] of Object.entries(cors)) {
    const existing = Object.keys(merged).find((k) => k.toLowerCase() === key) ?? key;
    merged[existing] = key === 'vary' ? varyWith(merged[existing], value) : value;
  }
  return merged;
}
