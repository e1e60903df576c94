import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port bound before the server has anything to serve: until `serve`, every request answers 503. */
export interface HeldPort {
  /** `http://host:port`, as bound (the real port when 0 was asked for). */
  origin: string;
  server: Server;
  serve(handler: RequestListener): void;
  close(): Promise<void>;
}

/** Why a port could not be bound, in words for the person who started the CLI. */
export class PortUnavailableError extends Error {}

/**
 * Binds the port first, so a second `crmkit serve` on a busy port stops before it migrates,
 * seeds or revokes anything in the database the running one serves.
 */
export async function holdPort(port: number, host: string): Promise<HeldPort> {
  let handler: RequestListener | null = null;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('crmkit is starting\n');
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === 'EADDRINUSE') reject(new PortUnavailableError(`port ${where} is already in use (is crmkit already running?); nothing was changed. Choose another with --port or PORT.`));
      else if (error.code === 'EACCES') reject(new PortUnavailableError(`not allowed to listen on ${where}; nothing was changed. Choose another port with --port or PORT.`));
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    origin: `http://${shownHost}:${address.port}`,
    server,
    serve: (h) => void (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
