/**
 * Byte helpers shared by the WAF transformations (gateway/waf/transformations).
 *
 * Values are byte strings (every char code 0-255, see ../types.ts). The predicates here
 * follow the C library in the "C" locale, because ModSecurity's transformations use
 * `isspace`, `isxdigit` and friends there: no byte >= 0x80 is a space, digit or letter.
 */

/** `isspace` in the C locale: space, \t, \n, \v, \f, \r. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

export function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

export function isAlnum(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Value of one hex digit; callers check `isHexDigit` first. */
export function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x61 + 10;
}

/** Value of `count` octal digits at `at` (already validated). */
export function octalValue(input: string, at: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) value = value * 8 + input.charCodeAt(at + k) - 0x30;
  return value;
}

/**
 * Two hex digits to one byte, as ModSecurity's `x2c` computes it: without validation,
 * wrapping to a byte. `hexDecode` relies on this for its non-hex input.
 */
export function x2c(high: number, low: number): number {
  const h = high >= 0x41 ? (high & 0xdf) - 0x41 + 10 : high - 0x30;
  const l = low >= 0x41 ? (low & 0xdf) - 0x41 + 10 : low - 0x30;
  return (h * 16 + l) & 0xff;
}

/** A scratch output buffer; its bytes become a byte string with `toByteString`. */
export function allocBytes(length: number): Buffer {
  return Buffer.allocUnsafe(length);
}

export function toByteString(bytes: Buffer, length: number): string {
  return bytes.toString('latin1', 0, length);
}

/** A byte string to a Buffer (char codes above 255, which the contract excludes, wrap). */
export function fromByteString(input: string): Buffer {
  return Buffer.from(input, 'latin1');
}
