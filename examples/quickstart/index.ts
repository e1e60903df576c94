/**
 * crmkit quickstart: start a server in-process on a throwaway SQLite file, create an API key,
 * create a headquarters with two branches, and read the group back as a tree through the client.
 *
 *   npm run examples        (from the repository root)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrmServer } from '@crmkit/server';
import { createCrmClient, isCrmError, type RouterOutputs } from '@crmkit/client';

type TreeNode = RouterOutputs['accounts']['tree']['root'];

const dir = mkdtempSync(join(tmpdir(), 'crmkit-quickstart-'));
const crm = await createCrmServer({ databaseUrl: `file:${join(dir, 'crm.db')}` });

try {
  // 1. Provision a tenant and its first API key (the secret is shown once).
  const tenant = await crm.bootstrap.createTenant({ name: 'Acme Appliances' });
  const { secret } = await crm.bootstrap.createApiKey({ tenantId: tenant.id, name: 'quickstart', role: 'admin' });
  const { url } = await crm.listen(0);

  // 2. A backend service talks to crmkit through the typed client.
  const client = createCrmClient({ url, apiKey: secret });
  const hq = await client.accounts.create.mutate({ name: 'Hualian Supermarkets HQ', grade: 'A', currency: 'CNY' });
  const east = await client.accounts.create.mutate({ name: 'Hualian East Region', parentId: hq.id, settlesOwnInvoices: true });
  const beijing = await client.accounts.create.mutate({ name: 'Hualian Beijing Store', parentId: hq.id });

  // 3. Read the group as a tree: each node says who its invoices go to.
  const tree = await client.accounts.tree.query({ id: beijing.id });
  const names = new Map<string, string>();
  const collect = (node: TreeNode): void => void (names.set(node.account.id, node.account.name), node.children.forEach(collect));
  collect(tree.root);
  const print = (node: TreeNode) => {
    console.log(`${'  '.repeat(node.depth - 1)}- ${node.account.name} (bill-to: ${node.billToAccountId === node.account.id ? "itself" : (names.get(node.billToAccountId) ?? node.billToAccountId)})`);
    node.children.forEach(print);
  };
  print(tree.root);

  // 4. Bad input gets a typed error with field paths, never a 500.
  try {
    await client.accounts.setParent.mutate({ id: hq.id, parentId: east.id });
  } catch (error) {
    if (!isCrmError(error) || error.code !== 'CYCLE') throw error;
    console.log(`refused as expected: ${error.code}: ${error.message}`);
  }

  if (tree.root.children.length !== 2 || tree.root.account.id !== hq.id) throw new Error('quickstart: unexpected tree');
  console.log('quickstart ok');
} finally {
  await crm.close();
  rmSync(dir, { recursive: true, force: true });
}
