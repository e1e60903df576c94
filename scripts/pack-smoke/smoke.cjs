// CommonJS smoke test, run inside the empty project the tarballs were installed into (see run.mjs).
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { CrmError } = require('@crmkit/core');
const { createCrmServer } = require('@crmkit/server');
const { createCrmClient, isCrmError } = require('@crmkit/client');
const react = require('@crmkit/react');

async function main() {
  // require() must load the CJS builds, not the ESM ones.
  assert.match(require.resolve('@crmkit/server'), /index\.cjs$/);
  const dir = mkdtempSync(join(tmpdir(), 'crmkit-smoke-cjs-'));
  const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}` });
  try {
    assert.ok(crm.migrations && crm.migrations.applied.length > 0, 'no migrations were applied');
    const tenant = await crm.bootstrap.createTenant({ name: 'Smoke CJS' });
    const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'smoke', role: 'admin' });
    const { url } = await crm.listen(0);

    const client = createCrmClient({ url, apiKey: secret });
    const created = await client.accounts.create.mutate({ name: 'Hangzhou Store 12', currency: 'CNY' });
    const read = await client.accounts.get.query({ id: created.id });
    assert.equal(read.id, created.id);
    assert.equal(read.name, 'Hangzhou Store 12');
    const refused = await client.accounts.get.query({ id: 'acc_missing' }).catch((error) => error);
    assert.ok(isCrmError(refused) && refused instanceof CrmError, 'a failed call is not a CrmError from @crmkit/core');

    for (const name of ['CrmProvider', 'useAccount', 'useAccounts', 'useCreateAccount', 'crmKeys', 'AccountCard', 'isCrmError']) {
      assert.ok(react[name], `@crmkit/react does not export ${name}`);
    }
    console.log(`pack-smoke CJS ok: ${crm.migrations.applied.length} migrations, account ${created.id} created and read over ${url}`);
  } finally {
    await crm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
