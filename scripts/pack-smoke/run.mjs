#!/usr/bin/env node
// The four packages as a user gets them: build, lint what is packed (publint, attw), pack, install the
// tarballs into an empty project (everything else from the npm registry, no repository files, no
// devDependencies) and run an ESM and a CJS smoke test there. Exits non-zero on the first failure.
//
//   npm run pack:smoke                 (from the repository root; `-- --no-build` reuses dist/)
//   CRMKIT_PACK_SMOKE_KEEP=1 ...       keeps the scratch project for a look (it is kept on failure too)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const packages = ['core', 'server', 'client', 'react'];
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();

// The variables `npm run` exports describe the repository (npm_config_local_prefix would make the
// scratch project's npm install into it); the scratch project gets none of them.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(local_prefix|loglevel|user_agent|npm_version)$)/i.test(key)),
);
env.NO_COLOR = '1';
env.FORCE_COLOR = '0';

const log = (line) => console.log(`pack-smoke [${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);

/** Runs a command to completion (killed after `timeoutMs`, so a hung step fails CI instead of holding it). */
function run(command, args, cwd, { quiet = false, timeoutMs = 10 * 60_000 } = {}) {
  const stdio = quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit';
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio, maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed${result.error ? `: ${result.error.message}` : ` with exit code ${result.status}`}`);
  }
  return result.stdout;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), 'crmkit-pack-smoke-'));
let ok = false;
try {
  if (!process.argv.includes('--no-build')) {
    log('building the four packages (npm run build)');
    run('npm', ['run', 'build', '--silent'], root, { quiet: true });
  }

  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const tarballOf = {};
  for (const name of packages) {
    const dir = join(root, 'packages', name);
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs], dir, { quiet: true }));
    const files = new Set(packed.files.map((f) => f.path));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
      check(!manifest.scripts?.[script], `${packed.name} has a "${script}" script, which would run on the user's install`);
    }
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) check(files.has(file), `${packed.name}'s tarball lacks ${file}`);
    check(![...files].some((f) => f.startsWith('src/') || f.startsWith('test/')), `${packed.name}'s tarball ships src/ or test/`);
    if (name === 'server') {
      for (const provider of ['sqlite', 'postgresql']) {
        check(files.has(`prisma/migrations/${provider}/migration_lock.toml`), `${packed.name}'s tarball lacks the ${provider} migrations`);
        check([...files].some((f) => f.startsWith(`prisma/migrations/${provider}/`) && f.endsWith('/migration.sql')), `${packed.name}'s tarball has no ${provider} migration.sql`);
      }
      check(files.has('dist/cli.js') && files.has('bin/crmkit.js'), `${packed.name}'s tarball lacks the CLI`);
    }
    tarballOf[name] = join(tarballs, packed.filename);
    log(`packed ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB`);

    // publint exits 0 on suggestions; any message at all fails here, so the packages stay clean.
    const linted = run(bin('publint'), ['run', dir, '--strict'], root, { quiet: true });
    check(!/Suggestions:|Warnings:|Errors:/.test(linted), `publint on ${packed.name}:\n${linted}`);
    run(bin('attw'), ['--pack', dir, '--format', 'ascii'], root, { quiet: true });
    log(`publint and attw --pack: ${packed.name} clean`);
  }

  const project = join(work, 'project');
  mkdirSync(project);
  // React and TanStack Query are @crmkit/react's peer dependencies: the versions the repository tests with.
  const peer = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  const dependencies = Object.fromEntries(packages.map((name) => [`@crmkit/${name}`, `file:${tarballOf[name]}`]));
  dependencies.react = peer('react');
  dependencies['@tanstack/react-query'] = peer('@tanstack/react-query');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'crmkit-pack-smoke', version: '0.0.0', private: true, dependencies, allowScripts: { 'better-sqlite3': true } }, null, 2));
  for (const file of ['smoke.mjs', 'smoke.cjs']) copyFileSync(join(here, file), join(project, file));

  log(`installing the tarballs into an empty project (${project}); better-sqlite3 may compile from source`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project, { quiet: true });

  // Every @crmkit package is the packed one (never one from the registry), once, and no devDependency came along.
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!/(^|\/)node_modules\/@crmkit\//.test(path)) continue;
    check(/^node_modules\/@crmkit\/[a-z]+$/.test(path) && String(entry.resolved).startsWith('file:'), `${path} was not installed from its tarball (${entry.resolved})`);
  }
  for (const dev of ['prisma', 'tsup', 'tsx', 'vitest', 'express', 'hono', 'msw']) check(!existsSync(join(project, 'node_modules', dev)), `${dev} was installed: a devDependency leaked into the packages' dependencies`);
  check(!existsSync(join(project, 'node_modules', '@crmkit', 'server', 'generated')), '@crmkit/server ships generated/: the client belongs in dist/');

  log('running the ESM smoke test');
  run(process.execPath, ['smoke.mjs'], project, { timeoutMs: 120_000 });
  log('running the CJS smoke test');
  run(process.execPath, ['smoke.cjs'], project, { timeoutMs: 120_000 });
  log('running the installed CLI (crmkit --help, crmkit migrate)');
  const crmkit = join(project, 'node_modules', '.bin', 'crmkit');
  check(/migrate/.test(run(crmkit, ['--help'], project, { quiet: true, timeoutMs: 60_000 })), 'crmkit --help does not list its commands');
  const migrated = run(crmkit, ['migrate', '--database', `file:${join(project, 'cli.db')}`], project, { quiet: true, timeoutMs: 60_000 });
  check(/applied|up to date/.test(migrated), `crmkit migrate said: ${migrated}`);

  ok = true;
  log('ok: the packed packages install into an empty project and run from ESM and CJS');
} catch (error) {
  console.error(`pack-smoke FAILED: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`pack-smoke: the scratch directory is kept at ${work}`);
  process.exitCode = 1;
} finally {
  if (ok && !process.env.CRMKIT_PACK_SMOKE_KEEP) rmSync(work, { recursive: true, force: true });
}
