/**
 * Value transformations of Sigma modifiers (detect/sigma), applied once at load time:
 * `windash` (command-line dash variants), `wide`/`utf16le`/`utf16be`/`utf16` (text encodings,
 * only meaningful before a base64 modifier), `base64` and `base64offset` (the three shifted
 * encodings a value can take inside a longer base64 string).
 *
 * @example base64OffsetVariants(Buffer.from('http')) // ['aHR0c', 'h0dH', 'odHRw']
 */

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'utf16';

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** More variants than this means a value with many dashes; the rule is rejected rather than exploded. */
export const MAX_WINDASH_VARIANTS = 256;

/**
 * Every spelling of a Windows command-line flag: each `-` or `/` that starts a word (preceded by
 * start or a space) may be any of the dash characters Windows accepts.
 */
export function windashVariants(value: string): string[] {
  const positions: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if ((value[i] === '-' || value[i] === '/') && (i === 0 || value[i - 1] === ' ')) positions.push(i);
  }
  const total = DASHES.length ** positions.length;
  if (total > MAX_WINDASH_VARIANTS) {
    throw new Error(`windash would make ${total} variants (more than ${MAX_WINDASH_VARIANTS})`);
  }
  const variants: string[] = [];
  for (let n = 0; n < total; n++) {
    const chars = [...value];
    let rest = n;
    for (const position of positions) {
      chars[position] = DASHES[rest % DASHES.length]!;
      rest = Math.floor(rest / DASHES.length);
    }
    variants.push(chars.join(''));
  }
  return [...new Set(variants)];
}

export function encodeText(value: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(value, 'utf8');
    case 'utf16le':
      return Buffer.from(value, 'utf16le');
    case 'utf16be':
      return Buffer.from(value, 'utf16le').swap16();
    case 'utf16':
      // with a byte-order mark, as Windows writes UTF-16 text
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(value, 'utf16le')]);
  }
}

export function base64Of(bytes: Buffer): string {
  return bytes.toString('base64');
}

/**
 * The three forms `bytes` takes inside a longer base64 text, depending on its offset modulo 3:
 * the characters that depend on the unknown neighbouring bytes are cut off.
 */
export function base64OffsetVariants(bytes: Buffer): string[] {
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2];
  const variants: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    const end = endCut[(bytes.length + shift) % 3]!;
    variants.push(encoded.slice(startCut[shift]!, encoded.length - end));
  }
  return variants;
}
