import { CrmError, permissionSchema, roleSchema, type Clock } from '@crmkit/core';
import { z } from 'zod';
import type { Actor } from '../context.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { API_KEY_PREFIX, hashSecret } from './secrets.js';
import { refusedByRevocation, verifyUserToken, type TokenSecret } from './tokens.js';

export interface AuthOptions {
  /** Secret (or per-tenant secrets) for user tokens minted by the host; omit to accept API keys only. */
  tokenSecret?: TokenSecret;
  /**
   * How long a verified API key, and a user's standing (active, tokens revoked before), is trusted
   * before it is read again (ms, default 10 s). Revocation and deactivation through this server
   * take effect here at once; on other instances within this bound.
   */
  apiKeyCacheMs?: number;
}

const scopesSchema = z.array(permissionSchema);
const LAST_USED_RESOLUTION_MS = 60_000;

interface CachedKey {
  actor: Actor | null;
  keyId: string | null;
  expiresAt: number | null;
  checkedAt: number;
  /** `performance.now()` when read: the bound also holds in real time when the clock is a test's fake one. */
  checkedMono: number;
}

/** What a user token's holder is judged by, read from the user row (`exists: false`: the host never upserted them). */
interface UserStanding {
  exists: boolean;
  active: boolean;
  tokensRevokedBefore: Date | null;
  checkedAt: number;
  /** `performance.now()` when read: the bound also holds in real time when the clock is a test's fake one. */
  checkedMono: number;
}

/**
 * Turns an Authorization header into an Actor. API keys (`crm_…`) are looked up by hash and
 * cached briefly; user tokens are verified by signature, their tenant must exist, and a user the
 * host has upserted must be active and the token not refused by their `tokensRevokedBefore` (its
 * `rvb` claim names that instant, or without one its `iat` falls in a later second; that standing is
 * cached as briefly as keys, and read again for a token naming a later instant than the cached one).
 * Every failure is the same UNAUTHORIZED, so callers learn nothing about why.
 */
export function createAuthenticator(db: Db, clock: Clock, logger: Logger, options: AuthOptions = {}) {
  const keyCache = new Map<string, CachedKey>();
  const knownTenants = new Set<string>();
  const lastUsedWritten = new Map<string, number>();
  const userCache = new Map<string, UserStanding>();
  // Bumped by every forget: a read that was under way meanwhile answers its request but is not cached.
  let userEpoch = 0;
  const cacheMs = options.apiKeyCacheMs ?? 10_000;
  /** Whether a cached entry is still within the bound, by the injected clock and by real time alike (the stricter wins). */
  const fresh = (entry: { checkedAt: number; checkedMono: number }, nowMs: number) => nowMs - entry.checkedAt <= cacheMs && performance.now() - entry.checkedMono <= cacheMs;
  const userKey = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;
  const unauthorized = () => new CrmError('UNAUTHORIZED', 'missing or invalid credentials');

  async function tenantExists(tenantId: string): Promise<boolean> {
    if (knownTenants.has(tenantId)) return true;
    const found = await db.tenant.findUnique({ where: { id: tenantId }, select: { id: true } });
    if (found) knownTenants.add(tenantId);
    return found !== null;
  }

  async function fromApiKey(secret: string): Promise<Actor> {
    const hash = hashSecret(secret);
    const nowMs = clock.now().getTime();
    let cached = keyCache.get(hash);
    if (!cached || !fresh(cached, nowMs)) {
      const row = await db.apiKey.findUnique({ where: { secretHash: hash } });
      const role = roleSchema.safeParse(row?.role);
      const scopes = scopesSchema.safeParse(row ? JSON.parse(row.scopes) : null);
      cached = {
        actor: row && !row.revokedAt && role.success && scopes.success ? { tenantId: row.tenantId, type: 'apiKey', id: row.id, role: role.data, scopes: scopes.data.length ? scopes.data : null } : null,
        keyId: row?.id ?? null,
        expiresAt: row?.expiresAt?.getTime() ?? null,
        checkedAt: nowMs,
        checkedMono: performance.now(),
      };
      if (keyCache.size > 10_000) keyCache.clear();
      keyCache.set(hash, cached);
    }
    if (!cached.actor || (cached.expiresAt !== null && cached.expiresAt <= nowMs)) throw unauthorized();
    return cached.actor;
  }

  async function standingOf(tenantId: string, userId: string, nowMs: number, reread = false): Promise<UserStanding> {
    const key = userKey(tenantId, userId);
    const cached = userCache.get(key);
    if (!reread && cached && fresh(cached, nowMs)) return cached;
    const epoch = userEpoch;
    const row = await db.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { active: true, tokensRevokedBefore: true } });
    const standing: UserStanding = { exists: row !== null, active: row?.active ?? true, tokensRevokedBefore: row?.tokensRevokedBefore ?? null, checkedAt: nowMs, checkedMono: performance.now() };
    if (epoch === userEpoch) {
      if (userCache.size > 10_000) userCache.clear();
      userCache.set(key, standing);
    }
    return standing;
  }

  /**
   * Records a key's last use at minute resolution, off the request's path. Called for calls that
   * succeeded, so a refused or invalid call writes nothing at all.
   */
  function recordUse(keyId: string) {
    const nowMs = clock.now().getTime();
    const last = lastUsedWritten.get(keyId) ?? 0;
    if (nowMs - last < LAST_USED_RESOLUTION_MS) return;
    lastUsedWritten.set(keyId, nowMs);
    db.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(nowMs) } }).catch((error: unknown) => logger.warn({ err: error, keyId }, 'could not record API key use'));
  }

  return {
    async authenticate(authorization: string | null | undefined): Promise<Actor> {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      const credential = match?.[1];
      if (!credential) throw unauthorized();
      if (credential.startsWith(API_KEY_PREFIX)) return fromApiKey(credential);
      if (!options.tokenSecret) throw unauthorized();
      const claims = await verifyUserToken(credential, options.tokenSecret, clock.now());
      if (!(await tenantExists(claims.tenantId))) throw unauthorized();
      // A user the host never upserted is taken on the token's word: crmkit cannot know more.
      const nowMs = clock.now().getTime();
      let standing = await standingOf(claims.tenantId, claims.userId, nowMs);
      // A token minted after a revocation this instance has not read yet names a later instant than the cached one: read again.
      if (claims.revokedBefore !== null && claims.revokedBefore > (standing.tokensRevokedBefore?.getTime() ?? 0)) {
        standing = await standingOf(claims.tenantId, claims.userId, nowMs, true);
      }
      if (standing.exists && !standing.active) throw unauthorized();
      if (refusedByRevocation(claims, standing.tokensRevokedBefore)) throw unauthorized();
      return { tenantId: claims.tenantId, type: 'user', id: claims.userId, role: claims.role, scopes: null };
    },
    recordUse,
    /** Forgets a key at once (called on revoke). */
    forgetApiKey(keyId: string) {
      for (const [hash, entry] of keyCache) if (entry.keyId === keyId) keyCache.delete(hash);
    },
    /** Forgets a user's standing at once (called after deactivation, reactivation or token revocation). */
    forgetUser(tenantId: string, userId: string) {
      userEpoch += 1;
      userCache.delete(userKey(tenantId, userId));
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
