import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { appRouter } from '../src/index.js';
import { errorOf, startHarness, type Client, type Harness } from './helpers/harness.js';

let h: Harness;
let valid: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  h = await startHarness();
  const hq = await h.adminA.accounts.create.mutate({ name: 'Prop HQ' });
  const branch = await h.adminA.accounts.create.mutate({ name: 'Prop branch', parentId: hq.id });
  const contact = await h.adminA.contacts.create.mutate({ accountId: hq.id, name: 'Prop contact' });
  const key = await h.adminA.apiKeys.create.mutate({ name: 'prop key', role: 'service' });
  await h.adminA.users.upsert.mutate({ id: 'lead-1', displayName: 'Lead', role: 'manager' });
  await h.adminA.users.upsert.mutate({ id: 'rep-1', displayName: 'Rep', role: 'rep' });
  const team = await h.adminA.teams.create.mutate({ name: 'Prop team', leaderId: 'lead-1', memberIds: ['rep-1'] });
  const pl = await h.adminA.productLines.create.mutate({ code: 'prop-pl', name: 'Prop line' });
  const dlg = await h.adminA.delegations.create.mutate({ delegatorId: 'lead-1', delegateId: 'rep-1', validFrom: '2026-03-02T00:00:00.000Z', validTo: '2026-03-05T00:00:00.000Z', reason: 'prop' });
  // One valid input per procedure: the generator corrupts these to reach deep validation paths.
  valid = {
    'accounts.create': { name: 'New', parentId: hq.id, grade: 'A', email: 'a@b.example', currency: 'CNY', settlesOwnInvoices: true },
    'accounts.get': { id: hq.id },
    'accounts.update': { id: hq.id, expectedVersion: 1, name: 'Renamed', grade: 'B', phone: '+86 21 5555', website: 'https://hq.example' },
    'accounts.list': { limit: 10, search: 'prop', parentId: null, grade: 'A', archived: 'include' },
    'accounts.tree': { id: branch.id, includeArchived: true },
    'accounts.setParent': { id: branch.id, parentId: null, expectedVersion: 1 },
    'accounts.archive': { id: branch.id, expectedVersion: 1 },
    'accounts.orderParties': { orderingAccountId: branch.id },
    'contacts.create': { accountId: hq.id, name: 'C', email: 'c@d.example', isPrimary: true },
    'contacts.get': { id: contact.id },
    'contacts.update': { id: contact.id, name: 'C2', archived: false },
    'contacts.list': { accountId: hq.id, limit: 5 },
    'apiKeys.create': { name: 'k', role: 'integration', scopes: ['accounts:read'] },
    'apiKeys.list': { includeRevoked: true },
    'apiKeys.revoke': { id: key.apiKey.id },
    'users.upsert': { id: 'u-1', displayName: 'U', role: 'rep', email: 'u@x.example' },
    'users.list': { role: 'rep', active: true },
    'audit.list': { entityType: 'account', entityId: hq.id, limit: 5 },
    'accounts.count': { search: 'prop', parentId: hq.id, grade: 'A', archived: 'include' },
    'teams.create': { name: 'T', leaderId: 'lead-1', memberIds: ['rep-1'], parentTeamId: team.id, reason: 'r' },
    'teams.get': { id: team.id, asOf: '2026-03-01T09:00:00.000Z' },
    'teams.list': { memberId: 'rep-1', limit: 10 },
    'teams.addMember': { teamId: team.id, userId: 'rep-1', reason: 'r' },
    'teams.removeMember': { teamId: team.id, userId: 'rep-1', reason: 'r' },
    'teams.setLeader': { teamId: team.id, userId: 'lead-1', reason: 'r' },
    'productLines.create': { code: 'pl-x', name: 'X' },
    'productLines.list': { limit: 10 },
    'productLines.assign': { teamId: team.id, productLineId: pl.id, userId: 'rep-1', reason: 'r' },
    'ownership.assign': { accountId: hq.id, teamId: team.id, primaryOwnerId: 'rep-1', secondaryOwnerId: null, reason: 'r' },
    'ownership.history': { accountId: hq.id },
    'ownership.resolve': { accountId: hq.id, purpose: 'order', productLineId: pl.id, orderRepId: 'rep-1', asOf: '2026-03-01T09:00:00.000Z' },
    'ownership.override': { accountId: hq.id, userId: 'rep-1', productLineId: pl.id, purpose: 'complaint', reason: 'r' },
    'ownership.clearOverride': { accountId: hq.id, productLineId: pl.id, purpose: 'complaint', reason: 'r' },
    'delegations.create': { delegatorId: 'lead-1', delegateId: 'rep-1', scope: 'all', accountIds: [], validFrom: '2026-04-01T00:00:00.000Z', validTo: '2026-04-02T00:00:00.000Z', reason: 'r' },
    'delegations.end': { id: dlg.id, reason: 'r' },
    'delegations.list': { userId: 'rep-1', activeAt: '2026-03-03T00:00:00.000Z', limit: 10 },
    'availability.set': { userId: 'rep-1', awayFrom: '2026-04-01T00:00:00.000Z', awayTo: '2026-04-02T00:00:00.000Z', reason: 'r' },
    'pool.policy': { grade: 'A' },
    'pool.setPolicy': { policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 50 }] },
    'pool.list': { limit: 10, grade: 'B', search: 'prop' },
    'pool.claim': { accountId: hq.id },
    'pool.release': { accountId: hq.id, reason: 'not a fit' },
    'pool.assign': { accountId: hq.id, userId: 'rep-1', reason: 'regional lead' },
    'pool.preview': { withinDays: 3 },
    'pool.sweep': { batchSize: 100 },
    'activities.log': { accountId: hq.id, kind: 'call', note: 'asked for a quote', at: '2026-03-01T08:00:00.000Z' },
    'activities.list': { accountId: hq.id, limit: 10 },
    'users.deactivate': { userId: 'rep-1', reassignTo: 'lead-1', reason: 'left the company' },
  };
});
afterAll(() => h.close());

type Proc = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>);

/** Everything stored, in a stable order: equal dumps mean nothing was written. */
async function dump() {
  const db = h.crm.db;
  const order = { orderBy: { id: 'asc' } } as const;
  return JSON.stringify([
    await db.tenant.findMany(order), await db.user.findMany({ orderBy: [{ tenantId: 'asc' }, { id: 'asc' }] }), await db.apiKey.findMany(order),
    await db.account.findMany(order), await db.contact.findMany(order), await db.auditEvent.findMany(order), await db.outboxEvent.findMany(order),
  ]);
}

/** What the server receives: the JSON form of the value (undefined keys dropped, NaN → null…). */
const overTheWire = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown));

function corruptions(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.constant(''), fc.constant('acc_' + '0'.repeat(26)), fc.string({ unit: 'grapheme', maxLength: 300 }));
  return fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.record({ key: fc.constantFrom(...keys), value: junk }).map(({ key, value }) => ({ ...base, [key]: value })),
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key))),
    fc.record({ key: fc.string({ minLength: 1, maxLength: 12 }), value: junk }).map(({ key, value }) => ({ ...base, [key]: value })),
    fc.array(junk, { maxLength: 3 }),
  );
}

function call(client: Client, path: string, type: 'query' | 'mutation', input: unknown): Promise<unknown> {
  const [ns, name] = path.split('.') as [string, string];
  const proc = (client as unknown as Record<string, Record<string, { query(i: unknown): Promise<unknown>; mutate(i: unknown): Promise<unknown> }>>)[ns]![name]!;
  return type === 'query' ? proc.query(input) : proc.mutate(input);
}

describe('invalid input, every procedure', () => {
  it('has a valid example for every procedure (add one when adding a procedure)', () => {
    expect(procedures.map(([path]) => path).sort()).toEqual(Object.keys(valid).sort());
  });

  it('answers each invalid input with a typed 4xx error and writes nothing', async () => {
    const before = await dump();
    for (const [path, proc] of procedures) {
      const schema = proc._def.inputs[0]!;
      await fc.assert(
        fc.asyncProperty(
          corruptions(valid[path]!).map(overTheWire).filter((input) => !schema.safeParse(input).success),
          async (input) => {
            const e = await errorOf(call(h.adminA, path, proc._def.type, input));
            expect(e.crmCode, `${path} ${JSON.stringify(input)}`).toBe('VALIDATION');
            expect(e.httpStatus).toBe(400);
            expect(e.fieldErrors && Object.keys(e.fieldErrors).length).toBeGreaterThan(0);
          },
        ),
        { numRuns: 25 },
      );
    }
    expect(await dump()).toBe(before);
  });
});
