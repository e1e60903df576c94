import { CrmError, revokeUserTokensInputSchema, type RevokedUserTokens, type RevokeUserTokensInput } from '@crmkit/core';
import { authorize, type ServiceContext } from '../../context.js';
import { inTransaction, recordChange } from '../audit/record.js';
import { forgetStanding, lockUsers, nextRevocation } from './standing.js';

/**
 * Signs a user out everywhere: tokens issued before now are refused, at once on this instance and
 * within `apiKeyCacheMs` on others. A token minted by the server afterwards (`crm.mintUserToken`,
 * which embeds the instant as its `rvb` claim) works at once, even within the same instant; one
 * without the claim only from the next whole second (its `iat`). Each revocation moves the stored
 * instant strictly forward (1 ms past the previous one at least). The user must have been upserted
 * (NOT_FOUND otherwise).
 *
 * @example await revokeUserTokens(ctx, { userId: 'auth0|5f7c' }) // { userId, tokensRevokedBefore: '2026-03-01T09:00:00.000Z' }
 */
export async function revokeUserTokens(ctx: ServiceContext, input: RevokeUserTokensInput): Promise<RevokedUserTokens> {
  authorize(ctx.actor, 'users:write');
  const { userId } = revokeUserTokensInputSchema.parse(input);
  const { tenantId } = ctx.actor;
  return inTransaction(ctx, async (tx) => {
    // Locked before it is read: two revocations at once each advance the instant.
    await lockUsers(tx, ctx, { update: [userId] });
    const current = await tx.user.findUnique({ where: { tenantId_id: { tenantId, id: userId } }, select: { tokensRevokedBefore: true } });
    if (!current) throw CrmError.notFound('user', userId);
    const now = ctx.clock.now();
    const revokedBefore = nextRevocation(current.tokensRevokedBefore, now);
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
