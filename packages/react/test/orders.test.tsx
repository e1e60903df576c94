/**
 * Order-to-cash hooks and the Receivables widget against a real crmkit server on a fresh database,
 * in a tenant on Shanghai time with a fake server clock: a chain headquarters, a region under it and
 * a store under that which settles its own invoices, so the store's orders are billed to the store
 * and roll up into the region's and headquarters' group figures. Network faults come from msw.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import type { QueryClient } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createFakeClock, CrmError, formatMoney, type Account, type AccountExposure } from '@crmkit/core';
import { createCrmClient } from '@crmkit/client';
import {
  crmKeys,
  Receivables,
  useAccountExposure,
  useAssignOwnership,
  useConfirmOrder,
  useOrder,
  useOrders,
  useReceivables,
  useSetAccountParent,
  type Order,
  type ReceivablesState,
} from '../src/index.js';
import { crmWrapper, freshQueryClientPerTest, marker, startCrm, testQueryClient, type TestCrm } from './helpers/crm.js';

const START = '2026-01-10T02:00:00.000Z'; // 10:00 on 10 January in Shanghai
const clock = createFakeClock(START);
const msw = setupServer();

let crm: TestCrm;
let queryClient: QueryClient;
let wrapper: ReturnType<typeof crmWrapper>;

beforeAll(async () => {
  msw.listen({ onUnhandledRequest: 'bypass' });
  crm = await startCrm({ clock });
  await crm.client.tenant.settings.update.mutate({ timeZone: 'Asia/Shanghai', baseCurrency: 'CNY' });
  await crm.client.users.upsert.mutate({ id: 'rep.outsider', displayName: 'Rep who owns nothing', role: 'rep' });
});
afterEach(() => {
  msw.resetHandlers();
  clock.set(START);
});
afterAll(async () => {
  msw.close();
  await crm?.close();
});

freshQueryClientPerTest(() => crm.client, (q, w) => {
  queryClient = q;
  wrapper = w;
});

const cny = (amountMinor: number) => formatMoney({ amountMinor, currency: 'CNY' });
const listItems = (label: string) => within(screen.getByRole('list', { name: label })).queryAllByRole('listitem').map((li) => li.textContent);
/** The cells of every row of the table with this caption, header cells included. */
const tableRows = (caption: string) =>
  within(screen.getByRole('table', { name: caption }))
    .getAllByRole('row')
    .map((row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent));

interface Chain {
  hq: Account;
  region: Account;
  store: Account;
}

/** A fresh three-level group: HQ → region → store; the store settles its own invoices. */
async function chain(label: string): Promise<Chain> {
  const word = marker(label);
  const hq = await crm.client.accounts.create.mutate({ name: `${word} HQ` });
  const region = await crm.client.accounts.create.mutate({ name: `${word} East region`, parentId: hq.id });
  const store = await crm.client.accounts.create.mutate({ name: `${word} Store 7`, parentId: region.id, settlesOwnInvoices: true });
  return { hq, region, store };
}

/** A draft order placed by the store (so billed to the store): 12 rice cookers at 450.00. */
const draftOrder = (store: Account, reference = 'PO-7') =>
  crm.client.orders.create.mutate({ orderingAccountId: store.id, currency: 'CNY', reference, lines: [{ description: 'Rice cookers', quantity: 12, unitPriceMinor: 450_00 }] });

/** An invoice to the store not tied to any order (freight, an ERP import…). */
const invoice = (store: Account, number: string, dueDate: string, amountMinor: number, currency = 'CNY') =>
  crm.client.invoices.create.mutate({ billToAccountId: store.id, currency, number, dueDate, lines: [{ description: `${number} goods`, amountMinor }] });

function Exposure({ accountId, scope, label }: { accountId: string; scope: keyof Omit<AccountExposure, 'accountId'>; label: string }) {
  const { data, error } = useAccountExposure(accountId);
  if (error) return <p role="alert">{`${label}: ${error.code}`}</p>;
  if (!data) return <p>{`${label}: loading`}</p>;
  return (
    <ul aria-label={label}>
      {data[scope].map((e) => (
        <li key={e.currency}>{`${e.currency} orders ${cny(e.ordersOpenMinor)} invoices ${cny(e.invoicesOpenMinor)} credit ${cny(e.onAccountCreditMinor)} = ${cny(e.exposureMinor)}`}</li>
      ))}
    </ul>
  );
}

function OrderStatus({ id }: { id: string }) {
  const { data, error } = useOrder(id);
  if (error) return <p role="alert">{error.code}</p>;
  return <p aria-label="order">{data ? `${data.reference} ${data.status} v${data.version}, open ${cny(data.openMinor)}` : 'loading order'}</p>;
}

function OrderList({ billToAccountId, label }: { billToAccountId: string; label: string }) {
  const { orders, isSuccess } = useOrders({ billToAccountId, status: ['draft'] });
  return (
    <section>
      <ul aria-label={label}>
        {orders.map((o) => (
          <li key={o.id}>{`${o.reference} ${o.status}`}</li>
        ))}
      </ul>
      {isSuccess && <p>{`${label}: ${orders.length} loaded`}</p>}
    </section>
  );
}

function ConfirmButton({ order }: { order: Order }) {
  const confirm = useConfirmOrder();
  return (
    <div>
      <button onClick={() => confirm.mutate({ id: order.id, expectedVersion: order.version })}>Confirm</button>
      {confirm.isSuccess && <p>{`confirmed ${confirm.data.reference}`}</p>}
      {confirm.error && <p role="alert">{`${confirm.error.code}: ${confirm.error.message}`}</p>}
    </div>
  );
}

describe('useOrder and useOrders', () => {
  it('loads an order with its lines and pages over the orders billed to an account, newest first', async () => {
    const { store } = await chain('orders');
    const created: Order[] = [];
    for (let i = 1; i <= 3; i++) created.push(await draftOrder(store, `PO-${i}`));

    const { result: one } = renderHook(() => useOrder(created[0]!.id), { wrapper });
    await waitFor(() => expect(one.current.isSuccess).toBe(true));
    expect(one.current.data).toMatchObject({ reference: 'PO-1', status: 'draft', billToAccountId: store.id, totalMinor: 5_400_00 });
    expect(one.current.data?.lines.map((l) => [l.description, l.quantity, l.amountMinor])).toEqual([['Rice cookers', 12, 5_400_00]]);

    const { result: list } = renderHook(() => useOrders({ billToAccountId: store.id, limit: 2 }), { wrapper });
    await waitFor(() => expect(list.current.isSuccess).toBe(true));
    expect(list.current.orders.map((o) => o.reference)).toEqual(['PO-3', 'PO-2']);
    expect(list.current.hasNextPage).toBe(true);
    await act(() => list.current.fetchNextPage());
    await waitFor(() => expect(list.current.orders).toHaveLength(3));
    expect(list.current.orders.map((o) => o.id)).toEqual(created.map((o) => o.id).reverse());
    expect(list.current.hasNextPage).toBe(false);
  });

  it('exposes NOT_FOUND for an order whose ordering account the user may not see', async () => {
    const { store } = await chain('hidden order');
    const order = await draftOrder(store);
    const { result } = renderHook(() => useOrder(order.id), { wrapper: crmWrapper(crm.clientAs('rep.outsider', 'rep'), testQueryClient()) });
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(CrmError);
    expect(result.current.error?.code).toBe('NOT_FOUND');
  });

  it('keeps one cache entry per filter and per receivables question, whatever the cursor or defaults', () => {
    expect(crmKeys.orders.list({ billToAccountId: 'acc_x', status: undefined })).toEqual(crmKeys.orders.list({ billToAccountId: 'acc_x' }));
    expect(crmKeys.orders.list({ limit: 5, cursor: 'abc' } as never)).toEqual(crmKeys.orders.list({ limit: 5 }));
    expect(crmKeys.receivables.detail('acc_x')).toEqual(crmKeys.receivables.detail('acc_x', { group: false, asOf: undefined }));
    expect(crmKeys.receivables.detail('acc_x', { group: true })).not.toEqual(crmKeys.receivables.detail('acc_x'));
    expect(crmKeys.receivables.detail('acc_x', { asOf: START }).slice(0, 3)).toEqual(crmKeys.receivables.account('acc_x'));
    expect(crmKeys.exposure.account('acc_x').slice(0, 2)).toEqual(crmKeys.exposure.all);
  });
});

describe('useConfirmOrder', () => {
  it('refreshes the order, its lists and the exposure of the bill-to account and of every ancestor without a manual refetch', async () => {
    const { hq, region, store } = await chain('confirm');
    const order = await draftOrder(store, 'PO-CONFIRM');
    render(
      <>
        <Exposure accountId={hq.id} scope="group" label="hq group" />
        <Exposure accountId={region.id} scope="group" label="region group" />
        <Exposure accountId={store.id} scope="own" label="store own" />
        <Exposure accountId={hq.id} scope="own" label="hq own" />
        <OrderStatus id={order.id} />
        <OrderList billToAccountId={store.id} label="drafts" />
        <ConfirmButton order={order} />
      </>,
      { wrapper },
    );
    await screen.findByText('drafts: 1 loaded');
    // Each query loads on its own: wait until all of them have answered.
    await waitFor(() => {
      expect(listItems('hq group')).toEqual([]);
      expect(listItems('region group')).toEqual([]);
      expect(listItems('store own')).toEqual([]);
      expect(listItems('hq own')).toEqual([]);
      expect(screen.getByLabelText('order').textContent).toBe('PO-CONFIRM draft v1, open 0.00');
    });

    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await screen.findByText('confirmed PO-CONFIRM');
    const counted = 'CNY orders 5400.00 invoices 0.00 credit 0.00 = 5400.00';
    await waitFor(() => expect(listItems('hq group')).toEqual([counted]));
    expect(listItems('region group')).toEqual([counted]);
    expect(listItems('store own')).toEqual([counted]);
    expect(listItems('hq own')).toEqual([]); // billed to the store, which settles its own invoices
    expect(screen.getByLabelText('order').textContent).toBe('PO-CONFIRM confirmed v2, open 5400.00');
    await screen.findByText('drafts: 0 loaded');
  });

  it('also refreshes mounted group receivables, showing what was invoiced meanwhile', async () => {
    const { hq, store } = await chain('receivables refresh');
    const order = await draftOrder(store, 'PO-R');
    const asOf = '2026-02-15T04:00:00.000Z'; // 12:00 on 15 February in Shanghai
    render(
      <>
        <Receivables accountId={hq.id} group asOf={asOf} />
        <ConfirmButton order={order} />
      </>,
      { wrapper },
    );
    expect(await screen.findByText('No receivables as of 2026-02-15 (Asia/Shanghai).')).toBeTruthy();
    // Freight invoiced to the store by another system, behind the hooks' back.
    await invoice(store, 'INV-FREIGHT', '2026-01-31', 80_00);

    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await screen.findByText('confirmed PO-R');
    await screen.findByRole('table', { name: 'Receivables in CNY as of 2026-02-15 (Asia/Shanghai)' });
    expect(tableRows('Open invoices in CNY').slice(1)).toEqual([['INV-FREIGHT', '2026-01-31', '15', '80.00']]);
  });

  it("runs the caller's onSuccess once the mounted exposure holds the new figures", async () => {
    const { hq, store } = await chain('callback');
    const order = await draftOrder(store);
    render(<Exposure accountId={hq.id} scope="group" label="hq group" />, { wrapper });
    await screen.findByRole('list', { name: 'hq group' });
    const seen: unknown[] = [];
    const { result } = renderHook(() => useConfirmOrder({ onSuccess: () => void seen.push(queryClient.getQueryData<AccountExposure>(crmKeys.exposure.account(hq.id))?.group) }), { wrapper });
    const confirmed = await act(() => result.current.mutateAsync({ id: order.id }));
    expect(confirmed.status).toBe('confirmed');
    expect(seen).toEqual([[expect.objectContaining({ currency: 'CNY', ordersOpenMinor: 5_400_00, exposureMinor: 5_400_00 })]]);
    expect(queryClient.getQueryData(crmKeys.orders.detail(order.id))).toEqual(confirmed);
  });

  it('exposes a typed CrmError: PRECONDITION_FAILED for an order already confirmed, CONFLICT for a stale version', async () => {
    const { store } = await chain('refused');
    const order = await draftOrder(store);
    await crm.client.orders.confirm.mutate({ id: order.id });
    render(<ConfirmButton order={order} />, { wrapper });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    // The button still holds version 1: the server refuses the stale version first.
    expect((await screen.findByRole('alert')).textContent).toMatch(/^CONFLICT: /);

    const { result } = renderHook(() => useConfirmOrder(), { wrapper });
    const error = await result.current.mutateAsync({ id: order.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED' });
  });
});

describe('useAccountExposure and useReceivables', () => {
  it('expose NOT_FOUND for an account the user may not see', async () => {
    const { hq } = await chain('hidden');
    const repWrapper = crmWrapper(crm.clientAs('rep.outsider', 'rep'), testQueryClient());
    const { result: exposure } = renderHook(() => useAccountExposure(hq.id), { wrapper: repWrapper });
    const { result: receivables } = renderHook(() => useReceivables(hq.id, { group: true }), { wrapper: repWrapper });
    await waitFor(() => expect(exposure.current.isError && receivables.current.isError).toBe(true));
    expect(exposure.current.error).toBeInstanceOf(CrmError);
    expect(exposure.current.error?.code).toBe('NOT_FOUND');
    expect(receivables.current.error?.code).toBe('NOT_FOUND');
  });

  it('fetch nothing while the account id is undefined', () => {
    const { result } = renderHook(() => ({ exposure: useAccountExposure(undefined), receivables: useReceivables(undefined) }), { wrapper });
    expect(result.current.exposure.fetchStatus).toBe('idle');
    expect(result.current.receivables.fetchStatus).toBe('idle');
    expect(queryClient.isFetching()).toBe(0);
  });
});

describe('other mutations that move figures or visibility', () => {
  it('useSetAccountParent refreshes the group exposure of the old and the new ancestors', async () => {
    const { hq, region, store } = await chain('move');
    await crm.client.orders.confirm.mutate({ id: (await draftOrder(store)).id });
    const west = await crm.client.accounts.create.mutate({ name: `${hq.name} West region`, parentId: hq.id });
    render(
      <>
        <Exposure accountId={region.id} scope="group" label="east group" />
        <Exposure accountId={west.id} scope="group" label="west group" />
        <Exposure accountId={hq.id} scope="group" label="hq group" />
      </>,
      { wrapper },
    );
    const counted = 'CNY orders 5400.00 invoices 0.00 credit 0.00 = 5400.00';
    // Each query loads on its own: wait until all three have answered.
    await waitFor(() => {
      expect(listItems('east group')).toEqual([counted]);
      expect(listItems('west group')).toEqual([]);
      expect(listItems('hq group')).toEqual([counted]);
    });

    const { result } = renderHook(() => useSetAccountParent(), { wrapper });
    await act(() => result.current.mutateAsync({ id: store.id, parentId: west.id }));
    // The three queries refetch independently: wait for all of them.
    await waitFor(() => {
      expect(listItems('east group')).toEqual([]);
      expect(listItems('west group')).toEqual([counted]);
      expect(listItems('hq group')).toEqual([counted]);
    });
  });

  it('an ownership change refreshes receivables a user could not see before', async () => {
    const { store } = await chain('handover');
    await invoice(store, 'INV-HANDOVER', '2026-01-31', 75_00);
    render(<Receivables accountId={store.id} asOf="2026-02-01T04:00:00.000Z" />, { wrapper: crmWrapper(crm.clientAs('rep.outsider', 'rep'), queryClient) });
    expect((await screen.findByRole('alert')).textContent).toMatch(/\(NOT_FOUND\)/);

    const { result } = renderHook(() => useAssignOwnership(), { wrapper }); // the admin, on the same cache
    await act(() => result.current.mutateAsync({ accountId: store.id, primaryOwnerId: 'rep.outsider', reason: 'takes over the store' }));
    await screen.findByRole('table', { name: 'Receivables in CNY as of 2026-02-01 (Asia/Shanghai)' });
    expect(tableRows('Open invoices in CNY').slice(1)).toEqual([['INV-HANDOVER', '2026-01-31', '1', '75.00']]);
  });
});

describe('Receivables', () => {
  it('renders a captioned ageing table per currency with formatted bucket amounts, credit, net and the open invoices', async () => {
    const { store } = await chain('ageing');
    await invoice(store, 'INV-AGE-1', '2026-01-31', 1_650_00);
    await invoice(store, 'INV-AGE-2', '2026-03-31', 200_00);
    await crm.client.payments.create.mutate({ accountId: store.id, currency: 'CNY', amountMinor: 300_00, reference: 'not yet allocated' });

    // 00:30 on 3 March in Shanghai (still 2 March in UTC): the January invoice is 31 local days past due.
    const { rerender } = render(<Receivables accountId={store.id} asOf="2026-03-02T16:30:00.000Z" />, { wrapper });
    expect(screen.getByRole('status').textContent).toBe('Loading receivables…');
    const caption = 'Receivables in CNY as of 2026-03-03 (Asia/Shanghai)';
    await screen.findByRole('table', { name: caption });
    expect(tableRows(caption)).toEqual([
      ['Age', 'Amount (CNY)'],
      ['Current', '200.00'],
      ['1–30 days', '0.00'],
      ['31–60 days', '1650.00'],
      ['61–90 days', '0.00'],
      ['Over 90 days', '0.00'],
      ['Open', '1850.00'],
      ['On-account credit', '300.00'],
      ['Net', '1550.00'],
    ]);
    expect(tableRows('Open invoices in CNY')).toEqual([
      ['Invoice', 'Due', 'Days past due', 'Open (CNY)'],
      ['INV-AGE-1', '2026-01-31', '31', '1650.00'],
      ['INV-AGE-2', '2026-03-31', 'not overdue', '200.00'],
    ]);

    // Half an hour earlier it is still 2 March in Shanghai: 30 days, the 1–30 bucket.
    rerender(<Receivables accountId={store.id} asOf="2026-03-02T15:59:59.000Z" />);
    const before = 'Receivables in CNY as of 2026-03-02 (Asia/Shanghai)';
    await screen.findByRole('table', { name: before });
    expect(tableRows(before).slice(1, 6)).toEqual([
      ['Current', '200.00'],
      ['1–30 days', '1650.00'],
      ['31–60 days', '0.00'],
      ['61–90 days', '0.00'],
      ['Over 90 days', '0.00'],
    ]);
  });

  it("ages at the server's clock when asOf is left out", async () => {
    const { store } = await chain('clock');
    await invoice(store, 'INV-CLOCK', '2026-01-31', 999_00);
    render(<Receivables accountId={store.id} />, { wrapper });
    await screen.findByRole('table', { name: 'Receivables in CNY as of 2026-01-10 (Asia/Shanghai)' });
    expect(tableRows('Open invoices in CNY').slice(1)).toEqual([['INV-CLOCK', '2026-01-31', 'not overdue', '999.00']]);

    clock.set('2026-05-10T02:00:00.000Z');
    await act(() => queryClient.invalidateQueries({ queryKey: crmKeys.receivables.all }));
    const caption = 'Receivables in CNY as of 2026-05-10 (Asia/Shanghai)';
    await screen.findByRole('table', { name: caption });
    expect(tableRows(caption)[5]).toEqual(['Over 90 days', '999.00']);
    expect(tableRows('Open invoices in CNY').slice(1)).toEqual([['INV-CLOCK', '2026-01-31', '99', '999.00']]);
  });

  it('hands its render function one table per currency, formatted in that currency, and the group’s invoices', async () => {
    const { hq, region, store } = await chain('currencies');
    await invoice(store, 'INV-CNY', '2026-01-31', 1_650_00);
    await crm.client.invoices.create.mutate({ billToAccountId: region.id, currency: 'JPY', number: 'INV-JPY', dueDate: '2026-02-28', lines: [{ description: 'Imported kettles', amountMinor: 120_000 }] });
    await crm.client.payments.create.mutate({ accountId: hq.id, currency: 'USD', amountMinor: 300_00 });
    const states: ReceivablesState[] = [];
    render(
      <Receivables
        accountId={hq.id}
        group
        asOf="2026-03-15T04:00:00.000Z"
        render={(state) => {
          states.push(state);
          return state.isLoading ? <p>loading</p> : <p>{`${state.currencies.length} currencies`}</p>;
        }}
      />,
      { wrapper },
    );
    await screen.findByText('3 currencies');
    const { currencies, isEmpty, error, receivables } = states.at(-1)!;
    expect(isEmpty).toBe(false);
    expect(error).toBeNull();
    expect(receivables).toMatchObject({ accountId: hq.id, group: true, asOfDate: '2026-03-15', timeZone: 'Asia/Shanghai' });
    expect(currencies.map((c) => [c.currency, c.rows.map((r) => r.amount), c.open, c.onAccountCredit, c.net])).toEqual([
      ['CNY', ['0.00', '0.00', '1650.00', '0.00', '0.00'], '1650.00', '0.00', '1650.00'],
      ['JPY', ['0', '120000', '0', '0', '0'], '120000', '0', '120000'],
      ['USD', ['0.00', '0.00', '0.00', '0.00', '0.00'], '0.00', '300.00', '-300.00'],
    ]);
    expect(currencies[0]!.rows.map((r) => [r.bucket, r.label])).toEqual([
      ['current', 'Current'],
      ['1-30', '1–30 days'],
      ['31-60', '31–60 days'],
      ['61-90', '61–90 days'],
      ['over-90', 'Over 90 days'],
    ]);
    expect(currencies.flatMap((c) => c.invoices.map((i) => [i.number, i.billToAccountId, i.daysPastDue, i.bucket, i.amount]))).toEqual([
      ['INV-CNY', store.id, 43, '31-60', '1650.00'],
      ['INV-JPY', region.id, 15, '1-30', '120000'],
    ]);
  });

  it('shows the empty state for an account that owes nothing and holds no credit', async () => {
    const { store } = await chain('empty');
    const states: boolean[] = [];
    render(
      <>
        <Receivables accountId={store.id} />
        <Receivables accountId={store.id} render={({ isEmpty }) => void states.push(isEmpty)} />
      </>,
      { wrapper },
    );
    expect(await screen.findByText('No receivables as of 2026-01-10 (Asia/Shanghai).')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(states[0]).toBe(false);
    expect(states.at(-1)).toBe(true);
  });

  it('shows the NOT_FOUND error for an account the user may not see', async () => {
    const { store } = await chain('not yours');
    await invoice(store, 'INV-SECRET', '2026-01-31', 500_00);
    const codes: (string | undefined)[] = [];
    render(
      <>
        <Receivables accountId={store.id} />
        <Receivables accountId={store.id} render={({ error }) => void codes.push(error?.code)} />
      </>,
      { wrapper: crmWrapper(crm.clientAs('rep.outsider', 'rep'), queryClient) },
    );
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Receivables could not be loaded \(NOT_FOUND\): /);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByText(/500\.00/)).toBeNull();
    expect(codes.at(-1)).toBe('NOT_FOUND');
  });

  it('shows the error state when the network fails, and the tables once a refetch gets through', async () => {
    const { store } = await chain('offline');
    await invoice(store, 'INV-NET', '2026-01-31', 120_00);
    // Created after msw is listening, so its fetch goes through msw; one attempt, so the fault is not retried away.
    const client = createCrmClient({ url: crm.url, apiKey: crm.secret, retry: { attempts: 1 } });
    msw.use(http.get(`${crm.url}/accounts.receivables`, () => HttpResponse.error()));
    render(<Receivables accountId={store.id} asOf="2026-02-01T04:00:00.000Z" />, { wrapper: crmWrapper(client, queryClient) });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Receivables could not be loaded \(NETWORK\): /);

    msw.resetHandlers();
    await act(() => queryClient.refetchQueries({ queryKey: crmKeys.receivables.all }));
    await screen.findByRole('table', { name: 'Receivables in CNY as of 2026-02-01 (Asia/Shanghai)' });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(tableRows('Open invoices in CNY').slice(1)).toEqual([['INV-NET', '2026-01-31', '1', '120.00']]);
  });
});
