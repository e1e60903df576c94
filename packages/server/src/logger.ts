import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug'>;

/**
 * crmkit's default logger: JSON lines on stderr; silent under tests unless CRMKIT_LOG_LEVEL is set.
 * Every argument of every line passes through `redactSecrets` first, so a database URL's password,
 * an Authorization header or a secret never reaches the log.
 */
export function createLogger(level = process.env.CRMKIT_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'crmkit',
      level,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => redactSecrets(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination(2),
  );
}

const REDACTED = '***';

/** Field names whose values are credentials, whatever they hold. */
const secretKey = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|password|passwd|pwd|secret|token|.*(secret|password|token))$/i;

const textRules: Array<[RegExp, string]> = [
  // scheme://user:password@host → scheme://user:***@host (the password may itself hold an unencoded @).
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#'"]*):[^\s'"]*?@(?=[^\s'"@/?#]*(?:[/?#\s'"]|$))/gi, `$1:${REDACTED}@`],
  // ?password=…, &sslpassword=…, &token=… in a URL or connection string.
  [/([?&;\s](?:password|sslpassword|passwd|pwd|secret|token|access_token|api_?key)=)[^&;\s'"#]*/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  // crmkit API key secrets and JWTs (user tokens) wherever they appear.
  [/\bcrm_[A-Za-z0-9_-]{16,}/g, `crm_${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of textRules) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of a log argument with credentials replaced by `***`: passwords in URLs
 * (`postgres://user:***@host`) and connection strings, bearer tokens, crmkit API keys and user
 * tokens in any string, and every value under a key such as `authorization`, `password` or
 * `tokenSecret`, at any depth (errors included: message, stack, cause and own fields).
 *
 * @example
 * redactSecrets('postgres://crm:hunter2@db/crm') // 'postgres://crm:***@db/crm'
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0, new WeakMap()) as T;
}

function redact(value: unknown, depth: number, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8 || value instanceof Date || ArrayBuffer.isView(value)) return value;
  // What JSON would write for it (a URL's href, for one), redacted like any other value.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return redact(toJSON.call(value), depth + 1, seen);
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redact(item, depth + 1, seen));
    return copy;
  }
  if (value instanceof Error) {
    // Same prototype, so loggers still see an error of its class (pino's serializer reads type, message, stack, cause).
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error & Record<string, unknown>;
    seen.set(value, copy);
    for (const key of ['name', 'message', 'stack'] as const) {
      if (typeof value[key] === 'string') Object.defineProperty(copy, key, { value: redactText(value[key]), enumerable: false, writable: true, configurable: true });
    }
    if ('cause' in value) Object.defineProperty(copy, 'cause', { value: redact(value.cause, depth + 1, seen), enumerable: false, writable: true, configurable: true });
    for (const [key, field] of Object.entries(value)) copy[key] = secretKey.test(key) ? REDACTED : redact(field, depth + 1, seen);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, field] of Object.entries(value)) copy[key] = secretKey.test(key) && field != null ? REDACTED : redact(field, depth + 1, seen);
  return copy;
}
