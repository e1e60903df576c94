// Generates one Prisma client per provider from the one schema, without network access.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serverRoot, writeVariantSchemas } from './prisma-variants.mjs';

const require = createRequire(import.meta.url);
const prismaCli = require.resolve('prisma/build/index.js');

// `prisma generate` first tries to download the native schema engine, which generation does
// not need; pointing this variable at any existing file skips that download (harmless online).
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? prismaCli, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };

for (const [provider, schema] of Object.entries(writeVariantSchemas())) {
  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema, '--no-hints'], { cwd: serverRoot, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`prisma generate failed for ${provider}`);
  }
  console.log(`crmkit: generated the ${provider} Prisma client in ${join('generated', provider)}`);
}
