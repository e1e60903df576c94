import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { CrmError, type AccountTreeNode } from '@crmkit/core';
import {
  AccountCard,
  type AccountPage,
  crmKeys,
  useAccount,
  useAccounts,
  useAccountTree,
  useArchiveAccount,
  useCreateAccount,
  useSetAccountParent,
  useUpdateAccount,
} from '../src/index.js';
import { crmWrapper, freshQueryClientPerTest, marker, startCrm, unknownAccountId, type TestCrm } from './helpers/crm.js';

let crm: TestCrm;
let queryClient: QueryClient;
let wrapper: ReturnType<typeof crmWrapper>;

beforeAll(async () => {
  crm = await startCrm();
});
afterAll(() => crm?.close());

freshQueryClientPerTest(() => crm.client, (q, w) => {
  queryClient = q;
  wrapper = w;
});



function AccountHeading({ id }: { id: string | undefined }) {
  const { data, error, isPending } = useAccount(id);
  if (error) return <p role="alert">{`${error.code}: ${error.message}`}</p>;
  if (isPending) return <p>Loading account</p>;
  return <h1>{`${data.name} (${data.grade ?? '-'}) v${data.version}`}</h1>;
}

function AccountList({ search, label = 'accounts' }: { search: string; label?: string }) {
  const { accounts, isSuccess } = useAccounts({ search });
  return (
    <section>
      <ul aria-label={label}>
        {accounts.map((a) => (
          <li key={a.id}>{`${a.name} (${a.grade ?? '-'})`}</li>
        ))}
      </ul>
      {isSuccess && <p>{`${label}: ${accounts.length} loaded`}</p>}
    </section>
  );
}

function TreeView({ id }: { id: string }) {
  const { data, error } = useAccountTree(id);
  if (error) return <p role="alert">{error.code}</p>;
  if (!data) return <p>Loading tree</p>;
  const node = (n: AccountTreeNode) => (
    <li key={n.account.id} data-testid={n.account.id}>
      <span>{`${n.account.name} · depth ${n.depth} · bill-to ${n.billToAccountId}`}</span>
      {n.children.length > 0 && <ul>{n.children.map(node)}</ul>}
    </li>
  );
  return <ul aria-label="tree">{node(data.root)}</ul>;
}

const listItems = (label: string) => within(screen.getByRole('list', { name: label })).queryAllByRole('listitem').map((li) => li.textContent);

describe('useAccount', () => {
  it('loads an account and shows its name', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Hualian Supermarkets', grade: 'A' });
    render(<AccountHeading id={account.id} />, { wrapper });
    expect(screen.getByText('Loading account')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Hualian Supermarkets (A) v1' })).toBeTruthy();
    expect(queryClient.getQueryData(crmKeys.accounts.detail(account.id))).toEqual(account);
  });

  it('exposes a CrmError with code NOT_FOUND for an unknown id', async () => {
    const id = unknownAccountId();
    const { result } = renderHook(() => useAccount(id), { wrapper });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(CrmError);
    expect(result.current.error?.code).toBe('NOT_FOUND');
    expect(result.current.data).toBeUndefined();
  });

  it('fetches nothing while the id is undefined, then loads once it is given', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Late id' });
    const { result, rerender } = renderHook(({ id }: { id: string | undefined }) => useAccount(id), { wrapper, initialProps: { id: undefined as string | undefined } });
    expect(result.current.isPending).toBe(true);
    expect(result.current.fetchStatus).toBe('idle');
    expect(queryClient.isFetching()).toBe(0);
    rerender({ id: account.id });
    await waitFor(() => expect(result.current.data?.name).toBe('Late id'));
  });

  it('refreshes when a host invalidates crmKeys.accounts.all after a change made elsewhere', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Before sync' });
    render(<AccountHeading id={account.id} />, { wrapper });
    await screen.findByRole('heading', { name: 'Before sync (-) v1' });
    await crm.client.accounts.update.mutate({ id: account.id, name: 'After sync' });
    await act(() => queryClient.invalidateQueries({ queryKey: crmKeys.accounts.all }));
    expect(await screen.findByRole('heading', { name: 'After sync (-) v2' })).toBeTruthy();
  });
});

describe('useAccounts', () => {
  it('pages over the cursor until hasNextPage is false, each account once, newest first', async () => {
    const word = marker('paging');
    const created = [];
    for (let i = 1; i <= 5; i++) created.push(await crm.client.accounts.create.mutate({ name: `${word} ${i}` }));
    await crm.client.accounts.create.mutate({ name: 'Not on these pages' });

    const { result } = renderHook(() => useAccounts({ search: word, limit: 2 }), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.accounts).toHaveLength(2);

    let pages = 1;
    while (result.current.hasNextPage) {
      await act(() => result.current.fetchNextPage());
      pages += 1;
      await waitFor(() => expect(result.current.data?.pages).toHaveLength(pages));
      expect(pages).toBeLessThanOrEqual(3); // guards the loop
    }
    expect(pages).toBe(3);
    expect(result.current.data?.pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    const ids = result.current.accounts.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(created.map((a) => a.id).reverse());
    expect(result.current.hasNextPage).toBe(false);
  });

  it('keeps one cache entry per filter, whatever the cursor or undefined fields', () => {
    expect(crmKeys.accounts.list({ search: 'a', grade: undefined })).toEqual(crmKeys.accounts.list({ search: 'a' }));
    expect(crmKeys.accounts.list({ search: 'a', cursor: 'abc' } as never)).toEqual(crmKeys.accounts.list({ search: 'a' }));
    expect(crmKeys.accounts.list({ search: 'a' }).slice(0, 3)).toEqual(crmKeys.accounts.lists);
    expect(crmKeys.accounts.lists.slice(0, 2)).toEqual(crmKeys.accounts.all);
    expect(crmKeys.accounts.all).toEqual(['crmkit', 'accounts']);
  });
});

describe('useAccountTree', () => {
  it('shows the group with nested children, depths and bill-to accounts', async () => {
    const hq = await crm.client.accounts.create.mutate({ name: 'Tree HQ' });
    const east = await crm.client.accounts.create.mutate({ name: 'Tree East', parentId: hq.id, settlesOwnInvoices: true });
    const west = await crm.client.accounts.create.mutate({ name: 'Tree West', parentId: hq.id });
    const store = await crm.client.accounts.create.mutate({ name: 'Tree East Store 7', parentId: east.id });

    render(<TreeView id={store.id} />, { wrapper });
    const root = await screen.findByTestId(hq.id);
    expect(within(root).getByText(`Tree HQ · depth 1 · bill-to ${hq.id}`)).toBeTruthy();
    const eastNode = within(root).getByTestId(east.id);
    expect(within(eastNode).getByText(`Tree East · depth 2 · bill-to ${east.id}`)).toBeTruthy();
    expect(within(root).getByTestId(west.id).textContent).toBe(`Tree West · depth 2 · bill-to ${hq.id}`);
    const storeNode = within(eastNode).getByTestId(store.id);
    expect(storeNode.textContent).toBe(`Tree East Store 7 · depth 3 · bill-to ${east.id}`);
    expect(storeNode.parentElement?.closest('li')).toBe(eastNode);
    expect(eastNode.parentElement?.closest('li')).toBe(root);
  });

  it('exposes NOT_FOUND for an unknown account', async () => {
    render(<TreeView id={unknownAccountId()} />, { wrapper });
    expect((await screen.findByRole('alert')).textContent).toBe('NOT_FOUND');
  });
});

describe('useCreateAccount', () => {
  function CreateForm({ name, parentId }: { name: string; parentId?: string }) {
    const create = useCreateAccount();
    return (
      <div>
        <button onClick={() => create.mutate({ name, ...(parentId ? { parentId } : {}) })}>Create</button>
        {create.isSuccess && <p>{`created ${create.data.name}`}</p>}
        {create.error && <p role="alert">{`${create.error.code} ${JSON.stringify(create.error.fieldErrors)}`}</p>}
      </div>
    );
  }

  it('shows the new account in a mounted list without a manual refetch', async () => {
    const word = marker('create');
    await crm.client.accounts.create.mutate({ name: `${word} existing` });
    render(
      <>
        <AccountList search={word} />
        <CreateForm name={`${word} brand new`} />
      </>,
      { wrapper },
    );
    await screen.findByText('accounts: 1 loaded');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await screen.findByText(`created ${word} brand new`);
    await screen.findByText('accounts: 2 loaded');
    expect(listItems('accounts')).toEqual([`${word} brand new (-)`, `${word} existing (-)`]);
  });

  it('caches the created account and refreshes a mounted tree when it has a parent', async () => {
    const hq = await crm.client.accounts.create.mutate({ name: 'Create HQ' });
    render(
      <>
        <TreeView id={hq.id} />
        <CreateForm name="Create HQ branch" parentId={hq.id} />
      </>,
      { wrapper },
    );
    const root = await screen.findByTestId(hq.id);
    expect(within(root).queryByText(/Create HQ branch/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await within(screen.getByTestId(hq.id)).findByText(/^Create HQ branch · depth 2/)).toBeTruthy();
    const cached = queryClient.getQueriesData({ queryKey: crmKeys.accounts.details }).map(([, data]) => data as { name: string } | undefined);
    expect(cached.some((a) => a?.name === 'Create HQ branch')).toBe(true);
  });

  it('exposes VALIDATION with fieldErrors.name for an empty name', async () => {
    const { result } = renderHook(() => useCreateAccount(), { wrapper });
    act(() => result.current.mutate({ name: '' }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    const error = result.current.error;
    expect(error).toBeInstanceOf(CrmError);
    expect(error?.code).toBe('VALIDATION');
    expect(error?.fieldErrors?.name?.length).toBeGreaterThan(0);
    await expect(result.current.mutateAsync({ name: '   ' })).rejects.toMatchObject({ name: 'CrmError', code: 'VALIDATION' });
  });

  it('shows the validation error in a form', async () => {
    render(<CreateForm name="" />, { wrapper });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^VALIDATION \{"name":\[/);
  });

  it("runs the caller's onSuccess after the caches are updated", async () => {
    const word = marker('callback');
    render(<AccountList search={word} />, { wrapper });
    await screen.findByText('accounts: 0 loaded');
    const seenInList: number[] = [];
    const cachedList = () => queryClient.getQueryData<InfiniteData<AccountPage>>(crmKeys.accounts.list({ search: word }))?.pages.flatMap((p) => p.items) ?? [];
    const { result } = renderHook(() => useCreateAccount({ onSuccess: () => void seenInList.push(cachedList().length) }), { wrapper });
    await act(() => result.current.mutateAsync({ name: `${word} one` }));
    expect(seenInList).toEqual([1]);
    await screen.findByText('accounts: 1 loaded');
  });
});

describe('useUpdateAccount', () => {
  function Rename({ id, name, grade }: { id: string; name: string; grade: 'A' | 'B' }) {
    const update = useUpdateAccount();
    return (
      <div>
        <button onClick={() => update.mutate({ id, expectedVersion: 1, name, grade })}>Save</button>
        {update.error && <p role="alert">{update.error.code}</p>}
      </div>
    );
  }

  it('updates a mounted useAccount and a mounted list', async () => {
    const word = marker('update');
    const account = await crm.client.accounts.create.mutate({ name: `${word} old`, grade: 'B' });
    render(
      <>
        <AccountHeading id={account.id} />
        <AccountList search={word} />
        <Rename id={account.id} name={`${word} new`} grade="A" />
      </>,
      { wrapper },
    );
    await screen.findByRole('heading', { name: `${word} old (B) v1` });
    await screen.findByText('accounts: 1 loaded');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('heading', { name: `${word} new (A) v2` })).toBeTruthy();
    await waitFor(() => expect(listItems('accounts')).toEqual([`${word} new (A)`]));
    expect(queryClient.getQueryData(crmKeys.accounts.detail(account.id))).toMatchObject({ name: `${word} new`, grade: 'A', version: 2 });
  });

  it('moves bill-to in a mounted tree when a branch starts settling its own invoices', async () => {
    const hq = await crm.client.accounts.create.mutate({ name: 'Billing HQ' });
    const branch = await crm.client.accounts.create.mutate({ name: 'Billing Branch', parentId: hq.id });
    const { result } = renderHook(() => useUpdateAccount(), { wrapper });
    render(<TreeView id={branch.id} />, { wrapper });
    expect((await screen.findByTestId(branch.id)).textContent).toBe(`Billing Branch · depth 2 · bill-to ${hq.id}`);
    await act(() => result.current.mutateAsync({ id: branch.id, settlesOwnInvoices: true }));
    await waitFor(() => expect(screen.getByTestId(branch.id).textContent).toBe(`Billing Branch · depth 2 · bill-to ${branch.id}`));
  });

  it('exposes CONFLICT for a stale expectedVersion and leaves the cache alone', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Stale edit' });
    await crm.client.accounts.update.mutate({ id: account.id, grade: 'C' });
    render(
      <>
        <AccountHeading id={account.id} />
        <Rename id={account.id} name="Lost edit" grade="A" />
      </>,
      { wrapper },
    );
    await screen.findByRole('heading', { name: 'Stale edit (C) v2' });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('CONFLICT');
    expect(screen.getByRole('heading').textContent).toBe('Stale edit (C) v2');
  });
});

describe('useSetAccountParent and useArchiveAccount', () => {
  it('moving an account under another shows in mounted trees and the detail cache', async () => {
    const a = await crm.client.accounts.create.mutate({ name: 'Move HQ A' });
    const b = await crm.client.accounts.create.mutate({ name: 'Move HQ B' });
    const branch = await crm.client.accounts.create.mutate({ name: 'Move branch', parentId: a.id });
    const { result } = renderHook(() => useSetAccountParent(), { wrapper });
    render(<TreeView id={b.id} />, { wrapper });
    const root = await screen.findByTestId(b.id);
    expect(within(root).queryByTestId(branch.id)).toBeNull();
    const moved = await act(() => result.current.mutateAsync({ id: branch.id, parentId: b.id }));
    expect(moved.parentId).toBe(b.id);
    expect(await within(screen.getByTestId(b.id)).findByTestId(branch.id)).toBeTruthy();
    expect(queryClient.getQueryData(crmKeys.accounts.detail(branch.id))).toEqual(moved);
  });

  it('exposes CYCLE when the new parent is one of its own branches', async () => {
    const hq = await crm.client.accounts.create.mutate({ name: 'Cycle HQ' });
    const branch = await crm.client.accounts.create.mutate({ name: 'Cycle branch', parentId: hq.id });
    const { result } = renderHook(() => useSetAccountParent(), { wrapper });
    await expect(result.current.mutateAsync({ id: hq.id, parentId: branch.id })).rejects.toMatchObject({ code: 'CYCLE' });
    await waitFor(() => expect(result.current.error?.code).toBe('CYCLE'));
  });

  it('archiving drops the account from a mounted list and marks its detail archived', async () => {
    const word = marker('archive');
    const keep = await crm.client.accounts.create.mutate({ name: `${word} keep` });
    const gone = await crm.client.accounts.create.mutate({ name: `${word} gone` });
    const { result } = renderHook(() => useArchiveAccount(), { wrapper });
    render(<AccountList search={word} />, { wrapper });
    await screen.findByText('accounts: 2 loaded');
    await act(() => result.current.mutateAsync({ id: gone.id, expectedVersion: 1 }));
    await waitFor(() => expect(listItems('accounts')).toEqual([`${keep.name} (-)`]));
    expect(queryClient.getQueryData<{ archivedAt: string | null }>(crmKeys.accounts.detail(gone.id))?.archivedAt).toEqual(expect.any(String));
  });
});

describe('AccountCard', () => {
  const card = (id: string) => (
    <AccountCard
      id={id}
      render={({ account, isLoading, error }) =>
        error ? <p role="alert">{error.code}</p> : isLoading ? <p>Loading card</p> : <article aria-label="account card">{account?.name}</article>
      }
    />
  );

  it('hands the loaded account to its render function', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Card account' });
    render(card(account.id), { wrapper });
    expect(screen.getByText('Loading card')).toBeTruthy();
    expect((await screen.findByRole('article', { name: 'account card' })).textContent).toBe('Card account');
  });

  it('hands a CrmError to its render function', async () => {
    render(card(unknownAccountId()), { wrapper });
    expect((await screen.findByRole('alert')).textContent).toBe('NOT_FOUND');
  });
});
