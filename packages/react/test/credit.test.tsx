/**
 * Credit hooks and the CreditStatus widget against a real crmkit server on a fresh database, in a
 * tenant on Shanghai time with a fake server clock: a chain headquarters with a store under it
 * that settles its own invoices, so the store's orders are billed to the store and count toward
 * the headquarters' group limit. Approvals run under the tenant's `hold` policy with a sales team
 * per test (a manager leading a rep who owns the store), so each manager's queue holds only that
 * test's requests. Network faults come from msw.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { act, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createFakeClock, CrmError, type Account, type AccountCreditStatus, type Team } from '@crmkit/core';
import { createCrmClient, type CrmClient } from '@crmkit/client';
import {
  creditKeys,
  crmKeys,
  CreditStatus,
  hiddenAccountLabel,
  useApproveCredit,
  useConfirmOrder,
  useCreditApprovals,
  useCreditStatus,
  useOrder,
  useRejectCredit,
  type CreditApproval,
  type CreditApprovalPage,
  type CreditStatusState,
  type Order,
} from '../src/index.js';
import { crmWrapper, freshQueryClientPerTest, marker, startCrm, testQueryClient, unknownAccountId, type TestCrm } from './helpers/crm.js';

const START = '2026-01-10T02:00:00.000Z'; // 10:00 on 10 January in Shanghai
/** Where a request opened at START expires: the end of the third local day after 10 January (approvalDays 3). */
const EXPIRES = '2026-01-13T16:00:00.000Z';
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

/** The tenant's answer to a failed check: refuse (the default) or hold for an approval. */
const setPolicy = (onBreach: 'refuse' | 'hold') => crm.client.tenant.settings.update.mutate({ credit: { onBreach } });

/** The cells of every row of the table with this caption, header cells included. */
const tableRows = (caption: string) =>
  within(screen.getByRole('table', { name: caption }))
    .getAllByRole('row')
    .map((row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent));
const listItems = (label: string) => within(screen.getByRole('list', { name: label })).queryAllByRole('listitem').map((li) => li.textContent);
const LIMITS_HEADER = ['Account', 'Level', 'Scope', 'Currency', 'Limit', 'Exposure', 'Available'];

interface Sales {
  team: Team;
  /** A manager leading the team: the approver of its accounts' held orders. */
  leader: string;
  /** A rep of the team, primary owner of the store. */
  rep: string;
}

/** A fresh team: a manager leading one rep. */
async function salesTeam(label: string): Promise<Sales> {
  const word = marker(label).toLowerCase();
  const leader = `lead.${word}`;
  const rep = `rep.${word}`;
  await crm.client.users.upsert.mutate({ id: leader, displayName: `${word} team leader`, role: 'manager' });
  await crm.client.users.upsert.mutate({ id: rep, displayName: `${word} rep`, role: 'rep' });
  const team = await crm.client.teams.create.mutate({ name: `${word} sales`, leaderId: leader, memberIds: [rep] });
  return { team, leader, rep };
}

interface Chain {
  hq: Account;
  store: Account;
}

/**
 * A fresh group, HQ → store (the store settles its own invoices), with a group limit of 10000.00 CNY
 * on HQ set by the admin. With `sales`, the store is owned by that team with its rep as primary
 * owner; HQ stays unowned, so the team's people may not see it.
 */
async function chain(label: string, sales?: Sales): Promise<Chain> {
  const word = marker(label);
  const hq = await crm.client.accounts.create.mutate({ name: `${word} HQ` });
  const store = await crm.client.accounts.create.mutate({ name: `${word} Store 7`, parentId: hq.id, settlesOwnInvoices: true });
  if (sales) await crm.client.ownership.assign.mutate({ accountId: store.id, teamId: sales.team.id, primaryOwnerId: sales.rep, reason: 'store of the team' });
  await crm.client.credit.setLimit.mutate({ accountId: hq.id, scope: 'group', amountMinor: 10_000_00, currency: 'CNY' });
  return { hq, store };
}

/** A draft order placed by the store (so billed to the store): `quantity` rice cookers at 450.00. */
const draftOrder = (store: Account, reference: string, quantity = 12, client: CrmClient = crm.client) =>
  client.orders.create.mutate({ orderingAccountId: store.id, currency: 'CNY', reference, lines: [{ description: 'Rice cookers', quantity, unitPriceMinor: 450_00 }] });

function ConfirmButton({ order }: { order: Order }) {
  const confirm = useConfirmOrder();
  return (
    <div>
      <button onClick={() => confirm.mutate({ id: order.id })}>{`Confirm ${order.reference}`}</button>
      {confirm.isSuccess && <p>{`${confirm.data.reference} ${confirm.data.status}`}</p>}
      {confirm.error && <p role="alert">{`${confirm.error.code}: ${confirm.error.message}`}</p>}
    </div>
  );
}

function OrderStatus({ id }: { id: string }) {
  const { data, error } = useOrder(id);
  if (error) return <p role="alert">{error.code}</p>;
  return <p aria-label="order">{data ? `${data.reference} ${data.status}` : 'loading order'}</p>;
}

/** A manager's queue: the default `useCreditApprovals()`, each request with Approve and Reject. */
function ApprovalQueue({ label }: { label: string }) {
  const { approvals, isSuccess, error } = useCreditApprovals();
  const approve = useApproveCredit();
  const reject = useRejectCredit();
  if (error) return <p role="alert">{error.code}</p>;
  return (
    <section>
      <ul aria-label={label}>
        {approvals.map((a) => (
          <li key={a.id}>{`${a.orderId} ${a.amountMinor} ${a.currency} ${a.status} from ${a.requestedBy} to ${a.approverId}`}</li>
        ))}
      </ul>
      {approvals.map((a) => (
        <p key={a.id}>
          <button onClick={() => approve.mutate({ id: a.id, reason: 'pays reliably' })}>{`Approve ${a.orderId}`}</button>
          <button onClick={() => reject.mutate({ id: a.id, reason: 'too much at once' })}>{`Reject ${a.orderId}`}</button>
        </p>
      ))}
      {isSuccess && <p>{`${label}: ${approvals.length} loaded`}</p>}
      {approve.isSuccess && <p>{`approved ${approve.data.orderId}`}</p>}
      {reject.isSuccess && <p>{`rejected ${reject.data.orderId}`}</p>}
    </section>
  );
}

describe('useCreditStatus', () => {
  beforeEach(() => setPolicy('refuse'));

  it("shows the HQ group limit with the exposure of confirmed orders and what is available, from the store's and from HQ's side", async () => {
    const { hq, store } = await chain('status');
    await crm.client.orders.confirm.mutate({ id: (await draftOrder(store, 'PO-1')).id });
    await crm.client.orders.confirm.mutate({ id: (await draftOrder(store, 'PO-2', 2)).id });

    const { result } = renderHook(() => ({ store: useCreditStatus(store.id), hq: useCreditStatus(hq.id) }), { wrapper });
    await waitFor(() => expect(result.current.store.isSuccess && result.current.hq.isSuccess).toBe(true));
    const groupLimit = { accountId: hq.id, scope: 'group', currency: 'CNY', limitMinor: 10_000_00, allowedMinor: 10_000_00, exposureMinor: 6_300_00, availableMinor: 3_700_00 };
    expect(result.current.store.data).toMatchObject({
      accountId: store.id,
      path: [
        { accountId: store.id, level: 0 },
        { accountId: hq.id, level: 1 },
      ],
      limits: [{ ...groupLimit, level: 1 }],
      breached: false,
      holds: [],
      pendingApprovals: [],
      lastDecision: { kind: 'pass', orderId: expect.any(String) },
    });
    expect(result.current.hq.data?.limits).toEqual([expect.objectContaining({ ...groupLimit, level: 0 })]);
  });

  it('refreshes a mounted status when an order is confirmed through useConfirmOrder, without a manual refetch', async () => {
    const { store } = await chain('refresh');
    const order = await draftOrder(store, 'PO-REFRESH');
    render(
      <>
        <CreditStatus accountId={store.id} />
        <ConfirmButton order={order} />
      </>,
      { wrapper },
    );
    const caption = `Credit limits of ${store.id}`;
    await screen.findByRole('table', { name: caption });
    expect(tableRows(caption)[1]?.slice(4)).toEqual(['10000.00', '0.00', '10000.00']);

    fireEvent.click(screen.getByRole('button', { name: 'Confirm PO-REFRESH' }));
    await screen.findByText('PO-REFRESH confirmed');
    await waitFor(() => expect(tableRows(caption)[1]?.slice(4)).toEqual(['10000.00', '5400.00', '4600.00']));
  });

  it('fetches nothing while the account id is null or undefined', () => {
    const { result } = renderHook(() => ({ none: useCreditStatus(null), notYet: useCreditStatus(undefined) }), { wrapper });
    expect(result.current.none.fetchStatus).toBe('idle');
    expect(result.current.notYet.fetchStatus).toBe('idle');
    expect(queryClient.isFetching()).toBe(0);
  });

  it('exposes NOT_FOUND for an account the user may not see, as for one that does not exist', async () => {
    const { store } = await chain('hidden');
    const { result } = renderHook(() => useCreditStatus(store.id), { wrapper: crmWrapper(crm.clientAs('rep.outsider', 'rep'), testQueryClient()) });
    const nobody = unknownAccountId();
    const { result: unknown } = renderHook(() => useCreditStatus(nobody), { wrapper });
    await waitFor(() => expect(result.current.isError && unknown.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(CrmError);
    expect(result.current.error?.code).toBe('NOT_FOUND');
    expect(unknown.current.error?.code).toBe('NOT_FOUND');
  });

  it('keeps one cache entry per approvals question, and caches statuses under exposure', () => {
    expect(creditKeys.approvals()).toEqual(creditKeys.approvals({ queue: 'mine', status: ['pending'] }));
    expect(creditKeys.approvals({ accountId: undefined, cursor: 'abc' } as never)).toEqual(creditKeys.approvals({}));
    expect(creditKeys.approvals({ queue: 'all' })).not.toEqual(creditKeys.approvals());
    expect(creditKeys.approvals({ limit: 5 }).slice(0, 3)).toEqual(creditKeys.approvalLists);
    expect(creditKeys.status('acc_x').slice(0, 2)).toEqual(crmKeys.exposure.all);
    expect(creditKeys.status('acc_x').slice(0, 3)).toEqual(creditKeys.statuses);
    // useAccountExposure's exact key is not a prefix of a credit status (and the reverse).
    expect(creditKeys.status('acc_x').slice(0, 3)).not.toEqual(crmKeys.exposure.account('acc_x'));
  });
});

describe('CreditStatus', () => {
  beforeEach(() => setPolicy('refuse'));

  it('renders the limit figures, then the explanation of a refused confirmation (CREDIT_LIMIT_EXCEEDED)', async () => {
    const { hq, store } = await chain('widget');
    await crm.client.orders.confirm.mutate({ id: (await draftOrder(store, 'PO-FIRST')).id });
    const tooMuch = await draftOrder(store, 'PO-TOO-MUCH');
    render(
      <>
        <CreditStatus accountId={store.id} />
        <ConfirmButton order={tooMuch} />
      </>,
      { wrapper },
    );
    expect(screen.getByRole('status').textContent).toBe('Loading credit status…');
    const caption = `Credit limits of ${store.id}`;
    await screen.findByRole('table', { name: caption });
    expect(tableRows(caption)).toEqual([LIMITS_HEADER, [hq.id, '1', 'group', 'CNY', '10000.00', '5400.00', '4600.00']]);
    expect(screen.getByText('Within every limit on the path.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Last credit decision' })).toBeNull(); // the last decision passed

    fireEvent.click(screen.getByRole('button', { name: 'Confirm PO-TOO-MUCH' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^CREDIT_LIMIT_EXCEEDED: /);
    // useConfirmOrder refreshes credit statuses on a credit refusal: the widget shows it by itself.
    const issue = await screen.findByRole('region', { name: 'Last credit decision' });
    expect(within(issue).getByText(`Last credit decision: order ${tooMuch.id} refused (CREDIT_LIMIT_EXCEEDED) at ${START}`)).toBeTruthy();
    const messages = within(issue).getAllByRole('listitem').map((li) => li.textContent);
    expect(messages).toContain(`${hq.id} group limit CNY 10000.00: exposure CNY 5400.00 + order CNY 5400.00 = CNY 10800.00 exceeds it by CNY 800.00 (available CNY 4600.00)`);
    expect(messages.at(-1)).toBe(`the order refused (CREDIT_LIMIT_EXCEEDED): ${hq.id} group limit CNY 10000.00: exposure CNY 5400.00 + order CNY 5400.00, short by CNY 800.00`);
    // The refusal reserved nothing.
    expect(tableRows(caption)[1]).toEqual([hq.id, '1', 'group', 'CNY', '10000.00', '5400.00', '4600.00']);
  });

  it('hands its render function formatted rows, holds and a breach, naming accounts the caller may not see', async () => {
    const sales = await salesTeam('render');
    const { hq, store } = await chain('render', sales);
    await crm.client.credit.setLimit.mutate({ accountId: store.id, scope: 'own', amountMinor: 8_000_00, currency: 'CNY' });
    await crm.client.orders.confirm.mutate({ id: (await draftOrder(store, 'PO-R', 15)).id }); // 6750.00
    await crm.client.credit.hold.mutate({ accountId: hq.id, reason: 'rebate in dispute' });
    // Finance lowers the group limit below what it already covers: recorded as a breach.
    await crm.client.credit.setLimit.mutate({ accountId: hq.id, scope: 'group', amountMinor: 5_000_00, currency: 'CNY', force: true, reason: 'new risk rating' });

    const states: CreditStatusState[] = [];
    const renderState = (state: CreditStatusState) => {
      states.push(state);
      return <p>{state.isLoading ? 'loading' : `${state.limits.length} limits`}</p>;
    };
    render(<CreditStatus accountId={store.id} render={renderState} />, { wrapper });
    await screen.findByText('2 limits');
    const { limits, breached, holds, lastIssue, pendingApprovals, error } = states.at(-1)!;
    expect(error).toBeNull();
    expect(breached).toBe(true);
    expect(pendingApprovals).toEqual([]);
    expect(limits.map((l) => [l.key, l.account, l.level, l.scope, l.currency, l.limit, l.exposure, l.available, l.breached])).toEqual([
      ['0-own', store.id, 0, 'own', 'CNY', '8000.00', '6750.00', '1250.00', false],
      ['1-group', hq.id, 1, 'group', 'CNY', '5000.00', '6750.00', '-1750.00', true],
    ]);
    expect(limits[1]).toMatchObject({ limitMinor: 5_000_00, exposureMinor: 6_750_00, availableMinor: -1_750_00 });
    expect(holds).toEqual([{ accountId: hq.id, account: hq.id, reason: 'rebate in dispute', by: expect.any(String), at: START }]);
    expect(lastIssue).toBeNull(); // the breach was recorded on HQ, the last decision about the store passed

    const hqStates: CreditStatusState[] = [];
    render(<CreditStatus accountId={hq.id} render={(s) => (hqStates.push(s), s.lastIssue ? <p>hq issue</p> : null)} />, { wrapper });
    await screen.findByText('hq issue');
    expect(hqStates.at(-1)!.lastIssue).toMatchObject({ kind: 'breach', code: null, orderId: null, at: START });
    expect(hqStates.at(-1)!.lastIssue!.messages).toEqual([expect.stringMatching(/set .+'s group limit to CNY 5000\.00 with force, below its exposure CNY 6750\.00: new risk rating$/)]);

    // The store's rep may see the store but not HQ: its limit and hold are named, not identified.
    const repStates: CreditStatusState[] = [];
    render(<CreditStatus accountId={store.id} render={(s) => (repStates.push(s), s.status ? <p>rep view</p> : null)} />, { wrapper: crmWrapper(crm.clientAs(sales.rep, 'rep'), testQueryClient()) });
    await screen.findByText('rep view');
    const rep = repStates.at(-1)!;
    expect(rep.limits.map((l) => [l.accountId, l.account, l.available])).toEqual([
      [store.id, store.id, '1250.00'],
      [null, hiddenAccountLabel, '-1750.00'],
    ]);
    expect(rep.holds.map((h) => [h.accountId, h.account, h.reason])).toEqual([[null, hiddenAccountLabel, 'rebate in dispute']]);
    expect(JSON.stringify(rep.status)).not.toContain(hq.id);
  });

  it('renders the hidden account label, holds and unknown figures when an exchange rate is missing', async () => {
    const sales = await salesTeam('fx');
    const { hq, store } = await chain('fx', sales);
    await crm.client.credit.setLimit.mutate({ accountId: store.id, scope: 'own', amountMinor: 1_000_00, currency: 'USD' });
    // An invoice from outside is never refused: the store now owes CNY against a USD limit, and no rate is set.
    await crm.client.invoices.create.mutate({ billToAccountId: store.id, currency: 'CNY', number: 'INV-FX', dueDate: '2026-02-28', lines: [{ description: 'Kettles', amountMinor: 710_00 }] });
    await crm.client.credit.hold.mutate({ accountId: hq.id, reason: 'rebate in dispute' });

    render(<CreditStatus accountId={store.id} />, { wrapper: crmWrapper(crm.clientAs(sales.rep, 'rep'), testQueryClient()) });
    const caption = `Credit limits of ${store.id}`;
    await screen.findByRole('table', { name: caption });
    expect(tableRows(caption)).toEqual([
      LIMITS_HEADER,
      [store.id, '0', 'own', 'USD', '1000.00', 'unknown (no exchange rate)', 'unknown (no exchange rate)'],
      [hiddenAccountLabel, '1', 'group', 'CNY', '10000.00', '710.00', '9290.00'],
    ]);
    expect(screen.getByText('Missing exchange rates: CNY→USD.')).toBeTruthy();
    const [hold] = listItems('Credit holds');
    expect(hold?.startsWith(`${hiddenAccountLabel} on hold since ${START} by `)).toBe(true);
    expect(hold?.endsWith(': rebate in dispute')).toBe(true);
    expect(document.body.textContent).not.toContain(hq.id);
  });

  it('says so when no limit applies, and fetches nothing without an account', async () => {
    const store = await crm.client.accounts.create.mutate({ name: `${marker('unlimited')} shop` });
    render(
      <>
        <CreditStatus accountId={store.id} />
        <CreditStatus accountId={null} render={({ isLoading, query }) => <p>{`idle: ${!isLoading && query.fetchStatus === 'idle'}`}</p>} />
      </>,
      { wrapper },
    );
    expect(await screen.findByText(`No credit limit applies to ${store.id}.`)).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByText('idle: true')).toBeTruthy();
  });

  it('shows the NOT_FOUND error for an account the user may not see', async () => {
    const { store } = await chain('not yours');
    render(<CreditStatus accountId={store.id} />, { wrapper: crmWrapper(crm.clientAs('rep.outsider', 'rep'), queryClient) });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Credit status could not be loaded \(NOT_FOUND\): /);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows the error state when the network fails, and the limits once a refetch gets through', async () => {
    const { hq, store } = await chain('offline');
    // Created after msw is listening, so its fetch goes through msw; one attempt, so the fault is not retried away.
    const client = createCrmClient({ url: crm.url, apiKey: crm.secret, retry: { attempts: 1 } });
    msw.use(http.get(`${crm.url}/credit.status`, () => HttpResponse.error()));
    render(<CreditStatus accountId={store.id} />, { wrapper: crmWrapper(client, queryClient) });
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Credit status could not be loaded \(NETWORK\): /);

    msw.resetHandlers();
    await act(() => queryClient.refetchQueries({ queryKey: creditKeys.statuses }));
    const caption = `Credit limits of ${store.id}`;
    await screen.findByRole('table', { name: caption });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(tableRows(caption)[1]).toEqual([hq.id, '1', 'group', 'CNY', '10000.00', '0.00', '10000.00']);
  });
});

describe('credit approvals', () => {
  beforeEach(() => setPolicy('hold'));
  afterAll(() => setPolicy('refuse'));

  it("routes a rep's over-limit order to the manager leading the rep's team, who approves it from the queue: the order is confirmed", async () => {
    const sales = await salesTeam('approve');
    const { hq, store } = await chain('approve', sales);
    const repClient = crm.clientAs(sales.rep, 'rep');
    const order = await draftOrder(store, 'PO-BIG', 30, repClient); // 13500.00 against a 10000.00 group limit

    // The rep confirms in their own app: the order comes back on hold, and their credit status says why.
    const rep = render(
      <>
        <ConfirmButton order={order} />
        <CreditStatus accountId={store.id} />
      </>,
      { wrapper: crmWrapper(repClient, testQueryClient()) },
    );
    await screen.findByRole('table', { name: `Credit limits of ${store.id}` });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm PO-BIG' }));
    await screen.findByText('PO-BIG on_hold');
    // useConfirmOrder refreshes exposure, and credit statuses with it: the pending request appears.
    await waitFor(() => expect(listItems('Pending credit approvals')).toEqual([`Order ${order.id}: 13500.00 CNY, awaiting ${sales.leader} until ${EXPIRES}`]));
    const held = screen.getByRole('region', { name: 'Last credit decision' });
    expect(within(held).getByText(`Last credit decision: order ${order.id} held for approval (CREDIT_LIMIT_EXCEEDED) at ${START}`)).toBeTruthy();
    expect(within(held).getAllByRole('listitem').map((li) => li.textContent).slice(-3)).toEqual([
      `the order refused (CREDIT_LIMIT_EXCEEDED): ${hiddenAccountLabel} group limit CNY 10000.00: exposure CNY 0.00 + order CNY 13500.00, short by CNY 3500.00`,
      'the tenant holds orders that fail the check for an approval instead of refusing them',
      `${sales.leader} leads team ${sales.team.id}, the team owning the ordering account, and may approve credit`,
    ]);
    // Nothing is routed to the rep.
    const { result: repQueue } = renderHook(() => useCreditApprovals(), { wrapper: crmWrapper(repClient, testQueryClient()) });
    await waitFor(() => expect(repQueue.current.isSuccess).toBe(true));
    expect(repQueue.current.approvals).toEqual([]);
    rep.unmount();

    // The team leader's app: their queue, the order and the store's credit.
    render(
      <>
        <ApprovalQueue label="my queue" />
        <OrderStatus id={order.id} />
        <CreditStatus accountId={store.id} />
      </>,
      { wrapper: crmWrapper(crm.clientAs(sales.leader, 'manager'), queryClient) },
    );
    await screen.findByText('my queue: 1 loaded');
    expect(listItems('my queue')).toEqual([`${order.id} 1350000 CNY pending from ${sales.rep} to ${sales.leader}`]);
    const caption = `Credit limits of ${store.id}`;
    await waitFor(() => {
      expect(screen.getByLabelText('order').textContent).toBe('PO-BIG on_hold');
      expect(tableRows(caption)[1]).toEqual([hiddenAccountLabel, '1', 'group', 'CNY', '10000.00', '0.00', '10000.00']);
    });

    fireEvent.click(screen.getByRole('button', { name: `Approve ${order.id}` }));
    await screen.findByText(`approved ${order.id}`);
    // The queue, the order and the credit status refresh without a manual refetch.
    await waitFor(() => {
      expect(listItems('my queue')).toEqual([]);
      expect(screen.getByLabelText('order').textContent).toBe('PO-BIG confirmed');
      expect(tableRows(caption)[1]).toEqual([hiddenAccountLabel, '1', 'group', 'CNY', '10000.00', '13500.00', '-3500.00']);
    });
    expect(screen.getByText('Over limit: at least one limit on the path is exceeded.')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Pending credit approvals' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Last credit decision' })).toBeNull(); // the last decision approved
    expect(document.body.textContent).not.toContain(hq.id);
    expect(await crm.client.credit.approvals.query({ queue: 'all', orderId: order.id, status: ['approved'] })).toMatchObject({ items: [{ decidedBy: sales.leader, reason: 'pays reliably' }] });
  });

  it('rejecting returns the order to draft with the reason and leaves exposure alone', async () => {
    const sales = await salesTeam('reject');
    const { store } = await chain('reject', sales);
    const order = await draftOrder(store, 'PO-REJECT', 30, crm.clientAs(sales.rep, 'rep'));
    expect((await crm.clientAs(sales.rep, 'rep').orders.confirm.mutate({ id: order.id })).status).toBe('on_hold');

    render(
      <>
        <ApprovalQueue label="my queue" />
        <OrderStatus id={order.id} />
        <CreditStatus accountId={store.id} />
      </>,
      { wrapper: crmWrapper(crm.clientAs(sales.leader, 'manager'), queryClient) },
    );
    await screen.findByText('my queue: 1 loaded');
    await waitFor(() => expect(listItems('Pending credit approvals')).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: `Reject ${order.id}` }));
    await screen.findByText(`rejected ${order.id}`);
    await waitFor(() => {
      expect(listItems('my queue')).toEqual([]);
      expect(screen.getByLabelText('order').textContent).toBe('PO-REJECT draft');
      expect(screen.queryByRole('list', { name: 'Pending credit approvals' })).toBeNull();
    });
    expect(tableRows(`Credit limits of ${store.id}`)[1]?.slice(4)).toEqual(['10000.00', '0.00', '10000.00']);
    expect(await crm.client.credit.approvals.query({ queue: 'all', orderId: order.id, status: ['rejected'] })).toMatchObject({ items: [{ decidedBy: sales.leader, reason: 'too much at once' }] });
  });

  it("pages over the queue, and runs the caller's onSuccess once the mounted queue and status have refetched", async () => {
    const sales = await salesTeam('paging');
    const { store } = await chain('paging', sales);
    const repClient = crm.clientAs(sales.rep, 'rep');
    const held: Order[] = [];
    for (const reference of ['PO-A', 'PO-B', 'PO-C']) held.push(await repClient.orders.confirm.mutate({ id: (await draftOrder(store, reference, 30, repClient)).id }));
    expect(held.map((o) => o.status)).toEqual(['on_hold', 'on_hold', 'on_hold']);

    const managerWrapper = crmWrapper(crm.clientAs(sales.leader, 'manager'), queryClient);
    const { result: queue } = renderHook(() => useCreditApprovals({ limit: 2 }), { wrapper: managerWrapper });
    await waitFor(() => expect(queue.current.isSuccess).toBe(true));
    expect(queue.current.approvals.map((a) => a.orderId)).toEqual([held[2]!.id, held[1]!.id]);
    expect(queue.current.hasNextPage).toBe(true);
    await act(() => queue.current.fetchNextPage());
    await waitFor(() => expect(queue.current.approvals).toHaveLength(3));
    expect(queue.current.approvals.map((a) => a.orderId)).toEqual(held.map((o) => o.id).reverse());
    expect(queue.current.hasNextPage).toBe(false);

    const { result: status } = renderHook(() => useCreditStatus(store.id), { wrapper: managerWrapper });
    await waitFor(() => expect(status.current.data?.pendingApprovals).toHaveLength(3));
    const seen: unknown[] = [];
    const { result: approve } = renderHook(
      () =>
        useApproveCredit({
          onSuccess: () =>
            void seen.push({
              queue: queryClient.getQueryData<InfiniteData<CreditApprovalPage>>(creditKeys.approvals({ limit: 2 }))?.pages.flatMap((p) => p.items.map((a) => a.orderId)),
              exposure: queryClient.getQueryData<AccountCreditStatus>(creditKeys.status(store.id))?.limits[0]?.exposureMinor,
            }),
        }),
      { wrapper: managerWrapper },
    );
    const first = queue.current.approvals.at(-1)!;
    const decided: CreditApproval = await act(() => approve.current.mutateAsync({ id: first.id }));
    expect(decided).toMatchObject({ id: first.id, status: 'approved', decidedBy: sales.leader });
    expect(seen).toEqual([{ queue: [held[2]!.id, held[1]!.id], exposure: 13_500_00 }]);
  });

  it('exposes a typed CrmError: FORBIDDEN for a rep, VALIDATION for an empty reason, PRECONDITION_FAILED once decided', async () => {
    const sales = await salesTeam('refused');
    const { store } = await chain('refused', sales);
    const repClient = crm.clientAs(sales.rep, 'rep');
    const order = await repClient.orders.confirm.mutate({ id: (await draftOrder(store, 'PO-TWICE', 30, repClient)).id });
    const managerWrapper = crmWrapper(crm.clientAs(sales.leader, 'manager'), queryClient);
    const { result: queue } = renderHook(() => useCreditApprovals({ orderId: order.id }), { wrapper: managerWrapper });
    await waitFor(() => expect(queue.current.approvals).toHaveLength(1));
    const request = queue.current.approvals[0]!;

    // The rep may not decide credit at all.
    const { result: asRep } = renderHook(() => useApproveCredit(), { wrapper: crmWrapper(repClient, testQueryClient()) });
    const forbidden = await asRep.current.mutateAsync({ id: request.id }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(CrmError);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN' });

    let calls = 0;
    const { result: reject } = renderHook(() => useRejectCredit({ onSuccess: () => void calls++ }), { wrapper: managerWrapper });
    const empty = await reject.current.mutateAsync({ id: request.id, reason: '' }).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: 'VALIDATION' });
    await act(() => reject.current.mutateAsync({ id: request.id, reason: 'not this quarter' }));
    expect(calls).toBe(1);
    await waitFor(() => expect(queue.current.approvals).toEqual([]));

    // Deciding it again: it is no longer pending.
    const { result: approve } = renderHook(() => useApproveCredit(), { wrapper: managerWrapper });
    const again = await approve.current.mutateAsync({ id: request.id }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CrmError);
    expect(again).toMatchObject({ code: 'PRECONDITION_FAILED' });
    await waitFor(() => expect(approve.current.isError).toBe(true));
    expect(approve.current.error?.code).toBe('PRECONDITION_FAILED');
    expect(await crm.client.orders.get.query({ id: order.id })).toMatchObject({ status: 'draft' });
  });
});
