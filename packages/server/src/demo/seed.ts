import type { Actor } from '../context.js';
import type { CrmServer } from '../server.js';
import { createAccount } from '../services/accounts/create.js';
import { createContact } from '../services/contacts/contacts.js';
import { assignOwnership } from '../services/ownership/assign.js';
import { setPoolPolicy } from '../services/pool/policy.js';
import { assignProductLine } from '../services/product-lines/assign.js';
import { createProductLine } from '../services/product-lines/product-lines.js';
import { createTeam } from '../services/teams/create.js';
import { setExchangeRate } from '../services/credit/fx.js';
import { setCreditLimit } from '../services/credit/limits.js';
import { createOrder } from '../services/orders/create.js';
import { confirmOrder } from '../services/orders/lifecycle.js';
import { updateTenantSettings } from '../services/tenants/settings.js';
import { upsertUser } from '../services/users/users.js';

export const DEMO_TENANT_ID = 'ten_demo';

export interface DemoSeed {
  tenantId: string;
  /** False when the demo tenant already had its data (seeding is idempotent). */
  created: boolean;
}

/**
 * Seeds a small demo tenant: users of every role, a sales team whose reps answer for product
 * lines, a supermarket chain (owned by the team) whose headquarters has a self-settling regional
 * branch with stores, a cleaning company owned by a primary and a secondary rep, contacts, and
 * a pool policy. The stores are unowned: they sit in the customer pool. The chain has credit
 * limits (a group limit on headquarters, an own limit on the region), a USD→CNY rate and a
 * confirmed order of the region counting toward both.
 */
export async function seedDemo(crm: CrmServer): Promise<DemoSeed> {
  await crm.bootstrap.createTenant({ id: DEMO_TENANT_ID, name: 'Demo Manufacturing Co.' });
  const existing = await crm.db.account.count({ where: { tenantId: DEMO_TENANT_ID } });
  if (existing > 0) return { tenantId: DEMO_TENANT_ID, created: false };
  const system: Actor = { tenantId: DEMO_TENANT_ID, type: 'system', id: 'demo-seed', role: 'admin', scopes: null };
  const ctx = crm.serviceContext(system);
  for (const user of [
    { id: 'u-alice', displayName: 'Alice Admin', role: 'admin' as const },
    { id: 'u-mei', displayName: '王美 (Sales manager)', role: 'manager' as const },
    { id: 'u-li', displayName: '李强 (Appliances rep)', role: 'rep' as const },
    { id: 'u-zhao', displayName: '赵磊 (Power tools rep)', role: 'rep' as const },
    { id: 'u-service', displayName: 'Service desk', role: 'service' as const },
  ]) {
    await upsertUser(ctx, { ...user, email: `${user.id.slice(2)}@demo.example` });
  }
  const hq = await createAccount(ctx, { name: '华联超市股份有限公司 (Hualian Supermarkets HQ)', grade: 'A', region: 'Shanghai', currency: 'CNY', taxId: '91310000132212345X' });
  const east = await createAccount(ctx, { name: 'Hualian East China Region', parentId: hq.id, settlesOwnInvoices: true, region: 'East China', currency: 'CNY' });
  await createAccount(ctx, { name: 'Hualian Hangzhou Store 12', parentId: east.id, region: 'Hangzhou' });
  await createAccount(ctx, { name: 'Hualian Suzhou Store 3', parentId: east.id, region: 'Suzhou' });
  await createAccount(ctx, { name: 'Hualian Beijing Store 7', parentId: hq.id, region: 'Beijing' });
  const clean = await createAccount(ctx, { name: 'Brightway Cleaning Services Co., Ltd.', grade: 'B', region: 'Shenzhen', currency: 'CNY' });
  await createContact(ctx, { accountId: clean.id, name: '陈静', title: 'Purchasing', email: 'chen.jing@brightway.example', isPrimary: true });
  await createContact(ctx, { accountId: hq.id, name: 'Zhou Wei', title: 'Category manager, small appliances', phone: '+86 21 5555 0101' });

  // Seed 000's story: one team owns the chain; each rep answers for a product line.
  const eastTeam = await createTeam(ctx, { name: 'East China key accounts', leaderId: 'u-mei', memberIds: ['u-li', 'u-zhao'], reason: 'demo' });
  const appliances = await createProductLine(ctx, { code: 'appliances', name: 'Small appliances' });
  const tools = await createProductLine(ctx, { code: 'power-tools', name: 'Power tools' });
  await createProductLine(ctx, { code: 'warranty', name: 'Extended warranty' });
  await assignProductLine(ctx, { teamId: eastTeam.id, productLineId: appliances.id, userId: 'u-li', reason: 'demo territory plan' });
  await assignProductLine(ctx, { teamId: eastTeam.id, productLineId: tools.id, userId: 'u-zhao', reason: 'demo territory plan' });
  await assignOwnership(ctx, { accountId: hq.id, teamId: eastTeam.id, reason: 'key account of the East team' });
  await assignOwnership(ctx, { accountId: clean.id, primaryOwnerId: 'u-zhao', secondaryOwnerId: 'u-li', reason: 'renewal 2026: new rep primary, previous rep secondary' });
  await setPoolPolicy(ctx, { policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 50 }] });

  // Seed 000, part 6: credit that is enforced. The chain may owe ¥500,000 in all, the East region
  // ¥200,000 of its own; the region has a confirmed order running. Orders in USD convert at the rate.
  await updateTenantSettings(ctx, { timeZone: 'Asia/Shanghai', baseCurrency: 'CNY' });
  await setCreditLimit(ctx, { accountId: hq.id, scope: 'group', amountMinor: 500_000_00, currency: 'CNY' });
  await setCreditLimit(ctx, { accountId: east.id, scope: 'own', amountMinor: 200_000_00, currency: 'CNY' });
  await setExchangeRate(ctx, { base: 'USD', quote: 'CNY', rate: '7.1234', validFrom: '2026-01-01T00:00:00.000Z' });
  const running = await createOrder(ctx, {
    orderingAccountId: east.id, currency: 'CNY', reference: 'PO-EAST-001',
    lines: [{ productLineId: appliances.id, description: 'Rice cookers', quantity: 400, unitPriceMinor: 300_00 }],
  });
  await confirmOrder(ctx, { id: running.id });
  return { tenantId: DEMO_TENANT_ID, created: true };
}
