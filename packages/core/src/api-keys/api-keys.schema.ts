import { z } from 'zod';
import { idPattern } from '../ids.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { permissionSchema, roleSchema } from '../roles.js';
import { isoDateTime, text } from '../schema-helpers.js';

export const apiKeyIdSchema = z.string().regex(idPattern('key'), 'expected an API key id (key_…)');

/** An API key as listed: never its secret, which is shown once at creation. */
export const apiKeySchema = z.object({
  id: apiKeyIdSchema,
  name: z.string(),
  /** The first characters of the secret, to recognise a key in logs. */
  prefix: z.string(),
  role: roleSchema,
  scopes: z.array(permissionSchema),
  createdBy: z.string().nullable(),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  expiresAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createApiKeyInputSchema = z.strictObject({
  name: text(100),
  /** Keys are for services: `service`, `integration`, or `admin` for provisioning tools. */
  role: z.enum(['admin', 'service', 'integration']),
  /** Narrows the role's permissions; empty or absent means all of the role's. */
  scopes: z.array(permissionSchema).max(32).optional(),
  expiresAt: isoDateTime.optional(),
});
export const createdApiKeySchema = z.object({
  apiKey: apiKeySchema,
  /** The whole key. Shown only here: store it now. */
  secret: z.string(),
});

export const revokeApiKeyInputSchema = z.strictObject({ id: apiKeyIdSchema });
export const listApiKeysInputSchema = pageInputSchema.extend({ includeRevoked: z.boolean().default(false) }).strict().prefault({});
export const apiKeyPageSchema = pageSchema(apiKeySchema);
