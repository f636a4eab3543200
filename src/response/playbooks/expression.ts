/**
 * Playbook conditions (response / playbooks, no I/O): a tiny expression language, parsed once
 * at load and evaluated against the run's variables, never with `eval`. Values come from
 * alerts (untrusted), so a path only reads own properties of plain data.
 *
 * Grammar: literals (`5`, `2.5`, `"text"`, `'text'`, `true`, `false`, `null`, `["a", "b"]`),
 * paths (`alert.count`, `alert.entity.type`), comparisons (`== != < <= > >=`), `in` (a value
 * in a list, or a substring of a string), `&&` / `and`, `||` / `or`, `!` / `not`, parentheses.
 * A path that leads nowhere is `null`; `<`-style comparisons need two numbers or two strings.
 *
 * @example
 *   const parsed = parseExpression('alert.count >= 5 && alert.entity.type == "ip"', ['alert']);
 *   if (parsed.ok) parsed.expression.evaluate({ alert }); // true or false
 */

export type ExpressionValue = string | number | boolean | null | ExpressionValue[] | object;

type Node =
  | { kind: 'literal'; value: ExpressionValue }
  | { kind: 'path'; segments: string[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'not'; operand: Node }
  | { kind: 'logical'; op: '&&' | '||'; left: Node; right: Node }
  | { kind: 'compare'; op: CompareOp; left: Node; right: Node };

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

type Token =
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'word'; value: string; at: number }
  | { type: 'op'; value: string; at: number };

export interface Expression {
  readonly source: string;
  /** The roots of the paths it reads, e.g. `alert`. */
  readonly roots: ReadonlySet<string>;
  evaluate(variables: Readonly<Record<string, unknown>>): boolean;
}

export type ParsedExpression = { ok: true; expression: Expression } | { ok: false; error: string };

const MAX_SOURCE_CHARS = 1024;
const MAX_DEPTH = 32;
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ','];
/** A name or a dotted path, e.g. `alert.entity.type`. */
const WORD = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/y;
const NUMBER = /-?\d+(\.\d+)?/y;

class SyntaxProblem extends Error {}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] as string;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === '"' || char === "'") {
      const end = source.indexOf(char, at + 1);
      if (end < 0) throw new SyntaxProblem(`unterminated string at column ${at + 1}`);
      tokens.push({ type: 'string', value: source.slice(at + 1, end), at });
      at = end + 1;
      continue;
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(source);
    if (number && (char !== '-' || /\d/.test(source[at + 1] ?? ''))) {
      tokens.push({ type: 'number', value: Number(number[0]), at });
      at += number[0].length;
      continue;
    }
    WORD.lastIndex = at;
    const word = WORD.exec(source);
    if (word) {
      tokens.push({ type: 'word', value: word[0], at });
      at += word[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, at));
    if (op === undefined) throw new SyntaxProblem(`unexpected "${char}" at column ${at + 1}`);
    tokens.push({ type: 'op', value: op, at });
    at += op.length;
  }
  return tokens;
}

class Parser {
  private position = 0;
  private depth = 0;
  readonly roots = new Set<string>();

  constructor(
    private readonly tokens: Token[],
    private readonly allowedRoots: readonly string[],
  ) {}

  parse(): Node {
    if (this.tokens.length === 0) throw new SyntaxProblem('the condition is empty');
    const node = this.or();
    const extra = this.tokens[this.position];
    if (extra) throw new SyntaxProblem(`unexpected "${String(extra.value)}" at column ${extra.at + 1}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isOp(...values: string[]): boolean {
    const token = this.peek();
    return (
      token !== undefined && (token.type === 'op' || token.type === 'word') && values.includes(token.value)
    );
  }

  private expectOp(value: string): void {
    if (!this.isOp(value)) {
      const token = this.peek();
      throw new SyntaxProblem(
        token ? `expected "${value}" at column ${token.at + 1}` : `expected "${value}" at the end`,
      );
    }
    this.position++;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new SyntaxProblem('the condition nests too deeply');
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('||', 'or')) {
      this.position++;
      left = { kind: 'logical', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isOp('&&', 'and')) {
      this.position++;
      left = { kind: 'logical', op: '&&', left, right: this.not() };
    }
    return left;
  }

  private not(): Node {
    if (this.isOp('!', 'not')) {
      this.position++;
      return this.nested(() => ({ kind: 'not', operand: this.not() }));
    }
    return this.compare();
  }

  private compare(): Node {
    const left = this.primary();
    if (this.isOp('==', '!=', '<', '<=', '>', '>=', 'in')) {
      const op = (this.tokens[this.position++] as Token).value as CompareOp;
      return { kind: 'compare', op, left, right: this.primary() };
    }
    return left;
  }

  private primary(): Node {
    const token = this.peek();
    if (token === undefined) throw new SyntaxProblem('the condition ends too early');
    if (token.type === 'number' || token.type === 'string') {
      this.position++;
      return { kind: 'literal', value: token.value };
    }
    if (token.type === 'op' && token.value === '(') {
      this.position++;
      const inner = this.nested(() => this.or());
      this.expectOp(')');
      return inner;
    }
    if (token.type === 'op' && token.value === '[') {
      this.position++;
      const items: Node[] = [];
      while (!this.isOp(']')) {
        items.push(this.primary());
        if (!this.isOp(']')) this.expectOp(',');
      }
      this.position++;
      return { kind: 'list', items };
    }
    if (token.type === 'word') {
      this.position++;
      if (token.value === 'true' || token.value === 'false')
        return { kind: 'literal', value: token.value === 'true' };
      if (token.value === 'null') return { kind: 'literal', value: null };
      return this.path(token);
    }
    throw new SyntaxProblem(`unexpected "${String(token.value)}" at column ${token.at + 1}`);
  }

  private path(token: Token & { type: 'word' }): Node {
    const segments = token.value.split('.');
    const root = segments[0] as string;
    if (!this.allowedRoots.includes(root)) {
      throw new SyntaxProblem(
        `unknown variable "${root}" at column ${token.at + 1}; use ${this.allowedRoots.join(', ')}`,
      );
    }
    this.roots.add(root);
    return { kind: 'path', segments };
  }
}

/** Reads `segments` from `root`, own properties only; null when any step is missing. */
export function lookupPath(root: Readonly<Record<string, unknown>>, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return null;
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? null : current;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function compare(op: CompareOp, left: unknown, right: unknown): boolean {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case 'in':
      if (Array.isArray(right)) return right.includes(left);
      return typeof right === 'string' && typeof left === 'string' && right.includes(left);
    default: {
      const comparable =
        (typeof left === 'number' && typeof right === 'number') ||
        (typeof left === 'string' && typeof right === 'string');
      if (!comparable) return false;
      const [a, b] = [left as number | string, right as number | string];
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
}

function evaluateNode(node: Node, variables: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return lookupPath(variables, node.segments);
    case 'list':
      return node.items.map((item) => evaluateNode(item, variables));
    case 'not':
      return !truthy(evaluateNode(node.operand, variables));
    case 'logical': {
      const left = truthy(evaluateNode(node.left, variables));
      if (node.op === '&&') return left && truthy(evaluateNode(node.right, variables));
      return left || truthy(evaluateNode(node.right, variables));
    }
    case 'compare':
      return compare(node.op, evaluateNode(node.left, variables), evaluateNode(node.right, variables));
  }
}

export function parseExpression(source: string, allowedRoots: readonly string[]): ParsedExpression {
  if (source.length > MAX_SOURCE_CHARS)
    return { ok: false, error: `a condition is at most ${MAX_SOURCE_CHARS} characters` };
  try {
    const parser = new Parser(tokenize(source), allowedRoots);
    const root = parser.parse();
    const roots = parser.roots;
    return {
      ok: true,
      expression: {
        source,
        roots,
        evaluate: (variables) => truthy(evaluateNode(root, variables)),
      },
    };
  } catch (error) {
    if (error instanceof SyntaxProblem) return { ok: false, error: error.message };
    throw error;
  }
}
