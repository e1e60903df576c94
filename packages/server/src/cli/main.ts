#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { roleSchema } from '@crmkit/core';
import { migrateDatabase } from '../db/client.js';
import { DEMO_TENANT_ID, seedDemo } from '../demo/seed.js';
import { redactSecrets } from '../logger.js';
import { createCrmServer } from '../server.js';

const DEFAULT_DATABASE_URL = 'file:./.crmkit/crm.db';
const usage = `crmkit <command> [options]

commands
  serve        run the HTTP server            [--port 3000] [--host 127.0.0.1] [--database URL] [--no-migrate] [--demo]
  migrate      apply pending migrations       [--database URL]
  seed         add the demo tenant and data   [--database URL]
  api-key create --tenant ID --name NAME [--role admin|service|integration] [--create-tenant TENANT_NAME] [--database URL]

The database is --database, else DATABASE_URL, else ${DEFAULT_DATABASE_URL} (SQLite).
User tokens are accepted when CRMKIT_TOKEN_SECRET (32+ bytes) is set.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      database: { type: 'string' },
      'no-migrate': { type: 'boolean' },
      demo: { type: 'boolean' },
      tenant: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'create-tenant': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return command ? 0 : 1;
  }
  const databaseUrl = values.database ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

  switch (command) {
    case 'migrate': {
      const result = await migrateDatabase(databaseUrl);
      console.log(result.applied.length ? `applied ${result.applied.join(', ')}` : `up to date (${result.alreadyApplied.length} migrations)`);
      return 0;
    }
    case 'seed': {
      const crm = await createCrmServer({ databaseUrl });
      const seeded = await seedDemo(crm);
      const key = await crm.bootstrap.createApiKey({ tenantId: seeded.tenantId, name: 'demo', role: 'admin' });
      console.log(`${seeded.created ? 'seeded' : 'already seeded'} tenant ${seeded.tenantId}\ndemo API key (admin): ${key.secret}`);
      await crm.close();
      return 0;
    }
    case 'api-key': {
      if (sub !== 'create' || !values.tenant || !values.name) {
        console.error('usage: crmkit api-key create --tenant ID --name NAME [--role admin|service|integration] [--create-tenant TENANT_NAME]');
        return 1;
      }
      const role = roleSchema.extract(['admin', 'service', 'integration']).safeParse(values.role ?? 'admin');
      if (!role.success) {
        console.error('--role must be admin, service or integration');
        return 1;
      }
      const crm = await createCrmServer({ databaseUrl });
      try {
        if (values['create-tenant']) await crm.bootstrap.createTenant({ id: values.tenant, name: values['create-tenant'] });
        else if (!(await crm.db.tenant.findUnique({ where: { id: values.tenant } }))) {
          console.error(`no tenant ${values.tenant}; add --create-tenant "Name" to create it`);
          return 1;
        }
        const key = await crm.bootstrap.createApiKey({ tenantId: values.tenant, name: values.name, role: role.data });
        console.log(`API key ${key.id} (${role.data}) for tenant ${values.tenant}; shown once:\n${key.secret}`);
        return 0;
      } finally {
        await crm.close();
      }
    }
    case 'serve': {
      const port = Number(values.port ?? process.env.PORT ?? 3000);
      const host = values.host ?? process.env.HOST ?? '127.0.0.1';
      const tokenSecret = process.env.CRMKIT_TOKEN_SECRET;
      const crm = await createCrmServer({ databaseUrl, migrate: !values['no-migrate'], ...(tokenSecret ? { auth: { tokenSecret } } : {}) });
      let demoKey: string | null = null;
      if (values.demo) {
        await seedDemo(crm);
        // A fresh demo key each start (the previous ones are revoked): secrets are never stored.
        await crm.db.apiKey.updateMany({ where: { tenantId: DEMO_TENANT_ID, name: 'demo', revokedAt: null }, data: { revokedAt: crm.clock.now() } });
        demoKey = (await crm.bootstrap.createApiKey({ tenantId: DEMO_TENANT_ID, name: 'demo', role: 'admin' })).secret;
      }
      const { url } = await crm.listen(port, host);
      console.log(`crmkit listening on ${url} (database ${redactSecrets(databaseUrl)})`);
      if (demoKey) console.log(`demo tenant ${DEMO_TENANT_ID}; demo API key (admin): ${demoKey}\ntry:\n  curl -H "Authorization: Bearer ${demoKey}" '${url}/accounts.list'`);
      if (!tokenSecret) console.log('user tokens are off: set CRMKIT_TOKEN_SECRET (32+ bytes) to accept them');
      const stop = () => void crm.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keep running
    }
    default:
      console.error(`unknown command ${command}\n\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    // Driver errors may quote the connection string.
    console.error(redactSecrets(error instanceof Error ? error.message : error));
    process.exit(1);
  },
);
