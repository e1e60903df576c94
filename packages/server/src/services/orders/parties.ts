import { CrmError, orderPartyDefaults, step, type ExplanationStep } from '@crmkit/core';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/client.js';
import { ancestorChain } from '../accounts/account-rows.js';

export interface OrderParties {
  billToAccountId: string;
  shipToAccountId: string;
  explanation: ExplanationStep[];
}

/**
 * The bill-to and ship-to accounts of an order: the hierarchy's defaults (`orderPartyDefaults`)
 * unless given. A given account must lie in the ordering account's group (the tree under its
 * top-level account) and be active; VALIDATION otherwise, the same answer for an account that does
 * not exist, so nothing outside the group is revealed.
 */
export async function resolveParties(tx: Tx, ctx: ServiceContext, orderingAccountId: string, given: { billToAccountId?: string | undefined; shipToAccountId?: string | undefined }): Promise<OrderParties> {
  const { tenantId } = ctx.actor;
  const chain = await ancestorChain(tx, tenantId, orderingAccountId);
  const defaults = orderPartyDefaults(chain);
  const root = chain[chain.length - 1]!.id;
  const explanation = [...defaults.explanation];
  const pick = async (field: 'billToAccountId' | 'shipToAccountId', role: string): Promise<string> => {
    const id = given[field];
    if (id === undefined || id === defaults[field]) return defaults[field];
    const theirs = await ancestorChain(tx, tenantId, id);
    const row = theirs.length ? await tx.account.findFirst({ where: { tenantId, id }, select: { archivedAt: true } }) : null;
    if (!row || theirs[theirs.length - 1]!.id !== root) throw CrmError.validation(field, `the ${role} account must be an account of the ordering account's group`);
    if (row.archivedAt) throw new CrmError('PRECONDITION_FAILED', `the ${role} account ${id} is archived`, { fieldErrors: { [field]: [`account ${id} is archived`] }, details: { id } });
    explanation.push(step(role, 'applied', `${id} was given as the ${role} account, in place of ${defaults[field]}`, id));
    return id;
  };
  const billToAccountId = await pick('billToAccountId', 'bill-to');
  const shipToAccountId = await pick('shipToAccountId', 'ship-to');
  return { billToAccountId, shipToAccountId, explanation };
}
