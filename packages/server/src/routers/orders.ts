import {
  cancelOrderInputSchema, createOrderInputSchema, fulfilOrderInputSchema, getOrderInputSchema, listOrdersInputSchema, orderActionInputSchema, orderPageSchema, orderSchema,
  tenantSettingsSchema, updateOrderInputSchema, updateTenantSettingsInputSchema,
} from '@crmkit/core';
import { z } from 'zod';
import { createOrder } from '../services/orders/create.js';
import { cancelOrder, confirmOrder, fulfilOrder, reopenOrder } from '../services/orders/lifecycle.js';
import { getOrder, listOrders } from '../services/orders/read.js';
import { updateOrder } from '../services/orders/update.js';
import { getTenantSettings, updateTenantSettings } from '../services/tenants/settings.js';
import { authedProcedure as p, router } from '../trpc.js';

export const ordersRouter = router({
  create: p.input(createOrderInputSchema).output(orderSchema).mutation(({ ctx, input }) => createOrder(ctx.service, input)),
  get: p.input(getOrderInputSchema).output(orderSchema).query(({ ctx, input }) => getOrder(ctx.service, input)),
  list: p.input(listOrdersInputSchema).output(orderPageSchema).query(({ ctx, input }) => listOrders(ctx.service, input)),
  update: p.input(updateOrderInputSchema).output(orderSchema).mutation(({ ctx, input }) => updateOrder(ctx.service, input)),
  confirm: p.input(orderActionInputSchema).output(orderSchema).mutation(({ ctx, input }) => confirmOrder(ctx.service, input)),
  fulfil: p.input(fulfilOrderInputSchema).output(orderSchema).mutation(({ ctx, input }) => fulfilOrder(ctx.service, input)),
  cancel: p.input(cancelOrderInputSchema).output(orderSchema).mutation(({ ctx, input }) => cancelOrder(ctx.service, input)),
  reopen: p.input(orderActionInputSchema).output(orderSchema).mutation(({ ctx, input }) => reopenOrder(ctx.service, input)),
});

export const tenantRouter = router({
  settings: router({
    get: p.input(z.strictObject({}).optional()).output(tenantSettingsSchema).query(({ ctx }) => getTenantSettings(ctx.service)),
    update: p.input(updateTenantSettingsInputSchema).output(tenantSettingsSchema).mutation(({ ctx, input }) => updateTenantSettings(ctx.service, input)),
  }),
});
