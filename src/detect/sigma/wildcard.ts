/**
 * Sigma string values (detect/sigma): the wildcard syntax of the Sigma specification and a
 * linear-space glob matcher. `*` is any run of characters, `?` exactly one; `\*`, `\?` and `\\`
 * are the literal characters, and a backslash before anything else is itself a literal.
 * A value is compiled once, at load time, to the cheapest test that decides it: equality,
 * `includes`, `startsWith`, `endsWith`, or the glob loop below (worst case O(value x pattern),
 * never exponential, so no rule can make a wildcard match blow up).
 *
 * @example
 * parseWildcards('C:\\Users\\*.exe') // [lit 'C:\Users\', star, lit '.exe']
 * compileGlob(withMode(parseWildcards('/admin?.php'), 'contains'))('/x/admin1.php?a') // true
 */

export type Token = { kind: 'literal'; text: string } | { kind: 'star' } | { kind: 'one' };

export type StringMode = 'equals' | 'contains' | 'startswith' | 'endswith';

/** Splits a Sigma value into literal runs and wildcards, resolving the escapes. */
export function parseWildcards(value: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\') {
      const next = value[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i++;
      } else {
        literal += '\\';
      }
    } else if (ch === '*') {
      flush();
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') {
      flush();
      tokens.push({ kind: 'one' });
    } else {
      literal += ch;
    }
  }
  flush();
  return tokens;
}

/** True when the value has an unescaped `*` or `?`. */
export function hasWildcards(value: string): boolean {
  return parseWildcards(value).some((token) => token.kind !== 'literal');
}

/** The value with its escapes resolved, for modifiers that take it literally (base64, re, cidr). */
export function literalText(tokens: Token[]): string {
  return tokens
    .map((token) => (token.kind === 'literal' ? token.text : token.kind === 'star' ? '*' : '?'))
    .join('');
}

/** The plain form of a wildcard value: one literal with its placement, or null when it needs a glob. */
export interface PlainForm {
  mode: StringMode;
  text: string;
}

/** Adds the implicit stars of a mode (`contains` is `*v*`) and reduces the result to a plain test when it can. */
export function withMode(tokens: Token[], mode: StringMode): Token[] {
  const out = [...tokens];
  if ((mode === 'contains' || mode === 'endswith') && out[0]?.kind !== 'star') out.unshift({ kind: 'star' });
  if ((mode === 'contains' || mode === 'startswith') && out.at(-1)?.kind !== 'star')
    out.push({ kind: 'star' });
  return out;
}

export function plainForm(tokens: Token[]): PlainForm | null {
  const leading = tokens[0]?.kind === 'star';
  const trailing = tokens.length > 1 && tokens.at(-1)?.kind === 'star';
  const inner = tokens.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (inner.length === 0) return leading ? { mode: 'contains', text: '' } : { mode: 'equals', text: '' };
  if (inner.length !== 1 || inner[0]!.kind !== 'literal') return null;
  const text = inner[0]!.text;
  if (leading && trailing) return { mode: 'contains', text };
  if (leading) return { mode: 'endswith', text };
  if (trailing) return { mode: 'startswith', text };
  return { mode: 'equals', text };
}

/**
 * A glob over already-anchored tokens (use withMode first). Classic two-pointer matching with one
 * remembered star: each star restarts from the position after its last attempt, so the work is
 * bounded by value length x pattern length.
 */
export function compileGlob(tokens: Token[]): (value: string) => boolean {
  // Expand to one entry per pattern character: a string of length 1, or STAR / ONE.
  const STAR = -1;
  const ONE = -2;
  const pattern: Array<string | number> = [];
  for (const token of tokens) {
    if (token.kind === 'star') pattern.push(STAR);
    else if (token.kind === 'one') pattern.push(ONE);
    else for (const ch of token.text) pattern.push(ch);
  }
  return (value: string): boolean => {
    let v = 0;
    let p = 0;
    let starP = -1;
    let starV = 0;
    while (v < value.length) {
      const want = pattern[p];
      if (want === ONE || (typeof want === 'string' && want.length === 1 && want === value[v])) {
        v++;
        p++;
      } else if (typeof want === 'string' && want.length > 1 && value.startsWith(want, v)) {
        // astral characters are one pattern entry of two UTF-16 units
        v += want.length;
        p++;
      } else if (want === STAR) {
        starP = p++;
        starV = v;
      } else if (starP >= 0) {
        p = starP + 1;
        v = ++starV;
      } else {
        return false;
      }
    }
    while (pattern[p] === STAR) p++;
    return p === pattern.length;
  };
}
