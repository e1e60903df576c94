import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { createFakeClock, type FakeClock, type Role } from '@crmkit/core';
import { expect } from 'vitest';
import { createCrmServer, type AppRouter, type CrmServer } from '../../src/index.js';
import { freshDatabaseUrl } from './database.js';

export const TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123';

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface Harness {
  crm: CrmServer;
  clock: FakeClock;
  url: string;
  databaseUrl: string;
  tenantA: string;
  tenantB: string;
  /** Admin API-key clients of tenant A and B. */
  adminA: Client;
  adminB: Client;
  /** A client calling with the given Authorization credential (or none). */
  clientWith(credential: string | null): Client;
  /** A client acting as a user of a tenant, through a freshly minted token. */
  asUser(tenantId: string, userId: string, role: Role): Promise<Client>;
  close(): Promise<void>;
}

/** Starts crmkit on a fresh database over HTTP, with two tenants and an admin key each. */
export async function startHarness(options: { start?: string } = {}): Promise<Harness> {
  const db = await freshDatabaseUrl();
  const clock = createFakeClock(options.start ?? '2026-03-01T09:00:00Z');
  const crm = await createCrmServer({ databaseUrl: db.url, clock, auth: { tokenSecret: TOKEN_SECRET } });
  const { url } = await crm.listen(0);
  const tenantA = (await crm.bootstrap.createTenant({ id: 'ten_a', name: 'Tenant A' })).id;
  const tenantB = (await crm.bootstrap.createTenant({ id: 'ten_b', name: 'Tenant B' })).id;
  const keyA = await crm.bootstrap.createApiKey({ tenantId: tenantA, name: 'admin A', role: 'admin' });
  const keyB = await crm.bootstrap.createApiKey({ tenantId: tenantB, name: 'admin B', role: 'admin' });
  const clientWith = (credential: string | null) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: () => (credential ? { authorization: `Bearer ${credential}` } : {}) })] });
  return {
    crm,
    clock,
    url,
    databaseUrl: db.url,
    tenantA,
    tenantB,
    adminA: clientWith(keyA.secret),
    adminB: clientWith(keyB.secret),
    clientWith,
    asUser: async (tenantId, userId, role) => clientWith(await crm.mintUserToken({ tenantId, userId, role, ttl: 600 })),
    async close() {
      await crm.close();
      await db.drop();
    },
  };
}

/** The crmkit error code of a failed call (asserting it failed the crmkit way). */
export async function crmCodeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<AppRouter>).data as { crmCode?: string } | undefined;
  expect(data?.crmCode, String(error)).toBeTypeOf('string');
  return data!.crmCode!;
}

/** The whole error data of a failed call. */
export async function errorOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<AppRouter>;
  return { message: e.message, ...(e.data as { crmCode: string; httpStatus: number; fieldErrors: Record<string, string[]> | null; details: Record<string, unknown> | null }) };
}

/** Row counts of every crmkit table, to prove a failed call wrote nothing. */
export async function tableCounts(crm: CrmServer) {
  const db = crm.db;
  const [tenants, users, apiKeys, accounts, contacts, audit, outbox] = await Promise.all([
    db.tenant.count(), db.user.count(), db.apiKey.count(), db.account.count(), db.contact.count(), db.auditEvent.count(), db.outboxEvent.count(),
  ]);
  const latest = await db.account.findFirst({ orderBy: { updatedAt: 'desc' }, select: { id: true, version: true, updatedAt: true } });
  return { tenants, users, apiKeys, accounts, contacts, audit, outbox, latestAccount: latest ? { ...latest, updatedAt: latest.updatedAt.toISOString() } : null };
}

let userSeq = 0;
/** Fresh rep users of a tenant (through the given client), with ids unique to this run: `li-3`, `zhao-3`… */
export async function freshUsers(client: Client, ...names: string[]): Promise<string[]> {
  userSeq += 1;
  const ids = names.map((n) => `${n}-${userSeq}`);
  for (const id of ids) await client.users.upsert.mutate({ id, displayName: id, role: 'rep' });
  return ids;
}
