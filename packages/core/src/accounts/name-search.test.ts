import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchKey } from './name-search.js';

/** The full-width form of printable ASCII (U+FF01…U+FF5E, and U+3000 for a space). */
const fullWidth = (text: string) => [...text].map((c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) - 0x21 + 0xff01))).join('');

describe('searchKey', () => {
  it("turns full-width 'ＡＢＣ' into 'abc'", () => {
    expect(searchKey('ＡＢＣ')).toBe('abc');
  });

  it('lower-cases, trims and collapses runs of whitespace to one space', () => {
    expect(searchKey('  ＡＢＣ  Trading ')).toBe('abc trading');
    expect(searchKey('Acme\t\n  Corp')).toBe('acme corp');
    expect(searchKey('ACME')).toBe('acme');
  });

  it('treats the ideographic space like a space', () => {
    expect(searchKey('华东\u3000\u3000有限公司')).toBe('华东 有限公司');
  });

  it('turns full-width digits and half-width katakana into their standard forms', () => {
    expect(searchKey('１２３')).toBe('123');
    expect(searchKey('ｶﾀｶﾅ')).toBe('カタカナ');
  });

  it('leaves Chinese text unchanged', () => {
    expect(searchKey('华东有限公司')).toBe('华东有限公司');
  });

  it('gives a full-width string the same key as its ASCII form', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }), (ascii) => {
        expect(searchKey(fullWidth(ascii))).toBe(searchKey(ascii));
      }),
    );
  });

  it('never returns leading, trailing or repeated whitespace, nor upper-case ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const key = searchKey(text);
        expect(key).toBe(key.trim());
        expect(key).not.toMatch(/\s\s|[\t\n\r]|[A-Z]/);
      }),
    );
  });
});
