import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../generated/sqlite/client.js';
import { toCrmError } from '../src/errors.js';
import { postgresUrl } from './helpers/database.js';
import { freshUsers, startHarness, type Harness } from './helpers/harness.js';

describe('a write that collided with a concurrent one', () => {
  it('maps a deadlock met by a raw row lock (Prisma P2010 over PostgreSQL 40P01) to UNAVAILABLE, retryable with 503, never INTERNAL', () => {
    const cause = { originalCode: '40P01', originalMessage: 'deadlock detected', kind: 'TransactionWriteConflict' };
    const error = new Prisma.PrismaClientKnownRequestError('Raw query failed. Code: `40P01`. Message: `deadlock detected`', {
      code: 'P2010',
      clientVersion: '7.10.0',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
    });
    const crm = toCrmError(error);
    expect(crm).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(crm.cause).toBe(error);
  });

  it('maps a deadlock or serialization failure met by a model query (P2034) to UNAVAILABLE', () => {
    const message = 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction';
    const error = new Prisma.PrismaClientKnownRequestError(message, { code: 'P2034', clientVersion: '7.10.0' });
    expect(toCrmError(error)).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
  });
});

// A real deadlock: two transactions lock two user rows in opposite order; PostgreSQL aborts one.
describe.runIf(postgresUrl)('a real PostgreSQL deadlock', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('reaches the caller as UNAVAILABLE (retryable), not INTERNAL', async () => {
    const [a, b] = await freshUsers(h.adminA, 'first', 'second');
    let bothHold!: () => void;
    const holding = new Promise<void>((resolve) => (bothHold = resolve));
    let holders = 0;
    const lockBoth = (one: string, other: string) =>
      h.crm.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${one} FOR UPDATE`;
        if ((holders += 1) === 2) bothHold();
        await holding;
        await tx.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${other} FOR UPDATE`;
      });
    const settled = await Promise.allSettled([lockBoth(a!, b!), lockBoth(b!, a!)]);
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(failures).toHaveLength(1);
    expect(toCrmError(failures[0])).toMatchObject({ code: 'UNAVAILABLE', retryable: true, httpStatus: 503 });
  });
});
