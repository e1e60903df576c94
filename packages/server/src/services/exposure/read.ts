import { exposureInputSchema, exposureOf, type AccountExposure } from '@crmkit/core';
import type { z } from 'zod';
import { authorize, type ServiceContext } from '../../context.js';
import { assertCanSeeAccount } from '../visibility.js';
import { readFigures } from './figures.js';

/**
 * An account's exposure per currency, own and group, with its parts (confirmed orders not yet
 * invoiced, open invoices, credit on account). A few rows whatever the history: the figures are
 * kept as documents change.
 */
export async function accountExposure(ctx: ServiceContext, input: z.input<typeof exposureInputSchema>): Promise<AccountExposure> {
  authorize(ctx.actor, 'credit:read');
  const { accountId } = exposureInputSchema.parse(input);
  await assertCanSeeAccount(ctx, accountId);
  const rows = await readFigures(ctx.db, ctx.actor.tenantId, accountId);
  const parts = (scope: 'own' | 'group') =>
    rows
      .filter((r) => r.scope === scope && (r.ordersOpenMinor !== 0 || r.invoicesOpenMinor !== 0 || r.onAccountCreditMinor !== 0))
      .map((r) => ({ currency: r.currency, ordersOpenMinor: r.ordersOpenMinor, invoicesOpenMinor: r.invoicesOpenMinor, onAccountCreditMinor: r.onAccountCreditMinor, exposureMinor: exposureOf(r) }));
  return { accountId, own: parts('own'), group: parts('group') };
}
