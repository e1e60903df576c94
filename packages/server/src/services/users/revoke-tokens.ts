import { CrmError, revokeUserTokensInputSchema, type RevokedUserTokens, type RevokeUserTokensInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { forgetStanding, laterRevocation } from './standing.js';

/**
 * Signs a user out everywhere: tokens issued up to now (by whole second) are refused, at once on
 * this instance and within `apiKeyCacheMs` on others; tokens minted in a later second work.
 * The user must have been upserted (NOT_FOUND otherwise).
 *
 * @example await revokeUserTokens(ctx, { userId: 'auth0|5f7c' }) // { userId, tokensRevokedBefore: '2026-03-01T09:00:00.000Z' }
 */
export async function revokeUserTokens(ctx: ServiceContext, input: RevokeUserTokensInput): Promise<RevokedUserTokens> {
  authorize(ctx.actor, 'users:write');
  const { userId } = revokeUserTokensInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    const current = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { tokensRevokedBefore: true } });
    if (!current) throw CrmError.notFound('user', userId);
    const now = ctx.clock.now();
    const revokedBefore = laterRevocation(current.tokensRevokedBefore, now);
    await tx.user.update({ where: { tenantId_id: { tenantId, id: userId } }, data: { tokensRevokedBefore: revokedBefore } });
    const answer: RevokedUserTokens = { userId, tokensRevokedBefore: revokedBefore.toISOString() };
    await recordChange(tx, ctx, {
      action: 'user.tokens_revoked',
      entityType: 'user',
      entityId: userId,
      before: { tokensRevokedBefore: current.tokensRevokedBefore?.toISOString() ?? null },
      after: { tokensRevokedBefore: answer.tokensRevokedBefore },
    });
    return answer;
  }).then(forgetStanding(ctx, userId));
}
