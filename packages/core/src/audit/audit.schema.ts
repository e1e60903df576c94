import { z } from 'zod';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { isoDateTime, storableString } from '../schema-helpers.js';

export const auditEntityTypeSchema = z.enum(['account', 'contact', 'user', 'apiKey', 'team', 'productLine', 'delegation', 'poolPolicy', 'tenant', 'order', 'invoice', 'payment', 'creditLimit', 'creditHold', 'exchangeRate', 'creditApproval']);
export type AuditEntityType = z.infer<typeof auditEntityTypeSchema>;

/** Who made a change: a user (from a token) or an API key. */
export const actorRefSchema = z.object({ type: z.enum(['user', 'apiKey', 'system']), id: z.string() });
export type ActorRef = z.infer<typeof actorRefSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  actor: actorRefSchema,
  action: z.string(),
  entityType: auditEntityTypeSchema,
  entityId: z.string(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  at: isoDateTime,
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const listAuditInputSchema = pageInputSchema.extend({
  entityType: auditEntityTypeSchema,
  entityId: storableString().min(1).max(128),
}).strict();
export const auditPageSchema = pageSchema(auditEventSchema);
