#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { defaultDatabaseFile } from './default-database.js';
import { holdPort, PortUnavailableError } from './held-port.js';

const defaultDatabaseUrl = () => 'file:' + defaultDatabaseFile();
const usage = () => `crmkit <command> [options]

commands
  serve        run the HTTP server            [--port 3000] [--host 127.0.0.1] [--database URL] [--no-migrate] [--demo]
  migrate      apply pending migrations       [--database URL]
  seed         add the demo tenant and data   [--database URL]
  api-key create --tenant ID --name NAME [--role admin|service|integration] [--create-tenant TENANT_NAME] [--database URL]
  help         show this text                 (also --help, -h)

The database is --database, else DATABASE_URL, else the SQLite file ${defaultDatabaseFile()}
(the same file whatever the current directory). postgres://… selects PostgreSQL.
User tokens are accepted when CRMKIT_TOKEN_SECRET (32+ bytes) is set.`;

/** Exit code of a command line the CLI does not understand (as opposed to a command that failed). */
const USAGE_ERROR = 2;

const options = {
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
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage()}`);
    return USAGE_ERROR;
  }
  const { values, positionals } = parsed;
  const [command, sub] = positionals;
  if (values.help || command === 'help') {
    console.log(usage());
    return 0;
  }
  if (!command) {
    console.error(usage());
    return USAGE_ERROR;
  }
  if (!['serve', 'migrate', 'seed', 'api-key'].includes(command)) {
    console.error(`unknown command ${command}\n\n${usage()}`);
    return USAGE_ERROR;
  }
  const databaseUrl = values.database ?? process.env.DATABASE_URL ?? defaultDatabaseUrl();
  // Loaded only for a command that uses them, so usage and help answer at once.
  const [{ roleSchema }, { migrateDatabase }, { DEMO_TENANT_ID, seedDemo }, { createCrmServer }, { redactSecrets }] = await Promise.all([
    import('@crmkit/core'),
    import('../db/client.js'),
    import('../demo/seed.js'),
    import('../server.js'),
    import('../logger.js'),
  ]);

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
        return USAGE_ERROR;
      }
      const role = roleSchema.extract(['admin', 'service', 'integration']).safeParse(values.role ?? 'admin');
      if (!role.success) {
        console.error('--role must be admin, service or integration');
        return USAGE_ERROR;
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
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error('--port (or PORT) must be a whole number from 0 to 65535');
        return USAGE_ERROR;
      }
      const host = values.host ?? process.env.HOST ?? '127.0.0.1';
      const tokenSecret = process.env.CRMKIT_TOKEN_SECRET;
      // The port first: a second serve on a busy port must stop before it touches the database.
      const held = await holdPort(port, host);
      let crm;
      try {
        crm = await createCrmServer({ databaseUrl, migrate: !values['no-migrate'], ...(tokenSecret ? { auth: { tokenSecret } } : {}) });
      } catch (error) {
        await held.close();
        throw error;
      }
      let demoKey: string | null = null;
      try {
        if (values.demo) {
          await seedDemo(crm);
          // A fresh demo key each start (the previous ones are revoked): secrets are never stored.
          await crm.db.apiKey.updateMany({ where: { tenantId: DEMO_TENANT_ID, name: 'demo', revokedAt: null }, data: { revokedAt: crm.clock.now() } });
          demoKey = (await crm.bootstrap.createApiKey({ tenantId: DEMO_TENANT_ID, name: 'demo', role: 'admin' })).secret;
        }
      } catch (error) {
        await held.close();
        await crm.close();
        throw error;
      }
      held.serve(crm.nodeHandler);
      const url = `${held.origin}/trpc`;
      console.log(`crmkit listening on ${url} (database ${redactSecrets(databaseUrl)})`);
      if (demoKey) console.log(`demo tenant ${DEMO_TENANT_ID}; demo API key (admin): ${demoKey}\ntry:\n  curl -H "Authorization: Bearer ${demoKey}" '${url}/accounts.list'`);
      if (!tokenSecret) console.log('user tokens are off: set CRMKIT_TOKEN_SECRET (32+ bytes) to accept them');
      const running = crm;
      // A signal may arrive twice (from the terminal and from bin/crmkit.js passing it on): stop once.
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        void held.close().then(() => running.close()).then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return -1; // keep running
    }
    default:
      console.error(`unknown command ${command}\n\n${usage()}`);
      return USAGE_ERROR;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  async (error: unknown) => {
    if (error instanceof PortUnavailableError) console.error(`crmkit: ${error.message}`);
    else {
      // Driver errors may quote the connection string.
      const { redactSecrets } = await import('../logger.js');
      console.error(redactSecrets(error instanceof Error ? error.message : error));
    }
    process.exit(1);
  },
);
