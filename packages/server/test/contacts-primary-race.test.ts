import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from './helpers/database.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * "One primary contact per account" holds under concurrency: on PostgreSQL (READ COMMITTED) two
 * writers each making a different contact primary used to demote only what they saw, leaving two.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const ROUNDS = 20;

async function primariesOf(accountId: string) {
  return (await h.crm.db.contact.findMany({ where: { accountId, isPrimary: true }, select: { id: true } })).map((c) => c.id);
}

describe(`primary contacts under concurrency on ${engine}`, () => {
  it(`leaves exactly one primary contact after concurrent updates and creates making different contacts primary (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const account = await h.adminA.accounts.create.mutate({ name: `Race ${round}` });
      const [a, b, c] = await Promise.all(['A', 'B', 'C'].map((n) => h.adminA.contacts.create.mutate({ accountId: account.id, name: `${n} ${round}` })));
      const results = await Promise.allSettled([
        h.adminA.contacts.update.mutate({ id: a!.id, isPrimary: true }),
        h.adminA.contacts.update.mutate({ id: b!.id, isPrimary: true }),
        h.adminA.contacts.update.mutate({ id: c!.id, isPrimary: true }),
        h.adminA.contacts.create.mutate({ accountId: account.id, name: `D ${round}`, isPrimary: true }),
      ]);
      expect(results.map((r) => r.status), `round ${round}`).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(await primariesOf(account.id), `round ${round}`).toHaveLength(1);
    }
  });

  it('records each demotion in the demoted contact’s audit trail', async () => {
    const account = await h.adminA.accounts.create.mutate({ name: 'Race audit' });
    const [a, b] = await Promise.all(['A', 'B'].map((n) => h.adminA.contacts.create.mutate({ accountId: account.id, name: n })));
    await Promise.all([h.adminA.contacts.update.mutate({ id: a!.id, isPrimary: true }), h.adminA.contacts.update.mutate({ id: b!.id, isPrimary: true })]);
    const [primary] = await primariesOf(account.id);
    const demoted = primary === a!.id ? b! : a!;
    const trail = await h.adminA.audit.list.query({ entityType: 'contact', entityId: demoted.id });
    // Created, made primary, demoted by the other: newest first.
    expect(trail.items.map((e) => [e.action, (e.after as { isPrimary: boolean }).isPrimary])).toEqual([
      ['contact.updated', false],
      ['contact.updated', true],
      ['contact.created', false],
    ]);
  });
});
