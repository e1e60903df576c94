import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { CrmError } from '@crmkit/core';
import { CrmProvider, createCrmQueryClient, crmQueryRetry, useAccount, useCrmClient, type CrmClient } from '../src/index.js';
import { startCrm, testQueryClient, type TestCrm } from './helpers/crm.js';

let crm: TestCrm;
beforeAll(async () => {
  crm = await startCrm();
});
afterAll(() => crm?.close());
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** React logs render errors it rethrows; keep the test output quiet and assert on the throw. */
function quietRenderErrors() {
  vi.spyOn(console, 'error').mockImplementation(() => {});
}

describe('useCrmClient', () => {
  it('throws a clear message outside a CrmProvider', () => {
    quietRenderErrors();
    expect(() => renderHook(() => useCrmClient())).toThrow(/Wrap this component in <CrmProvider>/);
  });

  it('makes every hook fail the same clear way outside a CrmProvider', () => {
    quietRenderErrors();
    expect(() => renderHook(() => useAccount('acc_x'))).toThrow(/<CrmProvider>/);
  });

  it('returns the client passed to the provider', () => {
    const { result } = renderHook(() => useCrmClient(), {
      wrapper: ({ children }) => <CrmProvider client={crm.client}>{children}</CrmProvider>,
    });
    expect(result.current).toBe(crm.client);
  });
});

describe('CrmProvider', () => {
  it('creates a working client from url and apiKey, once across re-renders', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Provider-made client' });
    const queryClient = testQueryClient();
    const { result, rerender } = renderHook(() => ({ client: useCrmClient(), account: useAccount(account.id) }), {
      wrapper: ({ children }) => (
        <CrmProvider url={crm.url} apiKey={crm.secret} queryClient={queryClient}>
          {children}
        </CrmProvider>
      ),
    });
    const first = result.current.client;
    await waitFor(() => expect(result.current.account.data?.name).toBe('Provider-made client'));
    rerender();
    expect(result.current.client).toBe(first);
  });

  it('calls the latest getToken without recreating the client', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Token reader' });
    // A rep sees only the accounts they own (or their team's, or their delegators').
    await crm.client.users.upsert.mutate({ id: 'user-1', displayName: 'Token reader rep', role: 'rep' });
    await crm.client.ownership.assign.mutate({ accountId: account.id, primaryOwnerId: 'user-1', reason: 'their account' });
    const token = await crm.server.mintUserToken({ tenantId: crm.tenantId, userId: 'user-1', role: 'rep', ttl: 600 });
    const queryClient = testQueryClient();
    function App({ getToken, children }: { getToken: () => string; children: ReactNode }) {
      return (
        <CrmProvider url={crm.url} getToken={getToken} queryClient={queryClient}>
          {children}
        </CrmProvider>
      );
    }
    const clients: CrmClient[] = [];
    function Name() {
      clients.push(useCrmClient());
      const { data, error } = useAccount(account.id);
      return <p>{error ? error.code : (data?.name ?? 'loading')}</p>;
    }
    const { rerender } = render(
      <App getToken={() => 'not-a-token'}>
        <Name />
      </App>,
    );
    expect(await screen.findByText('UNAUTHORIZED')).toBeTruthy();
    const getToken = vi.fn(() => token);
    rerender(
      <App getToken={getToken}>
        <Name />
      </App>,
    );
    await act(() => queryClient.refetchQueries());
    expect(await screen.findByText('Token reader')).toBeTruthy();
    expect(getToken).toHaveBeenCalled();
    expect(new Set(clients).size).toBe(1);
  });

  it('creates one QueryClient per provider instance when none is given, and keeps it', () => {
    const seen: QueryClient[] = [];
    function Probe() {
      seen.push(useQueryClient());
      return null;
    }
    const { rerender } = render(
      <>
        <CrmProvider client={crm.client}>
          <Probe />
        </CrmProvider>
        <CrmProvider client={crm.client}>
          <Probe />
        </CrmProvider>
      </>,
    );
    const [a, b] = seen;
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
    rerender(
      <>
        <CrmProvider client={crm.client}>
          <Probe />
        </CrmProvider>
        <CrmProvider client={crm.client}>
          <Probe />
        </CrmProvider>
      </>,
    );
    expect(seen.slice(2)).toEqual([a, b]);
  });

  it('uses the QueryClient it is given', () => {
    const queryClient = testQueryClient();
    const { result } = renderHook(() => useQueryClient(), {
      wrapper: ({ children }) => (
        <CrmProvider client={crm.client} queryClient={queryClient}>
          {children}
        </CrmProvider>
      ),
    });
    expect(result.current).toBe(queryClient);
  });

  it('says what is missing when it has neither a client nor credentials', () => {
    quietRenderErrors();
    const props = { url: crm.url } as unknown as { url: string; apiKey: string };
    expect(() => render(<CrmProvider {...props} />)).toThrow(/needs an `apiKey` or a `getToken`/);
    expect(() => render(<CrmProvider {...({} as { client: CrmClient })} />)).toThrow(/needs either a `client`, or a `url`/);
  });
});

describe('createCrmQueryClient', () => {
  it('never retries what cannot succeed, and retries a transient failure once more', () => {
    expect(crmQueryRetry(0, new CrmError('NOT_FOUND', 'gone'))).toBe(false);
    expect(crmQueryRetry(0, new CrmError('VALIDATION', 'bad'))).toBe(false);
    expect(crmQueryRetry(0, new CrmError('UNAVAILABLE', 'busy'))).toBe(true);
    expect(crmQueryRetry(1, new CrmError('UNAVAILABLE', 'busy'))).toBe(false);
    expect(crmQueryRetry(0, new Error('a bug in a select function'))).toBe(true);
  });

  it('uses that policy by default and lets the host override it', () => {
    expect(createCrmQueryClient().getDefaultOptions().queries?.retry).toBe(crmQueryRetry);
    const custom = createCrmQueryClient({ defaultOptions: { queries: { retry: false, staleTime: 5000 } } });
    expect(custom.getDefaultOptions().queries).toMatchObject({ retry: false, staleTime: 5000 });
  });

  it('makes an unknown account fail at once through a provider-made QueryClient', async () => {
    const { result } = renderHook(() => useAccount('acc_0000000000ZZZZZZZZZZZZZZZZ'), {
      wrapper: ({ children }) => <CrmProvider client={crm.client}>{children}</CrmProvider>,
    });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error?.code).toBe('NOT_FOUND');
    expect(result.current.failureCount).toBe(1);
  });
});
