import { describe, expect, it } from 'vitest';
import { listAuditInputSchema } from './audit.schema.js';

describe('listAuditInputSchema', () => {
  it('requires an entity type and id, defaulting the limit to 50', () => {
    expect(listAuditInputSchema.parse({ entityType: 'account', entityId: 'acc_1' })).toEqual({ entityType: 'account', entityId: 'acc_1', limit: 50 });
    expect(listAuditInputSchema.safeParse({ entityType: 'account' }).success).toBe(false);
    expect(listAuditInputSchema.safeParse({ entityId: 'acc_1' }).success).toBe(false);
  });

  it('refuses an unknown entity type, an empty id and unknown keys', () => {
    expect(listAuditInputSchema.safeParse({ entityType: 'quote', entityId: 'x' }).success).toBe(false);
    expect(listAuditInputSchema.safeParse({ entityType: 'account', entityId: '' }).success).toBe(false);
    expect(listAuditInputSchema.safeParse({ entityType: 'account', entityId: 'x', actor: 'u1' }).success).toBe(false);
  });
});
