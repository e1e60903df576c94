import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmErrorFrom } from './__tests__/crm-error-from.js';
import { z } from 'zod';
import { isCrmError } from './errors.js';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, pageInputSchema, pageSchema } from './pagination.js';
import { isoDateTime } from './schema-helpers.js';


const keyShape = z.object({ name: z.string(), id: z.string() });
const anyKey = z.record(z.string(), z.union([z.string(), z.number()]));

describe('encodeCursor and decodeCursor', () => {
  it('round-trips a sort key with non-ASCII text', () => {
    const key = { name: '华东有限公司', id: 'acc_01JDQ3ABCDEFGHJKMNPQRSTVWX' };
    expect(decodeCursor(encodeCursor(key), keyShape)).toEqual(key);
  });

  it('round-trips emoji, full-width text and numbers', () => {
    const key = { name: 'Ａｃｍｅ 🚀 株式会社', createdAt: 1_767_225_600_000, score: -1.5 };
    expect(decodeCursor(encodeCursor(key), anyKey)).toEqual(key);
  });

  it('makes URL-safe cursors without padding', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), { maxKeys: 5 }), (key) => {
        expect(encodeCursor(key)).toMatch(/^[A-Za-z0-9_-]*$/);
      }),
    );
  });

  it('decodes what it encodes, for any string (without NUL) and number values', () => {
    const storable = fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000'));
    const value = fc.oneof(
      storable,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    );
    fc.assert(
      // Sort keys are field names the server chooses; '__proto__' is never one of them.
      fc.property(fc.dictionary(storable.filter((k) => k !== '__proto__'), value, { maxKeys: 8 }), (key) => {
        expect(decodeCursor(encodeCursor(key), anyKey)).toEqual(key);
      }),
    );
  });

  it('refuses garbage with VALIDATION on the cursor field', () => {
    const notUtf8 = btoa('\xff\xfe\xfd').replace(/=+$/, '');
    const notJson = btoa('not json').replace(/=+$/, '');
    const wrongShape = encodeCursor({ name: 'x' }); // no id
    for (const cursor of ['', 'not a cursor!!', 'a', '%%%%', notUtf8, notJson, wrongShape, encodeCursor({ name: 1, id: 'x' })]) {
      const err = crmErrorFrom(() => decodeCursor(cursor, keyShape));
      expect(err.code).toBe('VALIDATION');
      expect(err.fieldErrors?.cursor?.length).toBe(1);
    }
  });

  it('refuses a cursor carrying a NUL anywhere (PostgreSQL cannot compare with it) with VALIDATION on cursor', () => {
    const keys: Record<string, string | number>[] = [{ name: 'a\u0000', id: 'x' }, { name: 'a', id: '\u0000' }, { name: 'a', id: 'x', ['k\u0000']: 1 }];
    for (const key of keys) {
      const err = crmErrorFrom(() => decodeCursor(encodeCursor(key), keyShape.loose()));
      expect(err.code).toBe('VALIDATION');
      expect(err.fieldErrors?.cursor?.length).toBe(1);
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(8), (name, id, at) => {
        const withNul = `${id.slice(0, at)}\u0000${id.slice(at)}`;
        expect(crmErrorFrom(() => decodeCursor(encodeCursor({ name, id: withNul }), keyShape)).code).toBe('VALIDATION');
      }),
    );
  });

  it('refuses a cursor whose instant is out of range when the shape asks for isoDateTime', () => {
    const shape = z.object({ at: isoDateTime, id: z.string() });
    expect(decodeCursor(encodeCursor({ at: '2026-03-01T00:00:00.000Z', id: 'a' }), shape).at).toBe('2026-03-01T00:00:00.000Z');
    for (const at of ['0000-12-31T23:59:59.999Z', '2026-03-01T00:00:00+08:00', '2026-02-30T00:00:00Z']) {
      expect(crmErrorFrom(() => decodeCursor(encodeCursor({ at, id: 'a' }), shape)).fieldErrors?.cursor?.length).toBe(1);
    }
  });

  it('refuses any random string that does not decode to the expected shape with VALIDATION on cursor', () => {
    fc.assert(
      fc.property(fc.string(), (cursor) => {
        let decoded: unknown;
        try {
          decoded = decodeCursor(cursor, keyShape);
        } catch (e) {
          expect(isCrmError(e) && e.code === 'VALIDATION' && e.fieldErrors?.cursor !== undefined).toBe(true);
          return;
        }
        expect(keyShape.safeParse(decoded).success).toBe(true);
      }),
    );
  });
});

describe('pageInputSchema', () => {
  it('defaults the limit to 50', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(50);
    expect(pageInputSchema.parse({})).toEqual({ limit: 50 });
  });

  it('accepts limits from 1 to 200 and refuses others', () => {
    expect(MAX_PAGE_SIZE).toBe(200);
    expect(pageInputSchema.parse({ limit: 1 }).limit).toBe(1);
    expect(pageInputSchema.parse({ limit: 200 }).limit).toBe(200);
    for (const limit of [0, -1, 201, 1.5]) expect(pageInputSchema.safeParse({ limit }).success).toBe(false);
  });

  it('refuses an empty cursor or one longer than 512 characters', () => {
    expect(pageInputSchema.safeParse({ cursor: '' }).success).toBe(false);
    expect(pageInputSchema.safeParse({ cursor: 'x'.repeat(513) }).success).toBe(false);
    expect(pageInputSchema.parse({ cursor: 'x'.repeat(512) }).cursor).toHaveLength(512);
  });
});

describe('pageSchema', () => {
  it('accepts items with a next cursor or null, and refuses a missing nextCursor', () => {
    const schema = pageSchema(z.number());
    expect(schema.parse({ items: [1, 2], nextCursor: null })).toEqual({ items: [1, 2], nextCursor: null });
    expect(schema.parse({ items: [], nextCursor: 'abc' })).toEqual({ items: [], nextCursor: 'abc' });
    expect(schema.safeParse({ items: [1] }).success).toBe(false);
    expect(schema.safeParse({ items: ['x'], nextCursor: null }).success).toBe(false);
  });
});
