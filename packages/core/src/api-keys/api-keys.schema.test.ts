import { describe, expect, it } from 'vitest';
import { permissionSchema } from '../roles.js';
import { createApiKeyInputSchema, listApiKeysInputSchema } from './api-keys.schema.js';

describe('API key schemas', () => {
  it('accepts a key for the service, integration or admin role', () => {
    for (const role of ['service', 'integration', 'admin']) expect(createApiKeyInputSchema.safeParse({ name: 'ERP sync', role }).success).toBe(true);
  });

  it('refuses a key for a rep or manager', () => {
    for (const role of ['rep', 'manager']) expect(createApiKeyInputSchema.safeParse({ name: 'mine', role }).success).toBe(false);
  });

  it('accepts known permissions as scopes and refuses unknown ones', () => {
    expect(createApiKeyInputSchema.parse({ name: 'k', role: 'integration', scopes: ['accounts:read'] }).scopes).toEqual(['accounts:read']);
    expect(createApiKeyInputSchema.safeParse({ name: 'k', role: 'integration', scopes: ['accounts:delete'] }).success).toBe(false);
  });

  it('refuses more than 32 scopes', () => {
    const scopes = Array.from({ length: 33 }, (_, i) => permissionSchema.options[i % permissionSchema.options.length]);
    expect(createApiKeyInputSchema.safeParse({ name: 'k', role: 'admin', scopes }).success).toBe(false);
    expect(createApiKeyInputSchema.safeParse({ name: 'k', role: 'admin', scopes: scopes.slice(0, 32) }).success).toBe(true);
  });

  it('refuses an expiry time with an offset and accepts one in UTC', () => {
    expect(createApiKeyInputSchema.safeParse({ name: 'k', role: 'service', expiresAt: '2027-01-01T00:00:00Z' }).success).toBe(true);
    expect(createApiKeyInputSchema.safeParse({ name: 'k', role: 'service', expiresAt: '2027-01-01T08:00:00+08:00' }).success).toBe(false);
  });

  it('lists keys without revoked ones by default', () => {
    expect(listApiKeysInputSchema.parse({})).toEqual({ limit: 50, includeRevoked: false });
  });
});
