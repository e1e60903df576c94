// ESM smoke test, run inside the empty project the tarballs were installed into (see run.mjs).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrmError } from '@crmkit/core';
import { createCrmServer } from '@crmkit/server';
import { createCrmClient, isCrmError } from '@crmkit/client';
import * as react from '@crmkit/react';

const dir = mkdtempSync(join(tmpdir(), 'crmkit-smoke-esm-'));
const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}` });
try {
  // The migrations shipped in the tarball were applied to the new file.
  assert.ok(crm.migrations && crm.migrations.applied.length > 0, 'no migrations were applied');
  const tenant = await crm.bootstrap.createTenant({ name: 'Smoke ESM' });
  const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'smoke', role: 'admin' });
  const { url } = await crm.listen(0);

  const client = createCrmClient({ url, apiKey: secret });
  const created = await client.accounts.create.mutate({ name: 'Hualian Supermarkets HQ', currency: 'CNY' });
  const read = await client.accounts.get.query({ id: created.id });
  assert.equal(read.id, created.id);
  assert.equal(read.name, 'Hualian Supermarkets HQ');
  const refused = await client.accounts.get.query({ id: 'acc_missing' }).catch((error) => error);
  assert.ok(isCrmError(refused) && refused instanceof CrmError, 'a failed call is not a CrmError from @crmkit/core');

  for (const name of ['CrmProvider', 'useAccount', 'useAccounts', 'useCreateAccount', 'crmKeys', 'AccountCard', 'isCrmError']) {
    assert.ok(react[name], `@crmkit/react does not export ${name}`);
  }
  console.log(`pack-smoke ESM ok: ${crm.migrations.applied.length} migrations, account ${created.id} created and read over ${url}`);
} finally {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
}
