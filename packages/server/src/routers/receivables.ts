import {
  allocatePaymentInputSchema, createCreditNoteInputSchema, createInvoiceInputSchema, createPaymentInputSchema, getInvoiceInputSchema, getPaymentInputSchema, invoicePageSchema,
  invoiceSchema, listInvoicesInputSchema, listPaymentsInputSchema, paymentPageSchema, paymentSchema, rebuildExposureInputSchema, rebuildExposureResultSchema,
  voidInvoiceInputSchema, voidPaymentInputSchema, setCreditLimitInputSchema, creditLimitRecordSchema, removeCreditLimitInputSchema, creditHoldInputSchema, creditHoldRecordSchema,
  creditReleaseInputSchema, creditStatusInputSchema, accountCreditStatusSchema, listCreditApprovalsInputSchema, creditApprovalPageSchema, approveCreditInputSchema, creditApprovalSchema,
  rejectCreditInputSchema, expireCreditApprovalsInputSchema, expireCreditApprovalsResultSchema, setExchangeRateInputSchema, exchangeRateRecordSchema, listExchangeRatesInputSchema,
  exchangeRatePageSchema,
} from '@crmkit/core';
import { approveCredit, listCreditApprovals, rejectCredit, runCreditApprovalExpiry } from '../services/credit/approvals.js';
import { listExchangeRates, setExchangeRate } from '../services/credit/fx.js';
import { creditStatus, holdCredit, releaseCredit, removeCreditLimit, setCreditLimit } from '../services/credit/limits.js';
import { rebuildExposure } from '../services/exposure/rebuild.js';
import { createInvoice } from '../services/invoices/create.js';
import { createCreditNote } from '../services/invoices/credit-note.js';
import { getInvoice, listInvoices } from '../services/invoices/read.js';
import { voidInvoice } from '../services/invoices/void.js';
import { allocatePayment, createPayment, getPayment, listPayments, voidPayment } from '../services/payments/payments.js';
import { authedProcedure as p, router } from '../trpc.js';

export const invoicesRouter = router({
  create: p.input(createInvoiceInputSchema).output(invoiceSchema).mutation(({ ctx, input }) => createInvoice(ctx.service, input)),
  createCreditNote: p.input(createCreditNoteInputSchema).output(invoiceSchema).mutation(({ ctx, input }) => createCreditNote(ctx.service, input)),
  get: p.input(getInvoiceInputSchema).output(invoiceSchema).query(({ ctx, input }) => getInvoice(ctx.service, input)),
  list: p.input(listInvoicesInputSchema).output(invoicePageSchema).query(({ ctx, input }) => listInvoices(ctx.service, input)),
  void: p.input(voidInvoiceInputSchema).output(invoiceSchema).mutation(({ ctx, input }) => voidInvoice(ctx.service, input)),
});

export const paymentsRouter = router({
  create: p.input(createPaymentInputSchema).output(paymentSchema).mutation(({ ctx, input }) => createPayment(ctx.service, input)),
  allocate: p.input(allocatePaymentInputSchema).output(paymentSchema).mutation(({ ctx, input }) => allocatePayment(ctx.service, input)),
  get: p.input(getPaymentInputSchema).output(paymentSchema).query(({ ctx, input }) => getPayment(ctx.service, input)),
  list: p.input(listPaymentsInputSchema).output(paymentPageSchema).query(({ ctx, input }) => listPayments(ctx.service, input)),
  void: p.input(voidPaymentInputSchema).output(paymentSchema).mutation(({ ctx, input }) => voidPayment(ctx.service, input)),
});

export const creditRouter = router({
  rebuild: p.input(rebuildExposureInputSchema).output(rebuildExposureResultSchema).mutation(({ ctx, input }) => rebuildExposure(ctx.service, input)),
  setLimit: p.input(setCreditLimitInputSchema).output(creditLimitRecordSchema).mutation(({ ctx, input }) => setCreditLimit(ctx.service, input)),
  removeLimit: p.input(removeCreditLimitInputSchema).output(creditLimitRecordSchema).mutation(({ ctx, input }) => removeCreditLimit(ctx.service, input)),
  hold: p.input(creditHoldInputSchema).output(creditHoldRecordSchema).mutation(({ ctx, input }) => holdCredit(ctx.service, input)),
  release: p.input(creditReleaseInputSchema).output(creditHoldRecordSchema).mutation(({ ctx, input }) => releaseCredit(ctx.service, input)),
  status: p.input(creditStatusInputSchema).output(accountCreditStatusSchema).query(({ ctx, input }) => creditStatus(ctx.service, input)),
  approvals: p.input(listCreditApprovalsInputSchema).output(creditApprovalPageSchema).query(({ ctx, input }) => listCreditApprovals(ctx.service, input)),
  approve: p.input(approveCreditInputSchema).output(creditApprovalSchema).mutation(({ ctx, input }) => approveCredit(ctx.service, input)),
  reject: p.input(rejectCreditInputSchema).output(creditApprovalSchema).mutation(({ ctx, input }) => rejectCredit(ctx.service, input)),
  expireApprovals: p.input(expireCreditApprovalsInputSchema).output(expireCreditApprovalsResultSchema).mutation(({ ctx, input }) => runCreditApprovalExpiry(ctx.service, input)),
});

export const fxRouter = router({
  setRate: p.input(setExchangeRateInputSchema).output(exchangeRateRecordSchema).mutation(({ ctx, input }) => setExchangeRate(ctx.service, input)),
  listRates: p.input(listExchangeRatesInputSchema).output(exchangeRatePageSchema).query(({ ctx, input }) => listExchangeRates(ctx.service, input)),
});
