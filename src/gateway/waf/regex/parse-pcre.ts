/**
 * PCRE pattern parser (gateway/waf/regex): reads a pattern as CRS writes it for ModSecurity v3
 * and builds the byte-regex tree of ast.ts. ModSecurity compiles with PCRE2_DOTALL |
 * PCRE2_MULTILINE and without UTF mode, so the defaults are `s` and `m` on, case folding is
 * ASCII only and `\x{...}` above 0xFF stands for its UTF-8 bytes. Inline flags (`(?i)`,
 * `(?-s)`, `(?i:...)`) are resolved here, scoped as PCRE scopes them.
 *
 * @example parsePcre('(?i)^sel\\x{65}ct\\s+') // { root: seq[...], groupCount: 0 }
 */
import { ByteSet, UNBOUNDED } from './ast.js';
import type { ParsedRegex, RegexNode } from './ast.js';

export interface PcreFlags {
  caseless: boolean;
  dotAll: boolean;
  multiline: boolean;
  extended: boolean;
}

/** The flags ModSecurity v3 passes to pcre2_compile for @rx. */
export const MODSECURITY_FLAGS: PcreFlags = {
  caseless: false,
  dotAll: true,
  multiline: true,
  extended: false,
};

/** A pattern PCRE would reject, or a construct we do not support; `offset` points into the pattern. */
export class PcreSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'PcreSyntaxError';
  }
}

const DIGITS = ByteSet.range(0x30, 0x39);
const WORD = (() => {
  const set = ByteSet.range(0x30, 0x39);
  set.addRange(0x41, 0x5a);
  set.addRange(0x61, 0x7a);
  set.add(0x5f);
  return set;
})();
/** PCRE2 \s without UTF: HT, LF, VT, FF, CR, space (JavaScript's \s would add 0xA0). */
const SPACE = (() => {
  const set = ByteSet.range(0x09, 0x0d);
  set.add(0x20);
  return set;
})();
const HSPACE = ByteSet.of(0x09, 0x20, 0xa0);
const VSPACE = ByteSet.of(0x0a, 0x0b, 0x0c, 0x0d, 0x85);

const POSIX_CLASSES: Record<string, () => ByteSet> = {
  alnum: () => alnum(),
  alpha: () => letters(),
  ascii: () => ByteSet.range(0, 0x7f),
  blank: () => ByteSet.of(0x09, 0x20),
  cntrl: () => {
    const set = ByteSet.range(0, 0x1f);
    set.add(0x7f);
    return set;
  },
  digit: () => DIGITS,
  graph: () => ByteSet.range(0x21, 0x7e),
  lower: () => ByteSet.range(0x61, 0x7a),
  print: () => ByteSet.range(0x20, 0x7e),
  punct: () => {
    const set = ByteSet.range(0x21, 0x7e);
    const out = new ByteSet();
    for (let b = 0x21; b <= 0x7e; b++) if (set.has(b) && !alnum().has(b)) out.add(b);
    return out;
  },
  space: () => SPACE,
  upper: () => ByteSet.range(0x41, 0x5a),
  word: () => WORD,
  xdigit: () => {
    const set = ByteSet.range(0x30, 0x39);
    set.addRange(0x41, 0x46);
    set.addRange(0x61, 0x66);
    return set;
  },
};

function letters(): ByteSet {
  const set = ByteSet.range(0x41, 0x5a);
  set.addRange(0x61, 0x7a);
  return set;
}

function alnum(): ByteSet {
  const set = letters();
  set.addRange(0x30, 0x39);
  return set;
}

/** UTF-8 bytes of a code point, for `\x{...}` above 0xFF in a byte-mode pattern. */
export function utf8Bytes(codePoint: number): number[] {
  return [...Buffer.from(String.fromCodePoint(codePoint), 'utf8')];
}

/** One class member or escape: a single code point (may exceed 0xFF) or a set. */
type ClassItem = { kind: 'char'; code: number } | { kind: 'set'; set: ByteSet };

class PcreParser {
  private pos = 0;
  private groupCount = 0;

  constructor(private readonly src: string) {}

  parse(flags: PcreFlags): ParsedRegex {
    const root = this.parseAlternation({ ...flags });
    if (this.pos < this.src.length) throw new PcreSyntaxError('unmatched closing parenthesis', this.pos);
    return { root, groupCount: this.groupCount };
  }

  private fail(message: string, offset = this.pos): never {
    throw new PcreSyntaxError(message, offset);
  }

  /** Options changed inside a group carry into its later branches, as in PCRE. */
  private parseAlternation(flags: PcreFlags): RegexNode {
    const options: RegexNode[] = [this.parseSequence(flags)];
    while (this.src[this.pos] === '|') {
      this.pos++;
      options.push(this.parseSequence(flags));
    }
    return options.length === 1 ? options[0]! : { type: 'alt', options };
  }

  private parseSequence(flags: PcreFlags): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      this.skipExtended(flags);
      const ch = this.src[this.pos];
      if (ch === undefined || ch === '|' || ch === ')') break;
      const atomStart = this.pos;
      const atom = this.parseAtom(flags);
      if (atom === null) continue;
      this.skipExtended(flags);
      items.push(this.parseQuantifier(atom, atomStart));
    }
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  private skipExtended(flags: PcreFlags): void {
    if (!flags.extended) return;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') this.pos++;
      else if (ch === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  private parseQuantifier(atom: RegexNode, atomStart: number): RegexNode {
    const ch = this.src[this.pos];
    let min: number;
    let max: number;
    if (ch === '*') [min, max] = [0, UNBOUNDED];
    else if (ch === '+') [min, max] = [1, UNBOUNDED];
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '{') {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 24));
      if (!braces) return atom;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === '' ? UNBOUNDED : Number(braces[3]);
      if (min > 65535 || (max !== UNBOUNDED && max > 65535)) this.fail('number too big in {} quantifier');
      if (max < min) this.fail('numbers out of order in {} quantifier');
      this.pos += braces[0].length - 1;
    } else return atom;
    this.pos++;
    let greedy = true;
    let possessive = false;
    if (this.src[this.pos] === '?') {
      greedy = false;
      this.pos++;
    } else if (this.src[this.pos] === '+') {
      possessive = true;
      this.pos++;
    }
    if (this.src[this.pos] === '*' || this.src[this.pos] === '+' || this.src[this.pos] === '?') {
      this.fail('quantifier does not follow a repeatable item', atomStart);
    }
    return { type: 'repeat', node: atom, min, max, greedy, possessive };
  }

  private literal(code: number, flags: PcreFlags): RegexNode {
    if (code > 0xff) {
      return { type: 'seq', items: utf8Bytes(code).map((b) => ({ type: 'set', set: ByteSet.of(b) })) };
    }
    const set = ByteSet.of(code);
    return { type: 'set', set: flags.caseless ? set.foldAsciiCase() : set };
  }

  private parseAtom(flags: PcreFlags): RegexNode | null {
    const start = this.pos;
    const ch = this.src[this.pos++]!;
    switch (ch) {
      case '(':
        return this.parseGroup(flags, start);
      case '[':
        return this.parseClass(flags);
      case '.':
        return { type: 'set', set: flags.dotAll ? ByteSet.range(0, 255) : ByteSet.of(0x0a).complement() };
      case '^':
        return { type: 'assert', kind: flags.multiline ? 'lineStart' : 'textStart' };
      case '$':
        return { type: 'assert', kind: flags.multiline ? 'lineEnd' : 'textEndNewline' };
      case '\\':
        return this.parseEscape(flags);
      case '*':
      case '+':
      case '?':
        return this.fail('quantifier does not follow a repeatable item', start);
      case '{':
        if (/^\d+(,\d*)?\}/.test(this.src.slice(this.pos, this.pos + 24))) {
          this.fail('quantifier does not follow a repeatable item', start);
        }
        return this.literal(0x7b, flags);
      default:
        return this.literal(ch.charCodeAt(0), flags);
    }
  }

  private parseGroup(flags: PcreFlags, start: number): RegexNode | null {
    if (this.src[this.pos] === '*')
      this.fail('backtracking verbs and (*...) options are not supported', start);
    if (this.src[this.pos] !== '?') {
      const capture = ++this.groupCount;
      return { type: 'group', capture, node: this.parseGroupBody({ ...flags }, start) };
    }
    this.pos++;
    const rest = this.src.slice(this.pos, this.pos + 40);
    if (rest.startsWith('#')) {
      const end = this.src.indexOf(')', this.pos);
      if (end < 0) this.fail('missing ) after (?# comment', start);
      this.pos = end + 1;
      return null;
    }
    if (rest.startsWith(':')) {
      this.pos++;
      return this.parseGroupBody({ ...flags }, start);
    }
    if (rest.startsWith('>')) {
      this.pos++;
      return { type: 'atomic', node: this.parseGroupBody({ ...flags }, start) };
    }
    const look = /^(<?)([=!])/.exec(rest);
    if (look) {
      this.pos += look[0].length;
      const node = this.parseGroupBody({ ...flags }, start);
      return { type: 'look', node, behind: look[1] === '<', negated: look[2] === '!' };
    }
    const named = /^(?:P?<|')([A-Za-z_][A-Za-z0-9_]{0,31})[>']/.exec(rest);
    if (named) {
      this.pos += named[0].length;
      const capture = ++this.groupCount;
      return { type: 'group', capture, name: named[1]!, node: this.parseGroupBody({ ...flags }, start) };
    }
    const option = /^([imsx]*)(?:-([imsx]*))?([:)])/.exec(rest);
    if (!option) this.fail('unsupported group construct (?' + (rest[0] ?? '') + ')', start);
    this.pos += option[0].length;
    const changed = { ...flags };
    for (const letter of option[1]!) setFlag(changed, letter, true);
    for (const letter of option[2] ?? '') setFlag(changed, letter, false);
    if (option[3] === ')') {
      // `(?i)` changes the rest of the enclosing group, including its later branches.
      Object.assign(flags, changed);
      return null;
    }
    return this.parseGroupBody(changed, start);
  }

  private parseGroupBody(flags: PcreFlags, start: number): RegexNode {
    const node = this.parseAlternation(flags);
    if (this.src[this.pos] !== ')') this.fail('missing closing parenthesis', start);
    this.pos++;
    return node;
  }

  private parseEscape(flags: PcreFlags): RegexNode | null {
    const start = this.pos - 1;
    const ch = this.src[this.pos];
    if (ch === undefined) this.fail('\\ at end of pattern', start);
    switch (ch) {
      case 'b':
        this.pos++;
        return { type: 'assert', kind: 'wordBoundary' };
      case 'B':
        this.pos++;
        return { type: 'assert', kind: 'notWordBoundary' };
      case 'A':
        this.pos++;
        return { type: 'assert', kind: 'textStart' };
      case 'z':
        this.pos++;
        return { type: 'assert', kind: 'textEnd' };
      case 'Z':
        this.pos++;
        return { type: 'assert', kind: 'textEndNewline' };
      case 'R':
        this.pos++;
        return {
          type: 'alt',
          options: [
            {
              type: 'seq',
              items: [ByteSet.of(0x0d), ByteSet.of(0x0a)].map((set) => ({ type: 'set' as const, set })),
            },
            { type: 'set', set: VSPACE },
          ],
        };
      case 'Q': {
        this.pos++;
        const end = this.src.indexOf('\\E', this.pos);
        const text = this.src.slice(this.pos, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.src.length : end + 2;
        return { type: 'seq', items: [...text].map((c) => this.literal(c.charCodeAt(0), flags)) };
      }
      case 'E':
        this.pos++;
        return null;
      case 'g':
      case 'k':
        return this.parseNamedOrRelativeBackref(start);
      default:
        break;
    }
    if (ch >= '1' && ch <= '9') {
      const digits = /^\d+/.exec(this.src.slice(this.pos))![0];
      const group = Number(digits);
      if (group < 10 || group <= this.groupCount) {
        this.pos += digits.length;
        return { type: 'backref', group };
      }
    }
    const item = this.parseEscapedItem(false);
    if (item.kind === 'set') return { type: 'set', set: item.set };
    return this.literal(item.code, flags);
  }

  private parseNamedOrRelativeBackref(start: number): RegexNode {
    const match = /^g(?:\{(-?\d+)\}|(-?\d+))/.exec(this.src.slice(this.pos, this.pos + 12));
    if (!match) this.fail('named back references are not supported', start);
    this.pos += match[0].length;
    const n = Number(match[1] ?? match[2]);
    const group = n < 0 ? this.groupCount + 1 + n : n;
    if (group <= 0) this.fail('reference to a non-existent group', start);
    return { type: 'backref', group };
  }

  /** The escapes valid both inside and outside a class (after the backslash). */
  private parseEscapedItem(inClass: boolean): ClassItem {
    const start = this.pos - 1;
    const ch = this.src[this.pos++]!;
    const set = (s: ByteSet): ClassItem => ({ kind: 'set', set: s });
    const char = (code: number): ClassItem => ({ kind: 'char', code });
    switch (ch) {
      case 'd':
        return set(DIGITS);
      case 'D':
        return set(DIGITS.complement());
      case 'w':
        return set(WORD);
      case 'W':
        return set(WORD.complement());
      case 's':
        return set(SPACE);
      case 'S':
        return set(SPACE.complement());
      case 'h':
        return set(HSPACE);
      case 'H':
        return set(HSPACE.complement());
      case 'v':
        return set(VSPACE);
      case 'V':
        return set(VSPACE.complement());
      case 'N':
        if (inClass) this.fail('\\N is not supported in a class', start);
        return set(ByteSet.of(0x0a).complement());
      case 'n':
        return char(0x0a);
      case 'r':
        return char(0x0d);
      case 't':
        return char(0x09);
      case 'f':
        return char(0x0c);
      case 'e':
        return char(0x1b);
      case 'a':
        return char(0x07);
      case 'b':
        return char(0x08); // only reached inside a class, where \b is backspace
      case 'c': {
        const next = this.src[this.pos++];
        if (next === undefined) this.fail('\\c at end of pattern', start);
        return char(next.toUpperCase().charCodeAt(0) ^ 0x40);
      }
      case 'x': {
        if (this.src[this.pos] === '{') {
          const match = /^\{([0-9A-Fa-f]{1,8})\}/.exec(this.src.slice(this.pos, this.pos + 11));
          if (!match) this.fail('malformed \\x{...}', start);
          this.pos += match[0].length;
          const code = parseInt(match[1]!, 16);
          if (code > 0x10ffff) this.fail('character code point value in \\x{} is too large', start);
          return char(code);
        }
        const hex = /^[0-9A-Fa-f]{0,2}/.exec(this.src.slice(this.pos, this.pos + 2))![0];
        this.pos += hex.length;
        return char(hex === '' ? 0 : parseInt(hex, 16));
      }
      case 'o': {
        const match = /^\{([0-7]{1,11})\}/.exec(this.src.slice(this.pos, this.pos + 13));
        if (!match) this.fail('malformed \\o{...}', start);
        this.pos += match[0].length;
        return char(parseInt(match[1]!, 8));
      }
      default:
        break;
    }
    if (ch >= '0' && ch <= '7') {
      // Octal: \0 plus up to two digits, or (in a class, or past the group count) up to three digits.
      const octal = /^[0-7]{0,2}/.exec(this.src.slice(this.pos, this.pos + 2))![0];
      this.pos += octal.length;
      const code = parseInt(ch + octal, 8);
      return char(code > 0xff ? code & 0xff : code);
    }
    if (/[A-Za-z0-9]/.test(ch)) this.fail(`unsupported escape \\${ch}`, start);
    return char(ch.charCodeAt(0));
  }

  private parseClass(flags: PcreFlags): RegexNode {
    const start = this.pos - 1;
    let negated = false;
    if (this.src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const set = new ByteSet();
    const wide: number[] = [];
    const addChar = (code: number): void => {
      if (code > 0xff) wide.push(code);
      else set.add(code);
    };
    let first = true;
    for (;;) {
      const ch = this.src[this.pos];
      if (ch === undefined) this.fail('missing terminating ] for character class', start);
      if (ch === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos, this.pos + 12));
      if (posix) {
        const make = POSIX_CLASSES[posix[2]!];
        if (!make) this.fail(`unknown POSIX class name ${posix[2]}`, this.pos);
        this.pos += posix[0].length;
        set.addSet(posix[1] === '^' ? make().complement() : make());
        continue;
      }
      const low = this.parseClassItem();
      if (low === null) continue;
      if (low.kind === 'set') {
        set.addSet(low.set);
        continue;
      }
      if (
        this.src[this.pos] === '-' &&
        this.src[this.pos + 1] !== ']' &&
        this.src[this.pos + 1] !== undefined
      ) {
        const rangeStart = this.pos;
        this.pos++;
        const high = this.parseClassItem();
        if (high === null || high.kind === 'set') this.fail('invalid range in character class', rangeStart);
        if (high.code < low.code) this.fail('range out of order in character class', rangeStart);
        if (high.code > 0xff) this.fail('ranges above \\x{ff} are not supported in byte mode', rangeStart);
        set.addRange(low.code, high.code);
        continue;
      }
      addChar(low.code);
    }
    const folded = flags.caseless ? set.foldAsciiCase() : set;
    if (wide.length === 0) return { type: 'set', set: negated ? folded.complement() : folded };
    if (negated)
      this.fail('a negated class with characters above \\x{ff} is not supported in byte mode', start);
    const options: RegexNode[] = wide.map((code) => this.literal(code, flags));
    if (folded.size() > 0) options.unshift({ type: 'set', set: folded });
    return { type: 'alt', options };
  }

  private parseClassItem(): ClassItem | null {
    const ch = this.src[this.pos++]!;
    if (ch !== '\\') return { kind: 'char', code: ch.charCodeAt(0) };
    if (this.src[this.pos] === 'E') {
      this.pos++;
      return null;
    }
    return this.parseEscapedItem(true);
  }
}

function setFlag(flags: PcreFlags, letter: string, value: boolean): void {
  if (letter === 'i') flags.caseless = value;
  else if (letter === 's') flags.dotAll = value;
  else if (letter === 'm') flags.multiline = value;
  else if (letter === 'x') flags.extended = value;
}

/** Parses a PCRE pattern with the given starting flags (ModSecurity's by default). */
export function parsePcre(pattern: string, flags: PcreFlags = MODSECURITY_FLAGS): ParsedRegex {
  return new PcreParser(pattern).parse(flags);
}
