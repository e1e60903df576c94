import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createFakeClock } from '../clock.js';
import { newId } from '../ids.js';
import {
  accountIdSchema,
  accountSchema,
  accountTreeInputSchema,
  accountTreeNodeSchema,
  createAccountInputSchema,
  listAccountsInputSchema,
  setParentInputSchema,
  updateAccountInputSchema,
} from './accounts.schema.js';

const clock = createFakeClock('2026-01-01T00:00:00Z');
const accId = newId('acc', clock);

/** The paths of the issues a failed parse reports (empty when the parse succeeds). */
function issuePaths(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('accountIdSchema', () => {
  it('accepts an id made by newId for accounts and refuses other ids', () => {
    expect(accountIdSchema.parse(accId)).toBe(accId);
    expect(accountIdSchema.safeParse(newId('con', clock)).success).toBe(false);
    expect(accountIdSchema.safeParse('acc_123').success).toBe(false);
    expect(accountIdSchema.safeParse('').success).toBe(false);
  });
});

describe('createAccountInputSchema', () => {
  it('accepts a minimal input with only a name', () => {
    expect(createAccountInputSchema.parse({ name: 'Acme' })).toEqual({ name: 'Acme' });
  });

  it('trims the name', () => {
    expect(createAccountInputSchema.parse({ name: '  华东有限公司  ' }).name).toBe('华东有限公司');
  });

  it('refuses unknown keys', () => {
    const result = createAccountInputSchema.safeParse({ name: 'Acme', colour: 'red' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('refuses a missing name, or one that is empty after trimming', () => {
    expect(issuePaths(createAccountInputSchema, {})).toEqual(['name']);
    expect(issuePaths(createAccountInputSchema, { name: '' })).toEqual(['name']);
    expect(issuePaths(createAccountInputSchema, { name: ' \t\n ' })).toEqual(['name']);
  });

  it('accepts a name of 200 characters and refuses 201', () => {
    expect(createAccountInputSchema.safeParse({ name: 'x'.repeat(200) }).success).toBe(true);
    expect(issuePaths(createAccountInputSchema, { name: 'x'.repeat(201) })).toEqual(['name']);
  });

  it('refuses a bad email and normalises a good one to trimmed lower case', () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', email: 'not-an-email' })).toEqual(['email']);
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', email: 'a@' })).toEqual(['email']);
    expect(createAccountInputSchema.parse({ name: 'Acme', email: '  Sales@Example.COM ' }).email).toBe('sales@example.com');
  });

  it("refuses the lower-case currency 'cny' and accepts 'CNY'", () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', currency: 'cny' })).toEqual(['currency']);
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', currency: 'CNYX' })).toEqual(['currency']);
    expect(createAccountInputSchema.parse({ name: 'Acme', currency: 'CNY' }).currency).toBe('CNY');
  });

  it('refuses a parent id that is not an account id', () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', parentId: 'acc_1' })).toEqual(['parentId']);
    expect(createAccountInputSchema.parse({ name: 'Acme', parentId: accId }).parentId).toBe(accId);
  });

  it('accepts phone numbers of digits, spaces, ( ) - and a leading +, and refuses letters', () => {
    expect(createAccountInputSchema.parse({ name: 'Acme', phone: '+86 (21) 5555-0100' }).phone).toBe('+86 (21) 5555-0100');
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', phone: 'call me' })).toEqual(['phone']);
  });

  it('refuses a grade outside A to D and a website that is not a URL', () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', grade: 'E' })).toEqual(['grade']);
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', website: 'not a url' })).toEqual(['website']);
    expect(createAccountInputSchema.parse({ name: 'Acme', grade: 'A', website: 'https://acme.example' })).toMatchObject({ grade: 'A', website: 'https://acme.example' });
  });

  it('refuses null for optional fields on create', () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', email: null })).toEqual(['email']);
  });

  it('refuses an empty optional text such as region', () => {
    expect(issuePaths(createAccountInputSchema, { name: 'Acme', region: '  ' })).toEqual(['region']);
  });
});

describe('updateAccountInputSchema', () => {
  it('accepts null to clear optional fields', () => {
    const input = { id: accId, email: null, phone: null, region: null, taxId: null, grade: null, currency: null, website: null };
    expect(updateAccountInputSchema.parse(input)).toEqual(input);
  });

  it('requires the id and refuses unknown keys, including parentId (which changes through setParent)', () => {
    expect(issuePaths(updateAccountInputSchema, { name: 'x' })).toEqual(['id']);
    expect(updateAccountInputSchema.safeParse({ id: accId, parentId: accId }).success).toBe(false);
  });

  it('refuses a null name and an expectedVersion below 1', () => {
    expect(issuePaths(updateAccountInputSchema, { id: accId, name: null })).toEqual(['name']);
    expect(issuePaths(updateAccountInputSchema, { id: accId, expectedVersion: 0 })).toEqual(['expectedVersion']);
    expect(updateAccountInputSchema.parse({ id: accId, expectedVersion: 1 }).expectedVersion).toBe(1);
  });
});

describe('listAccountsInputSchema', () => {
  it("defaults the limit to 50 and archived to 'exclude'", () => {
    expect(listAccountsInputSchema.parse({})).toEqual({ limit: 50, archived: 'exclude' });
  });

  it('refuses a limit over 200', () => {
    expect(issuePaths(listAccountsInputSchema, { limit: 201 })).toEqual(['limit']);
    expect(listAccountsInputSchema.parse({ limit: 200 }).limit).toBe(200);
  });

  it('refuses unknown keys', () => {
    expect(listAccountsInputSchema.safeParse({ sort: 'name' }).success).toBe(false);
  });

  it('accepts null as the parent (top-level accounts only) and refuses a blank search', () => {
    expect(listAccountsInputSchema.parse({ parentId: null }).parentId).toBeNull();
    expect(issuePaths(listAccountsInputSchema, { search: '   ' })).toEqual(['search']);
    expect(listAccountsInputSchema.parse({ search: ' acme ' }).search).toBe('acme');
  });

  it("refuses an archived filter other than 'exclude', 'include' or 'only'", () => {
    expect(issuePaths(listAccountsInputSchema, { archived: 'all' })).toEqual(['archived']);
    expect(listAccountsInputSchema.parse({ archived: 'only' }).archived).toBe('only');
  });
});

describe('setParentInputSchema and accountTreeInputSchema', () => {
  it('requires parentId, accepting null to make the account top-level', () => {
    expect(setParentInputSchema.parse({ id: accId, parentId: null })).toEqual({ id: accId, parentId: null });
    expect(issuePaths(setParentInputSchema, { id: accId })).toEqual(['parentId']);
  });

  it('defaults includeArchived to false', () => {
    expect(accountTreeInputSchema.parse({ id: accId })).toEqual({ id: accId, includeArchived: false });
  });
});

describe('accountSchema and accountTreeNodeSchema', () => {
  const account = {
    id: accId,
    name: 'Acme',
    parentId: null,
    grade: null,
    settlesOwnInvoices: false,
    taxId: null,
    phone: null,
    email: null,
    website: null,
    region: null,
    currency: 'CNY',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    archivedAt: null,
  };

  it('accepts a stored account and refuses a timestamp with an offset', () => {
    expect(accountSchema.parse(account)).toEqual(account);
    expect(issuePaths(accountSchema, { ...account, createdAt: '2026-01-01T08:00:00+08:00' })).toEqual(['createdAt']);
  });

  it('validates nested tree nodes and refuses a depth below 1', () => {
    const node = { account, depth: 1, billToAccountId: accId, children: [{ account, depth: 2, billToAccountId: accId, children: [] }] };
    expect(accountTreeNodeSchema.parse(node)).toEqual(node);
    expect(accountTreeNodeSchema.safeParse({ ...node, children: [{ ...node.children[0], depth: 0 }] }).success).toBe(false);
  });
});
