import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { QueryClient, QueryClientProvider, type QueryClientConfig } from '@tanstack/react-query';
import { createCrmClient, type CrmClient, type CrmClientOptions } from '@crmkit/client';
import { isCrmError } from '@crmkit/core';

/** Transport options of a client the provider creates (timeout, retries, batching, headers, fetch). */
export type CrmProviderClientOptions = Omit<CrmClientOptions, 'url' | 'apiKey' | 'getToken'>;

interface ProviderCommonProps {
  children?: ReactNode;
  /**
   * The QueryClient to cache crmkit data in, typically your app's own so crmkit queries share
   * its cache and devtools. Without one, each provider creates its own (see `createCrmQueryClient`).
   */
  queryClient?: QueryClient;
}

/** Props of `CrmProvider`: an existing client, or what to create one from. */
export type CrmProviderProps = ProviderCommonProps &
  (
    | { /** A client you created with `createCrmClient`. */ client: CrmClient; url?: never; apiKey?: never; getToken?: never; clientOptions?: never }
    | {
        client?: never;
        /** The crmkit endpoint, e.g. `https://crm.example.com/trpc`. */
        url: string;
        /** Read once, when the client is created. */
        clientOptions?: CrmProviderClientOptions;
      } & (
        | { /** A service API key (`crm_…`); only for trusted, server-rendered or internal apps. */ apiKey: string; getToken?: never }
        | { /** Returns a current user token minted by your backend; called for every request (the latest function passed is used). */ getToken: () => string | Promise<string>; apiKey?: never }
      )
  );

const CrmClientContext = createContext<CrmClient | null>(null);
CrmClientContext.displayName = 'CrmClientContext';

/**
 * TanStack Query's retry policy for crmkit queries. The client already retries transient
 * failures (network, timeout, 503, 429) inside one call, so this adds at most one more round for
 * those and never repeats a request that cannot succeed (NOT_FOUND, VALIDATION, FORBIDDEN…).
 *
 * @example
 * new QueryClient({ defaultOptions: { queries: { retry: crmQueryRetry } } });
 */
export function crmQueryRetry(failureCount: number, error: unknown): boolean {
  return isCrmError(error) ? error.retryable && failureCount < 1 : failureCount < 3;
}

/**
 * A QueryClient with defaults suited to crmkit (the retry policy of `crmQueryRetry`). This is
 * what `CrmProvider` creates when you pass none; your `config` is merged over it.
 *
 * @example
 * const queryClient = createCrmQueryClient({ defaultOptions: { queries: { staleTime: 30_000 } } });
 * <CrmProvider url="/trpc" getToken={getToken} queryClient={queryClient}>…</CrmProvider>
 */
export function createCrmQueryClient(config: QueryClientConfig = {}): QueryClient {
  return new QueryClient({
    ...config,
    defaultOptions: {
      ...config.defaultOptions,
      queries: { retry: crmQueryRetry, ...config.defaultOptions?.queries },
    },
  });
}

// useLayoutEffect warns during server rendering in React 18; effects never run there anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/**
 * Makes a crmkit client and a TanStack QueryClient available to the hooks below it.
 * Pass an existing `client`, or `url` with `apiKey` or `getToken` and the provider creates one
 * (once; again only if `url` or `apiKey` change). Always renders a `QueryClientProvider` with the
 * given `queryClient` or one of its own.
 *
 * All crmkit hooks cache under `crmKeys.all`, with no user in the key: when the signed-in user
 * or tenant changes, remount the provider (e.g. `key={userId}`) or remove those queries.
 *
 * @example
 * <CrmProvider url="https://crm.example.com/trpc" getToken={() => fetchCrmToken()}>
 *   <AccountsPage />
 * </CrmProvider>
 */
export function CrmProvider(props: CrmProviderProps): ReactNode {
  const { children, queryClient: givenQueryClient } = props;

  // The latest getToken, so an inline arrow function does not recreate the client every render.
  const getTokenRef = useRef(props.getToken);
  useIsomorphicLayoutEffect(() => {
    getTokenRef.current = props.getToken;
  });
  const clientOptionsRef = useRef(props.clientOptions);

  const hasGetToken = typeof props.getToken === 'function';
  const { client: givenClient, url, apiKey } = props;
  const client = useMemo<CrmClient>(() => {
    if (givenClient) return givenClient;
    if (typeof url !== 'string' || url === '') {
      throw new Error('CrmProvider needs either a `client`, or a `url` with an `apiKey` or `getToken`.');
    }
    const transport = clientOptionsRef.current ?? {};
    if (typeof apiKey === 'string') return createCrmClient({ ...transport, url, apiKey });
    if (hasGetToken) {
      return createCrmClient({
        ...transport,
        url,
        getToken: () => {
          const getToken = getTokenRef.current;
          if (!getToken) throw new Error('CrmProvider lost its getToken prop');
          return getToken();
        },
      });
    }
    throw new Error('CrmProvider needs an `apiKey` or a `getToken` function to go with `url`.');
  }, [givenClient, url, apiKey, hasGetToken]);

  // Created lazily, once per provider instance, and only when no QueryClient was given.
  const ownQueryClient = useRef<QueryClient | null>(null);
  let queryClient = givenQueryClient;
  if (!queryClient) {
    if (ownQueryClient.current === null) ownQueryClient.current = createCrmQueryClient();
    queryClient = ownQueryClient.current;
  }

  return (
    <QueryClientProvider client={queryClient}>
      <CrmClientContext.Provider value={client}>{children}</CrmClientContext.Provider>
    </QueryClientProvider>
  );
}

/**
 * The crmkit client of the nearest `CrmProvider`, for calls the hooks do not cover.
 * Throws when there is no provider above.
 *
 * @example
 * const crm = useCrmClient();
 * const parties = await crm.accounts.orderParties.query({ orderingAccountId: id });
 */
export function useCrmClient(): CrmClient {
  const client = useContext(CrmClientContext);
  if (!client) {
    throw new Error('useCrmClient: no crmkit client here. Wrap this component in <CrmProvider> (from @crmkit/react).');
  }
  return client;
}
