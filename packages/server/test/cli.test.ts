import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI as the README and docs/getting-started.md show it, run as a person would: child processes
// started from the repository root and from other folders, through npx and tsx (no build needed).
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const serverDir = join(repo, 'packages/server');
const defaultDb = join(serverDir, '.crmkit', 'crm.db');

const scratch = mkdtempSync(join(tmpdir(), 'crmkit-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) stop(child);
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end. */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Starts a long-running command in its own process group and waits for a line of its output. */
function start(args: string[], cwd: string, env: Record<string, string>, until: RegExp): Promise<{ child: ChildProcess; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn('npx', args, { cwd, env: { ...process.env, ...env }, detached: true });
    children.push(child);
    let output = '';
    const seen = (b: Buffer) => {
      output += b;
      if (until.test(output)) done({ child, output });
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('close', (code) => fail(new Error(`exited ${code} before ${until}:\n${output}`)));
  });
}

/** Stops npx and the node processes under it. */
function stop(child: ChildProcess) {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

const apiKeys = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, name, revokedAt FROM ApiKey ORDER BY id').all();
  } finally {
    db.close();
  }
};

describe('the crmkit CLI, run as the docs show', () => {
  it('prints its usage and exits 0 for --help, -h and help, from the repository root and any other folder (from the TypeScript source, no build needed)', async () => {
    const runs = await Promise.all([
      run('npx', ['crmkit', '--help'], repo),
      run('npx', ['crmkit', '-h'], repo),
      run('npx', ['crmkit', 'help'], join(repo, 'docs')),
      run('npx', ['tsx', '--conditions=@crmkit/source', 'packages/server/src/cli/main.ts', '--help'], repo),
      run(process.execPath, [join(serverDir, 'bin/crmkit.js'), 'help'], scratch),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^crmkit <command> \[options\]/);
      // One default database whatever the current folder: the file npm start serves.
      expect(r.stdout).toContain(`the SQLite file ${defaultDb}`);
    }
  }, 60_000);

  it('answers an unknown command or option, or none, with its usage on stderr and exit code 2', async () => {
    const runs = await Promise.all([
      run('npx', ['crmkit', 'frobnicate'], repo),
      run('npx', ['crmkit', '--frobnicate'], repo),
      run('npx', ['crmkit'], repo),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('crmkit <command> [options]');
    }
    expect(runs[0]!.stderr).toMatch(/^unknown command frobnicate/);
  }, 60_000);

  it('serves on a free port with DATABASE_URL; a second serve on that port stops before touching the first one\'s database or demo key', async () => {
    const file = join(scratch, 'serve.db');
    const env = { DATABASE_URL: `file:${file}` };
    const port = await freePort();
    const first = await start(['crmkit', 'serve', '--demo', '--port', String(port)], repo, env, /demo API key \(admin\): (crm_\S+)/);
    const demoKey = /demo API key \(admin\): (crm_\S+)/.exec(first.output)![1]!;
    expect(first.output).toContain(`crmkit listening on http://127.0.0.1:${port}/trpc (database file:${file})`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const list = () => fetch(`http://127.0.0.1:${port}/trpc/accounts.list`, { headers: { authorization: `Bearer ${demoKey}` } });
    expect((await list()).status).toBe(200);
    const keysBefore = apiKeys(file);

    // npm start from the repository root, and its command from packages/server (where npm runs it).
    const seconds = await Promise.all([
      run('npm', ['start'], repo, { ...env, PORT: String(port) }),
      run('npx', ['tsx', '--conditions=@crmkit/source', 'src/cli/main.ts', 'serve', '--demo', '--port', String(port)], serverDir, env),
    ]);
    for (const second of seconds) {
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`crmkit: port 127.0.0.1:${port} is already in use (is crmkit already running?); nothing was changed.`);
      expect(second.stdout).not.toContain('demo API key');
    }
    expect(apiKeys(file)).toEqual(keysBefore);
    expect((await list()).status).toBe(200);

    stop(first.child);
    await new Promise((r) => first.child.once('close', r));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 90_000);
});
