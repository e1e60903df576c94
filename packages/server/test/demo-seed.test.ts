import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/index.js';
import { startHarness, tableCounts, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('demo seed', () => {
  it('seeds a team whose reps answer for their product lines, and seeding again changes nothing', async () => {
    const first = await seedDemo(h.crm);
    expect(first).toEqual({ tenantId: 'ten_demo', created: true });
    const counts = await tableCounts(h.crm);
    expect(await seedDemo(h.crm)).toEqual({ tenantId: 'ten_demo', created: false });
    expect(await tableCounts(h.crm)).toEqual(counts);

    const admin = h.crm.createCaller({ tenantId: 'ten_demo', type: 'system', id: 'test', role: 'admin', scopes: null });
    const [hq] = (await admin.accounts.list({ search: 'Hualian Supermarkets HQ' })).items;
    const lines = (await admin.productLines.list({})).items;
    const byCode = (code: string) => lines.find((l) => l.code === code)!.id;
    expect((await admin.ownership.resolve({ accountId: hq!.id, purpose: 'order', productLineId: byCode('appliances') })).userId).toBe('u-li');
    expect((await admin.ownership.resolve({ accountId: hq!.id, purpose: 'order', productLineId: byCode('power-tools') })).userId).toBe('u-zhao');
    expect((await admin.ownership.resolve({ accountId: hq!.id, purpose: 'order', productLineId: byCode('warranty') })).userId).toBe('u-mei');
    expect((await admin.pool.list({})).items.map((a) => a.name)).toContain('Hualian Hangzhou Store 12');
    const [east] = (await admin.accounts.list({ search: 'Hualian East China Region' })).items;
    const credit = await admin.credit.status({ accountId: east!.id });
    expect(credit.limits.map((l) => [l.accountId, l.scope, l.limitMinor, l.exposureMinor])).toEqual([
      [east!.id, 'own', 200_000_00, 120_000_00],
      [hq!.id, 'group', 500_000_00, 120_000_00],
    ]);
  });
});
