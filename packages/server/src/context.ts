import type { Clock, Permission, Role } from '@crmkit/core';
import { CrmError, can } from '@crmkit/core';
import type { Db, Reads } from './db/client.js';
import type { SqliteWriter } from './db/sqlite-writer.js';
import type { Provider } from './db/url.js';
import type { Logger } from './logger.js';

/** The authenticated caller. The tenant comes only from here, never from input. */
export interface Actor {
  tenantId: string;
  type: 'user' | 'apiKey' | 'system';
  /** The host's user id, or the API key's id. */
  id: string;
  role: Role;
  /** An API key's scopes (`null`: everything its role allows). */
  scopes: readonly Permission[] | null;
}

/** What every service function takes: its dependencies and the caller. */
export interface ServiceContext {
  db: Db;
  /** Fast non-transactional reads; inside a transaction read through the transaction instead. */
  reads: Reads;
  /** Hot writes on the SQLite driver, when crmkit opened the database itself (see sqlite-writer.ts). */
  writer?: SqliteWriter;
  provider: Provider;
  clock: Clock;
  actor: Actor;
  logger: Logger;
  /** Notifications to the server instance (cache invalidation), called after the change commits. */
  hooks?: {
    apiKeyRevoked?(id: string): void;
    /** An API key's call succeeded: record its last use (at minute resolution, off the request's path). */
    apiKeyUsed?(id: string): void;
    /** A user's standing changed (deactivated, reactivated, tokens revoked): forget what was cached about them. */
    userAccessChanged?(tenantId: string, userId: string): void;
  };
}

/** Throws FORBIDDEN unless the actor's role (and scopes) grant the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission, actor.scopes)) {
    throw new CrmError('FORBIDDEN', `the ${actor.role} role${actor.scopes?.length ? ' with these scopes' : ''} may not ${permission.replace(':', ' ')}`, { details: { permission, role: actor.role } });
  }
}
