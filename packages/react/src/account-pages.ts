import { useMemo } from 'react';
import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryOptions, type UseInfiniteQueryResult } from '@tanstack/react-query';
import type { Account, CrmError, Page } from '@crmkit/core';

/** The cursor a page was fetched with (`null` for the first page). */
export type AccountPageParam = string | null;

/** TanStack's infinite query result over account pages, plus the pages flattened. */
export type AccountPagesResult = UseInfiniteQueryResult<InfiniteData<Page<Account>, AccountPageParam>, CrmError> & {
  /** Every account of the pages loaded so far, in the server's order. */
  accounts: Account[];
};

/** Options passed through to `useInfiniteQuery` (paging is the hook's own). */
export type AccountPagesOptions<TKey extends readonly unknown[]> = Omit<
  UseInfiniteQueryOptions<Page<Account>, CrmError, InfiniteData<Page<Account>, AccountPageParam>, TKey, AccountPageParam>,
  'queryKey' | 'queryFn' | 'initialPageParam' | 'getNextPageParam' | 'getPreviousPageParam' | 'select'
>;

const noAccounts: Account[] = [];

/** An infinite query over a cursor-paged list of accounts (the accounts list, the pool). */
export function useAccountPages<TKey extends readonly unknown[]>(
  queryKey: TKey,
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<Account>>,
  options: AccountPagesOptions<TKey>,
): AccountPagesResult {
  const query = useInfiniteQuery<Page<Account>, CrmError, InfiniteData<Page<Account>, AccountPageParam>, TKey, AccountPageParam>({
    ...options,
    queryKey,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam ?? undefined, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
  const pages = query.data?.pages;
  const accounts = useMemo(() => (pages ? pages.flatMap((page) => page.items) : noAccounts), [pages]);
  return { ...query, accounts };
}
