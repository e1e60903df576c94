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

/** Signs a user out everywhere: their tokens issued up to now are refused from now on. */
export const revokeUserTokensInputSchema = z.strictObject({ userId: hostUserIdSchema });
export type RevokeUserTokensInput = z.input<typeof revokeUserTokensInputSchema>;

/**
 * The user's revocation instant: a token is accepted only if it was issued (its whole-second
 * `iat`) after this instant, so one minted in the same second is refused too.
 */
export const revokedUserTokensSchema = z.object({ userId: hostUserIdSchema, tokensRevokedBefore: isoDateTime });
export type RevokedUserTokens = z.infer<typeof revokedUserTokensSchema>;
