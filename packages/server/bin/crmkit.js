#!/usr/bin/env node
// In the repository the CLI runs from its TypeScript source (through tsx, with the `@crmkit/source`
// condition the workspace packages resolve each other by), so it works before any build and never
// runs a stale one. Where the package is installed, it runs the build.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = dirname(dirname(realpathSync(fileURLToPath(import.meta.url))));
const source = join(packageDir, 'src', 'cli', 'main.ts');
const built = join(packageDir, 'dist', 'cli.js');

function tsxLoader() {
  try {
    return pathToFileURL(createRequire(join(packageDir, 'package.json')).resolve('tsx')).href;
  } catch {
    return null;
  }
}

const inRepository = !packageDir.split(sep).includes('node_modules') && existsSync(source);
const loader = inRepository ? tsxLoader() : null;

if (loader) {
  const child = spawn(process.execPath, ['--conditions=@crmkit/source', '--import', loader, source, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1) : 1)));
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  console.error(
    inRepository
      ? 'crmkit: neither tsx (a devDependency: run npm install) nor a build (npm run build) was found'
      : `crmkit: ${built} is missing; reinstall @crmkit/server`,
  );
  process.exit(1);
}
