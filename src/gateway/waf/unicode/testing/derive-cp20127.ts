/**
 * Derives Ensuresec's own best-fit table for code page 20127 (US-ASCII), the table
 * `SecUnicodeMapFile unicode.mapping 20127` selects in ModSecurity's recommended setup
 * (gateway/waf/unicode). Not shipped: `cp20127.ts` holds its output, and
 * `unicode-map.test.ts` checks the two agree.
 *
 * Microsoft's best-fit file for 20127 could not be used here, so the table is derived from
 * Unicode's own data (Node's ICU) by three rules, each a plain statement about characters:
 * 1. Full-width ASCII U+FF01-U+FF5E is its ASCII twin (U+0021-U+007E).
 * 2. In the blocks a Western best-fit table covers (U+00A0-U+024F Latin-1 Supplement and
 *    Latin Extended-A/B, U+2000-U+206F General Punctuation), a character whose compatibility
 *    decomposition (NFKD), without its combining marks, is one printable ASCII character maps
 *    to it: é -> e, Ā -> A, U+2002 EN SPACE -> space, ² -> 2. Spacing diacritics (NFKD = space
 *    + mark, e.g. ¸ ´) are left to rule 3.
 * 3. LOOK_ALIKES below: letters with a stroke or ligatures, quotes, dashes, guillemets, bullets
 *    and signs that have no decomposition but one obvious ASCII look-alike.
 *
 * Run: node --import tsx src/gateway/waf/unicode/testing/derive-cp20127.ts
 */
import { pathToFileURL } from 'node:url';

/** Rule 3: [code point, ASCII character], grouped by kind. */
export const LOOK_ALIKES: ReadonlyArray<readonly [number, string]> = [
  // Single quotes, apostrophes, primes, grave and acute look-alikes.
  [0x2018, "'"],
  [0x2019, "'"],
  [0x201b, "'"],
  [0x2032, "'"],
  [0x02b9, "'"],
  [0x02bc, "'"],
  [0x02c8, "'"],
  [0x00b4, "'"],
  [0x2035, '`'],
  [0x02cb, '`'],
  [0x0300, '`'],
  // Low single quote and cedilla look like a comma.
  [0x201a, ','],
  [0x00b8, ','],
  // Double quotes and double primes.
  [0x201c, '"'],
  [0x201d, '"'],
  [0x201e, '"'],
  [0x201f, '"'],
  [0x2033, '"'],
  [0x02ba, '"'],
  [0x030e, '"'],
  [0x00a8, '"'],
  // Hyphens and dashes, soft hyphen, minus-like bars.
  [0x2010, '-'],
  [0x2011, '-'],
  [0x2012, '-'],
  [0x2013, '-'],
  [0x2014, '-'],
  [0x2015, '-'],
  [0x00ad, '-'],
  [0x2043, '-'],
  // Angle quotes.
  [0x2039, '<'],
  [0x203a, '>'],
  [0x00ab, '<'],
  [0x00bb, '>'],
  // Dots: bullets, middle dot, ellipsis, one-dot leader.
  [0x2022, '.'],
  [0x2024, '.'],
  [0x2026, '.'],
  [0x00b7, '.'],
  // Other Latin-1 signs.
  [0x00a1, '!'],
  [0x00a2, 'c'],
  [0x00a4, '$'],
  [0x00a5, 'Y'],
  [0x00a6, '|'],
  [0x00a9, 'C'],
  [0x00ae, 'R'],
  [0x00bf, '?'],
  [0x00d7, 'x'],
  [0x2044, '/'],
  [0x2122, 'T'],
  // Modifier letters and combining marks that look like ASCII punctuation.
  [0x02c4, '^'],
  [0x02c6, '^'],
  [0x0302, '^'],
  [0x02dc, '~'],
  [0x0303, '~'],
  [0x02cd, '_'],
  [0x0331, '_'],
  [0x0332, '_'],
  // Letters with a stroke or bar, ligatures, dotless i, script g: their base letter.
  [0x00c6, 'A'],
  [0x00e6, 'a'],
  [0x00d0, 'D'],
  [0x00d8, 'O'],
  [0x00f8, 'o'],
  [0x0110, 'D'],
  [0x0111, 'd'],
  [0x0126, 'H'],
  [0x0127, 'h'],
  [0x0131, 'i'],
  [0x0141, 'L'],
  [0x0142, 'l'],
  [0x0152, 'O'],
  [0x0153, 'o'],
  [0x0166, 'T'],
  [0x0167, 't'],
  [0x0180, 'b'],
  [0x0189, 'D'],
  [0x0191, 'F'],
  [0x0192, 'f'],
  [0x0197, 'I'],
  [0x019a, 'l'],
  [0x019f, 'O'],
  [0x01ab, 't'],
  [0x01ae, 'T'],
  [0x01b5, 'Z'],
  [0x01b6, 'z'],
  [0x01e4, 'G'],
  [0x01e5, 'g'],
  [0x0261, 'g'],
];

const DECOMPOSED_BLOCKS: ReadonlyArray<readonly [number, number]> = [
  [0x00a0, 0x024f],
  [0x2000, 0x206f],
];

const MARK = /^\p{M}$/u;

/** Rule 2 for one code point: its ASCII byte, or undefined. */
function decomposesToAscii(codePoint: number): number | undefined {
  const chars = [...String.fromCharCode(codePoint).normalize('NFKD')];
  if (chars[0] === ' ' && chars.length > 1) return undefined; // a spacing diacritic
  const base = chars.filter((char) => !MARK.test(char));
  if (base.length !== 1) return undefined;
  const byte = (base[0] ?? '').charCodeAt(0);
  return byte >= 0x20 && byte <= 0x7e ? byte : undefined;
}

/** The whole table, code point -> byte, sorted by code point. */
export function deriveCp20127(): Map<number, number> {
  const table = new Map<number, number>();
  for (const [first, last] of DECOMPOSED_BLOCKS) {
    for (let codePoint = first; codePoint <= last; codePoint++) {
      const byte = decomposesToAscii(codePoint);
      if (byte !== undefined) table.set(codePoint, byte);
    }
  }
  for (let codePoint = 0xff01; codePoint <= 0xff5e; codePoint++) table.set(codePoint, codePoint - 0xfee0);
  for (const [codePoint, char] of LOOK_ALIKES) table.set(codePoint, char.charCodeAt(0));
  return new Map([...table].sort((a, b) => a[0] - b[0]));
}

const hex = (value: number, width: number): string => value.toString(16).padStart(width, '0');

/** The table in unicode.mapping's format: the code page line, then `cccc:bb` pairs, 16 a line. */
export function cp20127MappingText(): string {
  const pairs = [...deriveCp20127()].map(([codePoint, byte]) => `${hex(codePoint, 4)}:${hex(byte, 2)}`);
  const lines = ['20127 (US-ASCII)'];
  for (let i = 0; i < pairs.length; i += 16) lines.push(pairs.slice(i, i + 16).join(' '));
  return lines.join('\n') + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(cp20127MappingText());
}
