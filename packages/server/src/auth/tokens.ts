import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import { CrmError, roleSchema, type Role } from '@crmkit/core';
import { z } from 'zod';

/** A signing secret for user tokens, or one per tenant. At least 32 bytes. */
export type TokenSecret = string | Uint8Array | ((tenantId: string) => string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>);

export const TOKEN_ISSUER = 'crmkit';
export const TOKEN_AUDIENCE = 'crmkit';
/** User tokens are short-lived: at most a day. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;

function keyBytes(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.length < 32) throw new Error('crmkit token secrets must be at least 32 bytes');
  return bytes;
}

async function secretFor(secret: TokenSecret, tenantId: string): Promise<Uint8Array | undefined> {
  const value = typeof secret === 'function' ? await secret(tenantId) : secret;
  return value === undefined ? undefined : keyBytes(value);
}

export interface MintUserTokenOptions {
  secret: TokenSecret;
  tenantId: string;
  /** The host's id of the signed-in user. */
  userId: string;
  role: Role;
  /** Lifetime in seconds (default 900, at most a day). */
  ttl?: number;
  /** Issue time; defaults to the system clock (pass your injected clock's now in tests). */
  now?: Date;
  /**
   * The user's current `tokensRevokedBefore` (null: never revoked), embedded as the `rvb` claim:
   * the token then passes from the moment it is minted until the user's next revocation,
   * deactivation or reactivation, even within the same instant. `crm.mintUserToken` reads it for
   * you; elsewhere pass what `users.revokeTokens` answered. A stale value only makes the token refused.
   * Left out, the token passes only if its `iat` falls in a later whole second than the revocation.
   */
  revokedBefore?: Date | string | null;
}

/** The `rvb` claim of a revocation instant: ms since the epoch, 0 for none. */
function revocationMs(revokedBefore: Date | string | null): number {
  if (revokedBefore === null) return 0;
  const ms = (typeof revokedBefore === 'string' ? new Date(revokedBefore) : revokedBefore).getTime();
  if (Number.isNaN(ms)) throw new RangeError('revokedBefore must be an instant (a Date or an ISO string)');
  return ms;
}

/**
 * Mints a short-lived HS256 token for a browser to call crmkit as one of the host's users.
 * Call it in the host's backend, after the host has signed the user in.
 *
 * @example
 * const token = await mintUserToken({ secret: process.env.CRMKIT_TOKEN_SECRET!, tenantId, userId: user.id, role: 'rep', ttl: 600 });
 */
export async function mintUserToken(options: MintUserTokenOptions): Promise<string> {
  const { secret, tenantId, userId, role, ttl = 900, now = new Date(), revokedBefore } = options;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) throw new RangeError(`ttl must be 1..${MAX_TOKEN_TTL_SECONDS} seconds`);
  roleSchema.parse(role);
  const key = await secretFor(secret, tenantId);
  if (!key) throw new Error(`no token secret for tenant ${tenantId}`);
  const iat = Math.floor(now.getTime() / 1000);
  const claims = revokedBefore === undefined ? { tid: tenantId, role } : { tid: tenantId, role, rvb: revocationMs(revokedBefore) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(key);
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  tid: z.string().min(1).max(64),
  role: roleSchema,
  iat: z.number().int(),
  rvb: z.number().int().nonnegative().optional(),
});

export interface UserTokenClaims {
  tenantId: string;
  userId: string;
  role: Role;
  /** When the token was issued, in whole seconds since the epoch (its `iat`). */
  issuedAt: number;
  /** The user's `tokensRevokedBefore` when the token was minted, in ms since the epoch (0: none); null when the token does not say (its `rvb`). */
  revokedBefore: number | null;
}

/**
 * Whether a token issued at `issuedAt` (whole seconds) falls under a revocation at `revokedBefore`.
 * `iat` cannot tell a token minted just before the revocation from one minted just after it in the
 * same second, so both are refused: only a token issued in a later second is accepted.
 *
 * @example issuedBeforeRevocation(1_772_355_600, new Date('2026-03-01T09:00:00.500Z')) // true (same second)
 */
export function issuedBeforeRevocation(issuedAt: number, revokedBefore: Date): boolean {
  return issuedAt <= Math.floor(revokedBefore.getTime() / 1000);
}

/**
 * Whether the user's revocation instant `tokensRevokedBefore` (null: none) refuses a token. A token
 * carrying `rvb` passes only while it names that very instant: revocations move strictly forward, so
 * any later one refuses it, and one minted after the latest passes at once. A token without it is
 * judged by its `iat` ({@link issuedBeforeRevocation}).
 *
 * @example refusedByRevocation({ issuedAt: 1_772_355_600, revokedBefore: 1_772_355_600_000 }, new Date(1_772_355_600_000)) // false
 */
export function refusedByRevocation(claims: Pick<UserTokenClaims, 'issuedAt' | 'revokedBefore'>, tokensRevokedBefore: Date | null): boolean {
  if (claims.revokedBefore !== null) return claims.revokedBefore !== (tokensRevokedBefore?.getTime() ?? 0);
  return tokensRevokedBefore !== null && issuedBeforeRevocation(claims.issuedAt, tokensRevokedBefore);
}

const unauthorized = () => new CrmError('UNAUTHORIZED', 'missing or invalid credentials');

/** Verifies a user token's signature, issuer, audience, expiry and claims; any failure is UNAUTHORIZED with no detail. */
export async function verifyUserToken(token: string, secret: TokenSecret, now: Date): Promise<UserTokenClaims> {
  try {
    const unverified = claimsSchema.pick({ tid: true }).parse(decodeJwt(token));
    const key = await secretFor(secret, unverified.tid);
    if (!key) throw unauthorized();
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub'],
      maxTokenAge: MAX_TOKEN_TTL_SECONDS,
    });
    const claims = claimsSchema.parse(payload);
    return { tenantId: claims.tid, userId: claims.sub, role: claims.role, issuedAt: claims.iat, revokedBefore: claims.rvb ?? null };
  } catch {
    throw unauthorized();
  }
}
