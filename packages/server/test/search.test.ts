import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from './helpers/database.js';
import { startHarness, type Harness } from './helpers/harness.js';

/**
 * One name search for every list: `accounts.list`, `accounts.count`, `pool.list` and
 * `contacts.list` find the search text literally (LIKE's `%`, `_` and `\` are plain characters),
 * case- and width-insensitively (full-width `ＡＢＣ` and half-width `abc` alike).
 */
const names = ['Alpha 100% Co', 'Alpha 1000 Co', 'Beta_Two', 'BetaXTwo', 'Back\\slash', 'Backslash', 'ＡＢＣ商贸', 'Plain'] as const;
type Name = (typeof names)[number];

/** Search text → the names it must find, and nothing else. */
const cases: [string, Name[]][] = [
  ['%', ['Alpha 100% Co']],
  ['0%', ['Alpha 100% Co']],
  ['_', ['Beta_Two']],
  ['a_t', ['Beta_Two']],
  ['\\', ['Back\\slash']],
  ['k\\s', ['Back\\slash']],
  ['\\%', []],
  ['%_', []],
  ['ＡＢＣ商贸', ['ＡＢＣ商贸']],
  ['abc', ['ＡＢＣ商贸']],
  ['ABC商', ['ＡＢＣ商贸']],
  ['ｂｅｔａ', ['Beta_Two', 'BetaXTwo']],
  ['alpha 100', ['Alpha 100% Co', 'Alpha 1000 Co']],
];

let h: Harness;
let holderId: string;
const nameOfAccount = new Map<string, string>();
const nameOfContact = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness();
  // Created by an admin key: no owner, so every one of them is in the pool too.
  for (const name of names) nameOfAccount.set((await h.adminA.accounts.create.mutate({ name })).id, name);
  holderId = (await h.adminA.accounts.create.mutate({ name: 'Contact holder' })).id;
  for (const name of names) nameOfContact.set((await h.adminA.contacts.create.mutate({ accountId: holderId, name })).id, name);
  // The same names in tenant B must never show.
  const other = await h.adminB.accounts.create.mutate({ name: 'Alpha 100% Co B' });
  await h.adminB.contacts.create.mutate({ accountId: other.id, name: 'Beta_Two B' });
});
afterAll(() => h.close());

const sorted = (list: string[]) => [...list].sort();

describe(`name search on ${engine}`, () => {
  it.each(cases)('accounts.list and accounts.count find %j literally, as %j', async (search, expected) => {
    const page = await h.adminA.accounts.list.query({ search, limit: 200 });
    expect(sorted(page.items.map((a) => a.name))).toEqual(sorted(expected));
    expect((await h.adminA.accounts.count.query({ search })).count).toBe(expected.length);
  });

  it.each(cases)('pool.list finds %j literally, as %j', async (search, expected) => {
    const page = await h.adminA.pool.list.query({ search, limit: 200 });
    expect(sorted(page.items.map((a) => nameOfAccount.get(a.id) ?? a.name))).toEqual(sorted(expected));
  });

  it.each(cases)('contacts.list finds %j literally, as %j', async (search, expected) => {
    const page = await h.adminA.contacts.list.query({ search, limit: 200 });
    expect(sorted(page.items.map((c) => nameOfContact.get(c.id) ?? c.name))).toEqual(sorted(expected));
    const onAccount = await h.adminA.contacts.list.query({ search, accountId: holderId, limit: 200 });
    expect(onAccount.items.map((c) => c.id)).toEqual(page.items.map((c) => c.id));
  });

  it('pages a literal search without skipping or repeating a match', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.adminA.contacts.list.query({ search: 'a', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(sorted(seen.map((id) => nameOfContact.get(id)!))).toEqual(sorted(names.filter((n) => n.normalize('NFKC').toLowerCase().includes('a'))));
  });

  it('finds a contact by its new name after a rename, and no longer by the old one', async () => {
    const contact = await h.adminA.contacts.create.mutate({ accountId: holderId, name: 'Renamed soon' });
    await h.adminA.contacts.update.mutate({ id: contact.id, name: 'ＸＹＺ贸易' });
    expect((await h.adminA.contacts.list.query({ search: 'xyz' })).items.map((c) => c.id)).toEqual([contact.id]);
    expect((await h.adminA.contacts.list.query({ search: 'renamed soon' })).items).toEqual([]);
  });
});
