import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmServer } from '../src/index.js';
import { createLogger, redactSecrets } from '../src/logger.js';
import { freshDatabaseUrl, postgresUrl } from './helpers/database.js';
import { startHarness, type Harness } from './helpers/harness.js';

/** A logger writing into an array, one parsed JSON object per line. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}

const secrets = ['s3cret-pw', 'hunter2', 'crm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl', 'tok-123'];

describe('log lines carry no credentials', () => {
  it('replaces the password of any URL in a message, a format argument, an object field or an error with ***', () => {
    const { logger, lines, text } = capturedLogger();
    const url = 'postgres://crm:s3cret-pw@db.internal:5432/crm?sslmode=require';
    logger.info({ databaseUrl: url, nested: { urls: [url, 'mysql://root:hunter2@h/x'] } }, `opened ${url}`);
    logger.info('database %s is up', url);
    const error = new Error(`could not connect to ${url}`, { cause: new Error('pool for postgres://crm:s3cret-pw@db.internal/crm') });
    logger.error({ err: error }, 'failed');
    logger.error(error);
    expect(text()).not.toContain('s3cret-pw');
    expect(text()).not.toContain('hunter2');
    const [first, second, third, fourth] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(first!.msg).toBe('opened postgres://crm:***@db.internal:5432/crm?sslmode=require');
    expect(first!.databaseUrl).toBe('postgres://crm:***@db.internal:5432/crm?sslmode=require');
    expect(first!.nested.urls).toEqual(['postgres://crm:***@db.internal:5432/crm?sslmode=require', 'mysql://root:***@h/x']);
    expect(second!.msg).toBe('database postgres://crm:***@db.internal:5432/crm?sslmode=require is up');
    // Errors stay errors to the log (type, message, stack), only redacted.
    // (pino's error serializer appends the causes' messages.)
    const message = 'could not connect to postgres://crm:***@db.internal:5432/crm?sslmode=require: pool for postgres://crm:***@db.internal/crm';
    expect(third!.err).toMatchObject({ type: 'Error', message });
    expect(third!.err.stack).toContain('could not connect to postgres://crm:***@db.internal');
    expect(fourth!.err.message).toBe(message);
  });

  it('redacts authorization headers, secrets by field name, bearer tokens, API keys and user tokens', () => {
    const { logger, text } = capturedLogger();
    logger.warn({
      headers: { authorization: 'Bearer crm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg', cookie: 'sid=tok-123', accept: 'application/json' },
      auth: { tokenSecret: 'hunter2', password: 'hunter2' },
      note: 'retrying with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl',
      conn: 'host=db user=crm password=hunter2 dbname=crm',
    }, 'key crm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg refused');
    for (const secret of secrets) expect(text()).not.toContain(secret);
    const line = JSON.parse(text()) as Record<string, any>;
    expect(line.headers).toEqual({ authorization: '***', cookie: '***', accept: 'application/json' });
    expect(line.auth).toEqual({ tokenSecret: '***', password: '***' });
    expect(line.msg).toBe('key crm_*** refused');
    expect(line.conn).toBe('host=db user=crm password=*** dbname=crm');
  });

  it('leaves text without credentials as it was', () => {
    const plain = { url: 'https://example.com/a?b=c', user: 'postgres://crm@db/crm', email: 'li@example.com', at: new Date('2026-01-01T00:00:00Z'), n: 3 };
    expect(redactSecrets(plain)).toEqual(plain);
    expect(redactSecrets('crm_short')).toBe('crm_short');
  });
});

describe('crmkit’s own log lines', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('logs an unexpected error whose message quotes the database URL with the password redacted', async () => {
    const { logger, text } = capturedLogger();
    // A database that fails the way a driver does: quoting its connection string.
    const failing = new Proxy(h.crm.db, {
      get(target, property, receiver) {
        if (property === '$transaction') return () => Promise.reject(new Error('connection to postgres://crm:s3cret-pw@db.internal/crm lost'));
        return Reflect.get(target, property, receiver);
      },
    });
    const crm = await createCrmServer({ prisma: { client: failing, provider: h.crm.provider }, logger });
    try {
      const error = await crm.createCaller({ tenantId: h.tenantA, type: 'user', id: 'u1', role: 'admin', scopes: null }).accounts.create({ name: 'x' }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await crm.close();
    }
    expect(text()).toContain('unexpected error in procedure');
    expect(text()).toContain('connection to postgres://crm:***@db.internal/crm lost');
    expect(text()).not.toContain('s3cret-pw');
  });
});

// The CLI's start-up line names the database; with a password only PostgreSQL URLs have one.
describe.runIf(postgresUrl)('crmkit serve', () => {
  it('prints the database URL at start-up with its password redacted', async () => {
    const db = await freshDatabaseUrl();
    const withPassword = db.url.replace(/^postgres(ql)?:\/\/([^:@/]+)(:[^@/]*)?@/, 'postgresql://$2:s3cret-pw@');
    expect(withPassword).toContain(':s3cret-pw@');
    const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    const child = spawn(process.execPath, ['--conditions=@crmkit/source', '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--database', withPassword], {
      cwd: serverDir,
      env: { ...process.env, VITEST: '', CRMKIT_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up line within 30 s:\n${output}`)), 30_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('crmkit listening on')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`crmkit exited with ${code}:\n${output}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      await db.drop();
    }
    expect(output).toContain(withPassword.replace(':s3cret-pw@', ':***@'));
    expect(output).not.toContain('s3cret-pw');
  }, 60_000);
});
