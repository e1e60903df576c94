import { describe, expect, it } from 'vitest';
import { isCrmError } from '../errors.js';
import { assertAllocatable, assertCreditable, assertWithinPayment, invoiceTotal } from './invoices.rules.js';

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    if (isCrmError(e)) return { code: e.code, fieldErrors: e.fieldErrors, details: e.details };
    throw e;
  }
  return null;
};

describe('invoice rules', () => {
  it('totals lines and refuses a total that is not positive', () => {
    expect(invoiceTotal([3_000_00, 150_00, -50_00])).toBe(3_100_00);
    expect(refusal(() => invoiceTotal([100, -100]))).toMatchObject({ code: 'VALIDATION', fieldErrors: { lines: [expect.stringContaining('credit note')] } });
    expect(refusal(() => invoiceTotal([Number.MAX_SAFE_INTEGER, 1]))).toMatchObject({ code: 'VALIDATION' });
  });

  it('credits a line up to what it has left, never more', () => {
    const line = { id: 'inl_1', amountMinor: 1_000, creditedMinor: 300 };
    expect(refusal(() => assertCreditable(line, 700, 'lines.0.amountMinor'))).toBeNull();
    expect(refusal(() => assertCreditable(line, 701, 'lines.0.amountMinor'))).toMatchObject({ code: 'VALIDATION', details: { creditableMinor: 700 } });
    expect(refusal(() => assertCreditable({ id: 'inl_2', amountMinor: -50, creditedMinor: 0 }, 1, 'p'))).toMatchObject({ details: { creditableMinor: 0 } });
  });

  it('allocates only to open invoices in the payment’s currency, within their balance and the payment’s', () => {
    const payment = { id: 'pay_1', currency: 'CNY' };
    const invoice = { id: 'inv_1', kind: 'invoice', currency: 'CNY', status: 'open', openMinor: 500 };
    expect(refusal(() => assertAllocatable({ payment, invoice, amountMinor: 500 }, 'allocations.0'))).toBeNull();
    expect(refusal(() => assertAllocatable({ payment, invoice, amountMinor: 501 }, 'allocations.0'))).toMatchObject({ fieldErrors: { 'allocations.0.amountMinor': [expect.any(String)] } });
    expect(refusal(() => assertAllocatable({ payment: { ...payment, currency: 'USD' }, invoice, amountMinor: 1 }, 'allocations.0'))).toMatchObject({
      fieldErrors: { 'allocations.0.invoiceId': [expect.any(String)] }, details: { invoiceCurrency: 'CNY', paymentCurrency: 'USD' },
    });
    expect(refusal(() => assertAllocatable({ payment, invoice: { ...invoice, kind: 'credit_note' }, amountMinor: 1 }, 'a'))).toMatchObject({ code: 'VALIDATION' });
    expect(refusal(() => assertAllocatable({ payment, invoice: { ...invoice, status: 'settled' }, amountMinor: 1 }, 'a'))).toMatchObject({ code: 'VALIDATION' });
    expect(refusal(() => assertWithinPayment({ id: 'pay_1', amountMinor: 1_000, allocatedMinor: 400 }, 600))).toBeNull();
    expect(refusal(() => assertWithinPayment({ id: 'pay_1', amountMinor: 1_000, allocatedMinor: 400 }, 601))).toMatchObject({ details: { unallocatedMinor: 600 } });
  });
});
