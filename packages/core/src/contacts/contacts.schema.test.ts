import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../clock.js';
import { newId } from '../ids.js';
import { contactIdSchema, createContactInputSchema, listContactsInputSchema, updateContactInputSchema } from './contacts.schema.js';

const clock = createFakeClock('2026-01-01T00:00:00Z');
const accId = newId('acc', clock);
const conId = newId('con', clock);

describe('contact schemas', () => {
  it('accepts contact ids and refuses account ids as contact ids', () => {
    expect(contactIdSchema.parse(conId)).toBe(conId);
    expect(contactIdSchema.safeParse(accId).success).toBe(false);
  });

  it('accepts a minimal contact with an account and a name', () => {
    expect(createContactInputSchema.parse({ accountId: accId, name: ' Li Wei ' })).toEqual({ accountId: accId, name: 'Li Wei' });
  });

  it('refuses a contact without an account, with unknown keys, or with a bad email', () => {
    expect(createContactInputSchema.safeParse({ name: 'Li Wei' }).success).toBe(false);
    expect(createContactInputSchema.safeParse({ accountId: accId, name: 'Li Wei', nickname: 'x' }).success).toBe(false);
    expect(createContactInputSchema.safeParse({ accountId: accId, name: 'Li Wei', email: 'li@' }).success).toBe(false);
  });

  it('lets an update clear the title, email and phone with null', () => {
    const input = { id: conId, title: null, email: null, phone: null };
    expect(updateContactInputSchema.parse(input)).toEqual(input);
  });

  it("defaults the list to 50 contacts excluding archived ones", () => {
    expect(listContactsInputSchema.parse({})).toEqual({ limit: 50, archived: 'exclude' });
    expect(listContactsInputSchema.safeParse({ limit: 201 }).success).toBe(false);
  });
});
