/**
 * `t:base64DecodeExt`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';

/** Forgiving alphabet: standard and URL-safe (`-`, `_`) digits; -1 for bytes to skip. */
const FORGIVING_TABLE: Int8Array = buildForgivingTable();

function buildForgivingTable(): Int8Array {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let v = 0; v < alphabet.length; v++) table[alphabet.charCodeAt(v)] = v;
  table[0x2d] = 62;
  table[0x5f] = 63;
  return table;
}

const PAD = 0x3d;

/**
 * Forgiving Base64 decoding as ModSecurity v3 does it: bytes outside the alphabet are
 * skipped, the URL-safe digits `-` and `_` are accepted, a trailing partial group yields
 * its whole bytes ("QUJD" + "RA" -> "ABCD"). ModSecurity gives up (EMPTY result) when a
 * `=` not followed by another `=` comes after 4k+1 digits ("dzBzV==YWxl" -> ""), and
 * when the input ends after 4k+1 digits on `=` or, by a quirk of its decoder, on the
 * digit `9` (whose value 61 is the code of `=`); both are kept.
 * Example: `SecRule ARGS "@rx <script" "id:1,t:none,t:base64DecodeExt"`.
 */
export function base64DecodeExt(input: string): string {
  const n = input.length;
  const out = allocBytes(Math.ceil((n * 3) / 4) + 1);
  let j = 0;
  let sextets = 0;
  let pending = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i) & 0xff;
    if (c === PAD) {
      const next = i + 1 < n ? input.charCodeAt(i + 1) : 0;
      if (next !== PAD && sextets % 4 === 1) return '';
      last = PAD;
      continue;
    }
    const value = FORGIVING_TABLE[c] ?? -1;
    last = value;
    if (value < 0) continue;
    switch (sextets % 4) {
      case 0:
        pending = value << 2;
        break;
      case 1:
        out[j++] = pending | (value >> 4);
        pending = (value & 0x0f) << 4;
        break;
      case 2:
        out[j++] = pending | (value >> 2);
        pending = (value & 0x03) << 6;
        break;
      default:
        out[j++] = pending | value;
    }
    sextets++;
  }
  if (last === PAD && sextets % 4 === 1) return '';
  return toByteString(out, j);
}
