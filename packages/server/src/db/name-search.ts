import { searchKey } from '@crmkit/core';
import { Prisma } from '../../generated/sqlite/client.js';
import type { Db, Tx } from './client.js';
import type { Provider } from './url.js';

/** Tables with a `nameSearch` column, which holds the `searchKey` of the row's name. */
export type SearchTable = 'Account' | 'Contact';

/** `text` with LIKE's wildcards and the escape character escaped, for `LIKE … ESCAPE '\'`. */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The pattern that finds `key` anywhere, literally, with `LIKE ? ESCAPE '\'`. */
export function containsPattern(key: string): string {
  return `%${likeEscape(key)}%`;
}

/**
 * The one name search of every list (`accounts.list`/`count`, `pool.list`, `contacts.list`), as a
 * Prisma `where` fragment: rows of `table` whose `nameSearch` holds the `searchKey` of `search`
 * (NFKC, lower-case, whitespace collapsed) anywhere, literally: `%`, `_` and `\` are plain characters.
 *
 * Prisma's `contains` puts the text into `LIKE '%' || ? || '%'` unescaped and without an ESCAPE
 * clause. PostgreSQL's LIKE takes backslash escapes by default, so there the escaped key is
 * literal. SQLite's LIKE has no escape character unless the statement names one, so there a key
 * holding `%` or `_` is first matched in SQL that does, which answers the distinct stored keys
 * containing it (few: names seldom hold those characters); any other key is literal as it is.
 * (The SQLite account reads use `containsPattern` in their own SQL.)
 *
 * @example where: { tenantId, ...(search ? await nameSearchWhere(db, provider, 'Contact', tenantId, search) : {}) }
 */
export async function nameSearchWhere(
  db: Db | Tx,
  provider: Provider,
  table: SearchTable,
  tenantId: string,
  search: string,
): Promise<{ nameSearch: { contains: string } | { in: string[] } }> {
  const key = searchKey(search);
  if (provider === 'postgresql') return { nameSearch: { contains: likeEscape(key) } };
  if (!/[%_]/.test(key)) return { nameSearch: { contains: key } };
  const rows = await db.$queryRaw<{ key: string }[]>`
    SELECT DISTINCT "nameSearch" AS "key" FROM ${Prisma.raw(`"${table}"`)}
    WHERE "tenantId" = ${tenantId} AND "nameSearch" LIKE ${containsPattern(key)} ESCAPE '\\'`;
  return { nameSearch: { in: rows.map((r) => r.key) } };
}
