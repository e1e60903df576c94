import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { router } from '../trpc.js';
import { accountsRouter } from './accounts.js';
import { apiKeysRouter, auditRouter, usersRouter } from './admin.js';
import { contactsRouter } from './contacts.js';
import { ordersRouter, tenantRouter } from './orders.js';
import { creditRouter, fxRouter, invoicesRouter, paymentsRouter } from './receivables.js';
import { availabilityRouter, delegationsRouter, ownershipRouter } from './ownership.js';
import { activitiesRouter, poolRouter } from './pool.js';
import { productLinesRouter, teamsRouter } from './teams.js';

export const appRouter = router({
  accounts: accountsRouter,
  contacts: contactsRouter,
  apiKeys: apiKeysRouter,
  users: usersRouter,
  audit: auditRouter,
  teams: teamsRouter,
  productLines: productLinesRouter,
  ownership: ownershipRouter,
  delegations: delegationsRouter,
  availability: availabilityRouter,
  pool: poolRouter,
  activities: activitiesRouter,
  tenant: tenantRouter,
  orders: ordersRouter,
  invoices: invoicesRouter,
  payments: paymentsRouter,
  credit: creditRouter,
  fx: fxRouter,
});

/** The type clients are built from. Import it as a type only. */
export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
