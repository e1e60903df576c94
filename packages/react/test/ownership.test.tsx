/**
 * Ownership hooks and the OwnershipPanel against a real crmkit server on a fresh database: a sales
 * team with a leader, an appliance rep and a power-tool rep; accounts owned by the team, by reps,
 * or sitting in the pool; reps acting through their own user tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { CrmError, DAY_MS, newId, systemClock, type ProductLine, type Team } from '@crmkit/core';
import {
  crmKeys,
  OwnershipPanel,
  useAccounts,
  useAssignOwnership,
  useClaimAccount,
  useDelegations,
  useOwnershipHistory,
  usePool,
  useReleaseAccount,
  useResponsible,
  useTeam,
  type OwnershipHistory,
  type OwnershipPanelState,
  type PoolPage,
  type Resolution,
} from '../src/index.js';
import { crmWrapper, freshQueryClientPerTest, marker, startCrm, testQueryClient, unknownAccountId, type TestCrm } from './helpers/crm.js';

let crm: TestCrm;
let queryClient: QueryClient;
let wrapper: ReturnType<typeof crmWrapper>;
let team: Team;
let appliances: ProductLine;
let tools: ProductLine;
let warranty: ProductLine;

const iso = (t: number) => new Date(t).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  crm = await startCrm();
  const admin = crm.client;
  for (const [id, displayName, role] of [
    ['lead.wang', 'Wang Lei (team leader)', 'manager'],
    ['rep.li', 'Li Na (small appliances)', 'rep'],
    ['rep.zhao', 'Zhao Gang (power tools)', 'rep'],
    ['rep.chen', 'Chen Jing (colleague)', 'rep'],
    ['rep.sun', 'Sun Mei', 'rep'],
    ['rep.zhou', 'Zhou Tao', 'rep'],
    ['rep.kong', 'Kong Wei', 'rep'],
    ['rep.ma', 'Ma Lin', 'rep'],
    ['rep.pool', 'Pool rep', 'rep'],
    ['rep.capped', 'Capped rep', 'rep'],
  ] as const) {
    await admin.users.upsert.mutate({ id, displayName, role });
  }
  team = await admin.teams.create.mutate({ name: 'East China sales', leaderId: 'lead.wang', memberIds: ['rep.li', 'rep.zhao', 'rep.chen'] });
  appliances = await admin.productLines.create.mutate({ code: 'small-appliances', name: 'Small appliances' });
  tools = await admin.productLines.create.mutate({ code: 'power-tools', name: 'Power tools' });
  warranty = await admin.productLines.create.mutate({ code: 'extended-warranty', name: 'Extended warranty' });
  await admin.productLines.assign.mutate({ teamId: team.id, productLineId: appliances.id, userId: 'rep.li', reason: 'appliance rep' });
  team = await admin.productLines.assign.mutate({ teamId: team.id, productLineId: tools.id, userId: 'rep.zhao', reason: 'power-tool rep' });
});
afterAll(() => crm?.close());

freshQueryClientPerTest(() => crm.client, (q, w) => {
  queryClient = q;
  wrapper = w;
});

const cachedNames = (queryKey: readonly unknown[]) => queryClient.getQueryData<InfiniteData<PoolPage>>(queryKey)?.pages.flatMap((p) => p.items.map((a) => a.name));
const listItems = (label: string) => within(screen.getByRole('list', { name: label })).queryAllByRole('listitem').map((li) => li.textContent);

/** An account owned by the seed's team (no primary owner). */
async function teamAccount(name: string, owners: { primaryOwnerId?: string; secondaryOwnerId?: string } = {}) {
  const account = await crm.client.accounts.create.mutate({ name });
  await crm.client.ownership.assign.mutate({ accountId: account.id, teamId: team.id, ...owners, reason: 'team account' });
  return account;
}

function Responsible({ accountId, productLineId, purpose = 'order' }: { accountId: string | undefined; productLineId?: string; purpose?: 'order' | 'general' }) {
  const { data, error } = useResponsible({ accountId, purpose, productLineId });
  if (error) return <p role="alert">{error.code}</p>;
  if (!data) return <p>Resolving</p>;
  const last = data.explanation.at(-1);
  return <p aria-label="responsible">{`${data.userId} · ${last?.rule}/${last?.outcome} · ${last?.message}`}</p>;
}

function History({ accountId }: { accountId: string }) {
  const { data, error } = useOwnershipHistory(accountId);
  if (error) return <p role="alert">{error.code}</p>;
  return (
    <ol aria-label="history">
      {data?.periods.map((p) => (
        <li key={p.validFrom}>{`${p.teamId === team.id ? 'team' : (p.teamId ?? '-')}/${p.primaryOwnerId ?? '-'}/${p.secondaryOwnerId ?? '-'} ${p.validTo ? 'closed' : 'open'} (${p.cause}: ${p.reason})`}</li>
      ))}
    </ol>
  );
}

function PoolList({ search }: { search: string }) {
  const { accounts, isSuccess, error } = usePool({ search });
  if (error) return <p role="alert">{error.code}</p>;
  return (
    <section>
      <ul aria-label="pool">
        {accounts.map((a) => (
          <li key={a.id}>{a.name}</li>
        ))}
      </ul>
      {isSuccess && <p>{`pool: ${accounts.length} loaded`}</p>}
    </section>
  );
}

function MyAccounts({ search }: { search: string }) {
  const { accounts, isSuccess } = useAccounts({ search });
  return (
    <section>
      <ul aria-label="mine">
        {accounts.map((a) => (
          <li key={a.id}>{a.name}</li>
        ))}
      </ul>
      {isSuccess && <p>{`mine: ${accounts.length} loaded`}</p>}
    </section>
  );
}

describe('useResponsible', () => {
  it("shows the product line's rep, with the explanation's last step naming them", async () => {
    const chain = await teamAccount('Hualian Supermarket Chain');
    render(<Responsible accountId={chain.id} productLineId={appliances.id} />, { wrapper });
    expect(screen.getByText('Resolving')).toBeTruthy();
    const shown = (await screen.findByLabelText('responsible')).textContent ?? '';
    expect(shown).toMatch(/^rep\.li · product-line\/matched · /);
    expect(shown).toContain(appliances.id);

    const { result } = renderHook(() => useResponsible({ accountId: chain.id, purpose: 'order', productLineId: tools.id }), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.userId).toBe('rep.zhao');
    expect(result.current.data?.explanation.at(-1)).toMatchObject({ rule: 'product-line', outcome: 'matched', subjectId: 'rep.zhao' });
    expect(queryClient.getQueryData(crmKeys.ownership.resolve({ accountId: chain.id, purpose: 'order', productLineId: tools.id }))).toEqual(result.current.data);
  });

  it('falls back to the team leader for an unmatched product line, and says so', async () => {
    const chain = await teamAccount('Lianhua Supermarkets');
    render(<Responsible accountId={chain.id} productLineId={warranty.id} />, { wrapper });
    const shown = (await screen.findByLabelText('responsible')).textContent ?? '';
    expect(shown).toMatch(/^lead\.wang · team-leader\/fallback · /);
    expect(shown).toContain('team leader');
  });

  it('fetches nothing while the account id is undefined, and exposes NOT_FOUND for an unknown or unseen account', async () => {
    const { result } = renderHook(() => useResponsible({ accountId: undefined }), { wrapper });
    expect(result.current.isPending).toBe(true);
    expect(result.current.fetchStatus).toBe('idle');

    render(<Responsible accountId={unknownAccountId()} />, { wrapper });
    expect((await screen.findByRole('alert')).textContent).toBe('NOT_FOUND');
    cleanup();

    // Sun Mei is not in the team: the team's account is outside her sight, through this hook too.
    const chain = await teamAccount('Not for Sun Mei');
    const { result: asRep } = renderHook(() => useResponsible({ accountId: chain.id }), { wrapper: crmWrapper(crm.clientAs('rep.sun', 'rep'), testQueryClient()) });
    await waitFor(() => expect(asRep.current.isError).toBe(true));
    expect(asRep.current.error).toBeInstanceOf(CrmError);
    expect(asRep.current.error?.code).toBe('NOT_FOUND');
  });

  it('keys one routing question once, whatever the defaults spelled out, under the account and ownership prefixes', () => {
    expect(crmKeys.ownership.resolve({ accountId: 'acc_1' })).toEqual(crmKeys.ownership.resolve({ accountId: 'acc_1', purpose: 'general', asOf: undefined }));
    expect(crmKeys.ownership.resolve({ accountId: 'acc_1', purpose: 'order' })).not.toEqual(crmKeys.ownership.resolve({ accountId: 'acc_1' }));
    expect(crmKeys.ownership.resolve({ accountId: 'acc_1' }).slice(0, 3)).toEqual(crmKeys.ownership.account('acc_1'));
    expect(crmKeys.ownership.history('acc_1').slice(0, 3)).toEqual(crmKeys.ownership.account('acc_1'));
    expect(crmKeys.ownership.account('acc_1').slice(0, 2)).toEqual(crmKeys.ownership.all);
    expect(crmKeys.teams.detail('tm_1')).toEqual(crmKeys.teams.detail('tm_1', undefined));
    expect(crmKeys.pool.list({ search: 'a', cursor: 'c' } as never)).toEqual(crmKeys.pool.list({ search: 'a' }));
    expect(crmKeys.pool.list().slice(0, 3)).toEqual(crmKeys.pool.lists);
  });
});

describe('useOwnershipHistory and useAssignOwnership', () => {
  it('lists both periods after a reassignment, and the mounted routing answer follows', async () => {
    const account = await teamAccount('Suguo Supermarkets');
    const { result } = renderHook(() => useAssignOwnership(), { wrapper });
    render(
      <>
        <History accountId={account.id} />
        <Responsible accountId={account.id} purpose="general" />
      </>,
      { wrapper },
    );
    await waitFor(() => expect(listItems('history')).toEqual(['team/-/- open (assign: team account)']));
    expect((await screen.findByLabelText('responsible')).textContent).toMatch(/^lead\.wang · team-leader\/fallback/);

    const period = await act(() => result.current.mutateAsync({ accountId: account.id, primaryOwnerId: 'rep.zhao', reason: 'territory split' }));
    expect(period).toMatchObject({ teamId: team.id, primaryOwnerId: 'rep.zhao', validTo: null });
    // The mutation settles after the mounted queries refetched: their new answers are already cached.
    expect(queryClient.getQueryData<OwnershipHistory>(crmKeys.ownership.history(account.id))?.periods).toHaveLength(2);
    expect(queryClient.getQueryData<Resolution>(crmKeys.ownership.resolve({ accountId: account.id }))?.userId).toBe('rep.zhao');
    await waitFor(() => expect(listItems('history')).toEqual(['team/-/- closed (assign: team account)', 'team/rep.zhao/- open (assign: territory split)']));
    expect(screen.getByLabelText('responsible').textContent).toMatch(/^rep\.zhao · primary-owner\/matched/);
  });

  it('exposes FORBIDDEN when a rep tries to reassign, and leaves the history alone', async () => {
    const account = await teamAccount('Not yours to give', { primaryOwnerId: 'rep.chen' });
    const repWrapper = crmWrapper(crm.clientAs('rep.chen', 'rep'), queryClient);
    const { result } = renderHook(() => useAssignOwnership(), { wrapper: repWrapper });
    render(<History accountId={account.id} />, { wrapper: repWrapper });
    await waitFor(() => expect(listItems('history')).toHaveLength(1));
    await expect(result.current.mutateAsync({ accountId: account.id, primaryOwnerId: 'rep.sun', reason: 'mine now' })).rejects.toBeInstanceOf(CrmError);
    await waitFor(() => expect(result.current.error?.code).toBe('FORBIDDEN'));
    expect(listItems('history')).toHaveLength(1);
  });
});

describe('useTeam', () => {
  function TeamView({ id, asOf, label }: { id: string; asOf?: string; label: string }) {
    const { data, error } = useTeam(id, { asOf });
    if (error) return <p role="alert">{error.code}</p>;
    if (!data) return <p>Loading team</p>;
    return (
      <section aria-label={label}>
        <h2>{`${data.name}, led by ${data.leaderId}`}</h2>
        <ul aria-label={`${label} members`}>
          {data.members.map((m) => (
            <li key={m.userId}>{`${m.userId} (${m.role})`}</li>
          ))}
        </ul>
        <ul aria-label={`${label} product lines`}>
          {data.productLines.map((p) => (
            <li key={p.productLineId}>{`${p.productLineId === appliances.id ? 'appliances' : p.productLineId === tools.id ? 'tools' : p.productLineId} → ${p.userId}`}</li>
          ))}
        </ul>
      </section>
    );
  }

  it('shows the leader, members and product-line reps', async () => {
    render(<TeamView id={team.id} label="team" />, { wrapper });
    expect(await screen.findByRole('heading', { name: 'East China sales, led by lead.wang' })).toBeTruthy();
    expect(leaderThenSorted(listItems('team members'))).toEqual(['lead.wang (leader)', 'rep.chen (member)', 'rep.li (member)', 'rep.zhao (member)']);
    expect(listItems('team members')[0]).toBe('lead.wang (leader)');
    expect(listItems('team product lines').sort()).toEqual(['appliances → rep.li', 'tools → rep.zhao']);
    expect(queryClient.getQueryData(crmKeys.teams.detail(team.id))).toMatchObject({ id: team.id, leaderId: 'lead.wang' });
  });

  it('shows the team as it stood at an earlier instant beside today', async () => {
    const west = await crm.client.teams.create.mutate({ name: 'West sales', leaderId: 'lead.wang', memberIds: ['rep.chen'] });
    await sleep(5);
    const before = new Date().toISOString();
    await sleep(5);
    await crm.client.teams.addMember.mutate({ teamId: west.id, userId: 'rep.zhou', reason: 'new hire' });
    render(
      <>
        <TeamView id={west.id} label="now" />
        <TeamView id={west.id} asOf={before} label="before" />
      </>,
      { wrapper },
    );
    await screen.findByRole('region', { name: 'now' });
    await screen.findByRole('region', { name: 'before' });
    expect(leaderThenSorted(listItems('now members'))).toEqual(['lead.wang (leader)', 'rep.chen (member)', 'rep.zhou (member)']);
    expect(leaderThenSorted(listItems('before members'))).toEqual(['lead.wang (leader)', 'rep.chen (member)']);
  });

  it('exposes NOT_FOUND for an unknown team', async () => {
    const id = newId('tm', systemClock);
    const { result } = renderHook(() => useTeam(id), { wrapper });
    await waitFor(() => expect(result.current.error?.code).toBe('NOT_FOUND'));
  });
});

/** The first entry (the server puts the leader first), then the rest sorted. */
function leaderThenSorted(items: (string | null)[]): (string | null)[] {
  const [first, ...rest] = items;
  return [first ?? null, ...rest.sort()];
}

describe('usePool, useClaimAccount and useReleaseAccount', () => {
  it("claiming moves the account out of the mounted pool list and into the rep's accounts", async () => {
    const word = marker('pool');
    const wanted = await crm.client.accounts.create.mutate({ name: `${word} Wumart` });
    const other = await crm.client.accounts.create.mutate({ name: `${word} Jiajiale` });
    const owned = await teamAccount(`${word} owned by the team`);
    const rep = crm.clientAs('rep.pool', 'rep');
    const repWrapper = crmWrapper(rep, queryClient);
    const { result } = renderHook(() => ({ claim: useClaimAccount(), release: useReleaseAccount() }), { wrapper: repWrapper });
    render(
      <>
        <PoolList search={word} />
        <MyAccounts search={word} />
      </>,
      { wrapper: repWrapper },
    );
    await screen.findByText('pool: 2 loaded');
    await screen.findByText('mine: 0 loaded');
    expect(listItems('pool')).toEqual([other.name, wanted.name]);
    expect(listItems('pool')).not.toContain(owned.name);

    const period = await act(() => result.current.claim.mutateAsync({ accountId: wanted.id }));
    expect(period).toMatchObject({ accountId: wanted.id, teamId: null, primaryOwnerId: 'rep.pool', validTo: null, cause: 'claim', reason: '' });
    // Settled after the mounted lists refetched: their new pages are already cached.
    expect(cachedNames(crmKeys.pool.list({ search: word }))).toEqual([other.name]);
    expect(cachedNames(crmKeys.accounts.list({ search: word }))).toEqual([wanted.name]);
    await waitFor(() => expect(listItems('pool')).toEqual([other.name]));
    expect(listItems('mine')).toEqual([wanted.name]);

    // Releasing gives it back: into the pool, out of the rep's sight.
    await act(() => result.current.release.mutateAsync({ accountId: wanted.id, reason: 'moved to another city' }));
    await waitFor(() => expect(listItems('pool')).toEqual([other.name, wanted.name]));
    expect(listItems('mine')).toEqual([]);
    const history = await crm.client.ownership.history.query({ accountId: wanted.id });
    expect(history.periods.map((p) => [p.cause, p.reason])).toEqual([['claim', ''], ['release', 'moved to another city']]);
  });

  it('pages the pool over the cursor with the accounts flattened', async () => {
    const word = marker('pages');
    const created = [];
    for (let i = 1; i <= 3; i++) created.push(await crm.client.accounts.create.mutate({ name: `${word} ${i}` }));
    const { result } = renderHook(() => usePool({ search: word, limit: 2 }), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.accounts).toHaveLength(2);
    expect(result.current.hasNextPage).toBe(true);
    await act(() => result.current.fetchNextPage());
    await waitFor(() => expect(result.current.accounts).toHaveLength(3));
    expect(result.current.accounts.map((a) => a.id)).toEqual(created.map((a) => a.id).reverse());
    expect(result.current.hasNextPage).toBe(false);
  });
});

describe('useDelegations', () => {
  it("lists a user's delegations, and a rep only those they take part in", async () => {
    const now = Date.now();
    const delegation = await crm.client.delegations.create.mutate({ delegatorId: 'rep.sun', delegateId: 'rep.zhou', validFrom: iso(now), validTo: iso(now + 7 * DAY_MS), reason: 'trade fair' });
    const { result } = renderHook(() => useDelegations({ userId: 'rep.sun', activeAt: iso(now + DAY_MS) }), { wrapper });
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.items).toEqual([delegation]);

    const { result: later } = renderHook(() => useDelegations({ userId: 'rep.sun', activeAt: iso(now + 8 * DAY_MS) }), { wrapper });
    await waitFor(() => expect(later.current.isSuccess).toBe(true));
    expect(later.current.data?.items).toEqual([]);

    const { result: outsider } = renderHook(() => useDelegations({ userId: 'rep.sun' }), { wrapper: crmWrapper(crm.clientAs('rep.chen', 'rep'), testQueryClient()) });
    await waitFor(() => expect(outsider.current.isSuccess).toBe(true));
    expect(outsider.current.data?.items).toEqual([]);
  });
});

describe('OwnershipPanel', () => {
  function panel(accountId: string | undefined) {
    return (
      <OwnershipPanel
        accountId={accountId}
        render={({ account, team: owningTeam, owners, responsible, delegations, history, isLoading, error }: OwnershipPanelState) =>
          error ? (
            <p role="alert">{error.code}</p>
          ) : isLoading ? (
            <p>Loading panel</p>
          ) : (
            <section aria-label="ownership">
              <h2>{account?.name}</h2>
              <p aria-label="team">{owningTeam ? `${owningTeam.name}, led by ${owningTeam.leaderId}` : owningTeam === null ? 'no team' : 'team unknown'}</p>
              <p aria-label="owners">{owners ? `primary ${owners.primaryOwnerId ?? '-'}, secondary ${owners.secondaryOwnerId ?? '-'}` : 'owners unknown'}</p>
              <p aria-label="responsible">{responsible ? `${responsible.userId ?? 'nobody'} (${responsible.explanation.at(-1)?.rule})` : 'unresolved'}</p>
              <ul aria-label="delegations">
                {delegations.map((d) => (
                  <li key={d.id}>{`${d.delegatorId} → ${d.delegateId} (${d.scope})`}</li>
                ))}
              </ul>
              <ol aria-label="periods">
                {history?.map((p) => (
                  <li key={p.validFrom}>{`${p.primaryOwnerId ?? '-'} ${p.validTo ? 'closed' : 'open'}`}</li>
                ))}
              </ol>
            </section>
          )
        }
      />
    );
  }

  it('renders the team, owners, responsible person, the primary owner’s delegations and the history, and follows a reassignment', async () => {
    const account = await teamAccount('Carrefour East', { primaryOwnerId: 'rep.kong', secondaryOwnerId: 'rep.chen' });
    const now = Date.now();
    await crm.client.delegations.create.mutate({ delegatorId: 'rep.kong', delegateId: 'rep.ma', validFrom: iso(now), validTo: iso(now + 7 * DAY_MS), reason: 'on the road' });
    // Kong is the delegate here, not the delegator: not the panel's business.
    await crm.client.delegations.create.mutate({ delegatorId: 'rep.zhou', delegateId: 'rep.kong', scope: 'approvals', validFrom: iso(now), validTo: iso(now + 7 * DAY_MS), reason: 'approvals while away' });

    render(panel(account.id), { wrapper });
    expect(screen.getByText('Loading panel')).toBeTruthy();
    const section = await screen.findByRole('region', { name: 'ownership' });
    expect(within(section).getByRole('heading').textContent).toBe('Carrefour East');
    expect(screen.getByLabelText('team').textContent).toBe('East China sales, led by lead.wang');
    expect(screen.getByLabelText('owners').textContent).toBe('primary rep.kong, secondary rep.chen');
    expect(screen.getByLabelText('responsible').textContent).toMatch(/^rep\.ma \(/);
    expect(listItems('delegations')).toEqual(['rep.kong → rep.ma (all)']);
    expect(listItems('periods')).toEqual(['rep.kong open']);

    const { result } = renderHook(() => useAssignOwnership(), { wrapper });
    await act(() => result.current.mutateAsync({ accountId: account.id, teamId: null, primaryOwnerId: 'rep.zhao', reason: 'key account desk' }));
    await waitFor(() => expect(screen.getByLabelText('owners').textContent).toBe('primary rep.zhao, secondary rep.chen'));
    expect(screen.getByLabelText('team').textContent).toBe('no team');
    await waitFor(() => expect(screen.getByLabelText('responsible').textContent).toBe('rep.zhao (primary-owner)'));
    expect(listItems('delegations')).toEqual([]);
    expect(listItems('periods')).toEqual(['rep.kong closed', 'rep.zhao open']);
  });

  it('shows a pool account with no team, no owners and no history', async () => {
    const account = await crm.client.accounts.create.mutate({ name: 'Nobody’s yet' });
    render(panel(account.id), { wrapper });
    await screen.findByRole('region', { name: 'ownership' });
    expect(screen.getByLabelText('team').textContent).toBe('no team');
    expect(screen.getByLabelText('owners').textContent).toBe('primary -, secondary -');
    expect(listItems('delegations')).toEqual([]);
    expect(listItems('periods')).toEqual([]);
  });

  it('hands a CrmError to its render function for an account the caller may not see', async () => {
    render(panel(unknownAccountId()), { wrapper });
    expect((await screen.findByRole('alert')).textContent).toBe('NOT_FOUND');
  });
});

// Last: the pool policy is the tenant's, and caps every later claim.
describe('a claim refused by the pool policy', () => {
  function ClaimButton({ accountId, label }: { accountId: string; label: string }) {
    const claim = useClaimAccount();
    return (
      <div>
        <button onClick={() => claim.mutate({ accountId })}>{label}</button>
        {claim.isSuccess && <p>{`${label}: claimed`}</p>}
        {claim.error && <p role="alert">{`${claim.error.code} ${String(claim.error.details?.rule)}`}</p>}
      </div>
    );
  }

  it('exposes PRECONDITION_FAILED over the per-rep cap and leaves the account in the pool', async () => {
    await crm.client.pool.setPolicy.mutate({ policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 1 }] });
    const word = marker('cap');
    const first = await crm.client.accounts.create.mutate({ name: `${word} first` });
    const second = await crm.client.accounts.create.mutate({ name: `${word} second` });
    const repWrapper = crmWrapper(crm.clientAs('rep.capped', 'rep'), queryClient);
    render(
      <>
        <PoolList search={word} />
        <ClaimButton accountId={first.id} label="Claim first" />
        <ClaimButton accountId={second.id} label="Claim second" />
      </>,
      { wrapper: repWrapper },
    );
    await screen.findByText('pool: 2 loaded');
    fireEvent.click(screen.getByRole('button', { name: 'Claim first' }));
    await screen.findByText('Claim first: claimed');
    expect(listItems('pool')).toEqual([second.name]);

    fireEvent.click(screen.getByRole('button', { name: 'Claim second' }));
    expect((await screen.findByRole('alert')).textContent).toBe('PRECONDITION_FAILED claim-cap');
    expect(listItems('pool')).toEqual([second.name]);

    const { result } = renderHook(() => useClaimAccount(), { wrapper: repWrapper });
    const error = await result.current.mutateAsync({ accountId: second.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { rule: 'claim-cap', held: 1, limit: 1 } });
  });
});
