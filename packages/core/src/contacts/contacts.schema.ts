import { z } from 'zod';
import { idPattern } from '../ids.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { accountIdSchema } from '../accounts/accounts.schema.js';
import { clearableText, emailSchema, expectedVersionSchema, isoDateTime, optionalText, phoneSchema, searchSchema, text } from '../schema-helpers.js';

export const contactIdSchema = z.string().regex(idPattern('con'), 'expected a contact id (con_…)');

export const contactSchema = z.object({
  id: contactIdSchema,
  accountId: accountIdSchema,
  name: z.string(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  isPrimary: z.boolean(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  archivedAt: isoDateTime.nullable(),
});
export type Contact = z.infer<typeof contactSchema>;

export const createContactInputSchema = z.strictObject({
  accountId: accountIdSchema,
  name: text(200),
  title: optionalText(100),
  email: emailSchema.optional(),
  phone: phoneSchema.optional(),
  /** The account's primary contact; setting it clears the flag on the account's other contacts. */
  isPrimary: z.boolean().optional(),
});
export type CreateContactInput = z.input<typeof createContactInputSchema>;

export const updateContactInputSchema = z.strictObject({
  id: contactIdSchema,
  expectedVersion: expectedVersionSchema,
  name: text(200).optional(),
  title: clearableText(100),
  email: emailSchema.nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  isPrimary: z.boolean().optional(),
  archived: z.boolean().optional(),
});
export type UpdateContactInput = z.input<typeof updateContactInputSchema>;

export const getContactInputSchema = z.strictObject({ id: contactIdSchema });

export const listContactsInputSchema = pageInputSchema.extend({
  accountId: accountIdSchema.optional(),
  /** Literal, case- and width-insensitive match anywhere in the name. */
  search: searchSchema.optional(),
  archived: z.enum(['exclude', 'include', 'only']).default('exclude'),
}).strict().prefault({});
export const contactPageSchema = pageSchema(contactSchema);
