import fc from 'fast-check';
import { canSee, type AccountGrade } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaAccountReads, type AccountCountQuery, type AccountListQuery, type AccountVisibility } from '../src/db/account-reads.js';
import { inTransaction } from '../src/services/audit/record.js';
import { changeOwnership, type OwnershipState } from '../src/services/ownership/change-ownership.js';
import { startHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let key: string;
let repToken: string;
let ids: string[];
let extraIds: string[];
beforeAll(async () => {
  h = await startHarness();
  key = (await h.crm.bootstrap.createApiKey({ tenantId: h.tenantA, name: 'read paths', role: 'admin' })).secret;
  const hq = await h.adminA.accounts.create.mutate({ name: 'Read HQ 100%_off', grade: 'A' });
  const east = await h.adminA.accounts.create.mutate({ name: 'ＲＥＡＤ East', parentId: hq.id, grade: 'B', settlesOwnInvoices: true });
  const store = await h.adminA.accounts.create.mutate({ name: 'read store', parentId: east.id });
  const lone = await h.adminA.accounts.create.mutate({ name: 'Lone_star', grade: 'A' });
  await h.adminA.accounts.archive.mutate({ id: lone.id });
  const inB = await h.adminB.accounts.create.mutate({ name: 'Read in B', grade: 'A' });
  // Owners for the visibility filters: teams t1/t2, users u1…u3 (rows need not exist for the read paths).
  const more = [];
  for (const [i, grade] of (['A', 'B', 'C', 'A', 'B', 'C', 'D', 'A'] as AccountGrade[]).entries()) {
    more.push((await h.adminA.accounts.create.mutate({ name: `read owned ${i}`, grade, ...(i % 3 === 0 ? { parentId: hq.id } : {}) })).id);
  }
  const owners: [string, string, OwnershipState][] = [
    [h.tenantA, hq.id, { teamId: 't1', primaryOwnerId: 'u1', secondaryOwnerId: null }],
    [h.tenantA, east.id, { teamId: 't2', primaryOwnerId: null, secondaryOwnerId: 'u2' }],
    [h.tenantA, lone.id, { teamId: null, primaryOwnerId: 'u2', secondaryOwnerId: 'u3' }],
    [h.tenantA, more[0]!, { teamId: 't1', primaryOwnerId: null, secondaryOwnerId: null }],
    [h.tenantA, more[1]!, { teamId: 't2', primaryOwnerId: 'u3', secondaryOwnerId: 'u1' }],
    [h.tenantA, more[2]!, { teamId: null, primaryOwnerId: 'u1', secondaryOwnerId: null }],
    [h.tenantA, more[4]!, { teamId: 't3', primaryOwnerId: 'u2', secondaryOwnerId: null }],
    [h.tenantA, more[6]!, { teamId: null, primaryOwnerId: null, secondaryOwnerId: 'u1' }],
    [h.tenantB, inB.id, { teamId: 't1', primaryOwnerId: 'u1', secondaryOwnerId: null }],
  ];
  for (const [tenantId, accountId, state] of owners) {
    const ctx = h.crm.serviceContext({ tenantId, type: 'system', id: 'read-paths', role: 'admin', scopes: null });
    await inTransaction(ctx, (tx) => changeOwnership(tx, ctx, accountId, state, { cause: 'assign' }));
  }
  await h.adminA.accounts.archive.mutate({ id: more[7]! });
  repToken = await h.crm.mintUserToken({ tenantId: h.tenantA, userId: 'u1', role: 'rep', ttl: 600 });
  ids = [hq.id, east.id, store.id, lone.id];
  extraIds = [...more, inB.id];
});
afterAll(() => h.close());

describe('direct answers to single GET queries', () => {
  const cases = () => [
    `accounts.get?input=${encodeURIComponent(JSON.stringify({ id: ids[1] }))}`,
    `accounts.list?input=${encodeURIComponent(JSON.stringify({ search: 'read', limit: 2 }))}`,
    'accounts.list',
    `accounts.tree?input=${encodeURIComponent(JSON.stringify({ id: ids[2] }))}`,
    `accounts.get?input=${encodeURIComponent(JSON.stringify({ id: 'acc_' + '0'.repeat(26) }))}`,
    `accounts.get?input=${encodeURIComponent('{"id":')}`,
    `accounts.get?input=${encodeURIComponent(JSON.stringify({ id: 'nope' }))}`,
    `audit.list?input=${encodeURIComponent(JSON.stringify({ entityType: 'account', entityId: ids[0] }))}`,
    `accounts.get,accounts.list?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: ids[0] }, 1: {} }))}`,
    `accounts.count?input=${encodeURIComponent(JSON.stringify({ search: 'read' }))}`,
    `accounts.get?input=${encodeURIComponent(JSON.stringify({ id: ids[3] }))}`,
    `accounts.get?input=${encodeURIComponent(JSON.stringify({ id: ids[2] }))}`,
    `accounts.tree?input=${encodeURIComponent(JSON.stringify({ id: ids[0] }))}`,
  ];

  it('answers exactly as tRPC’s own handler does: status, content type and body, for successes and failures', async () => {
    // A rep's token goes through the visibility filters (u1 sees hq but not its unowned store).
    for (const [credential, path] of cases().flatMap((p) => [[key, p], [repToken, p], [null, p], ['crm_wrong', p]] as const)) {
      const headers: Record<string, string> = credential ? { authorization: `Bearer ${credential}` } : {};
      const direct = await fetch(`${h.url}/${path}`, { headers });
      const canonical = await h.crm.handleFetch(new Request(`http://crm.example/trpc/${path}`, { headers }));
      const label = `${credential === repToken ? 'rep' : credential ? 'auth' : 'anon'} ${path}`;
      expect(direct.status, label).toBe(canonical.status);
      expect(direct.headers.get('content-type'), label).toBe(canonical.headers.get('content-type'));
      expect(await direct.text(), label).toBe(await canonical.text());
    }
  });

  it('sees a write at once (the read connection reads what the writer committed)', async () => {
    const created = await h.adminA.accounts.create.mutate({ name: 'Fresh' });
    expect((await h.adminA.accounts.get.query({ id: created.id })).name).toBe('Fresh');
    await h.adminA.accounts.update.mutate({ id: created.id, name: 'Fresher' });
    expect((await h.adminA.accounts.get.query({ id: created.id })).name).toBe('Fresher');
    expect((await h.adminA.accounts.list.query({ search: 'fresher' })).items.map((a) => a.id)).toEqual([created.id]);
  });
});

describe('account reads', () => {
  it('match a plain model of the filters and visibility scopes for any query (list and count), wildcards in searches taken literally', async () => {
    const { openDatabase } = await import('../src/db/client.js');
    const opened = openDatabase(h.databaseUrl);
    const reads = [opened.reads.accounts, ...(h.crm.provider === 'sqlite' ? [prismaAccountReads(h.crm.db, 'sqlite')] : [])];
    const all = await h.crm.db.account.findMany();
    const matching = (q: AccountCountQuery) =>
      all
        .filter((a) => a.tenantId === q.tenantId)
        .filter((a) => q.nameContains === undefined || a.nameSearch.includes(q.nameContains))
        .filter((a) => q.parentId === undefined || a.parentId === q.parentId)
        .filter((a) => q.grade === undefined || a.grade === q.grade)
        .filter((a) => (q.archived === 'exclude' ? a.archivedAt === null : q.archived === 'only' ? a.archivedAt !== null : true))
        .filter((a) => q.visibility === undefined || canSee({ all: false, ...q.visibility }, a));
    const model = (q: AccountListQuery) =>
      matching(q)
        .filter((a) => q.beforeId === undefined || a.id < q.beforeId)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, q.take)
        .map((a) => a.id);
    expect(all.filter((a) => a.ownerTeamId !== null || a.primaryOwnerId !== null || a.secondaryOwnerId !== null)).toHaveLength(9);
    try {
      const query = fc.record({
        tenantId: fc.constantFrom(h.tenantA, h.tenantB, 'ten_none'),
        beforeId: fc.option(fc.constantFrom(...ids, ...extraIds, 'acc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ'), { nil: undefined }),
        nameContains: fc.option(fc.constantFrom('read', 'east', '100%', '%', '_', 'lone_', 'zzz', 'read east', '\\'), { nil: undefined }),
        parentId: fc.option(fc.option(fc.constantFrom(...ids), { nil: null }), { nil: undefined }),
        grade: fc.option(fc.constantFrom('A', 'B', 'C'), { nil: undefined }),
        archived: fc.constantFrom('exclude' as const, 'include' as const, 'only' as const),
        take: fc.integer({ min: 1, max: 10 }),
        visibility: fc.option(
          fc.record({
            teamIds: fc.subarray(['t1', 't2', 't3', 't_none']),
            ownerIds: fc.subarray(['u1', 'u2', 'u3', 'u_none']),
            accountIds: fc.subarray([...ids, ...extraIds, 'acc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ']),
          }) satisfies fc.Arbitrary<AccountVisibility>,
          { nil: undefined },
        ),
      });
      await fc.assert(
        fc.asyncProperty(query, async (q: AccountListQuery) => {
          for (const [i, read] of reads.entries()) {
            expect((await read.list(q)).map((a) => a.id), `${i} ${JSON.stringify(q)}`).toEqual(model(q));
            expect(await read.count(q), `${i} count ${JSON.stringify(q)}`).toBe(matching(q).length);
          }
        }),
        { numRuns: 300 },
      );
      for (const id of [...ids, ...extraIds, 'acc_' + '0'.repeat(26)]) {
        const row = all.find((a) => a.id === id && a.tenantId === h.tenantA);
        const got = await opened.reads.accounts.byId(h.tenantA, id);
        expect(got?.id ?? null).toBe(row?.id ?? null);
        if (row) {
          const { ownerTeamId, primaryOwnerId, secondaryOwnerId } = row;
          expect(got).toMatchObject({ name: row.name, createdAt: row.createdAt, settlesOwnInvoices: row.settlesOwnInvoices, archivedAt: row.archivedAt, version: row.version, ownerTeamId, primaryOwnerId, secondaryOwnerId });
        }
        if (!all.some((a) => a.id === id && a.tenantId === h.tenantB)) expect(await opened.reads.accounts.byId(h.tenantB, id)).toBeNull();
      }
    } finally {
      await opened.close();
    }
  });
});
