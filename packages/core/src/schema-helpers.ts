import { z } from 'zod';

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * A string either database can store. PostgreSQL refuses U+0000 in text (SQLite would keep it),
 * so every string that reaches the database goes through this and the NUL is refused on both
 * engines as VALIDATION instead of failing the write.
 *
 * @example storableString().max(128).parse('a\u0000b') // throws: must not contain the NUL character
 */
export const storableString = () => z.string().refine((s) => !s.includes('\u0000'), NUL_MESSAGE);

/** Trimmed text of bounded length; empty after trimming is refused. */
export const text = (max: number) => storableString().trim().min(1, 'must not be empty').max(max);

/** Optional text for create inputs: absent, or non-empty trimmed text. */
export const optionalText = (max: number) => text(max).optional();

/** Text that an update may clear by sending null. */
export const clearableText = (max: number) => text(max).nullable().optional();

/**
 * A search string of a list: matched literally anywhere in the name (`%`, `_` and `\` are plain
 * characters), case- and width-insensitively (full-width `ＡＢＣ` finds `abc`; see `searchKey`).
 */
export const searchSchema = text(200);

export const emailSchema = storableString().trim().toLowerCase().max(254).pipe(z.email('expected an email address'));
export const phoneSchema = z.string().trim().regex(/^\+?[0-9 ()-]{3,32}$/, 'expected a phone number of digits, spaces, ( ) - and an optional leading +');
/** An http(s) or other URL; `z.url()` alone would take a NUL in the path. */
export const urlSchema = z.url().max(2048).refine((s) => !s.includes('\u0000'), NUL_MESSAGE);

/** The first instant both databases store: PostgreSQL has no year 0 (`0000-…` is 1 BC in ISO 8601). */
export const MIN_INSTANT = '0001-01-01T00:00:00.000Z';
/** The last instant a four-digit ISO year can name. */
export const MAX_INSTANT = '9999-12-31T23:59:59.999Z';

/**
 * A UTC instant as an ISO string (`2026-03-01T09:00:00.000Z`), between MIN_INSTANT and
 * MAX_INSTANT: the format's four-digit year caps the top, and year 0000 (which PostgreSQL cannot
 * store) is refused on both engines.
 */
export const isoDateTime = z.iso
  .datetime({ offset: false })
  .refine((s) => !s.startsWith('0000'), `expected an instant from ${MIN_INSTANT} to ${MAX_INSTANT}`);
export const expectedVersionSchema = z.number().int().min(1).optional().describe('refuse the write with CONFLICT unless the entity is at this version');
