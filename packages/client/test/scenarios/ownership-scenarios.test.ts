/**
 * The seed's stories of ownership and routing (DOMAIN.md sections 1, 2 and 4), told end to end
 * through the typed client against a real server whose clock the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock, DAY_MS, type FakeClock } from '@crmkit/core';
import { createCrmServer, type CrmServer } from '@crmkit/server';
import { freshDatabaseUrl } from '../../../server/test/helpers/database.js';
import { createCrmClient, type CrmClient, type RouterOutputs } from '../../src/index.js';

const TOKEN_SECRET = 'scenario-suite-token-secret-0123456789-ab';

let crm: CrmServer;
let clock: FakeClock;
let drop: () => Promise<void>;
let tenantId: string;
let admin: CrmClient;

beforeAll(async () => {
  const db = await freshDatabaseUrl();
  drop = db.drop;
  clock = createFakeClock('2026-01-12T09:00:00Z');
  crm = await createCrmServer({ databaseUrl: db.url, clock, auth: { tokenSecret: TOKEN_SECRET } });
  const { url } = await crm.listen(0);
  tenantId = (await crm.bootstrap.createTenant({ name: 'Appliance & Tool Manufacturer' })).id;
  const key = await crm.bootstrap.createApiKey({ tenantId, name: 'scenario admin', role: 'admin' });
  admin = createCrmClient({ url, apiKey: key.secret });
  asUser = (userId, role) => createCrmClient({ url, getToken: () => crm.mintUserToken({ tenantId, userId, role, ttl: 600 }) });

  for (const [id, displayName, role] of [
    ['wang.lei', 'Wang Lei (team leader)', 'manager'],
    ['li.na', 'Li Na (small appliances)', 'rep'],
    ['zhao.gang', 'Zhao Gang (power tools)', 'rep'],
    ['chen.jing', 'Chen Jing (colleague)', 'rep'],
    ['sun.mei', 'Sun Mei (key accounts)', 'rep'],
    ['zhou.tao', 'Zhou Tao (new rep)', 'rep'],
  ] as const) {
    await admin.users.upsert.mutate({ id, displayName, role });
  }
});
afterAll(async () => {
  await crm?.close();
  await drop?.();
});

let asUser: (userId: string, role: 'rep' | 'manager') => CrmClient;

type Resolution = RouterOutputs['ownership']['resolve'];
const steps = (r: Resolution) => r.explanation.map((s) => [s.rule, s.outcome, s.subjectId]);
const iso = (t: number) => new Date(t).toISOString();

/** The sales team of the seed: a leader, the appliance rep and the power-tool rep, each on their product line. */
async function applianceAndToolTeam(suffix: string) {
  const team = await admin.teams.create.mutate({ name: `East China sales ${suffix}`, leaderId: 'wang.lei', memberIds: ['li.na', 'zhao.gang', 'chen.jing'] });
  const appliances = await admin.productLines.create.mutate({ code: `small-appliances-${suffix}`, name: 'Small appliances' });
  const tools = await admin.productLines.create.mutate({ code: `power-tools-${suffix}`, name: 'Power tools' });
  const warranty = await admin.productLines.create.mutate({ code: `extended-warranty-${suffix}`, name: 'Extended warranty' });
  await admin.productLines.assign.mutate({ teamId: team.id, productLineId: appliances.id, userId: 'li.na', reason: 'appliance rep' });
  const assigned = await admin.productLines.assign.mutate({ teamId: team.id, productLineId: tools.id, userId: 'zhao.gang', reason: 'power-tool rep' });
  expect(assigned.productLines.map((p) => [p.productLineId, p.userId])).toEqual(
    [[appliances.id, 'li.na'], [tools.id, 'zhao.gang']].sort((a, b) => a[0]!.localeCompare(b[0]!)),
  );
  return { team, appliances, tools, warranty };
}

describe('scenario 1: a supermarket chain buying from two reps of one team', () => {
  it('routes each product line to its rep and an unmatched one to the leader, and the explanation says so', async () => {
    const { team, appliances, tools, warranty } = await applianceAndToolTeam('s1');
    const chain = await admin.accounts.create.mutate({ name: 'Hualian Supermarket Chain', grade: 'A' });
    const period = await admin.ownership.assign.mutate({ accountId: chain.id, teamId: team.id, reason: 'the chain is a team account' });
    expect(period).toMatchObject({ teamId: team.id, primaryOwnerId: null, secondaryOwnerId: null, validTo: null });

    const forLine = (productLineId: string) => admin.ownership.resolve.query({ accountId: chain.id, purpose: 'order', productLineId });

    const kettleOrder = await forLine(appliances.id);
    expect(kettleOrder.userId).toBe('li.na');
    expect(steps(kettleOrder)).toEqual([['product-line', 'matched', 'li.na']]);
    expect(kettleOrder.explanation[0]!.message).toContain(appliances.id);

    const drillOrder = await forLine(tools.id);
    expect(drillOrder.userId).toBe('zhao.gang');
    expect(steps(drillOrder)).toEqual([['product-line', 'matched', 'zhao.gang']]);

    const warrantyOrder = await forLine(warranty.id);
    expect(warrantyOrder.userId).toBe('wang.lei');
    expect(steps(warrantyOrder)).toEqual([
      ['product-line', 'skipped', null],
      ['primary-owner', 'skipped', null],
      ['secondary-owner', 'skipped', null],
      ['team-leader', 'fallback', 'wang.lei'],
    ]);
    expect(warrantyOrder.explanation[0]!.message).toContain(warranty.id);
    expect(warrantyOrder.explanation.at(-1)!.message).toContain('team leader');

    // A complaint not tied to an order or a product line goes to the leader, who assigns it.
    const complaint = await admin.ownership.resolve.query({ accountId: chain.id, purpose: 'complaint' });
    expect(complaint.userId).toBe('wang.lei');
    expect(complaint.explanation.at(-1)).toMatchObject({ rule: 'team-leader', outcome: 'fallback', subjectId: 'wang.lei' });
  });

  it('lets the leader override the routing, recorded and explained with who and why', async () => {
    const { team, appliances } = await applianceAndToolTeam('s1b');
    const chain = await admin.accounts.create.mutate({ name: 'Hualian Supermarket Chain (override)' });
    await admin.ownership.assign.mutate({ accountId: chain.id, teamId: team.id, reason: 'team account' });
    const leader = asUser('wang.lei', 'manager');
    await leader.ownership.override.mutate({ accountId: chain.id, productLineId: appliances.id, userId: 'chen.jing', reason: 'Chen Jing manages the Hualian buyer' });
    const r = await admin.ownership.resolve.query({ accountId: chain.id, purpose: 'order', productLineId: appliances.id });
    expect(r.userId).toBe('chen.jing');
    expect(steps(r)).toEqual([['override', 'matched', 'chen.jing']]);
    expect(r.explanation[0]!.message).toContain('user:wang.lei');
    expect(r.explanation[0]!.message).toContain('Chen Jing manages the Hualian buyer');
  });
});

describe('scenario 2: the appliance rep goes on leave', () => {
  it('routes to the delegate; without a delegate to the secondary owner; without a secondary owner to the leader', async () => {
    const { team, appliances } = await applianceAndToolTeam('s2');
    const chain = await admin.accounts.create.mutate({ name: 'Lianhua Supermarkets' });
    await admin.ownership.assign.mutate({ accountId: chain.id, teamId: team.id, secondaryOwnerId: 'sun.mei', reason: 'team account, Sun Mei backs it up' });
    const complaintAboutKettles = () => admin.ownership.resolve.query({ accountId: chain.id, purpose: 'complaint', productLineId: appliances.id });
    expect((await complaintAboutKettles()).userId).toBe('li.na');

    // Li Na books two weeks of leave starting tomorrow and hands her work to Chen Jing.
    const start = clock.now().getTime() + DAY_MS;
    const liNa = asUser('li.na', 'rep');
    const away = await liNa.availability.set.mutate({ awayFrom: iso(start), awayTo: iso(start + 14 * DAY_MS), reason: 'annual leave' });
    expect(away).toMatchObject({ userId: 'li.na', awayFrom: iso(start), awayTo: iso(start + 14 * DAY_MS) });
    const delegation = await liNa.delegations.create.mutate({ delegateId: 'chen.jing', validFrom: iso(start), validTo: iso(start + 14 * DAY_MS), reason: 'covering my leave' });
    clock.advance(2 * DAY_MS);

    const withDelegate = await complaintAboutKettles();
    expect(withDelegate.userId).toBe('chen.jing');
    expect(steps(withDelegate)).toEqual([
      ['delegation', 'applied', 'chen.jing'],
      ['product-line', 'matched', 'chen.jing'],
    ]);
    expect(withDelegate.explanation.at(-1)!.message).toContain('acting for li.na');

    // Chen Jing is needed elsewhere: the delegation ends, Li Na is still away.
    const ended = await admin.delegations.end.mutate({ id: delegation.id, reason: 'Chen Jing reassigned' });
    expect(ended.validTo).toBe(clock.now().toISOString());
    const toSecondary = await complaintAboutKettles();
    expect(toSecondary.userId).toBe('sun.mei');
    // A complaint falls back to the secondary owner, never the primary (DOMAIN §2).
    expect(steps(toSecondary)).toEqual([
      ['availability', 'skipped', 'li.na'],
      ['secondary-owner', 'matched', 'sun.mei'],
    ]);

    // Without a secondary owner, the leader.
    await admin.ownership.assign.mutate({ accountId: chain.id, secondaryOwnerId: null, reason: 'Sun Mei moved to another region' });
    const toLeader = await complaintAboutKettles();
    expect(toLeader.userId).toBe('wang.lei');
    expect(steps(toLeader)).toEqual([
      ['availability', 'skipped', 'li.na'],
      ['secondary-owner', 'skipped', null],
      ['team-leader', 'fallback', 'wang.lei'],
    ]);

    // After her leave Li Na answers for her product line again.
    clock.advance(14 * DAY_MS);
    expect((await complaintAboutKettles()).userId).toBe('li.na');
  });
});

describe('scenario 3: ownership as of last month, after a reassignment', () => {
  it('answers last month with the old owner and today with the new one, both from the recorded periods', async () => {
    const { team } = await applianceAndToolTeam('s3');
    const keyAccounts = await admin.teams.create.mutate({ name: 'Key accounts', leaderId: 'sun.mei', memberIds: ['zhou.tao'] });
    const customer = await admin.accounts.create.mutate({ name: 'Clean & Bright Services' });
    const firstFrom = clock.now().toISOString();
    await admin.ownership.assign.mutate({ accountId: customer.id, teamId: team.id, primaryOwnerId: 'li.na', reason: 'first contract' });

    clock.advance(40 * DAY_MS); // across a month end
    const reassignedAt = clock.now().toISOString();
    await admin.ownership.assign.mutate({ accountId: customer.id, teamId: keyAccounts.id, primaryOwnerId: 'zhou.tao', secondaryOwnerId: 'li.na', reason: 'renewal won by Zhou Tao; Li Na stays as secondary' });

    const lastMonth = iso(clock.now().getTime() - 30 * DAY_MS);
    expect(new Date(lastMonth).getUTCMonth()).not.toBe(clock.now().getUTCMonth());
    const then = await admin.ownership.resolve.query({ accountId: customer.id, asOf: lastMonth });
    const today = await admin.ownership.resolve.query({ accountId: customer.id });
    expect(then).toMatchObject({ userId: 'li.na', at: lastMonth });
    expect(steps(then)).toEqual([['primary-owner', 'matched', 'li.na']]);
    expect(today).toMatchObject({ userId: 'zhou.tao', at: clock.now().toISOString() });
    expect(steps(today)).toEqual([['primary-owner', 'matched', 'zhou.tao']]);

    const history = await admin.ownership.history.query({ accountId: customer.id });
    expect(history.periods.map((p) => [p.teamId, p.primaryOwnerId, p.secondaryOwnerId, p.validFrom, p.validTo])).toEqual([
      [team.id, 'li.na', null, firstFrom, reassignedAt],
      [keyAccounts.id, 'zhou.tao', 'li.na', reassignedAt, null],
    ]);
    const inForceAt = (t: string) => history.periods.find((p) => p.validFrom <= t && (p.validTo === null || t < p.validTo));
    expect(inForceAt(lastMonth)?.primaryOwnerId).toBe(then.userId);
    expect(inForceAt(clock.now().toISOString())?.primaryOwnerId).toBe(today.userId);

    // When Zhou Tao is away, the account goes to Li Na, his proxy of record (seed 000, problem 4).
    await asUser('zhou.tao', 'rep').availability.set.mutate({ awayFrom: clock.now().toISOString(), awayTo: iso(clock.now().getTime() + 3 * DAY_MS), reason: 'training' });
    expect((await admin.ownership.resolve.query({ accountId: customer.id, purpose: 'renewal' })).userId).toBe('li.na');
  });
});
