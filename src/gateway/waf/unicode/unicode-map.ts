/**
 * Unicode maps for `t:urlDecodeUni` (gateway/waf/unicode): the `SecUnicodeMapFile FILE
 * CODEPAGE` table ModSecurity consults when a `%uHHHH` escape is decoded. A map is a 65,536
 * entry table, code point -> byte, -1 where the code point has no mapping (the decoder then
 * keeps the low byte, as without a map).
 *
 * The file format is ModSecurity's `unicode.mapping`: sections, each opened by a line whose
 * first word is the code page number (`20127 (US-ASCII)`), then whitespace-separated
 * `cccc:bb` pairs (hexadecimal code point and byte). We read it as ModSecurity v3 does
 * (`ConfigUnicodeMap::loadConfig`), which decides the edge cases:
 * - the file is split into words at blanks, tabs and line breaks; a word whose leading decimal
 *   digits equal the code page opens the section, and its mapping words are every word with a
 *   `:` after that; the first word without a `:` once a mapping was read ends the section;
 * - each side of a pair is read as C's `strtol(..., 16)` reads it (leading blanks, a sign, an
 *   optional `0x`, hex digits up to the first other character; no digit gives 0); pairs whose
 *   code point is outside 0-0xFFFF are skipped, later pairs overwrite earlier ones; the byte
 *   kept is the low 8 bits of the value;
 * - U+002E, U+3002, U+FF0E and U+FF61 always map to `.` (RFC 3490's label dots), before the
 *   file's pairs are read.
 * Unlike ModSecurity, a code page the file lacks is an error here, not an empty map.
 *
 * @example parseUnicodeMapping('20127 (US-ASCII)\n2019:27 ff01:21\n', 20127)[0x2019] // 0x27
 */

/** Code point (0-0xFFFF) -> byte (0-255), or -1 for no mapping. */
export type UnicodeMapTable = Int16Array;

/** Code points ModSecurity maps to `.` whenever a unicode map is configured (RFC 3490 3.1). */
export const BUILT_IN_DOTS: readonly number[] = [0x002e, 0x3002, 0xff0e, 0xff61];

export class UnicodeMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnicodeMapError';
  }
}

/** C's `atol`: leading blanks, an optional sign, decimal digits; 0 when there are none. */
function atol(word: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(word);
  const digits = match?.[2] ?? '';
  if (digits === '') return 0;
  const value = Number(digits.slice(0, 20));
  return match?.[1] === '-' ? -value : value;
}

/** C's `strtol(text, NULL, 16)`, saturated far outside the range that matters here. */
function strtol16(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]*)/.exec(text);
  const digits = match?.[2] ?? '';
  if (digits === '') return 0;
  const value = digits.length > 12 ? Number.MAX_SAFE_INTEGER : Number.parseInt(digits, 16);
  return match?.[1] === '-' ? -value : value;
}

/** A fresh table with ModSecurity's built-in entries only. */
export function emptyUnicodeMap(): UnicodeMapTable {
  const table = new Int16Array(0x10000).fill(-1);
  for (const codePoint of BUILT_IN_DOTS) table[codePoint] = 0x2e;
  return table;
}

/**
 * The table for `codePage` from the text of a unicode.mapping file (read as latin1).
 * Throws UnicodeMapError when the file has no section for the code page.
 */
export function parseUnicodeMapping(text: string, codePage: number): UnicodeMapTable {
  const table = emptyUnicodeMap();
  let found = false;
  let processing = false;
  for (const word of text.split(/[ \t\n\r]+/)) {
    if (word === '') continue;
    if (atol(word) === codePage) found = true;
    const hasColon = word.includes(':');
    if (found && hasColon) {
      processing = true;
      // strtok_r(word, ":") skips leading colons; the byte is what follows the next colon.
      const pair = word.replace(/^:+/, '');
      const colon = pair.indexOf(':');
      const codePoint = strtol16(colon === -1 ? pair : pair.slice(0, colon));
      const value = colon === -1 ? 0 : strtol16(pair.slice(colon + 1));
      // ModSecurity stores an int and writes its low byte; -1 is its "no mapping".
      if (codePoint >= 0 && codePoint <= 0xffff)
        table[codePoint] = value === -1 ? -1 : ((value % 256) + 256) % 256;
      continue;
    }
    if (processing) break;
  }
  if (!found) throw new UnicodeMapError(`code page ${codePage} is not in the file`);
  return table;
}

/** How many code points a table maps (the built-in dots included). */
export function countMapped(table: UnicodeMapTable): number {
  let count = 0;
  for (const byte of table) if (byte >= 0) count++;
  return count;
}
