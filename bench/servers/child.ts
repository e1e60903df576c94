import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import type { FromChild, ToChild } from './protocol.js';

/**
 * The child side of the protocol every server script shares: announce the URL, answer stats,
 * profile on request, stop on request, and exit when the parent goes away (even if it was killed).
 */
export function serveChild(start: () => Promise<{ url: string; close(): Promise<void>; requests(): number; info?: Record<string, unknown> }>): void {
  const send = (message: FromChild) => process.send?.(message);
  if (!process.send) {
    console.error('this script is started by bench/run.ts (it needs an IPC channel)');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));

  start().then(
    (server) => {
      let session: Session | null = null;
      process.on('message', (message: ToChild) => {
        void (async () => {
          try {
            if (message.type === 'stats') {
              send({ type: 'stats', stats: { cpu: process.cpuUsage(), rssBytes: process.memoryUsage().rss, requests: server.requests() } });
            } else if (message.type === 'profile-start') {
              session = new Session();
              session.connect();
              await session.post('Profiler.enable');
              await session.post('Profiler.setSamplingInterval', { interval: 200 });
              await session.post('Profiler.start');
              send({ type: 'profile-started' });
            } else if (message.type === 'profile-stop') {
              if (!session) throw new Error('no profile running');
              const { profile } = await session.post('Profiler.stop');
              session.disconnect();
              session = null;
              await writeFile(message.file, JSON.stringify(profile));
              send({ type: 'profile-stopped', file: message.file });
            } else if (message.type === 'stop') {
              await server.close();
              process.exit(0);
            }
          } catch (error) {
            send({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
          }
        })();
      });
      send({ type: 'ready', url: server.url, ...(server.info ? { info: server.info } : {}) });
    },
    (error: unknown) => {
      send({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
      process.exit(1);
    },
  );
}

export function argValue(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`missing ${name}`);
  return value;
}
