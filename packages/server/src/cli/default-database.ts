import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, parse, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the `@crmkit/server` package this module belongs to (its source in the repository,
 * or its build where it was installed), found from this file rather than the current directory.
 */
export function serverPackageDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(realpathSync(from));
  while (dir !== parse(dir).root) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@crmkit/server') return dir;
    dir = dirname(dir);
  }
  throw new Error(`no @crmkit/server package.json above ${from}`);
}

/**
 * Where the CLI keeps its SQLite database when neither `--database` nor `DATABASE_URL` names one.
 * It never depends on the current directory, so `npm start` and `crmkit` from any folder share it:
 * in the repository `packages/server/.crmkit/crm.db`; where the package is installed, the
 * `.crmkit/crm.db` of the project that installed it (the folder holding its `node_modules`).
 */
export function defaultDatabaseFile(packageDir: string = serverPackageDir()): string {
  const parts = packageDir.split(sep);
  const installedAt = parts.indexOf('node_modules');
  const home = installedAt > 0 ? parts.slice(0, installedAt).join(sep) || sep : packageDir;
  return join(home, '.crmkit', 'crm.db');
}
