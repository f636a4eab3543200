/**
 * `t:normalizePath` (alias `normalisePath`): a WAF transformation
 * (gateway/waf/transformations), run by the rule engine on a value before the operator
 * sees it. The algorithm is shared with `normalizePathWin`.
 */
import { fromByteString } from './bytes.js';

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/**
 * Removes `./` self references and `dir/../` back references and collapses repeated
 * slashes, as ModSecurity does, without going above the root: a relative path keeps
 * the `..` it cannot resolve ("dir/../../foo" -> "../foo"), an absolute one drops them
 * ("/../etc/passwd" -> "/etc/passwd"). A trailing slash is kept only if the input had one.
 * Example: `SecRule REQUEST_FILENAME "@beginsWith /etc/" "id:1,t:none,t:normalizePath"`.
 */
export function normalizePath(input: string): string {
  return normalizePathBytes(input, false);
}

/**
 * The ModSecurity normaliser, run in place over the bytes with a read index (`src`) and a
 * write index (`dst <= src`). `windows` also treats `\` as `/` (and rewrites it to `/`).
 */
export function normalizePathBytes(input: string, windows: boolean): string {
  const n = input.length;
  if (n === 0) return input;
  if (!windows && input.indexOf('/') === -1 && input.indexOf('.') === -1) return input;
  const buf = fromByteString(input);
  const isSeparator = (byte: number | undefined): boolean =>
    byte === SLASH || (windows && byte === BACKSLASH);
  const end = n - 1;
  const relative = !isSeparator(buf[0]);
  const trailing = isSeparator(buf[end]);
  let src = 0;
  let dst = 0;
  let hitRoot = false;
  let done = false;

  while (!done && src <= end && dst <= end) {
    if (windows) {
      if (buf[src] === BACKSLASH) buf[src] = SLASH;
      if (src < end && buf[src + 1] === BACKSLASH) buf[src + 1] = SLASH;
    }
    // Normalise only at the end of a segment (the next byte is a slash) or of the input.
    let atSegmentEnd = true;
    if (src === end) done = true;
    else if (buf[src + 1] !== SLASH) atSegmentEnd = false;

    if (atSegmentEnd && buf[src] === DOT) {
      if (dst > 0 && buf[dst - 1] === DOT) {
        // "..": drop it and the segment before, unless a relative path is already at its top.
        if (!(relative && (hitRoot || dst - 2 <= 0))) {
          dst -= 3;
          while (dst > 0 && buf[dst] !== SLASH) dst--;
          if (dst <= 0) {
            hitRoot = true;
            dst = 0;
            if (!relative && src === end) dst++;
          }
          if (done) break;
          src++;
        } else {
          hitRoot = true;
        }
      } else if (dst === 0) {
        if (done) break;
        src++;
      } else if (buf[dst - 1] === SLASH) {
        if (done) break;
        dst--;
        src++;
      }
    } else if (atSegmentEnd && !(src !== end && buf[src] === SLASH) && dst > 0) {
      // A regular segment: a later ".." may remove it again.
      hitRoot = false;
    }

    if (buf[src] === SLASH) {
      while (src < end && isSeparator(buf[src + 1])) src++;
      // A relative path never starts with the slash left after removing its first segments.
      if (relative && dst === 0) {
        src++;
        continue;
      }
    }
    buf[dst++] = buf[src++] ?? 0;
  }
  if (!trailing && dst > 0 && buf[dst - 1] === SLASH) dst--;
  return buf.toString('latin1', 0, dst);
}
