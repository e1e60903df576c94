import fc from 'fast-check';
import { HOUR_MS } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaRoutingRows } from '../src/db/routing-reads.js';
import { loadAccountRoutingFacts } from '../src/services/ownership/routing-facts.js';
import { engine } from './helpers/database.js';
import { startHarness, type Harness } from './helpers/harness.js';

// On SQLite, routing reads its rows as prepared statements on the read-only driver connection
// (`ownership.resolve`, order confirmation). They must answer exactly what the Prisma queries
// answer, at every instant of a history with changes of owner, leader, product-line member,
// overrides, delegations (one ended early), absences and a deactivation.

describe.skipIf(engine !== 'sqlite')('routing rows on the SQLite driver', () => {
  let h: Harness;
  let accounts: string[];
  let productLines: string[];
  let start: number;
  beforeAll(async () => {
    h = await startHarness();
    start = h.clock.now().getTime();
    const step = () => h.clock.advance(HOUR_MS);
    for (const [id, role] of [['rt-lead', 'manager'], ['rt-lead2', 'manager'], ['rt-a', 'rep'], ['rt-b', 'rep'], ['rt-c', 'rep']] as const) {
      await h.adminA.users.upsert.mutate({ id, displayName: id, role });
    }
    const team = await h.adminA.teams.create.mutate({ name: 'Routing', leaderId: 'rt-lead', memberIds: ['rt-a', 'rt-b', 'rt-c'] });
    productLines = [(await h.adminA.productLines.create.mutate({ code: 'rt-app', name: 'Appliances' })).id, (await h.adminA.productLines.create.mutate({ code: 'rt-war', name: 'Warranty' })).id];
    accounts = [(await h.adminA.accounts.create.mutate({ name: 'Routing 1' })).id, (await h.adminA.accounts.create.mutate({ name: 'Routing 2' })).id];
    step();
    await h.adminA.ownership.assign.mutate({ accountId: accounts[0]!, teamId: team.id, primaryOwnerId: 'rt-a', secondaryOwnerId: 'rt-b', reason: 'r' });
    await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: productLines[0]!, userId: 'rt-b', reason: 'r' });
    step();
    await h.adminA.ownership.assign.mutate({ accountId: accounts[1]!, teamId: team.id, primaryOwnerId: 'rt-c', reason: 'r' });
    await h.adminA.ownership.override.mutate({ accountId: accounts[0]!, productLineId: productLines[1]!, userId: 'rt-c', reason: 'knows them' });
    const now = () => h.clock.now().getTime();
    const dlg = await h.adminA.delegations.create.mutate({ delegatorId: 'rt-a', delegateId: 'rt-b', validFrom: new Date(now()).toISOString(), validTo: new Date(now() + 10 * HOUR_MS).toISOString(), reason: 'leave' });
    await h.adminA.availability.set.mutate({ userId: 'rt-c', awayFrom: new Date(now() + HOUR_MS).toISOString(), awayTo: new Date(now() + 4 * HOUR_MS).toISOString(), reason: 'trip' });
    step();
    step();
    await h.adminA.productLines.assign.mutate({ teamId: team.id, productLineId: productLines[0]!, userId: 'rt-c', reason: 'moves' });
    await h.adminA.teams.setLeader.mutate({ teamId: team.id, userId: 'rt-lead2', reason: 'new lead' });
    step();
    await h.adminA.delegations.end.mutate({ id: dlg.id, reason: 'back early' });
    await h.adminA.delegations.create.mutate({ delegatorId: 'rt-b', delegateId: 'rt-c', scope: 'accounts', accountIds: [accounts[0]!], validFrom: new Date(now()).toISOString(), validTo: new Date(now() + 5 * HOUR_MS).toISOString(), reason: 'cover' });
    step();
    await h.adminA.users.deactivate.mutate({ userId: 'rt-b', reassignTo: 'rt-c', reason: 'left' });
    // One that runs its course: from now for three hours, never ended.
    await h.adminA.delegations.create.mutate({ delegatorId: 'rt-lead2', delegateId: 'rt-a', validFrom: new Date(now()).toISOString(), validTo: new Date(now() + 3 * HOUR_MS).toISOString(), reason: 'conference' });
    step();
  });
  afterAll(() => h.close());

  it('answers what the Prisma queries answer, at any instant, for any account and product lines', async () => {
    const routing = h.crm.serviceContext({ tenantId: h.tenantA, type: 'system', id: 't', role: 'admin', scopes: null }).reads.routing;
    expect(routing).toBeDefined();
    const prisma = prismaRoutingRows(h.crm.db);
    await fc.assert(
      fc.asyncProperty(
        // Any instant, and the edges of the history's changes (on the hour, and a millisecond either side).
        fc.oneof(fc.integer({ min: -2 * HOUR_MS, max: 12 * HOUR_MS }), fc.tuple(fc.integer({ min: -2, max: 12 }), fc.constantFrom(-1, 0, 1)).map(([k, d]) => k * HOUR_MS + d)),
        fc.constantFrom(0, 1),
        fc.subarray([0, 1]),
        fc.constantFrom('order' as const, 'complaint' as const, 'general' as const),
        async (offset, a, lines, purpose) => {
          const q = { tenantId: h.tenantA, accountId: accounts[a]!, at: new Date(start + offset), purpose, productLineIds: lines.map((i) => productLines[i]!) };
          const viaDriver = await loadAccountRoutingFacts(routing!, q);
          const viaPrisma = await loadAccountRoutingFacts(prisma, q);
          for (const line of [undefined, ...q.productLineIds]) {
            const d = viaDriver.forLine(line);
            const p = viaPrisma.forLine(line);
            expect({ ...d, activeUserIds: [...d.activeUserIds].sort() }).toEqual({ ...p, activeUserIds: [...p.activeUserIds].sort() });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(engine !== 'sqlite')('order confirmation reads routing once per order', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('reads each kind of routing row once for a confirmation of three lines on three product lines', async () => {
    await h.adminA.users.upsert.mutate({ id: 'once-lead', displayName: 'Lead', role: 'manager' });
    const team = await h.adminA.teams.create.mutate({ name: 'Once', leaderId: 'once-lead' });
    const account = (await h.adminA.accounts.create.mutate({ name: 'Once' })).id;
    await h.adminA.ownership.assign.mutate({ accountId: account, teamId: team.id, reason: 'r' });
    const lines = [];
    for (const code of ['once-a', 'once-b', 'once-c']) {
      const pl = await h.adminA.productLines.create.mutate({ code, name: code });
      lines.push({ productLineId: pl.id, description: code, quantity: 1, unitPriceMinor: 100 });
    }
    const order = await h.adminA.orders.create.mutate({ orderingAccountId: account, currency: 'CNY', lines });
    // The server's own routing rows (shared by every request): count the reads confirmation makes.
    const sync = h.crm.serviceContext({ tenantId: h.tenantA, type: 'system', id: 't', role: 'admin', scopes: null }).reads.routing!.sync as unknown as Record<string, (...a: unknown[]) => unknown>;
    const calls = new Map<string, number>();
    const originals = Object.fromEntries(Object.entries(sync));
    for (const [name, fn] of Object.entries(originals)) sync[name] = (...a: unknown[]) => (calls.set(name, (calls.get(name) ?? 0) + 1), fn(...a));
    try {
      const confirmed = await h.adminA.orders.confirm.mutate({ id: order.id });
      expect(confirmed.lines.map((l) => l.attribution?.ownerOfRecord.userId)).toEqual(['once-lead', 'once-lead', 'once-lead']);
    } finally {
      Object.assign(sync, originals);
    }
    expect(Object.fromEntries(calls)).toEqual({ ownership: 1, leader: 1, members: 1, overrides: 1, delegations: 1, away: 1, activeAt: 1 });
  });
});

describe('ownership.resolve with a product line', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('answers NOT_FOUND for a product line of another tenant or none, and resolves with one of its own', async () => {
    const account = (await h.adminA.accounts.create.mutate({ name: 'Resolve PL' })).id;
    const own = await h.adminA.productLines.create.mutate({ code: 'own-pl', name: 'Own' });
    const foreign = await h.adminB.productLines.create.mutate({ code: 'foreign-pl', name: 'Foreign' });
    const resolve = (productLineId: string) => h.adminA.ownership.resolve.query({ accountId: account, purpose: 'order', productLineId });
    expect(await resolve(own.id)).toMatchObject({ accountId: account, userId: null });
    const error = await resolve(foreign.id).catch((e: { data?: { crmCode?: string }; message: string }) => e);
    expect(error).toMatchObject({ data: { crmCode: 'NOT_FOUND' } });
    expect(await resolve('pl_' + '0'.repeat(26)).catch((e: { data?: { crmCode?: string } }) => e.data?.crmCode)).toBe('NOT_FOUND');
  });
});
