/**
 * crmkit as a host would run it: createCrmServer on the seeded SQLite file, listen on an
 * ephemeral port. Started by run.ts in its own process. Reports the SQLite settings of Prisma's
 * own connection (the write suite's baseline must run with the same durability).
 */
import { createCrmServer } from '@crmkit/server';
import { argValue, serveChild } from './child.js';

serveChild(async () => {
  const crm = await createCrmServer({ databaseUrl: argValue('--database-url'), migrate: false });
  const { url, server } = await crm.listen(0, '127.0.0.1');
  let requests = 0;
  server.on('request', () => void (requests += 1));
  const info: Record<string, unknown> = {};
  if (crm.provider === 'sqlite') {
    for (const pragma of ['synchronous', 'journal_mode']) {
      const [row] = await crm.db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${pragma}`);
      const value = row ? Object.values(row)[0] : null;
      info[pragma] = typeof value === 'bigint' ? Number(value) : value;
    }
  }
  return { url, info, close: () => crm.close(), requests: () => requests };
});
