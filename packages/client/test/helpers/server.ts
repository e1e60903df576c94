import type { IncomingHttpHeaders } from 'node:http';
import type { Role } from '@crmkit/core';
import { createCrmServer, type CrmServer } from '@crmkit/server';
import { freshDatabaseUrl } from '../../../server/test/helpers/database.js';

/** 40 bytes: crmkit wants token secrets of at least 32. */
export const TOKEN_SECRET = 'client-suite-token-secret-0123456789-abc';

/** An account id in the right shape that no database holds. */
export const MISSING_ACCOUNT_ID = 'acc_00000000000000000000000000';

export interface TestServer {
  crm: CrmServer;
  /** The tRPC endpoint, e.g. `http://127.0.0.1:41234/trpc`. */
  url: string;
  tenantId: string;
  /** Secret of an admin API key of the tenant. */
  adminKey: string;
  /** Mints a user token of the tenant. */
  tokenFor(userId: string, role: Role): Promise<string>;
  /** How many HTTP requests crmkit itself received for this procedure since the last `resetRequests` (batched requests count once per procedure). */
  requestsFor(procedure: string): number;
  /** The paths of every request crmkit received since the last `resetRequests`. */
  requests: string[];
  /** The headers of those requests, in the same order. */
  requestHeaders: IncomingHttpHeaders[];
  resetRequests(): void;
  close(): Promise<void>;
}

/** crmkit on a fresh database (SQLite, or scratch PostgreSQL with CRMKIT_TEST_POSTGRES_URL), listening on 127.0.0.1. */
export async function startServer(): Promise<TestServer> {
  const db = await freshDatabaseUrl();
  const crm = await createCrmServer({ databaseUrl: db.url, auth: { tokenSecret: TOKEN_SECRET } });
  const { url, server } = await crm.listen(0);
  const requests: string[] = [];
  const requestHeaders: IncomingHttpHeaders[] = [];
  // Counted on the real HTTP server, so a request that msw answered (or failed) never counts.
  server.on('request', (req) => {
    requests.push(decodeURIComponent((req.url ?? '').split('?')[0] ?? ''));
    requestHeaders.push(req.headers);
  });
  const tenant = await crm.bootstrap.createTenant({ name: 'Client Suite Tenant' });
  const key = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'client suite admin', role: 'admin' });
  return {
    crm,
    url,
    tenantId: tenant.id,
    adminKey: key.secret,
    tokenFor: (userId, role) => crm.mintUserToken({ tenantId: tenant.id, userId, role, ttl: 600 }),
    requests,
    requestHeaders,
    requestsFor: (procedure) => requests.filter((path) => path.replace(/^\/trpc\//, '').split(',').includes(procedure)).length,
    resetRequests: () => {
      requests.length = 0;
      requestHeaders.length = 0;
    },
    async close() {
      await crm.close();
      await db.drop();
    },
  };
}

/** The rejection of a promise that must fail (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
