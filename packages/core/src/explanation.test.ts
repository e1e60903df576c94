import { describe, expect, it } from 'vitest';
import { explanationStepSchema, step } from './explanation.js';

describe('step', () => {
  it('makes a valid explanation step with a null subject by default', () => {
    const s = step('bill-to', 'fallback', 'no account settles');
    expect(s).toEqual({ rule: 'bill-to', outcome: 'fallback', message: 'no account settles', subjectId: null });
    expect(explanationStepSchema.parse(s)).toEqual(s);
  });

  it('keeps the subject id it is given', () => {
    expect(step('ship-to', 'applied', 'ships to acc_1', 'acc_1').subjectId).toBe('acc_1');
  });
});

describe('explanationStepSchema', () => {
  it('refuses an outcome outside matched, skipped, applied and fallback', () => {
    expect(explanationStepSchema.safeParse({ rule: 'r', outcome: 'failed', message: 'm', subjectId: null }).success).toBe(false);
    expect(explanationStepSchema.safeParse({ rule: 'r', outcome: 'matched', message: 'm' }).success).toBe(false);
  });
});
