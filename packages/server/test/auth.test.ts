import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintUserToken } from '../src/index.js';
import { createCrmServer } from '../src/index.js';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../src/index.js';
import { crmCodeOf, errorOf, startHarness, TOKEN_SECRET, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const genericMessage = 'missing or invalid credentials';

async function unauthorized(promise: Promise<unknown>) {
  const e = await errorOf(promise);
  expect(e.crmCode).toBe('UNAUTHORIZED');
  expect(e.httpStatus).toBe(401);
  expect(e.message).toBe(genericMessage);
  expect(e.details).toBeNull();
}

describe('API keys', () => {
  it('refuses missing, malformed and unknown credentials alike, with no detail', async () => {
    await unauthorized(h.clientWith(null).accounts.list.query({}));
    await unauthorized(h.clientWith('crm_not-a-real-key').accounts.list.query({}));
    await unauthorized(h.clientWith('garbage').accounts.list.query({}));
    await unauthorized(h.clientWith('a.b.c').accounts.list.query({}));
  });

  it('shows the secret once, lists keys without it, and records last use', async () => {
    const created = await h.adminA.apiKeys.create.mutate({ name: 'ERP sync', role: 'integration' });
    expect(created.secret).toMatch(/^crm_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey.prefix).toBe(created.secret.slice(0, 12));
    const listed = (await h.adminA.apiKeys.list.query({})).items.find((k) => k.id === created.apiKey.id)!;
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed.lastUsedAt).toBeNull();
    const stored = await h.crm.db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } });
    expect(stored.secretHash).not.toContain(created.secret);

    // A refused call (invalid input, then a permission it lacks) writes nothing, not even its key's last use.
    const client = h.clientWith(created.secret);
    expect(await crmCodeOf(client.accounts.get.query({ id: 'not-an-id' }))).toBe('VALIDATION');
    expect(await crmCodeOf(client.apiKeys.list.query({}))).toBe('FORBIDDEN');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await h.crm.db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } })).lastUsedAt).toBeNull();

    await client.accounts.list.query({});
    await expect.poll(async () => (await h.crm.db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } })).lastUsedAt?.toISOString()).toBe(h.clock.now().toISOString());
  });

  it('stops accepting a key as soon as it is revoked, and keeps it listed as revoked', async () => {
    const { apiKey, secret } = await h.adminA.apiKeys.create.mutate({ name: 'short-lived', role: 'service' });
    const service = h.clientWith(secret);
    expect((await service.accounts.list.query({})).items).toBeInstanceOf(Array);
    const revoked = await h.adminA.apiKeys.revoke.mutate({ id: apiKey.id });
    expect(revoked.revokedAt).toBe(h.clock.now().toISOString());
    await unauthorized(service.accounts.list.query({}));
    expect((await h.adminA.apiKeys.list.query({})).items.map((k) => k.id)).not.toContain(apiKey.id);
    expect((await h.adminA.apiKeys.list.query({ includeRevoked: true })).items.map((k) => k.id)).toContain(apiKey.id);
  });

  it('stops accepting a key after its expiry time', async () => {
    const expiresAt = new Date(h.clock.now().getTime() + 60_000).toISOString();
    const { secret } = await h.adminA.apiKeys.create.mutate({ name: 'expiring', role: 'service', expiresAt });
    await h.clientWith(secret).accounts.list.query({});
    h.clock.advance(60_001);
    await unauthorized(h.clientWith(secret).accounts.list.query({}));
  });

  it('narrows a key to its scopes', async () => {
    const { secret } = await h.adminA.apiKeys.create.mutate({ name: 'read-only', role: 'integration', scopes: ['accounts:read'] });
    const readOnly = h.clientWith(secret);
    await readOnly.accounts.list.query({});
    expect(await crmCodeOf(readOnly.accounts.create.mutate({ name: 'nope' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(readOnly.contacts.list.query({}))).toBe('FORBIDDEN');
  });
});

describe('roles', () => {
  it('refuses API key management to a rep, a manager and a service key, and allows an admin user', async () => {
    for (const role of ['rep', 'manager', 'service'] as const) {
      const client = await h.asUser(h.tenantA, `u-${role}`, role);
      expect(await crmCodeOf(client.apiKeys.create.mutate({ name: 'x', role: 'service' })), role).toBe('FORBIDDEN');
      expect(await crmCodeOf(client.apiKeys.list.query({})), role).toBe('FORBIDDEN');
    }
    const admin = await h.asUser(h.tenantA, 'u-admin', 'admin');
    expect((await admin.apiKeys.create.mutate({ name: 'by admin user', role: 'service' })).apiKey.createdBy).toBe('user:u-admin');
  });

  it('lets a rep read and write accounts but not read the audit log, and a service user only read', async () => {
    const rep = await h.asUser(h.tenantA, 'u-rep', 'rep');
    const acc = await rep.accounts.create.mutate({ name: 'Rep-made' });
    expect(await crmCodeOf(rep.audit.list.query({ entityType: 'account', entityId: acc.id }))).toBe('FORBIDDEN');
    const service = await h.asUser(h.tenantA, 'u-svc', 'service');
    expect((await service.accounts.get.query({ id: acc.id })).name).toBe('Rep-made');
    expect(await crmCodeOf(service.accounts.update.mutate({ id: acc.id, name: 'x' }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(rep.users.upsert.mutate({ id: 'u-x', displayName: 'x', role: 'admin' }))).toBe('FORBIDDEN');
  });
});

describe('user tokens', () => {
  it('accepts a fresh token and refuses it once expired', async () => {
    const token = await mintUserToken({ secret: TOKEN_SECRET, tenantId: h.tenantA, userId: 'u-1', role: 'rep', ttl: 60, now: h.clock.now() });
    await h.clientWith(token).accounts.list.query({});
    h.clock.advance(61_000);
    await unauthorized(h.clientWith(token).accounts.list.query({}));
  });

  it('refuses a tampered token (role raised, signature kept) and one signed with another secret', async () => {
    const token = await h.crm.mintUserToken({ tenantId: h.tenantA, userId: 'u-1', role: 'rep', ttl: 600 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const raised = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await unauthorized(h.clientWith(`${header}.${raised}.${signature}`).apiKeys.list.query({}));
    const forged = await mintUserToken({ secret: 'another-secret-another-secret-another!!', tenantId: h.tenantA, userId: 'u-1', role: 'admin', ttl: 600, now: h.clock.now() });
    await unauthorized(h.clientWith(forged).accounts.list.query({}));
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    await unauthorized(h.clientWith(unsigned).accounts.list.query({}));
  });

  it('refuses a token for a tenant this server does not have', async () => {
    const token = await h.crm.mintUserToken({ tenantId: 'ten_nowhere', userId: 'u-1', role: 'admin', ttl: 600 });
    await unauthorized(h.clientWith(token).accounts.list.query({}));
  });

  it('with per-tenant secrets, refuses a token claiming tenant B but signed with tenant A’s secret', async () => {
    const secrets: Record<string, string> = { [h.tenantA]: 'tenant-a-secret-tenant-a-secret-000000', [h.tenantB]: 'tenant-b-secret-tenant-b-secret-000000' };
    const crm2 = await createCrmServer({ databaseUrl: h.databaseUrl, migrate: false, clock: h.clock, auth: { tokenSecret: (tenantId) => secrets[tenantId] } });
    try {
      const { url } = await crm2.listen(0);
      const call = (token: string) => createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: { authorization: `Bearer ${token}` } })] }).accounts.list.query({});
      const good = await mintUserToken({ secret: secrets[h.tenantB]!, tenantId: h.tenantB, userId: 'u-b', role: 'rep', now: h.clock.now() });
      await expect(call(good)).resolves.toMatchObject({ items: expect.any(Array) });
      const wrongTenant = await mintUserToken({ secret: secrets[h.tenantA]!, tenantId: h.tenantB, userId: 'u-b', role: 'rep', now: h.clock.now() });
      await unauthorized(call(wrongTenant));
    } finally {
      await crm2.close();
    }
  });

  it('refuses to mint tokens that are not short-lived', async () => {
    await expect(mintUserToken({ secret: TOKEN_SECRET, tenantId: h.tenantA, userId: 'u', role: 'rep', ttl: 2 * 24 * 3600 })).rejects.toThrow(RangeError);
  });
});
