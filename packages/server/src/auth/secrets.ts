import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'crm_';

/** A new API key secret: `crm_` and 43 base64url characters (256 random bits). */
export function newApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored for a secret. A fast hash suffices: the secret itself has 256 bits of entropy. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The part of a key shown in lists and logs. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_PREFIX.length + 8);
}
