/**
 * The part of the STIX 2.1 patterning language that names plain values (detect/intel): one or
 * more observation expressions `[...]` whose comparisons are `object-path = 'string'` joined by
 * OR (parentheses allowed). Every comparison of such a pattern is, on its own, enough for the
 * pattern to match, so each one becomes an indicator. Anything that needs more than one
 * comparison at once (AND, FOLLOWEDBY, qualifiers such as WITHIN or REPEATS, NOT) cannot be
 * reduced to a value list: the whole pattern is reported unsupported. A comparison with
 * another operator (MATCHES, LIKE, IN, !=...) is reported unsupported on its own.
 *
 * @example
 * parseStixPattern("[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example']")
 * // { comparisons: [{ path: 'ipv4-addr:value', value: '198.51.100.1' }, ...], unsupported: [] }
 */

export interface StixComparison {
  /** `ipv4-addr:value`, `file:hashes.'SHA-256'`. */
  path: string;
  operator: string;
  /** The string literal, unescaped; undefined when the value is not a plain string. */
  value: string | undefined;
  /** The comparison as written, for problem reports. */
  text: string;
}

export type StixPatternResult = { comparisons: StixComparison[] } | { error: string };

type Token = { kind: 'punct' | 'word' | 'path' | 'string' | 'other' | 'op'; text: string; value?: string };

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'];

function tokenise(pattern: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if ('[]()'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (
      c === "'" ||
      (/[thb]/.test(c) && pattern[i + 1] === "'" && !/[\w-]/.test(pattern[i - 1] ?? ' '))
    ) {
      const prefixed = c !== "'";
      const start = i;
      let value = '';
      i += prefixed ? 2 : 1;
      for (;;) {
        if (i >= pattern.length) return { error: 'a string literal is never closed' };
        const d = pattern[i] as string;
        if (d === '\\' && i + 1 < pattern.length) {
          value += pattern[i + 1];
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      const text = pattern.slice(start, i);
      tokens.push(prefixed ? { kind: 'other', text } : { kind: 'string', text, value });
    } else if (OPERATORS.some((op) => pattern.startsWith(op, i))) {
      const op = OPERATORS.find((o) => pattern.startsWith(o, i)) as string;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else if (/[A-Za-z0-9_-]/.test(c)) {
      const word = /^[A-Za-z0-9_-]+/.exec(pattern.slice(i))?.[0] ?? c;
      if (pattern[i + word.length] === ':') {
        // An object path: type ':' property, with dotted steps, quoted keys and [*] / [n] indexes.
        const rest = /^[a-z0-9-]+:(?:[A-Za-z0-9_-]+|'(?:[^'\\]|\\.)*'|\.|\[(?:\*|\d+)\])+/.exec(
          pattern.slice(i),
        );
        if (!rest) return { error: `cannot read the object path at "${pattern.slice(i, i + 40)}"` };
        tokens.push({ kind: 'path', text: rest[0] });
        i += rest[0].length;
      } else {
        tokens.push({ kind: 'word', text: word });
        i += word.length;
      }
    } else {
      return { error: `unexpected "${c}" at position ${i}` };
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  readonly comparisons: StixComparison[] = [];

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private fail(reason: string): never {
    throw new PatternError(reason);
  }

  private expect(text: string): void {
    const token = this.tokens[this.at++];
    if (token?.text !== text)
      this.fail(`expected "${text}" but found ${token ? `"${token.text}"` : 'the end'}`);
  }

  /** observation (OR observation)* ; anything joining observations other than OR is unsupported. */
  parsePattern(closing?: string): void {
    this.parseObservation();
    for (;;) {
      const next = this.peek();
      if (next === undefined || next.text === closing) return;
      const word = next.text.toUpperCase();
      if (next.kind === 'word' && word === 'OR') {
        this.at++;
        this.parseObservation();
      } else if (next.kind === 'word' && ['AND', 'FOLLOWEDBY'].includes(word)) {
        this.fail(
          `observations joined by ${word} need several values at once; only OR can be turned into indicators`,
        );
      } else if (next.kind === 'word' && ['WITHIN', 'REPEATS', 'START'].includes(word)) {
        this.fail(`the qualifier ${word} cannot be checked against single events`);
      } else {
        this.fail(`unexpected "${next.text}" after an observation`);
      }
    }
  }

  private parseObservation(): void {
    const token = this.peek();
    if (token?.text === '(') {
      this.at++;
      this.parsePattern(')');
      this.expect(')');
    } else {
      this.expect('[');
      this.parseComparisons(']');
      this.expect(']');
    }
  }

  /** comparison (OR comparison)* inside brackets, with parentheses for grouping. */
  private parseComparisons(closing: string): void {
    this.parseComparisonTerm();
    for (;;) {
      const next = this.peek();
      if (next === undefined || next.text === closing) return;
      const word = next.text.toUpperCase();
      if (next.kind === 'word' && word === 'OR') {
        this.at++;
        this.parseComparisonTerm();
      } else if (next.kind === 'word' && word === 'AND') {
        this.fail(
          'comparisons joined by AND must all hold on one object; only OR can be turned into indicators',
        );
      } else {
        this.fail(`unexpected "${next.text}" in an observation`);
      }
    }
  }

  private parseComparisonTerm(): void {
    if (this.peek()?.text === '(') {
      this.at++;
      this.parseComparisons(')');
      this.expect(')');
      return;
    }
    const start = this.at;
    if (this.peek()?.kind === 'word' && this.peek()?.text.toUpperCase() === 'NOT')
      this.fail('a negated comparison (NOT) cannot be turned into indicators');
    const path = this.tokens[this.at++];
    if (path?.kind !== 'path')
      this.fail(
        `expected an object path such as ipv4-addr:value, found ${path ? `"${path.text}"` : 'the end'}`,
      );
    const operator = this.tokens[this.at++];
    if (operator === undefined) this.fail('the comparison has no operator');
    let operatorText = operator.text;
    if (operator.kind === 'word' && operator.text.toUpperCase() === 'NOT') {
      const negated = this.tokens[this.at++];
      operatorText = `NOT ${negated?.text ?? ''}`;
    }
    const valueToken = this.tokens[this.at++];
    if (valueToken === undefined) this.fail('the comparison has no value');
    if (valueToken.text === '(') {
      // A set for IN: skip to the closing parenthesis.
      while (this.at < this.tokens.length && this.tokens[this.at]?.text !== ')') this.at++;
      this.expect(')');
    }
    const text = this.tokens
      .slice(start, this.at)
      .map((t) => t.text)
      .join(' ');
    this.comparisons.push({
      path: path.text,
      operator: operatorText.toUpperCase(),
      value: operator.kind === 'op' && valueToken.kind === 'string' ? valueToken.value : undefined,
      text,
    });
  }
}

class PatternError extends Error {}

export function parseStixPattern(pattern: string): StixPatternResult {
  const tokens = tokenise(pattern);
  if (!Array.isArray(tokens)) return tokens;
  if (tokens.length === 0) return { error: 'the pattern is empty' };
  const parser = new Parser(tokens);
  try {
    parser.parsePattern();
  } catch (error) {
    if (error instanceof PatternError) return { error: error.message };
    throw error;
  }
  return { comparisons: parser.comparisons };
}
