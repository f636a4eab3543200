/**
 * The registry of SecLang transformations (gateway/waf/transformations): rule compilation
 * resolves each `t:name` here once, at load time, and the engine runs the resulting
 * pipeline over byte strings. One file per transformation, one line per entry below,
 * alphabetical. Names are matched case-insensitively: CRS writes both `t:base64Decode`
 * and `t:base64decode`, and ModSecurity accepts either.
 */
import type { Transformation } from '../types.js';
import { base64Decode } from './base64-decode.js';
import { base64DecodeExt } from './base64-decode-ext.js';
import { base64Encode } from './base64-encode.js';
import { cmdLine } from './cmd-line.js';
import { compressWhitespace } from './compress-whitespace.js';
import { cssDecode } from './css-decode.js';
import { escapeSeqDecode } from './escape-seq-decode.js';
import { hexDecode } from './hex-decode.js';
import { hexEncode } from './hex-encode.js';
import { htmlEntityDecode } from './html-entity-decode.js';
import { jsDecode } from './js-decode.js';
import { length } from './length.js';
import { lowercase } from './lowercase.js';
import { md5 } from './md5.js';
import { NONE_TRANSFORMATION_NAME, none } from './none.js';
import { normalizePath } from './normalize-path.js';
import { normalizePathWin } from './normalize-path-win.js';
import { parityEven7bit } from './parity-even-7bit.js';
import { parityOdd7bit } from './parity-odd-7bit.js';
import { parityZero7bit } from './parity-zero-7bit.js';
import { removeComments } from './remove-comments.js';
import { removeCommentsChar } from './remove-comments-char.js';
import { removeNulls } from './remove-nulls.js';
import { removeWhitespace } from './remove-whitespace.js';
import { replaceComments } from './replace-comments.js';
import { replaceNulls } from './replace-nulls.js';
import { sha1 } from './sha1.js';
import { sqlHexDecode } from './sql-hex-decode.js';
import { trim } from './trim.js';
import { trimLeft } from './trim-left.js';
import { trimRight } from './trim-right.js';
import { uppercase } from './uppercase.js';
import { urlDecode } from './url-decode.js';
import { urlDecodeUni } from './url-decode-uni.js';
import { urlEncode } from './url-encode.js';
import { utf8toUnicode } from './utf8-to-unicode.js';

export { createUrlDecodeUni } from './url-decode-uni.js';
export type { UnicodeMap } from './url-decode-uni.js';

/** Every transformation by its SecLang name (ModSecurity's British aliases included). */
export const TRANSFORMATIONS: Readonly<Record<string, Transformation>> = Object.freeze({
  base64Decode,
  base64DecodeExt,
  base64Encode,
  cmdLine,
  compressWhitespace,
  cssDecode,
  escapeSeqDecode,
  hexDecode,
  hexEncode,
  htmlEntityDecode,
  jsDecode,
  length,
  lowercase,
  md5,
  none,
  normalisePath: normalizePath,
  normalisePathWin: normalizePathWin,
  normalizePath,
  normalizePathWin,
  parityEven7bit,
  parityOdd7bit,
  parityZero7bit,
  removeComments,
  removeCommentsChar,
  removeNulls,
  removeWhitespace,
  replaceComments,
  replaceNulls,
  sha1,
  sqlHexDecode,
  trim,
  trimLeft,
  trimRight,
  uppercase,
  urlDecode,
  urlDecodeUni,
  urlEncode,
  utf8toUnicode,
});

const BY_LOWER_CASE_NAME: ReadonlyMap<string, Transformation> = new Map(
  Object.entries(TRANSFORMATIONS).map(([name, fn]) => [name.toLowerCase(), fn]),
);

/**
 * The transformation for a SecLang name, any case; `undefined` when there is none (the
 * rule loader turns that into a load error with file:line).
 * @example getTransformation('base64decode')?.('SGk=') // 'Hi'
 */
export function getTransformation(name: string): Transformation | undefined {
  return BY_LOWER_CASE_NAME.get(name.toLowerCase());
}

/**
 * True for `none`, which clears the transformations listed before it (defaults included)
 * instead of transforming anything.
 * @example isResetTransformation('None') // true
 */
export function isResetTransformation(name: string): boolean {
  return name.toLowerCase() === NONE_TRANSFORMATION_NAME;
}

/** Names as registered, sorted; for documentation and `unsupported transformation` hints. */
export function listTransformationNames(): string[] {
  return Object.keys(TRANSFORMATIONS).sort();
}
