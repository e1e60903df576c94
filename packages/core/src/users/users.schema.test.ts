import { describe, expect, it } from 'vitest';
import { hostUserIdSchema, listUsersInputSchema, upsertUserInputSchema } from './users.schema.js';

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
});
