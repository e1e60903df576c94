import { describe, expect, it } from 'vitest';
import { hostUserIdSchema, listUsersInputSchema, revokedUserTokensSchema, revokeUserTokensInputSchema, upsertUserInputSchema } from './users.schema.js';

describe('user schemas', () => {
  it('accepts host user ids of letters, digits and _ . : @ | - up to 128 characters', () => {
    for (const id of ['u1', 'auth0|5f7c', 'user@example.com', 'tenant:42.user_7-x']) expect(hostUserIdSchema.parse(id)).toBe(id);
    expect(hostUserIdSchema.safeParse('x'.repeat(128)).success).toBe(true);
  });

  it('refuses empty, too long, or host user ids with spaces or slashes', () => {
    for (const id of ['', 'x'.repeat(129), 'a b', 'a/b', '用户']) expect(hostUserIdSchema.safeParse(id).success).toBe(false);
  });

  it('requires a role from the role list when upserting a user', () => {
    expect(upsertUserInputSchema.parse({ id: 'u1', displayName: 'Wang', role: 'rep' })).toEqual({ id: 'u1', displayName: 'Wang', role: 'rep' });
    expect(upsertUserInputSchema.safeParse({ id: 'u1', displayName: 'Wang' }).success).toBe(false);
    expect(upsertUserInputSchema.safeParse({ id: 'u1', displayName: 'Wang', role: 'owner' }).success).toBe(false);
  });

  it('refuses unknown keys when listing users and defaults the limit to 50', () => {
    expect(listUsersInputSchema.parse({})).toEqual({ limit: 50 });
    expect(listUsersInputSchema.safeParse({ team: 'east' }).success).toBe(false);
  });

  it('takes only a host user id when revoking a user\'s tokens, and answers the revocation instant in UTC', () => {
    expect(revokeUserTokensInputSchema.parse({ userId: 'auth0|5f7c' })).toEqual({ userId: 'auth0|5f7c' });
    for (const input of [{}, { userId: '' }, { userId: 'a b' }, { userId: 'u1', before: '2026-03-01T09:00:00.000Z' }]) expect(revokeUserTokensInputSchema.safeParse(input).success).toBe(false);
    expect(revokedUserTokensSchema.parse({ userId: 'u1', tokensRevokedBefore: '2026-03-01T09:00:00.000Z' })).toEqual({ userId: 'u1', tokensRevokedBefore: '2026-03-01T09:00:00.000Z' });
    expect(revokedUserTokensSchema.safeParse({ userId: 'u1', tokensRevokedBefore: '2026-03-01T09:00:00+08:00' }).success).toBe(false);
  });
});
