/**
 * The form of a name used for search: NFKC (full-width Ａ１ and half-width A1 alike),
 * lower-case, runs of whitespace collapsed. Stored beside the name and applied to queries.
 *
 * @example searchKey('  ＡＢＣ  Trading ') // 'abc trading'
 */
export function searchKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
