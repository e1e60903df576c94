import { CrmError } from '@crmkit/core';
import { bodyTooLarge } from './errors.js';
import { crmErrorShape } from './trpc.js';

/** The methods crmkit's endpoint answers: GET for queries, POST for mutations, HEAD and OPTIONS. */
export const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
const HEALTH_METHODS = 'GET, HEAD, OPTIONS';

/** What the handlers know of a request before anything reads its body. */
export interface RequestHead {
  method: string;
  /** The path as it arrived, still URL-encoded. */
  pathname: string;
  /** The query string without its `?`. */
  search: string;
  contentType: string | null;
  /** The declared body length, when there is one. */
  contentLength: string | null;
}

export interface ScreenRules {
  /** Where crmkit's procedures sit in the request's full path, without a trailing slash, e.g. `/trpc` or `/api/crm`. */
  endpoint: string;
  maxBatchSize: number;
  maxBodySize: number;
}

/** An answer crmkit gives itself, before tRPC sees the request. */
export interface EarlyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export type Screened =
  | { answer: EarlyAnswer }
  | {
      answer: null;
      /** The procedure path as tRPC expects it (still URL-encoded; tRPC decodes it). */
      rawPath: string;
      /** The same, decoded: `accounts.get`, or `accounts.get,accounts.list` for a batch. */
      path: string;
    };

/** The answer for a CrmError: crmkit's error body, with the code table's HTTP status. */
export function errorAnswer(error: CrmError, headers: Record<string, string> = {}, path?: string): EarlyAnswer {
  const shape = crmErrorShape(error, path);
  return { status: shape.data.httpStatus, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ error: shape }) };
}

function refuse(message: string, code: CrmError['code'], options: { fieldErrors?: Record<string, string[]>; details?: Record<string, unknown> } = {}) {
  return new CrmError(code, message, options);
}

/**
 * Answers what must not reach tRPC, for the Node and the fetch handler alike: the health check
 * (`/healthz` and `<endpoint>/healthz`), paths outside the endpoint, methods crmkit does not serve (405 with `Allow`; OPTIONS 204), a path
 * that is not valid URL encoding, a batch over `maxBatchSize` calls or a body declared over
 * `maxBodySize` (413), a GET whose `input` is not JSON, and a POST body that is not JSON (415).
 * Everything else goes on to tRPC. Never throws.
 */
export function screenRequest(head: RequestHead, rules: ScreenRules): Screened {
  const method = head.method.toUpperCase();
  // At the root for a standalone server; at the endpoint (the mount point) for one mounted in a host's app.
  if (head.pathname === '/healthz' || head.pathname === `${rules.endpoint}/healthz`) {
    if (method === 'GET' || method === 'HEAD') return { answer: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' } };
    if (method === 'OPTIONS') return { answer: { status: 204, headers: { allow: HEALTH_METHODS }, body: null } };
    return { answer: errorAnswer(refuse(`/healthz answers ${HEALTH_METHODS}, not ${method}`, 'METHOD_NOT_SUPPORTED'), { allow: HEALTH_METHODS }) };
  }
  const prefix = `${rules.endpoint}/`;
  if (!head.pathname.startsWith(prefix)) {
    return { answer: errorAnswer(refuse(`not found; crmkit answers under ${prefix}`, 'NOT_FOUND')) };
  }
  if (method === 'OPTIONS') return { answer: { status: 204, headers: { allow: ALLOWED_METHODS }, body: null } };
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    const error = refuse(`crmkit answers ${ALLOWED_METHODS}, not ${method}: queries are GET, mutations POST`, 'METHOD_NOT_SUPPORTED');
    return { answer: errorAnswer(error, { allow: ALLOWED_METHODS }) };
  }

  const rawPath = head.pathname.slice(prefix.length);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    const message = 'the procedure path is not valid URL encoding';
    return { answer: errorAnswer(refuse(message, 'VALIDATION', { fieldErrors: { '': [message] } })) };
  }

  const params = new URLSearchParams(head.search);
  if (params.get('batch') === '1') {
    const calls = path.split(',').length;
    if (calls > rules.maxBatchSize) {
      const error = refuse(`a batch may carry at most ${rules.maxBatchSize} calls; this one carries ${calls}`, 'PAYLOAD_TOO_LARGE', {
        details: { maxBatchSize: rules.maxBatchSize, calls },
      });
      return { answer: errorAnswer(error) };
    }
  }

  if (method === 'GET') {
    const input = params.get('input');
    if (input) {
      try {
        JSON.parse(input);
      } catch {
        const message = 'the `input` query parameter is not valid JSON';
        return { answer: errorAnswer(refuse(message, 'VALIDATION', { fieldErrors: { '': [message] } })) };
      }
    }
  }

  if (method === 'POST') {
    const type = head.contentType?.split(';', 1)[0]!.trim().toLowerCase() ?? '';
    if (type !== 'application/json') {
      const message = type ? `crmkit accepts request bodies of type application/json, not "${type}"` : 'a POST needs the header content-type: application/json';
      return { answer: errorAnswer(refuse(message, 'UNSUPPORTED_MEDIA_TYPE')) };
    }
    const length = head.contentLength === null ? NaN : Number(head.contentLength);
    if (length > rules.maxBodySize) {
      return { answer: errorAnswer(bodyTooLarge(rules.maxBodySize)) };
    }
  }

  return { answer: null, rawPath, path };
}
