/**
 * SecLang lexer (gateway/waf/seclang): turns the text of one rule file into logical lines
 * (continuations joined, comments and blank lines dropped) and each line into a directive
 * name and its arguments. The parser (parser.ts) gives the arguments their meaning.
 *
 * Conventions, as ModSecurity and Coraza read CRS:
 * - a line ending in `\` continues on the next one; the next line's leading blanks are dropped;
 * - a line whose first non-blank character is `#` is a comment (only at the start of a
 *   logical line; a comment never continues, so a commented-out rule cannot swallow the next);
 * - arguments are separated by blanks; `"..."` and `'...'` quote; inside quotes `\"` (or `\'`)
 *   is the quote itself, `\\` stays as written (regexes keep their escapes), any other `\x` too.
 */
import { WafLoadError } from './errors.js';
import type { Directive, SourceLocation } from '../types.js';

export interface LogicalLine {
  text: string;
  /** 1-based line where the logical line starts. */
  line: number;
}

const CONTINUATION = /\\[ \t]*$/;

export function splitLogicalLines(source: string): LogicalLine[] {
  const physical = source.split('\n');
  const lines: LogicalLine[] = [];
  let buffer: string | null = null;
  let startLine = 0;
  for (let index = 0; index < physical.length; index++) {
    let text = physical[index] ?? '';
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (buffer === null) {
      const trimmed = text.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      startLine = index + 1;
      text = trimmed;
      buffer = '';
    } else {
      text = text.replace(/^[ \t]+/, '');
    }
    if (CONTINUATION.test(text)) {
      buffer += text.replace(CONTINUATION, '');
      continue;
    }
    buffer += text;
    lines.push({ text: buffer.trimEnd(), line: startLine });
    buffer = null;
  }
  if (buffer !== null && buffer.trim() !== '') lines.push({ text: buffer.trimEnd(), line: startLine });
  return lines;
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

/** Splits `Name arg1 "arg 2"` into the name and its unquoted arguments. */
export function splitDirective(logical: LogicalLine, file: string): Directive {
  const location: SourceLocation = { file, line: logical.line };
  const text = logical.text;
  const words: string[] = [];
  let position = 0;
  while (position < text.length) {
    while (isBlank(text[position])) position++;
    if (position >= text.length) break;
    const quote = text[position];
    if (quote === '"' || quote === "'") {
      const { value, end } = readQuoted(text, position, quote, location);
      position = end;
      if (position < text.length && !isBlank(text[position])) {
        throw new WafLoadError(
          location,
          `unexpected text after a closing ${quote} (argument ${words.length})`,
        );
      }
      words.push(value);
    } else {
      const start = position;
      while (position < text.length && !isBlank(text[position])) position++;
      words.push(text.slice(start, position));
    }
  }
  const [name, ...args] = words;
  if (name === undefined) throw new WafLoadError(location, 'empty directive');
  return { name, args, location };
}

function readQuoted(
  text: string,
  start: number,
  quote: string,
  location: SourceLocation,
): { value: string; end: number } {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position];
    if (char === '\\') {
      const next = text[position + 1];
      if (next === quote) {
        value += quote;
        position += 2;
        continue;
      }
      if (next === '\\') {
        value += '\\\\';
        position += 2;
        continue;
      }
      value += char;
      position++;
      continue;
    }
    if (char === quote) return { value, end: position + 1 };
    value += char;
    position++;
  }
  throw new WafLoadError(location, `unterminated ${quote}-quoted argument`);
}

/** Lexes a whole file: every directive in order, with its location. */
export function lexSecLang(source: string, file: string): Directive[] {
  return splitLogicalLines(source).map((logical) => splitDirective(logical, file));
}
