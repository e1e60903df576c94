import {
  accountCountSchema, accountPageSchema, accountSchema, accountTreeInputSchema, accountTreeSchema, archiveAccountInputSchema, countAccountsInputSchema, createAccountInputSchema,
  getAccountInputSchema, listAccountsInputSchema, orderPartiesInputSchema, orderPartiesSchema, setParentInputSchema, updateAccountInputSchema,
  accountExposureSchema, exposureInputSchema, receivablesInputSchema, receivablesSchema,
} from '@crmkit/core';
import { archiveAccount } from '../services/accounts/archive.js';
import { createAccount } from '../services/accounts/create.js';
import { getAccount } from '../services/accounts/get.js';
import { countAccounts, listAccounts } from '../services/accounts/list.js';
import { orderParties } from '../services/accounts/order-parties.js';
import { setAccountParent } from '../services/accounts/set-parent.js';
import { accountTree } from '../services/accounts/tree.js';
import { updateAccount } from '../services/accounts/update.js';
import { accountExposure } from '../services/exposure/read.js';
import { accountReceivables } from '../services/exposure/receivables.js';
import { authedProcedure as p, router } from '../trpc.js';

export const accountsRouter = router({
  create: p.input(createAccountInputSchema).output(accountSchema).mutation(({ ctx, input }) => createAccount(ctx.service, input)),
  get: p.input(getAccountInputSchema).output(accountSchema).query(({ ctx, input }) => getAccount(ctx.service, input)),
  update: p.input(updateAccountInputSchema).output(accountSchema).mutation(({ ctx, input }) => updateAccount(ctx.service, input)),
  list: p.input(listAccountsInputSchema).output(accountPageSchema).query(({ ctx, input }) => listAccounts(ctx.service, input)),
  count: p.input(countAccountsInputSchema).output(accountCountSchema).query(({ ctx, input }) => countAccounts(ctx.service, input)),
  tree: p.input(accountTreeInputSchema).output(accountTreeSchema).query(({ ctx, input }) => accountTree(ctx.service, input)),
  setParent: p.input(setParentInputSchema).output(accountSchema).mutation(({ ctx, input }) => setAccountParent(ctx.service, input)),
  archive: p.input(archiveAccountInputSchema).output(accountSchema).mutation(({ ctx, input }) => archiveAccount(ctx.service, input)),
  orderParties: p.input(orderPartiesInputSchema).output(orderPartiesSchema).query(({ ctx, input }) => orderParties(ctx.service, input)),
  exposure: p.input(exposureInputSchema).output(accountExposureSchema).query(({ ctx, input }) => accountExposure(ctx.service, input)),
  receivables: p.input(receivablesInputSchema).output(receivablesSchema).query(({ ctx, input }) => accountReceivables(ctx.service, input)),
});
