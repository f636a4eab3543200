/**
 * `t:base64Decode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it. CRS 934xxx decode payloads with it.
 */
import { allocBytes, toByteString } from './bytes.js';

/** Base64 alphabet value of a byte; 64 for `=`, -1 for anything else. */
const DECODE_TABLE: Int8Array = buildDecodeTable();

function buildDecodeTable(): Int8Array {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let v = 0; v < alphabet.length; v++) table[alphabet.charCodeAt(v)] = v;
  table[0x3d] = 64;
  return table;
}

/**
 * Strict Base64 decoding as ModSecurity v3 does it (its bundled mbedtls decoder):
 * - the value ends at its first 0x00 byte (C string);
 * - line breaks (\n, \r\n) are skipped anywhere, spaces only at the end of a line;
 * - up to two `=` at the end; any other byte, a lone \r or data after `=` makes the
 *   whole value invalid, and an invalid value decodes to the EMPTY string (ModSecurity
 *   does not decode a valid prefix);
 * - only complete 4-character groups produce bytes ("VGVzdA" -> "Tes").
 * Example: `SecRule ARGS "@rx eval\(" "id:1,t:none,t:base64Decode,multiMatch"`.
 */
export function base64Decode(input: string): string {
  const nul = input.indexOf('\0');
  const src = nul === -1 ? input : input.slice(0, nul);
  if (!isValidBase64(src)) return '';
  const out = allocBytes(Math.ceil((src.length * 3) / 4) + 3);
  let j = 0;
  let sextets = 0;
  let bits = 0;
  let dataInGroup = 3;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x20) continue;
    const value = DECODE_TABLE[c] ?? -1;
    if (value === 64) dataInGroup--;
    bits = ((bits << 6) | (value & 0x3f)) & 0xffffff;
    if (++sextets === 4) {
      sextets = 0;
      if (dataInGroup > 0) out[j++] = bits >> 16;
      if (dataInGroup > 1) out[j++] = (bits >> 8) & 0xff;
      if (dataInGroup > 2) out[j++] = bits & 0xff;
    }
  }
  return toByteString(out, j);
}

function isValidBase64(src: string): boolean {
  const n = src.length;
  let equals = 0;
  for (let i = 0; i < n; i++) {
    let spaces = 0;
    while (i < n && src.charCodeAt(i) === 0x20) {
      i++;
      spaces++;
    }
    if (i === n) break;
    const c = src.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && i + 1 < n && src.charCodeAt(i + 1) === 0x0a)) continue;
    if (spaces > 0) return false;
    const value = c < 128 ? (DECODE_TABLE[c] ?? -1) : -1;
    if (value < 0) return false;
    if (value === 64 && ++equals > 2) return false;
    if (value < 64 && equals > 0) return false;
  }
  return true;
}
