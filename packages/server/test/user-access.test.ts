import { createTRPCClient, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmServer, mintUserToken, type AppRouter, type CrmServer } from '../src/index.js';
import { crmCodeOf, errorOf, freshUsers, startHarness, TOKEN_SECRET, type Client, type Harness } from './helpers/harness.js';

let h: Harness;
/** A second instance on the same database, trusting what it read for at most CACHE_MS. */
let other: CrmServer;
let otherUrl: string;
const CACHE_MS = 5_000;

beforeAll(async () => {
  h = await startHarness();
  other = await createCrmServer({ databaseUrl: h.databaseUrl, migrate: false, clock: h.clock, auth: { tokenSecret: TOKEN_SECRET, apiKeyCacheMs: CACHE_MS } });
  otherUrl = (await other.listen(0)).url;
});
afterAll(async () => {
  await other.close();
  await h.close();
});

const token = (userId: string, role: 'admin' | 'manager' | 'rep' = 'rep') => h.crm.mintUserToken({ tenantId: h.tenantA, userId, role, ttl: 600 });
/** A rep's token minted by a host with the standalone function at the clock's now: with an rvb claim only when `revokedBefore` is given. */
const hostToken = (userId: string, revokedBefore?: Date | string | null) => {
  const claim = revokedBefore === undefined ? {} : { revokedBefore };
  return mintUserToken({ secret: TOKEN_SECRET, tenantId: h.tenantA, userId, role: 'rep', ttl: 600, now: h.clock.now(), ...claim });
};
const onOther = (credential: string): Client => createTRPCClient<AppRouter>({ links: [httpLink({ url: otherUrl, headers: { authorization: `Bearer ${credential}` } })] });

async function unauthorized(promise: Promise<unknown>) {
  const e = await errorOf(promise);
  expect(e).toMatchObject({ crmCode: 'UNAUTHORIZED', httpStatus: 401, message: 'missing or invalid credentials', details: null });
}

describe('a deactivated user', () => {
  it('is refused at once on this instance with a token issued before, for reads and for writes', async () => {
    const [leaver, heir] = await freshUsers(h.adminA, 'leaver', 'heir');
    const rep = h.clientWith(await token(leaver!));
    const own = await rep.accounts.create.mutate({ name: `Before leaving ${leaver}` });
    expect((await rep.accounts.get.query({ id: own.id })).id).toBe(own.id);

    await h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left the company' });
    await unauthorized(rep.accounts.get.query({ id: own.id }));
    await unauthorized(rep.accounts.list.query({}));
    await unauthorized(rep.accounts.create.mutate({ name: `After leaving ${leaver}` }));
    await unauthorized(rep.accounts.update.mutate({ id: own.id, name: 'renamed by a leaver' }));
    expect((await h.adminA.accounts.list.query({ search: `After leaving ${leaver}` })).items).toEqual([]);
    expect((await h.adminA.accounts.get.query({ id: own.id })).name).toBe(`Before leaving ${leaver}`);
  });

  it('is refused with a token minted after the deactivation', async () => {
    const [leaver, heir] = await freshUsers(h.adminA, 'leaver', 'heir');
    await h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left the company' });
    h.clock.advance(5_000);
    const rep = h.clientWith(await token(leaver!));
    await unauthorized(rep.accounts.list.query({}));
    await unauthorized(rep.accounts.create.mutate({ name: `Minted after leaving ${leaver}` }));
  });

  it('is refused when deactivated by users.upsert with active: false, with old and new tokens', async () => {
    const [quitter] = await freshUsers(h.adminA, 'quitter');
    const before = h.clientWith(await token(quitter!));
    await before.accounts.list.query({});
    await h.adminA.users.upsert.mutate({ id: quitter!, displayName: quitter!, role: 'rep', active: false });
    await unauthorized(before.accounts.list.query({}));
    h.clock.advance(5_000);
    await unauthorized(h.clientWith(await token(quitter!)).accounts.list.query({}));
  });

  it('is refused on another instance once apiKeyCacheMs has passed (and only within that bound still accepted)', async () => {
    const [leaver, heir] = await freshUsers(h.adminA, 'leaver', 'heir');
    const rep = onOther(await token(leaver!));
    await rep.accounts.list.query({}); // the other instance now trusts this user for CACHE_MS
    await h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left the company' });
    await unauthorized(h.clientWith(await token(leaver!)).accounts.list.query({}));
    await expect(rep.accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
    h.clock.advance(CACHE_MS + 1);
    await unauthorized(rep.accounts.list.query({}));
    await unauthorized(rep.accounts.create.mutate({ name: `Other instance ${leaver}` }));
  });

  it('is refused on another instance once apiKeyCacheMs has passed in real time, even while a test clock stands still', async () => {
    const quick = await createCrmServer({ databaseUrl: h.databaseUrl, migrate: false, clock: h.clock, auth: { tokenSecret: TOKEN_SECRET, apiKeyCacheMs: 150 } });
    try {
      const quickUrl = (await quick.listen(0)).url;
      const [leaver, heir] = await freshUsers(h.adminA, 'leaver', 'heir');
      const rep = createTRPCClient<AppRouter>({ links: [httpLink({ url: quickUrl, headers: { authorization: `Bearer ${await token(leaver!)}` } })] });
      await rep.accounts.list.query({});
      await h.adminA.users.deactivate.mutate({ userId: leaver!, reassignTo: heir!, reason: 'left the company' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await unauthorized(rep.accounts.list.query({}));
    } finally {
      await quick.close();
    }
  });

  it('once reactivated, is accepted with tokens minted since, never with tokens issued before the deactivation', async () => {
    const [returner, heir] = await freshUsers(h.adminA, 'returner', 'heir');
    const old = h.clientWith(await token(returner!));
    await old.accounts.list.query({});
    await h.adminA.users.deactivate.mutate({ userId: returner!, reassignTo: heir!, reason: 'sabbatical' });
    h.clock.advance(60_000);
    await h.adminA.users.upsert.mutate({ id: returner!, displayName: returner!, role: 'rep', active: true });
    await unauthorized(old.accounts.list.query({}));
    const fresh = h.clientWith(await token(returner!));
    expect((await fresh.accounts.create.mutate({ name: `Back ${returner}` })).name).toBe(`Back ${returner}`);
  });

  it('once reactivated, refuses a token minted while they were inactive, even within the same instant', async () => {
    const [sleeper, heir] = await freshUsers(h.adminA, 'sleeper', 'heir');
    await h.adminA.users.deactivate.mutate({ userId: sleeper!, reassignTo: heir!, reason: 'sabbatical' });
    const whileAway = h.clientWith(await token(sleeper!));
    await unauthorized(whileAway.accounts.list.query({}));
    await h.adminA.users.upsert.mutate({ id: sleeper!, displayName: sleeper!, role: 'rep', active: true });
    await unauthorized(whileAway.accounts.list.query({}));
    await expect(h.clientWith(await token(sleeper!)).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
  });
});

describe('users the host never upserted', () => {
  it('are taken on their token\'s word, as before: crmkit knows nothing to refuse them by', async () => {
    const stranger = h.clientWith(await token('never-upserted'));
    expect((await stranger.accounts.create.mutate({ name: 'By a stranger' })).name).toBe('By a stranger');
  });
});

describe('users.revokeTokens', () => {
  it('judges a token without the rvb claim by its iat: refused up to the revocation\'s whole second, accepted from the next', async () => {
    const [signedOut] = await freshUsers(h.adminA, 'signed-out');
    const old = h.clientWith(await hostToken(signedOut!));
    await old.accounts.list.query({});
    h.clock.advance(400);
    const at = h.clock.now().toISOString();
    expect(await h.adminA.users.revokeTokens.mutate({ userId: signedOut! })).toEqual({ userId: signedOut, tokensRevokedBefore: at });
    await unauthorized(old.accounts.list.query({}));
    await unauthorized(old.accounts.create.mutate({ name: 'with a revoked token' }));
    // iat is in whole seconds: a token minted in the revocation's second may predate it, so it is refused too.
    await unauthorized(h.clientWith(await hostToken(signedOut!)).accounts.list.query({}));
    h.clock.advance(1_000);
    const fresh = h.clientWith(await hostToken(signedOut!));
    expect((await fresh.accounts.list.query({})).items).toBeInstanceOf(Array);
    // Revoking signs the user out; it does not deactivate them.
    expect((await h.adminA.users.list.query({ active: true })).items.map((u) => u.id)).toContain(signedOut);
  });

  it('at one frozen instant: a token minted before the revocation is refused, one minted by the server after it is accepted', async () => {
    const [frozen] = await freshUsers(h.adminA, 'frozen');
    const before = h.clientWith(await token(frozen!));
    await before.accounts.list.query({});
    await h.adminA.users.revokeTokens.mutate({ userId: frozen! });
    await unauthorized(before.accounts.list.query({}));
    const after = h.clientWith(await token(frozen!));
    expect((await after.accounts.create.mutate({ name: `Signed in again ${frozen}` })).name).toBe(`Signed in again ${frozen}`);
    await unauthorized(before.accounts.list.query({}));
  });

  it('moves the revocation instant strictly forward, so a second revocation in the same instant refuses a token minted between the two', async () => {
    const [twice] = await freshUsers(h.adminA, 'twice');
    const first = await h.adminA.users.revokeTokens.mutate({ userId: twice! });
    const between = h.clientWith(await token(twice!));
    await between.accounts.list.query({});
    const second = await h.adminA.users.revokeTokens.mutate({ userId: twice! });
    expect(Date.parse(second.tokensRevokedBefore)).toBe(Date.parse(first.tokensRevokedBefore) + 1);
    await unauthorized(between.accounts.list.query({}));
    await expect(h.clientWith(await token(twice!)).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('accepts a token minted right after a revocation at once on another instance that still caches the older standing', async () => {
    const [hopper] = await freshUsers(h.adminA, 'hopper');
    const old = onOther(await token(hopper!));
    await old.accounts.list.query({}); // the other instance now trusts what it read for CACHE_MS
    await h.adminA.users.revokeTokens.mutate({ userId: hopper! });
    await expect(onOther(await token(hopper!)).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
    // Reading the newer standing for it refuses the old token there too, before the cache bound.
    await unauthorized(old.accounts.list.query({}));
  });

  it('accepts a standalone-minted token naming the instant users.revokeTokens answered, and refuses a stale one', async () => {
    const [host] = await freshUsers(h.adminA, 'host-minted');
    const first = await h.adminA.users.revokeTokens.mutate({ userId: host! });
    const withFirst = await hostToken(host!, new Date(first.tokensRevokedBefore));
    await expect(h.clientWith(withFirst).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
    await unauthorized(h.clientWith(await hostToken(host!, null)).accounts.list.query({}));
    const second = await h.adminA.users.revokeTokens.mutate({ userId: host! });
    await unauthorized(h.clientWith(withFirst).accounts.list.query({}));
    const withSecond = await hostToken(host!, new Date(second.tokensRevokedBefore));
    await expect(h.clientWith(withSecond).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
    // The answer as it came over the wire (an ISO string) will do as well.
    const withAnswer = await hostToken(host!, second.tokensRevokedBefore);
    await expect(h.clientWith(withAnswer).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(hostToken(host!, 'not an instant')).rejects.toThrow(RangeError);
  });

  it('is audited, with an outbox event', async () => {
    const [audited] = await freshUsers(h.adminA, 'audited');
    const first = await h.adminA.users.revokeTokens.mutate({ userId: audited! });
    h.clock.advance(2_000);
    const second = await h.adminA.users.revokeTokens.mutate({ userId: audited! });
    const trail = await h.adminA.audit.list.query({ entityType: 'user', entityId: audited!, limit: 2 });
    expect(trail.items.map((e) => [e.action, e.before, e.after])).toEqual([
      ['user.tokens_revoked', { tokensRevokedBefore: first.tokensRevokedBefore }, { tokensRevokedBefore: second.tokensRevokedBefore }],
      ['user.tokens_revoked', { tokensRevokedBefore: null }, { tokensRevokedBefore: first.tokensRevokedBefore }],
    ]);
    const events = await h.crm.db.outboxEvent.findMany({ where: { entityType: 'user', entityId: audited!, type: 'user.tokens_revoked' } });
    expect(events).toHaveLength(2);
  });

  it('signs a user out on another instance within apiKeyCacheMs', async () => {
    const [roaming] = await freshUsers(h.adminA, 'roaming');
    const there = onOther(await token(roaming!));
    await there.accounts.list.query({});
    await h.adminA.users.revokeTokens.mutate({ userId: roaming! });
    h.clock.advance(CACHE_MS + 1);
    await unauthorized(there.accounts.list.query({}));
    await expect(onOther(await token(roaming!)).accounts.list.query({})).resolves.toMatchObject({ items: expect.any(Array) });
  });

  it('is allowed to an admin and refused to a manager and a rep (FORBIDDEN); an unknown or other tenant\'s user is NOT_FOUND', async () => {
    const [target, admin, manager, rep] = await freshUsers(h.adminA, 'target', 'admin', 'manager', 'rep');
    const asAdmin = h.clientWith(await token(admin!, 'admin'));
    expect((await asAdmin.users.revokeTokens.mutate({ userId: target! })).userId).toBe(target);
    for (const [id, role] of [[manager!, 'manager'], [rep!, 'rep']] as const) {
      expect(await crmCodeOf(h.clientWith(await token(id, role)).users.revokeTokens.mutate({ userId: target! })), role).toBe('FORBIDDEN');
    }
    // A rep may not sign themselves out through crmkit either: that is the host's call.
    expect(await crmCodeOf(h.clientWith(await token(rep!)).users.revokeTokens.mutate({ userId: rep! }))).toBe('FORBIDDEN');
    expect(await crmCodeOf(h.adminA.users.revokeTokens.mutate({ userId: 'nobody-here' }))).toBe('NOT_FOUND');
    expect(await crmCodeOf(h.adminB.users.revokeTokens.mutate({ userId: target! }))).toBe('NOT_FOUND');
  });

  it('takes the token\'s issue time from its iat, so a token minted by the host with an earlier now is refused', async () => {
    const [late] = await freshUsers(h.adminA, 'late');
    await h.adminA.users.revokeTokens.mutate({ userId: late! });
    h.clock.advance(10_000);
    const backdated = await mintUserToken({ secret: TOKEN_SECRET, tenantId: h.tenantA, userId: late!, role: 'rep', ttl: 600, now: new Date(h.clock.now().getTime() - 20_000) });
    await unauthorized(h.clientWith(backdated).accounts.list.query({}));
  });
});
