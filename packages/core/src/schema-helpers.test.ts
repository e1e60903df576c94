import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as core from './index.js';
import { idPrefixes } from './ids.js';
import { isoDateTime, MAX_INSTANT, MIN_INSTANT, storableString, text } from './schema-helpers.js';

type Def = { type: string; format?: string; [key: string]: unknown };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every place a string enters through a schema: `string` schemas (plain or formats such as email,
 * url, datetime) and pipes (judged whole: a trimmed string piped into an email check), by path.
 */
function stringLeaves(schema: z.ZodType, path: string, out: Map<string, z.ZodType>, seen = new Set<z.ZodType>()): Map<string, z.ZodType> {
  const def = defOf(schema);
  const walk = (inner: unknown, at: string) => stringLeaves(inner as z.ZodType, at, out, seen);
  switch (def.type) {
    case 'string':
    case 'pipe':
      out.set(path, schema);
      break;
    case 'object':
      for (const [key, value] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(value, `${path}.${key}`);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      walk(def.innerType, path);
      break;
    case 'array':
      walk(def.element, `${path}[]`);
      break;
    case 'union':
      (def.options as z.ZodType[]).forEach((option, i) => walk(option, `${path}|${i}`));
      break;
    case 'lazy':
      if (seen.has(schema)) break; // a recursive schema: its fields were walked the first time round
      seen.add(schema);
      walk((def.getter as () => z.ZodType)(), path);
      break;
    case 'record':
      walk(def.keyType, `${path}{key}`);
      walk(def.valueType, `${path}{}`);
      break;
    case 'enum':
    case 'literal':
    case 'boolean':
    case 'number':
      break;
    default:
      throw new Error(`${path}: unhandled schema type ${def.type}; teach stringLeaves about it`);
  }
  return out;
}

/** Every input schema core exports (what the server's procedures take), by export name. */
const inputSchemas = Object.entries(core).filter(([name]) => /InputSchema$/.test(name)) as [string, z.ZodType][];
const leaves = new Map<string, z.ZodType>();
for (const [name, schema] of inputSchemas) stringLeaves(schema, name, leaves);

/** Values that some string field accepts, so a NUL can be put into a value the field otherwise takes. */
const samples = [
  'Acme 华东 Trading',
  'x',
  ...Object.values(idPrefixes).map((p) => `${p}_${'0'.repeat(26)}`),
  'a@b.example',
  '+86 21 5555',
  'https://hq.example/path',
  'rep-1',
  'CNY',
  'pl-x',
  '2026-03-01T09:00:00.000Z',
  'Asia/Shanghai',
  '2026-01-31',
  '7.1234',
];

const withNul = (value: string) => [`\u0000${value}`, `${value.slice(0, 1)}\u0000${value.slice(1)}`, `${value}\u0000`];

describe('strings in input schemas', () => {
  it('finds the string fields of every input schema (the walk reaches nested, optional and union fields)', () => {
    expect(inputSchemas.length).toBeGreaterThan(40);
    const paths = [...leaves.keys()];
    for (const expected of [
      'createAccountInputSchema.name', 'createAccountInputSchema.website', 'listAccountsInputSchema.search', 'listAccountsInputSchema.cursor',
      'listAuditInputSchema.entityId', 'createContactInputSchema.email', 'listPoolInputSchema.search', 'createTeamInputSchema.memberIds[]',
      'deactivateUserInputSchema|1.reason', 'logActivityInputSchema.at', 'listDelegationsInputSchema.activeAt', 'createProductLineInputSchema.code',
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it('refuses a NUL character (U+0000, which PostgreSQL cannot store) in every string of every input schema', () => {
    for (const [path, leaf] of leaves) {
      const accepted = samples.filter((s) => leaf.safeParse(s).success);
      expect(accepted.length, `${path}: add a sample value this field accepts`).toBeGreaterThan(0);
      for (const value of accepted.flatMap(withNul)) expect(leaf.safeParse(value).success, `${path} took ${JSON.stringify(value)}`).toBe(false);
    }
  });

  it('refuses the year 0000 in every date-time of every input schema', () => {
    const dates = [...leaves].filter(([, leaf]) => leaf.safeParse('2026-03-01T09:00:00.000Z').success && !leaf.safeParse('x').success);
    expect(dates.map(([path]) => path)).toContain('resolveInputSchema.asOf');
    for (const [path, leaf] of dates) {
      expect(leaf.safeParse('0000-06-01T00:00:00.000Z').success, path).toBe(false);
      expect(leaf.safeParse(MIN_INSTANT).success, path).toBe(true);
      expect(leaf.safeParse(MAX_INSTANT).success, path).toBe(true);
    }
  });
});

describe('storableString and text', () => {
  it('accept any string without NUL and refuse any with one, wherever it stands', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (before, after) => {
        fc.pre(!before.includes('\u0000') && !after.includes('\u0000'));
        expect(storableString().safeParse(before + after).success).toBe(true);
        expect(storableString().safeParse(`${before}\u0000${after}`).success).toBe(false);
        expect(text(10_000).safeParse(`x${before}\u0000${after}`).success).toBe(false);
      }),
    );
  });

  it('names the NUL in the message', () => {
    expect(text(10).safeParse('a\u0000b').error?.issues.map((i) => i.message)).toEqual(['must not contain the NUL character (U+0000)']);
  });
});

describe('isoDateTime', () => {
  it('accepts UTC instants from 0001-01-01 to 9999-12-31 and refuses the year 0000 and offsets', () => {
    expect(MIN_INSTANT).toBe('0001-01-01T00:00:00.000Z');
    expect(MAX_INSTANT).toBe('9999-12-31T23:59:59.999Z');
    for (const ok of [MIN_INSTANT, MAX_INSTANT, '2026-03-01T09:00:00Z', '1969-12-31T23:59:59.999Z']) expect(isoDateTime.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59.999Z', '2026-03-01T09:00:00+08:00', '+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z']) {
      expect(isoDateTime.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('accepts exactly the instants of four-digit years 0001–9999 that toISOString writes', () => {
    // Mostly near the edges of the range, where the year 0000 and five-digit years lie.
    const near = (from: string, to: string) => fc.date({ min: new Date(from), max: new Date(to), noInvalidDate: true });
    const date = fc.oneof(near('-000002-01-01T00:00:00Z', '0002-12-31T00:00:00Z'), near('9998-01-01T00:00:00Z', '+010001-01-01T00:00:00Z'), fc.date({ noInvalidDate: true }));
    fc.assert(
      fc.property(date, (d) => {
        const iso = d.toISOString();
        expect(isoDateTime.safeParse(iso).success).toBe(iso >= MIN_INSTANT && iso <= MAX_INSTANT && /^\d{4}-/.test(iso));
      }),
    );
  });
});
