import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ServerStats, ToChild } from '../servers/protocol.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills every server child still running (also called from the exit handlers). */
export function killAllChildren(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

export interface ServerChild {
  name: string;
  url: string;
  pid: number;
  /** What the server reported about itself when it started (e.g. its SQLite settings). */
  info: Record<string, unknown>;
  stats(): Promise<ServerStats>;
  startProfile(): Promise<void>;
  stopProfile(file: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `servers/<script>` in its own Node process with tsx's loader and crmkit's source
 * condition (what `tsx --conditions=@crmkit/source` does, without tsx's extra wrapper process,
 * so the pid we hold is the server's own and signals reach it directly).
 */
export async function startServer(name: string, script: string, args: string[]): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@crmkit/source', `servers/${script}`, ...args], {
    cwd: benchDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));

  const waiting: { type: FromChild['type']; resolve: (m: FromChild) => void; reject: (e: Error) => void }[] = [];
  const failAll = (error: Error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  child.on('message', (message: FromChild) => {
    if (message.type === 'error') return failAll(new Error(`${name} server: ${message.message}`));
    const i = waiting.findIndex((w) => w.type === message.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
  });
  child.once('exit', (code, signal) => failAll(new Error(`${name} server exited (${signal ?? `code ${code}`})`)));
  child.once('error', (error) => failAll(error));

  const expect = <T extends FromChild['type']>(type: T, send?: ToChild) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      waiting.push({ type, resolve: resolve as (m: FromChild) => void, reject });
      if (send) child.send(send);
    });

  const ready = await Promise.race([
    expect('ready'),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} server did not start within 60 s`)), 60_000).unref()),
  ]);
  return {
    name,
    url: ready.url,
    pid: child.pid!,
    info: ready.info ?? {},
    stats: async () => (await expect('stats', { type: 'stats' })).stats,
    startProfile: async () => void (await expect('profile-started', { type: 'profile-start' })),
    stopProfile: async (file) => void (await expect('profile-stopped', { type: 'profile-stop', file })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' } satisfies ToChild);
      }),
  };
}
