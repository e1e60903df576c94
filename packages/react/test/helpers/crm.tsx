import type { ReactNode } from 'react';
import { QueryClient } from '@tanstack/react-query';
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { newId, systemClock } from '@crmkit/core';
import { createCrmClient, type CrmClient } from '@crmkit/client';
import type { Clock, Role } from '@crmkit/core';
import { createCrmServer, type CrmServer } from '@crmkit/server';
import { freshDatabaseUrl } from '../../../server/test/helpers/database.js';
import { CrmProvider } from '../../src/index.js';

export const TOKEN_SECRET = 'react-test-secret-react-test-secret-0123';

export interface TestCrm {
  server: CrmServer;
  url: string;
  tenantId: string;
  /** An admin API key of the tenant. */
  secret: string;
  /** A real client over HTTP with that key. */
  client: CrmClient;
  /** A real client over HTTP acting as one of the host's users, with a fresh token minted for every request. */
  clientAs(userId: string, role: Role): CrmClient;
  close(): Promise<void>;
}

/**
 * A real crmkit server on a fresh database, listening on a free port, with one tenant and an admin key.
 * `clock` is the server's "now" (default: the system clock), e.g. a fake clock to age invoices across days.
 */
export async function startCrm(options: { clock?: Clock } = {}): Promise<TestCrm> {
  const db = await freshDatabaseUrl();
  // The secret as bytes of this realm's Uint8Array: under jsdom the global Uint8Array is jsdom's,
  // so jose refuses the Node-realm bytes TextEncoder makes from a string secret.
  const tokenSecret = new Uint8Array(new TextEncoder().encode(TOKEN_SECRET));
  const server = await createCrmServer({ databaseUrl: db.url, auth: { tokenSecret }, ...(options.clock ? { clock: options.clock } : {}) });
  const tenantId = (await server.bootstrap.createTenant({ name: 'React tests' })).id;
  const { secret } = await server.bootstrap.createApiKey({ tenantId, name: 'react tests admin', role: 'admin' });
  const { url } = await server.listen(0);
  return {
    server,
    url,
    tenantId,
    secret,
    client: createCrmClient({ url, apiKey: secret }),
    clientAs: (userId, role) => createCrmClient({ url, getToken: () => server.mintUserToken({ tenantId, userId, role, ttl: 600 }) }),
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** A QueryClient for one test: no retries, so failures surface at once. */
export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
}

/** A wrapper for render/renderHook: a CrmProvider with the given client and a fresh QueryClient. */
export function crmWrapper(client: CrmClient, queryClient: QueryClient = testQueryClient()) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <CrmProvider client={client} queryClient={queryClient}>
        {children}
      </CrmProvider>
    );
  };
}

/**
 * Gives every test of the file a fresh QueryClient and wrapper around `client()` (handed to `use`
 * before each test), and unmounts and clears them after it.
 */
export function freshQueryClientPerTest(client: () => CrmClient, use: (queryClient: QueryClient, wrapper: ReturnType<typeof crmWrapper>) => void): void {
  let queryClient: QueryClient | undefined;
  beforeEach(() => {
    queryClient = testQueryClient();
    use(queryClient, crmWrapper(client(), queryClient));
  });
  afterEach(() => {
    cleanup();
    queryClient?.clear();
  });
}

let markers = 0;
/** A word no other test's account names contain, so `search` isolates each test's accounts. */
export const marker = (label: string) => `${label}${++markers}x${Math.random().toString(36).slice(2, 8)}`;

/** A syntactically valid account id that names nothing. */
export const unknownAccountId = () => newId('acc', systemClock);
