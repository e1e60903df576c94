/**
 * Ownership and routing, the seed's story: a supermarket chain owned by a team, with an appliance
 * rep and a power-tool rep. Who gets each order line, what happens when the appliance rep goes on
 * leave, and the customer pool's dry run. Runs in-process on a throwaway SQLite file.
 *
 *   npm run examples        (from the repository root)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrmServer } from '@crmkit/server';
import { createCrmClient, type RouterOutputs } from '@crmkit/client';

const dir = mkdtempSync(join(tmpdir(), 'crmkit-ownership-'));
const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}` });
const show = (label: string, r: RouterOutputs['ownership']['resolve']) =>
  console.log(`${label}: ${r.userId}\n${r.explanation.map((s) => `    ${s.rule} ${s.outcome}: ${s.message}`).join('\n')}`);

try {
  const tenant = await crm.bootstrap.createTenant({ name: 'Acme Appliances' });
  const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'example', role: 'admin' });
  const { url } = await crm.listen(0);
  const c = createCrmClient({ url, apiKey: secret });

  for (const [id, displayName, role] of [['mei', '王美', 'manager'], ['li', '李强', 'rep'], ['zhao', '赵磊', 'rep']] as const) {
    await c.users.upsert.mutate({ id, displayName, role });
  }
  const team = await c.teams.create.mutate({ name: 'East China key accounts', leaderId: 'mei', memberIds: ['li', 'zhao'] });
  const appliances = await c.productLines.create.mutate({ code: 'appliances', name: 'Small appliances' });
  const tools = await c.productLines.create.mutate({ code: 'power-tools', name: 'Power tools' });
  const warranty = await c.productLines.create.mutate({ code: 'warranty', name: 'Extended warranty' });
  await c.productLines.assign.mutate({ teamId: team.id, productLineId: appliances.id, userId: 'li', reason: 'territory plan' });
  await c.productLines.assign.mutate({ teamId: team.id, productLineId: tools.id, userId: 'zhao', reason: 'territory plan' });

  const chain = await c.accounts.create.mutate({ name: 'Hualian Supermarkets', grade: 'A' });
  await c.ownership.assign.mutate({ accountId: chain.id, teamId: team.id, reason: 'key account of the East team' });

  const line = (productLineId: string) => c.ownership.resolve.query({ accountId: chain.id, purpose: 'order', productLineId });
  show('blender order line', await line(appliances.id));
  show('drill order line', await line(tools.id));
  show('warranty order line (nobody assigned)', await line(warranty.id));

  // 李强 goes on leave from now for two weeks and hands his work to 赵磊.
  const now = Date.now();
  const twoWeeks = new Date(now + 14 * 86_400_000).toISOString();
  await c.availability.set.mutate({ userId: 'li', awayFrom: new Date(now).toISOString(), awayTo: twoWeeks, reason: 'annual leave' });
  await c.delegations.create.mutate({ delegatorId: 'li', delegateId: 'zhao', validFrom: new Date(now).toISOString(), validTo: twoWeeks, reason: 'covering my leave' });
  const during = await line(appliances.id);
  show('blender order line while 李强 is on leave', during);

  // The customer pool: accounts nobody owns, and which owned accounts would return and when.
  await c.pool.setPolicy.mutate({ policies: [{ grade: '*', returnAfterDays: 30, reclaimBlockDays: 7, reminderDays: 3, maxClaimsPerRep: 20 }] });
  const store = await c.accounts.create.mutate({ name: 'Hualian Hangzhou Store 12' });
  console.log(`in the pool: ${(await c.pool.list.query({})).items.map((a) => a.name).join(', ')}`);
  const preview = await c.pool.preview.query({ withinDays: 31 });
  console.log(`returning within 31 days: ${preview.returns.map((r) => `${r.accountName} on ${r.dueAt.slice(0, 10)}`).join(', ')}`);

  if ((await line(tools.id)).userId !== 'zhao' || during.userId !== 'zhao' || (await line(warranty.id)).userId !== 'mei') throw new Error('unexpected routing');
  if (!(await c.pool.list.query({})).items.some((a) => a.id === store.id)) throw new Error('the store should be in the pool');
  console.log('ownership-routing ok');
} finally {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
}
