/**
 * `t:htmlEntityDecode`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */
import { allocBytes, hexValue, isAlnum, isDigit, isHexDigit, toByteString } from './bytes.js';

/** The only named entities ModSecurity decodes (case-insensitive); others stay as written. */
const NAMED_ENTITIES: ReadonlyMap<string, number> = new Map([
  ['quot', 0x22],
  ['amp', 0x26],
  ['lt', 0x3c],
  ['gt', 0x3e],
  ['nbsp', 0xa0],
]);

/** Values above C's LONG_MAX saturate in `strtol`, whose low byte is then 0xFF. */
const LONG_MAX_DECIMAL = '9223372036854775807';

/**
 * Decodes `&#DDD;`, `&#xHH;` / `&#XHH;` and `&quot; &amp; &lt; &gt; &nbsp;` (any case),
 * each to ONE byte: a numeric entity keeps the low byte of its value ("&#321;" -> "A"),
 * and `&nbsp;` is 0xA0. The semicolon is optional ("&lt" -> "<"); digits run as far as
 * they go ("&#3a" -> "\x03a"). Unknown names and entities without digits stay as written.
 * Example: `SecRule ARGS "@rx <script" "id:1,t:none,t:htmlEntityDecode"`.
 */
export function htmlEntityDecode(input: string): string {
  if (input.indexOf('&') === -1) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 0x26 || i + 1 >= n) {
      out[j++] = c;
      i++;
      continue;
    }
    let k = i + 1;
    let decoded = -1;
    if (input.charCodeAt(k) === 0x23) {
      k++;
      const isHex = k + 1 < n && (input.charCodeAt(k) | 0x20) === 0x78;
      if (isHex) k++;
      const start = k;
      while (k < n && (isHex ? isHexDigit(input.charCodeAt(k)) : isDigit(input.charCodeAt(k)))) k++;
      if (k > start) decoded = isHex ? hexEntityByte(input, start, k) : decimalEntityByte(input, start, k);
    } else {
      const start = k;
      while (k < n && isAlnum(input.charCodeAt(k))) k++;
      if (k - start <= 4 && k > start)
        decoded = NAMED_ENTITIES.get(input.slice(start, k).toLowerCase()) ?? -1;
    }
    if (decoded === -1) {
      // Not decodable: copy what was scanned as is and go on after it.
      for (const end = Math.max(k, i + 1); i < end; i++) out[j++] = input.charCodeAt(i);
      continue;
    }
    out[j++] = decoded;
    i = k < n && input.charCodeAt(k) === 0x3b ? k + 1 : k;
  }
  return toByteString(out, j);
}

function hexEntityByte(input: string, start: number, end: number): number {
  let first = start;
  while (first < end - 1 && input.charCodeAt(first) === 0x30) first++;
  const significant = end - first;
  if (significant > 16 || (significant === 16 && hexValue(input.charCodeAt(first)) >= 8)) return 0xff;
  const low = hexValue(input.charCodeAt(end - 1));
  return significant === 1 ? low : hexValue(input.charCodeAt(end - 2)) * 16 + low;
}

function decimalEntityByte(input: string, start: number, end: number): number {
  let first = start;
  while (first < end - 1 && input.charCodeAt(first) === 0x30) first++;
  const digits = input.slice(first, end);
  if (digits.length > 19 || (digits.length === 19 && digits > LONG_MAX_DECIMAL)) return 0xff;
  let value = 0;
  for (let k = 0; k < digits.length; k++) value = (value * 10 + digits.charCodeAt(k) - 0x30) % 256;
  return value;
}
