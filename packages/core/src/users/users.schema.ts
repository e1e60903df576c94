import { z } from 'zod';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { roleSchema } from '../roles.js';
import { emailSchema, isoDateTime, text } from '../schema-helpers.js';

/** The host product's own user id (crmkit stores no passwords and mints no user ids). */
export const hostUserIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:@|-]+$/, 'expected the host user id: letters, digits and _ . : @ | -');

export const userSchema = z.object({
  id: hostUserIdSchema,
  displayName: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  active: z.boolean(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type User = z.infer<typeof userSchema>;

export const upsertUserInputSchema = z.strictObject({
  id: hostUserIdSchema,
  displayName: text(200),
  email: emailSchema.nullable().optional(),
  role: roleSchema,
  active: z.boolean().optional(),
});
export type UpsertUserInput = z.input<typeof upsertUserInputSchema>;

export const listUsersInputSchema = pageInputSchema.extend({ role: roleSchema.optional(), active: z.boolean().optional() }).strict().prefault({});
export const userPageSchema = pageSchema(userSchema);
