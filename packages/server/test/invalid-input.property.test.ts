import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Prisma } from '../generated/sqlite/client.js';
import { newId, systemClock } from '@crmkit/core';
import { appRouter } from '../src/index.js';
import { engine } from './helpers/database.js';
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
  const line = { description: 'Goods', quantity: 2, unitPriceMinor: 100 };
  const draft = await h.adminA.orders.create.mutate({ orderingAccountId: hq.id, currency: 'CNY', lines: [line] });
  const running = await h.adminA.orders.create.mutate({ orderingAccountId: hq.id, currency: 'CNY', lines: [line] });
  const confirmed = await h.adminA.orders.confirm.mutate({ id: running.id });
  const invoice = await h.adminA.invoices.create.mutate({ billToAccountId: hq.id, currency: 'CNY', dueDate: '2026-03-31', lines: [{ description: 'Service', amountMinor: 500 }] });
  const payment = await h.adminA.payments.create.mutate({ accountId: hq.id, currency: 'CNY', amountMinor: 100 });
  // One valid input per procedure: the generator corrupts these to reach deep validation paths.
  valid = {
    'tenant.settings.get': {},
    'tenant.settings.update': { timeZone: 'Asia/Shanghai', baseCurrency: 'CNY', expectedVersion: 1 },
    'orders.create': {
      orderingAccountId: hq.id, billToAccountId: hq.id, shipToAccountId: hq.id, currency: 'CNY', reference: 'PO-1', note: 'n', orderedAt: '2026-03-01T08:00:00.000Z',
      lines: [{ productLineId: pl.id, sku: 'S-1', description: 'D', quantity: 1, unitPriceMinor: 100 }],
    },
    'orders.get': { id: draft.id },
    'orders.list': { orderingAccountId: hq.id, billToAccountId: hq.id, status: ['draft'], orderedFrom: '2026-01-01T00:00:00.000Z', orderedBefore: '2026-12-01T00:00:00.000Z', limit: 10 },
    'orders.update': { id: draft.id, expectedVersion: 1, reference: 'PO-2', note: null, lines: [{ id: draft.lines[0]!.id, description: 'D', quantity: 3, unitPriceMinor: 100 }] },
    'orders.confirm': { id: draft.id, expectedVersion: 1 },
    'orders.fulfil': { id: confirmed.id, lines: [{ lineId: confirmed.lines[0]!.id, quantity: 1 }] },
    'orders.cancel': { id: confirmed.id, reason: 'r' },
    'orders.reopen': { id: confirmed.id },
    'invoices.create': {
      billToAccountId: hq.id, currency: 'CNY', number: 'INV-1', issuedAt: '2026-03-01T08:00:00.000Z', dueDate: '2026-03-31', note: 'n',
      lines: [{ description: 'x', amountMinor: 100, orderLineId: confirmed.lines[0]!.id }],
    },
    'invoices.createCreditNote': { invoiceId: invoice.id, number: 'CN-1', reason: 'r', lines: [{ correctsLineId: invoice.lines[0]!.id, amountMinor: 10, description: 'd' }] },
    'invoices.get': { id: invoice.id },
    'invoices.list': { billToAccountId: hq.id, kind: 'invoice', status: ['open'], limit: 10 },
    'invoices.void': { id: invoice.id, reason: 'r' },
    'payments.create': { accountId: hq.id, currency: 'CNY', amountMinor: 50, receivedAt: '2026-03-01T08:00:00.000Z', reference: 'w', allocations: [{ invoiceId: invoice.id, amountMinor: 10 }] },
    'payments.allocate': { id: payment.id, expectedVersion: 1, allocations: [{ invoiceId: invoice.id, amountMinor: 10 }] },
    'payments.get': { id: payment.id },
    'payments.list': { accountId: hq.id, limit: 10 },
    'payments.void': { id: payment.id, reason: 'r' },
    'credit.rebuild': { dryRun: true },
    'credit.setLimit': { accountId: hq.id, scope: 'group', amountMinor: 1_000_000, currency: 'CNY', force: true, reason: 'r', expectedVersion: 1 },
    'credit.removeLimit': { accountId: hq.id, scope: 'own', reason: 'r' },
    'credit.hold': { accountId: branch.id, reason: 'disputed delivery' },
    'credit.release': { accountId: branch.id, reason: 'settled' },
    'credit.status': { accountId: hq.id },
    'credit.approvals': { status: ['pending'], queue: 'all', accountId: hq.id, orderId: draft.id, limit: 10 },
    'credit.approve': { id: newId('cap', systemClock), reason: 'r' },
    'credit.reject': { id: newId('cap', systemClock), reason: 'r' },
    'credit.expireApprovals': { batchSize: 10 },
    'fx.setRate': { base: 'USD', quote: 'CNY', rate: '7.1234', validFrom: '2026-03-01T00:00:00.000Z' },
    'fx.listRates': { base: 'USD', quote: 'CNY', limit: 10 },
    'accounts.exposure': { accountId: hq.id },
    'accounts.receivables': { accountId: hq.id, group: true, asOf: '2026-03-01T09:00:00.000Z' },
    'accounts.create': { name: 'New', parentId: hq.id, grade: 'A', email: 'a@b.example', currency: 'CNY', settlesOwnInvoices: true },
    'accounts.get': { id: hq.id },
    'accounts.update': { id: hq.id, expectedVersion: 1, name: 'Renamed', grade: 'B', phone: '+86 21 5555', website: 'https://hq.example' },
    'accounts.list': { limit: 10, search: 'prop', parentId: null, grade: 'A', archived: 'include' },
    'accounts.tree': { id: branch.id, includeArchived: true },
    'accounts.setParent': { id: branch.id, parentId: null, force: false, expectedVersion: 1 },
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
    'users.revokeTokens': { userId: 'rep-1' },
  };
});
afterAll(() => h.close());

type Proc = { _def: { type: 'query' | 'mutation'; inputs: z.ZodType[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Proc>);

/** Every table of the database (as the database lists them, so a table added later is covered too). */
async function tables(): Promise<string[]> {
  const sql =
    engine === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;
  return (await h.crm.db.$queryRawUnsafe<{ name: string }[]>(sql)).map((r) => r.name);
}

/** Everything stored in every table, rows in a stable order: equal dumps mean nothing was written. */
async function dump(): Promise<string> {
  const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const out: Record<string, string[]> = {};
  for (const table of await tables()) out[table] = (await h.crm.db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`)).map(json).sort();
  return JSON.stringify(out);
}

/** What the server receives: the JSON form of the value (undefined keys dropped, NaN → null…). */
const overTheWire = (value: unknown) => (value === undefined ? undefined : (JSON.parse(JSON.stringify(value) ?? 'null') as unknown));

function corruptions(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.constant(''), fc.constant('acc_' + '0'.repeat(26)), fc.string({ unit: 'grapheme', maxLength: 300 }));
  const byKey = keys.length
    ? [
        fc.record({ key: fc.constantFrom(...keys), value: junk }).map(({ key, value }) => ({ ...base, [key]: value })),
        fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key))),
      ]
    : [];
  return fc.oneof(
    fc.anything({ maxDepth: 3 }),
    ...byKey,
    fc.record({ key: fc.string({ minLength: 1, maxLength: 12 }), value: junk }).map(({ key, value }) => ({ ...base, [key]: value })),
    fc.array(junk, { maxLength: 3 }),
  );
}

function call(client: Client, path: string, type: 'query' | 'mutation', input: unknown): Promise<unknown> {
  // Nested routers (`tenant.settings.get`) are nested on the client too.
  const proc = path.split('.').reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], client) as { query(i: unknown): Promise<unknown>; mutate(i: unknown): Promise<unknown> };
  return type === 'query' ? proc.query(input) : proc.mutate(input);
}

describe('invalid input, every procedure', () => {
  it('has a valid example for every procedure (add one when adding a procedure)', () => {
    expect(procedures.map(([path]) => path).sort()).toEqual(Object.keys(valid).sort());
  });

  it('compares every table: the snapshot covers every model of the schema and their rows', async () => {
    expect(await tables()).toEqual(expect.arrayContaining(Object.values(Prisma.ModelName)));
    const snapshot = JSON.parse(await dump()) as Record<string, string[]>;
    for (const model of ['Account', 'Contact', 'Team', 'TeamMembership', 'ProductLine', 'Delegation', 'AuditEvent', 'OutboxEvent']) {
      expect(snapshot[model]!.length, model).toBeGreaterThan(0);
    }
    // A change to any column of any row shows (here: a team's name, which no audit event records).
    const team = await h.crm.db.team.findFirstOrThrow();
    await h.crm.db.team.update({ where: { id: team.id }, data: { name: `${team.name}!` } });
    expect(await dump()).not.toBe(JSON.stringify(snapshot));
    await h.crm.db.team.update({ where: { id: team.id }, data: { name: team.name } });
    expect(await dump()).toBe(JSON.stringify(snapshot));
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

type FieldPath = (string | number)[];

/** Every string in a value, with its field path (`policies.0.grade`). */
function stringFields(value: unknown, path: FieldPath = []): { path: FieldPath; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => stringFields(v, [...path, Array.isArray(value) ? Number(k) : k]));
}

/** A copy of `base` with `replacement` at `path`. */
function withValueAt(base: Record<string, unknown>, path: FieldPath, replacement: string): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = replacement;
  return copy;
}

describe('input either database cannot store, every procedure', () => {
  it('answers a NUL in any string and the year 0000 in any instant of every valid example with VALIDATION at that field, and writes nothing', async () => {
    const before = await dump();
    let checked = 0;
    for (const [path, proc] of procedures) {
      for (const field of stringFields(valid[path])) {
        const variants = [`${field.value.slice(0, 1)}\u0000${field.value.slice(1)}`];
        if (/^\d{4}-\d\d-\d\dT/.test(field.value)) variants.push(`0000${field.value.slice(4)}`);
        for (const variant of variants) {
          const input = withValueAt(valid[path]!, field.path, variant);
          const label = `${path} ${JSON.stringify(input)}`;
          const e = await errorOf(call(h.adminA, path, proc._def.type, input));
          expect(e.crmCode, label).toBe('VALIDATION');
          expect(e.httpStatus, label).toBe(400);
          // The field itself, or (for a union such as users.deactivate's) an enclosing level.
          const dotted = field.path.join('.');
          const named = Object.keys(e.fieldErrors ?? {});
          expect(named.length, label).toBeGreaterThan(0);
          for (const key of named) expect(key === dotted || key === '' || dotted.startsWith(`${key}.`), `${label} named ${key}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(await dump()).toBe(before);
  });
});

describe('well-formed input that breaks a domain rule, every area', () => {
  /** Tenant B's entities (foreign to tenant A), an archived account of A, and an account A's rep cannot see. */
  const f = { bAccount: '', bContact: '', bTeam: '', bProductLine: '', bDelegation: '', bKey: '', archived: '', hq: '', branch: '', leaf: '', aTeam: '', aProductLine: '' };
  let rep: Client;

  beforeAll(async () => {
    const b = h.adminB;
    f.bAccount = (await b.accounts.create.mutate({ name: 'B account' })).id;
    f.bContact = (await b.contacts.create.mutate({ accountId: f.bAccount, name: 'B contact' })).id;
    await b.users.upsert.mutate({ id: 'b-lead', displayName: 'B lead', role: 'manager' });
    await b.users.upsert.mutate({ id: 'b-rep', displayName: 'B rep', role: 'rep' });
    f.bTeam = (await b.teams.create.mutate({ name: 'B team', leaderId: 'b-lead', memberIds: ['b-rep'] })).id;
    f.bProductLine = (await b.productLines.create.mutate({ code: 'b-pl', name: 'B line' })).id;
    f.bDelegation = (await b.delegations.create.mutate({ delegatorId: 'b-lead', delegateId: 'b-rep', validFrom: '2026-03-02T00:00:00.000Z', validTo: '2026-03-05T00:00:00.000Z', reason: 'b' })).id;
    f.bKey = (await b.apiKeys.create.mutate({ name: 'B key', role: 'service' })).apiKey.id;
    const a = h.adminA;
    f.hq = (await a.accounts.create.mutate({ name: 'Rule HQ' })).id;
    f.branch = (await a.accounts.create.mutate({ name: 'Rule branch', parentId: f.hq })).id;
    f.leaf = (await a.accounts.create.mutate({ name: 'Rule leaf' })).id;
    f.archived = (await a.accounts.create.mutate({ name: 'Rule archived' })).id;
    await a.accounts.archive.mutate({ id: f.archived });
    f.aTeam = (await a.teams.list.query({ memberId: 'rep-1' })).items[0]!.id;
    f.aProductLine = (await a.productLines.list.query({})).items[0]!.id;
    // rep-1 owns nothing: every account above is hidden from them.
    rep = await h.asUser(h.tenantA, 'rep-1', 'rep');
  });

  const unknownAccount = 'acc_' + '0'.repeat(26);
  const reason = 'rule check';
  /** Who calls, the procedure, its input (built once the fixtures exist) and the typed code it must answer. */
  const cases: [string, 'admin' | 'rep', string, () => Record<string, unknown>, string][] = [
    ['a foreign account', 'admin', 'accounts.get', () => ({ id: f.bAccount }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'accounts.update', () => ({ id: f.bAccount, name: 'mine now' }), 'NOT_FOUND'],
    ['a foreign parent', 'admin', 'accounts.create', () => ({ name: 'Child', parentId: f.bAccount }), 'NOT_FOUND'],
    ['an archived parent', 'admin', 'accounts.create', () => ({ name: 'Child', parentId: f.archived }), 'PRECONDITION_FAILED'],
    ['an archived parent', 'admin', 'accounts.setParent', () => ({ id: f.leaf, parentId: f.archived }), 'PRECONDITION_FAILED'],
    ['a foreign parent', 'admin', 'accounts.setParent', () => ({ id: f.leaf, parentId: f.bAccount }), 'NOT_FOUND'],
    ['its own branch as parent', 'admin', 'accounts.setParent', () => ({ id: f.hq, parentId: f.branch }), 'CYCLE'],
    ['an account with active branches', 'admin', 'accounts.archive', () => ({ id: f.hq }), 'PRECONDITION_FAILED'],
    ['a stale version', 'admin', 'accounts.update', () => ({ id: f.leaf, expectedVersion: 99, name: 'late' }), 'CONFLICT'],
    ['an unknown account', 'admin', 'contacts.create', () => ({ accountId: unknownAccount, name: 'Nobody’s contact' }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'contacts.create', () => ({ accountId: f.bAccount, name: 'Spy' }), 'NOT_FOUND'],
    ['an archived account', 'admin', 'contacts.create', () => ({ accountId: f.archived, name: 'Late contact' }), 'PRECONDITION_FAILED'],
    ['a foreign contact', 'admin', 'contacts.update', () => ({ id: f.bContact, isPrimary: true }), 'NOT_FOUND'],
    ['a foreign contact', 'admin', 'contacts.get', () => ({ id: f.bContact }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'ownership.assign', () => ({ accountId: f.bAccount, primaryOwnerId: 'rep-1', reason }), 'NOT_FOUND'],
    ['a foreign team', 'admin', 'ownership.assign', () => ({ accountId: f.leaf, teamId: f.bTeam, reason }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'ownership.resolve', () => ({ accountId: f.bAccount }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'ownership.history', () => ({ accountId: f.bAccount }), 'NOT_FOUND'],
    ['a foreign team', 'admin', 'teams.get', () => ({ id: f.bTeam }), 'NOT_FOUND'],
    ['a foreign team', 'admin', 'teams.addMember', () => ({ teamId: f.bTeam, userId: 'rep-1', reason }), 'NOT_FOUND'],
    // A user field naming no active user of the tenant is VALIDATION on that field.
    ['an unknown user', 'admin', 'teams.addMember', () => ({ teamId: f.aTeam, userId: 'nobody', reason }), 'VALIDATION'],
    ['a foreign product line', 'admin', 'productLines.assign', () => ({ teamId: f.aTeam, productLineId: f.bProductLine, userId: 'rep-1', reason }), 'NOT_FOUND'],
    ['a foreign team', 'admin', 'productLines.assign', () => ({ teamId: f.bTeam, productLineId: f.aProductLine, userId: 'rep-1', reason }), 'NOT_FOUND'],
    ['a foreign delegation', 'admin', 'delegations.end', () => ({ id: f.bDelegation, reason }), 'NOT_FOUND'],
    ['an unknown delegator', 'admin', 'delegations.create', () => ({ delegatorId: 'nobody', delegateId: 'rep-1', validFrom: '2026-04-01T00:00:00.000Z', validTo: '2026-04-02T00:00:00.000Z', reason }), 'VALIDATION'],
    ['a foreign account', 'admin', 'activities.log', () => ({ accountId: f.bAccount, kind: 'call' }), 'NOT_FOUND'],
    ['an archived account', 'admin', 'activities.log', () => ({ accountId: f.archived, kind: 'call' }), 'PRECONDITION_FAILED'],
    ['a foreign account', 'admin', 'activities.list', () => ({ accountId: f.bAccount }), 'NOT_FOUND'],
    ['a foreign account', 'admin', 'pool.assign', () => ({ accountId: f.bAccount, userId: 'rep-1', reason }), 'NOT_FOUND'],
    ['an unknown user', 'admin', 'users.deactivate', () => ({ userId: 'nobody', toPool: true, reason }), 'NOT_FOUND'],
    ['a foreign API key', 'admin', 'apiKeys.revoke', () => ({ id: f.bKey }), 'NOT_FOUND'],
    ['an account the rep cannot see', 'rep', 'accounts.get', () => ({ id: f.hq }), 'NOT_FOUND'],
    ['an account the rep cannot see', 'rep', 'accounts.update', () => ({ id: f.hq, name: 'taken over' }), 'NOT_FOUND'],
    ['a parent the rep cannot see', 'rep', 'accounts.create', () => ({ name: 'Under hidden', parentId: f.hq }), 'NOT_FOUND'],
    ['an account the rep cannot see', 'rep', 'contacts.create', () => ({ accountId: f.hq, name: 'Hidden contact' }), 'NOT_FOUND'],
    ['an account the rep cannot see', 'rep', 'activities.log', () => ({ accountId: f.hq, kind: 'visit' }), 'NOT_FOUND'],
    [
      'a delegation of an account the rep cannot see',
      'rep',
      'delegations.create',
      () => ({ delegateId: 'lead-1', scope: 'accounts', accountIds: [f.hq], validFrom: '2026-04-01T00:00:00.000Z', validTo: '2026-04-02T00:00:00.000Z', reason }),
      'NOT_FOUND',
    ],
    ['a foreign account', 'rep', 'pool.claim', () => ({ accountId: f.bAccount }), 'NOT_FOUND'],
    ['a permission reps lack', 'rep', 'apiKeys.create', () => ({ name: 'rep key', role: 'service' }), 'FORBIDDEN'],
    ['a permission reps lack', 'rep', 'teams.addMember', () => ({ teamId: f.aTeam, userId: 'rep-1', reason }), 'FORBIDDEN'],
    ['a permission reps lack', 'rep', 'users.upsert', () => ({ id: 'rep-made', displayName: 'x', role: 'admin' }), 'FORBIDDEN'],
  ];

  it.each(cases.map(([what, who, path, , code], i) => [path, who, what, code, i] as const))(
    '%s as %s with %s answers %s (a typed 4xx) and writes nothing',
    async (path, who, _what, code, i) => {
      const input = cases[i]![3]();
      const proc = procedures.find(([p]) => p === path)![1];
      const before = await dump();
      const e = await errorOf(call(who === 'rep' ? rep : h.adminA, path, proc._def.type, input));
      expect(e.crmCode, e.message).toBe(code);
      expect(e.httpStatus).toBeGreaterThanOrEqual(400);
      expect(e.httpStatus).toBeLessThan(500);
      expect(await dump()).toBe(before);
    },
  );
});
