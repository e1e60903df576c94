import {
  apiKeyPageSchema, apiKeySchema, auditPageSchema, createApiKeyInputSchema, createdApiKeySchema, deactivateUserInputSchema, deactivationSchema, listApiKeysInputSchema,
  listAuditInputSchema, listUsersInputSchema, revokeApiKeyInputSchema, revokedUserTokensSchema, revokeUserTokensInputSchema, upsertUserInputSchema, userPageSchema,
  userSchema,
} from '@crmkit/core';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys/api-keys.js';
import { listAudit } from '../services/audit/list.js';
import { deactivateUser } from '../services/users/deactivate.js';
import { revokeUserTokens } from '../services/users/revoke-tokens.js';
import { listUsers, upsertUser } from '../services/users/users.js';
import { authedProcedure as p, router } from '../trpc.js';

export const apiKeysRouter = router({
  create: p.input(createApiKeyInputSchema).output(createdApiKeySchema).mutation(({ ctx, input }) => createApiKey(ctx.service, input)),
  list: p.input(listApiKeysInputSchema).output(apiKeyPageSchema).query(({ ctx, input }) => listApiKeys(ctx.service, input)),
  revoke: p.input(revokeApiKeyInputSchema).output(apiKeySchema).mutation(({ ctx, input }) => revokeApiKey(ctx.service, input)),
});

export const usersRouter = router({
  upsert: p.input(upsertUserInputSchema).output(userSchema).mutation(({ ctx, input }) => upsertUser(ctx.service, input)),
  list: p.input(listUsersInputSchema).output(userPageSchema).query(({ ctx, input }) => listUsers(ctx.service, input)),
  deactivate: p.input(deactivateUserInputSchema).output(deactivationSchema).mutation(({ ctx, input }) => deactivateUser(ctx.service, input)),
  revokeTokens: p.input(revokeUserTokensInputSchema).output(revokedUserTokensSchema).mutation(({ ctx, input }) => revokeUserTokens(ctx.service, input)),
});

/** Read-only: no procedure edits or deletes audit events. */
export const auditRouter = router({
  list: p.input(listAuditInputSchema).output(auditPageSchema).query(({ ctx, input }) => listAudit(ctx.service, input)),
});
