/**
 * Quoted fields of access-log lines (ingest, access-log source). Apache writes `"` and `\`
 * as `\"` and `\\`, whitespace as `\n` `\t`…, and other bytes as `\xhh`; nginx writes `"`,
 * `\` and bytes outside 0x20..0x7e as `\xHH`. Decoding turns the escapes back into bytes and
 * reads those as UTF-8 (invalid sequences become U+FFFD), so `\xC3\xA9` is `é` again.
 *
 * @example readQuoted('"GET / HTTP/1.1" 200', 0) // { value: 'GET / HTTP/1.1', end: 16 }
 */

const BACKSLASH = 92;
const QUOTE = 34;
const SPACE = 32;

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, b: 8, '"': 34, '\\': 92 };

export interface QuotedField {
  value: string;
  /** The index just after the closing quote. */
  end: number;
}

/**
 * Reads the quoted field whose opening quote is at `start`. A quote closes the field only
 * when a space or the end of the line follows it: a server that does not escape quotes
 * (some do not in user agents) still yields the whole field. Null when no quote closes it.
 */
export function readQuoted(line: string, start: number): QuotedField | null {
  let escaped = false;
  const length = line.length;
  for (let i = start + 1; i < length; i++) {
    const code = line.charCodeAt(i);
    if (code === BACKSLASH) {
      escaped = true;
      i++;
    } else if (code === QUOTE && (i + 1 === length || line.charCodeAt(i + 1) === SPACE)) {
      const raw = line.slice(start + 1, i);
      return { value: escaped ? decodeEscapes(raw) : raw, end: i + 1 };
    }
  }
  return null;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Undoes `\xHH`, `\"`, `\\`, `\n`… escapes; an unknown escape is kept as written. */
export function decodeEscapes(raw: string): string {
  const input = Buffer.from(raw, 'utf8');
  const output = Buffer.allocUnsafe(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte !== BACKSLASH || i + 1 >= input.length) {
      output[length++] = byte;
      continue;
    }
    const next = input[i + 1] as number;
    if (next === 120 /* x */ && i + 3 < input.length) {
      const high = hexValue(input[i + 2] as number);
      const low = hexValue(input[i + 3] as number);
      if (high >= 0 && low >= 0) {
        output[length++] = high * 16 + low;
        i += 3;
        continue;
      }
    }
    const simple = SIMPLE_ESCAPES[String.fromCharCode(next)];
    if (simple !== undefined) {
      output[length++] = simple;
      i += 1;
      continue;
    }
    output[length++] = byte;
  }
  return output.toString('utf8', 0, length);
}
