import { encodeCursor, MAX_INSTANT, MIN_INSTANT } from '@crmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from './helpers/database.js';
import { errorOf, startHarness, tableCounts, type Harness } from './helpers/harness.js';

/**
 * Input the schemas used to accept but PostgreSQL cannot store or compare with (a NUL in a string,
 * the year 0000 in an instant) answered 500 there. It is VALIDATION on both engines, naming the
 * field, and writes nothing; the first and last instants crmkit accepts store and read back.
 */
let h: Harness;
let accountId: string;
let teamId: string;
let activityId: string;

beforeAll(async () => {
  h = await startHarness();
  accountId = (await h.adminA.accounts.create.mutate({ name: 'Storable' })).id;
  for (const id of ['st-lead', 'st-rep']) await h.adminA.users.upsert.mutate({ id, displayName: id, role: id === 'st-lead' ? 'manager' : 'rep' });
  teamId = (await h.adminA.teams.create.mutate({ name: 'Storable team', leaderId: 'st-lead', memberIds: ['st-rep'] })).id;
  activityId = (await h.adminA.activities.log.mutate({ accountId, kind: 'call' })).id;
});
afterAll(() => h.close());

const YEAR_ZERO = '0000-06-15T12:00:00.000Z';

/** Each call and the field it must name. */
const refused = (): [string, () => Promise<unknown>, string][] => [
  ['accounts.create name with NUL', () => h.adminA.accounts.create.mutate({ name: 'a\u0000b' }), 'name'],
  ['accounts.create website with NUL', () => h.adminA.accounts.create.mutate({ name: 'ok', website: 'https://a.example/\u0000' }), 'website'],
  ['accounts.update name with NUL', () => h.adminA.accounts.update.mutate({ id: accountId, name: '\u0000' }), 'name'],
  ['accounts.list search with NUL', () => h.adminA.accounts.list.query({ search: 'sto\u0000' }), 'search'],
  ['productLines.create name with NUL', () => h.adminA.productLines.create.mutate({ code: 'pl-nul', name: 'line\u0000' }), 'name'],
  ['contacts.create title with NUL', () => h.adminA.contacts.create.mutate({ accountId, name: 'c', title: 't\u0000' }), 'title'],
  ['contacts.list search with NUL', () => h.adminA.contacts.list.query({ search: '\u0000' }), 'search'],
  ['pool.list search with NUL', () => h.adminA.pool.list.query({ search: 'x\u0000y' }), 'search'],
  ['pool.release reason with NUL', () => h.adminA.pool.release.mutate({ accountId, reason: 'because\u0000' }), 'reason'],
  ['audit.list entityId with NUL', () => h.adminA.audit.list.query({ entityType: 'account', entityId: `${accountId}\u0000` }), 'entityId'],
  ['teams.addMember reason with NUL', () => h.adminA.teams.addMember.mutate({ teamId, userId: 'st-rep', reason: '\u0000' }), 'reason'],
  ['activities.log note with NUL', () => h.adminA.activities.log.mutate({ accountId, kind: 'note', note: 'n\u0000' }), 'note'],
  ['accounts.list cursor with NUL', () => h.adminA.accounts.list.query({ cursor: 'abc\u0000' }), 'cursor'],
  ['accounts.list cursor whose id holds a NUL', () => h.adminA.accounts.list.query({ cursor: encodeCursor({ id: 'acc_\u0000' }) }), 'cursor'],
  ['activities.log at in the year 0000', () => h.adminA.activities.log.mutate({ accountId, kind: 'call', at: YEAR_ZERO }), 'at'],
  ['teams.get asOf in the year 0000', () => h.adminA.teams.get.query({ id: teamId, asOf: YEAR_ZERO }), 'asOf'],
  ['ownership.resolve asOf in the year 0000', () => h.adminA.ownership.resolve.query({ accountId, asOf: YEAR_ZERO }), 'asOf'],
  ['delegations.list activeAt in the year 0000', () => h.adminA.delegations.list.query({ activeAt: YEAR_ZERO }), 'activeAt'],
  [
    'delegations.create validFrom in the year 0000',
    () => h.adminA.delegations.create.mutate({ delegatorId: 'st-lead', delegateId: 'st-rep', validFrom: YEAR_ZERO, validTo: '2026-04-01T00:00:00.000Z', reason: 'r' }),
    'validFrom',
  ],
  ['availability.set awayFrom in the year 0000', () => h.adminA.availability.set.mutate({ userId: 'st-rep', awayFrom: YEAR_ZERO, awayTo: '2026-04-01T00:00:00.000Z', reason: 'r' }), 'awayFrom'],
  ['activities.list cursor in the year 0000', () => h.adminA.activities.list.query({ accountId, cursor: encodeCursor({ at: YEAR_ZERO, id: activityId }) }), 'cursor'],
  ['activities.list cursor with an offset instant', () => h.adminA.activities.list.query({ accountId, cursor: encodeCursor({ at: '2026-03-01T09:00:00+08:00', id: activityId }) }), 'cursor'],
];

describe(`input either database cannot store, on ${engine}`, () => {
  it.each(refused().map(([label], i) => [label, i] as const))('%s is VALIDATION naming the field, and writes nothing', async (_label, i) => {
    const [, call, field] = refused()[i]!;
    const before = await tableCounts(h.crm);
    const e = await errorOf(call());
    expect(e.crmCode).toBe('VALIDATION');
    expect(e.httpStatus).toBe(400);
    expect(Object.keys(e.fieldErrors ?? {})).toEqual([field]);
    expect(await tableCounts(h.crm)).toEqual(before);
  });

  it(`stores the first and last accepted instants (${MIN_INSTANT}, ${MAX_INSTANT}) and reads them back unchanged`, async () => {
    const activity = await h.adminA.activities.log.mutate({ accountId, kind: 'visit', at: MIN_INSTANT });
    expect(activity.at).toBe(MIN_INSTANT);
    const listed = await h.adminA.activities.list.query({ accountId, limit: 10 });
    expect(listed.items.find((a) => a.id === activity.id)?.at).toBe(MIN_INSTANT);
    const page = await h.adminA.activities.list.query({ accountId, limit: 1, cursor: encodeCursor({ at: MAX_INSTANT, id: 'act_' }) });
    expect(page.items).toHaveLength(1);

    // A delegation starts no earlier than now; it may run to the last instant.
    const from = '2026-03-02T00:00:00.000Z';
    const delegation = await h.adminA.delegations.create.mutate({ delegatorId: 'st-lead', delegateId: 'st-rep', validFrom: from, validTo: MAX_INSTANT, reason: 'boundaries' });
    expect([delegation.validFrom, delegation.validTo]).toEqual([from, MAX_INSTANT]);
    for (const [activeAt, expected] of [[MIN_INSTANT, []], ['9999-12-31T23:59:59.998Z', [[delegation.id, from, MAX_INSTANT]]]] as const) {
      const active = await h.adminA.delegations.list.query({ activeAt, userId: 'st-lead' });
      expect(active.items.map((d) => [d.id, d.validFrom, d.validTo]), activeAt).toEqual(expected);
    }
    const row = await h.crm.db.delegation.findUniqueOrThrow({ where: { id: delegation.id } });
    expect(row.validTo.toISOString()).toBe(MAX_INSTANT);

    const away = await h.adminA.availability.set.mutate({ userId: 'st-rep', awayFrom: '2026-03-02T00:00:00.000Z', awayTo: MAX_INSTANT, reason: 'long leave' });
    expect(away.awayTo).toBe(MAX_INSTANT);
    expect((await h.adminA.teams.get.query({ id: teamId, asOf: MIN_INSTANT })).members).toEqual([]);
    expect((await h.adminA.teams.get.query({ id: teamId, asOf: MAX_INSTANT })).id).toBe(teamId);
    expect((await h.adminA.ownership.resolve.query({ accountId, asOf: MAX_INSTANT })).at).toBe(MAX_INSTANT);
  });
});
