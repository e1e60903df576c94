import { CrmError } from '@crmkit/core';

/**
 * CONFLICT unless the entity is at `expectedVersion` (when the caller gave one): the optimistic
 * check of every write that takes `expectedVersion`.
 *
 * @example assertVersion('order', { id: 'ord_…', version: 3 }, 2) // throws CONFLICT: order ord_… is at version 3, not 2
 */
export function assertVersion(entity: string, row: { id: string; version: number }, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && row.version !== expectedVersion) {
    throw new CrmError('CONFLICT', `${entity} ${row.id} is at version ${row.version}, not ${expectedVersion}`, { details: { id: row.id, version: row.version, expectedVersion } });
  }
}
