import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug'>;

/** crmkit's default logger: JSON lines on stderr; silent under tests unless CRMKIT_LOG_LEVEL is set. */
export function createLogger(level = process.env.CRMKIT_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')): Logger {
  return pino({ name: 'crmkit', level }, pino.destination(2));
}
