import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js';
import { toCrmError } from '../src/errors.js';
import { createCrmServer, type CrmServer } from '../src/index.js';
import type { Db } from '../src/db/client.js';
import { postgresUrl } from './helpers/database.js';
import { startHarness, tableCounts, type Harness } from './helpers/harness.js';

const admin = (tenantId: string) => ({ tenantId, type: 'user' as const, id: 'host-admin', role: 'admin' as const, scopes: null });

describe('database errors that a retry may cure', () => {
  it("maps Prisma's transaction-start timeout (P2028) to UNAVAILABLE, retryable with 503, never INTERNAL", () => {
    const error = new Prisma.PrismaClientKnownRequestError('Transaction API error: Unable to start a transaction in the given time.', { code: 'P2028', clientVersion: '7.10.0' });
    const crm = toCrmError(error);
    expect(crm).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(crm.cause).toBe(error);
  });

  it('maps a pool that gave no connection in time, and an unreachable database, to UNAVAILABLE', () => {
    const cases = [
      new Prisma.PrismaClientKnownRequestError('Timed out fetching a new connection from the connection pool.', { code: 'P2024', clientVersion: '7.10.0' }),
      new Prisma.PrismaClientKnownRequestError("Can't reach database server", { code: 'P1001', clientVersion: '7.10.0' }),
      new Prisma.PrismaClientKnownRequestError('Too many connections', {
        code: 'P2037',
        clientVersion: '7.10.0',
        meta: { driverAdapterError: { cause: { kind: 'TooManyConnections' } } },
      }),
      new Error('timeout exceeded when trying to connect'),
      new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') }),
    ];
    for (const error of cases) expect(toCrmError(error).code, error.message).toBe('UNAVAILABLE');
    // Other database failures stay INTERNAL (their detail only in the log).
    expect(toCrmError(new Prisma.PrismaClientKnownRequestError('Null constraint violation', { code: 'P2011', clientVersion: '7.10.0' })).code).toBe('INTERNAL');
  });

  it('maps SQLITE_READONLY under a Prisma error to UNAVAILABLE saying the database is read-only', () => {
    const error = new Prisma.PrismaClientKnownRequestError('attempt to write a readonly database', {
      code: 'P2010',
      clientVersion: '7.10.0',
      meta: { driverAdapterError: { cause: { kind: 'sqlite', originalCode: 'SQLITE_READONLY', originalMessage: 'attempt to write a readonly database' } } },
    });
    expect(toCrmError(error)).toMatchObject({ code: 'UNAVAILABLE', message: 'the database is read-only: crmkit cannot write to it' });
  });
});

// A real pool with one connection, held by someone else: crmkit's calls cannot get a connection in time.
describe.runIf(postgresUrl)('a PostgreSQL pool with no free connection', () => {
  let h: Harness;
  let pool: Db;
  let crm: CrmServer;
  beforeAll(async () => {
    h = await startHarness();
    pool = new PostgresClient({ adapter: new PrismaPg({ connectionString: h.databaseUrl, max: 1, connectionTimeoutMillis: 200 }) }) as unknown as Db;
    crm = await createCrmServer({ prisma: { client: pool, provider: 'postgresql' } });
  });
  afterAll(async () => {
    await crm?.close();
    await pool?.$disconnect();
    await h?.close();
  });

  it('answers reads and writes UNAVAILABLE (503, retryable), not INTERNAL, and writes nothing', async () => {
    const caller = crm.createCaller(admin(h.tenantA));
    const account = await caller.accounts.create({ name: 'Before the pool filled' });
    const before = await tableCounts(h.crm);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const taken = new Promise<void>((resolve) => (holding = resolve));
    const holder = pool.$transaction(
      async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1');
        holding();
        await held;
      },
      { timeout: 20_000 },
    );
    await taken;
    try {
      const write = await caller.accounts.create({ name: 'While the pool is full' }).catch((e: unknown) => e);
      const read = await caller.accounts.get({ id: account.id }).catch((e: unknown) => e);
      for (const error of [write, read]) {
        expect((error as { code?: string }).code).toBe('SERVICE_UNAVAILABLE');
        expect((error as { cause?: unknown }).cause).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
      }
    } finally {
      release();
      await holder;
    }
    expect(await tableCounts(h.crm)).toEqual(before);
    await expect(caller.accounts.create({ name: 'After the pool freed' })).resolves.toMatchObject({ name: 'After the pool freed' });
  });
});
