/**
 * crmkit as a host would run it: createCrmServer on the seeded SQLite file, listen on an
 * ephemeral port. Started by run.ts in its own process.
 */
import { createCrmServer } from '@crmkit/server';
import { argValue, serveChild } from './child.js';

serveChild(async () => {
  const crm = await createCrmServer({ databaseUrl: argValue('--database-url'), migrate: false });
  const { url, server } = await crm.listen(0, '127.0.0.1');
  let requests = 0;
  server.on('request', () => void (requests += 1));
  return { url, close: () => crm.close(), requests: () => requests };
});
