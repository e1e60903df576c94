import { useMemo } from 'react';
import { useInfiniteQuery, type InfiniteData, type UseInfiniteQueryOptions, type UseInfiniteQueryResult } from '@tanstack/react-query';
import type { CrmError, Page } from '@crmkit/core';

/** The cursor a page was fetched with (`null` for the first page). */
export type CursorPageParam = string | null;

/** TanStack's infinite query result over cursor pages of `TItem`. */
export type CursorPagesQuery<TItem> = UseInfiniteQueryResult<InfiniteData<Page<TItem>, CursorPageParam>, CrmError>;

/** Options passed through to `useInfiniteQuery` (paging is the hook's own). */
export type CursorPagesOptions<TItem, TKey extends readonly unknown[]> = Omit<
  UseInfiniteQueryOptions<Page<TItem>, CrmError, InfiniteData<Page<TItem>, CursorPageParam>, TKey, CursorPageParam>,
  'queryKey' | 'queryFn' | 'initialPageParam' | 'getNextPageParam' | 'getPreviousPageParam' | 'select'
>;

/**
 * An infinite query over a cursor-paged list (`{ items, nextCursor }`), with the pages flattened
 * into `items` (a stable array until the pages change). The same paging as `useAccountPages`,
 * for lists of anything.
 */
export function useCursorPages<TItem, TKey extends readonly unknown[]>(
  queryKey: TKey,
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<TItem>>,
  options: CursorPagesOptions<TItem, TKey>,
): { query: CursorPagesQuery<TItem>; items: TItem[] } {
  const query = useInfiniteQuery<Page<TItem>, CrmError, InfiniteData<Page<TItem>, CursorPageParam>, TKey, CursorPageParam>({
    ...options,
    queryKey,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam ?? undefined, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
  const pages = query.data?.pages;
  const items = useMemo(() => (pages ? pages.flatMap((page) => page.items) : []), [pages]);
  return { query, items };
}
