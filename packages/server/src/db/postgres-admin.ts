import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database on the server `url` points at and returns its URL. */
export async function createScratchDatabase(url: string, prefix = 'crmkit_scratch'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(url, name);
}

/** Drops a database made by createScratchDatabase, closing its remaining sessions. */
export async function dropScratchDatabase(scratchUrl: string, adminUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(scratchUrl).pathname.slice(1));
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
