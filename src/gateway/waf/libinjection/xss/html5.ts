/**
 * HTML5 tokenizer of the libinjection-style XSS detector (gateway/waf/libinjection/xss).
 *
 * A small state machine after the HTML5 tokenization states (data, tag open, tag name,
 * attribute name/value, comments, doctype, CDATA), cut down to what an XSS check needs and
 * tolerant of the quirks old browsers accepted (NUL bytes in tag names, `<% %>` comments,
 * back-quoted attribute values). It can start inside an attribute value, because user input
 * often lands there. Tokens point into the input; nothing is decoded here.
 */

export type Html5TokenType =
  | 'DATA_TEXT'
  | 'TAG_NAME_OPEN'
  | 'TAG_NAME_CLOSE'
  | 'TAG_NAME_SELFCLOSE'
  | 'TAG_DATA'
  | 'TAG_CLOSE'
  | 'ATTR_NAME'
  | 'ATTR_VALUE'
  | 'TAG_COMMENT'
  | 'DOCTYPE';

/** Where in a page the input is assumed to start. */
export type Html5Context =
  'data' | 'valueNoQuote' | 'valueSingleQuote' | 'valueDoubleQuote' | 'valueBackQuote';

export interface Html5Token {
  type: Html5TokenType;
  start: number;
  length: number;
}

/** A state consumes input and either emits a token (true), gives up (false) or moves on. */
type State = (t: Html5Tokenizer) => boolean;

/** Whitespace for tag parsing; NUL counts too, as a C string search would find it. */
function isWhite(ch: string | undefined): boolean {
  return ch !== undefined && ' \t\n\v\f\r\x00'.includes(ch);
}

function isAlpha(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z]$/.test(ch);
}

export class Html5Tokenizer {
  pos = 0;
  isClose = false;
  state: State;
  token: Html5Token = { type: 'DATA_TEXT', start: 0, length: 0 };

  constructor(
    readonly input: string,
    context: Html5Context,
  ) {
    this.state = INITIAL_STATE[context];
  }

  /** Advances to the next token; false at the end. */
  next(): boolean {
    return this.state(this);
  }

  emit(type: Html5TokenType, start: number, length: number): true {
    this.token = { type, start, length };
    return true;
  }

  text(): string {
    return this.input.slice(this.token.start, this.token.start + this.token.length);
  }

  /** Skips whitespace (and NUL); returns the next byte or undefined at the end. */
  skipWhite(): string | undefined {
    while (this.pos < this.input.length) {
      const ch = this.input[this.pos];
      if (!isWhite(ch)) return ch;
      this.pos++;
    }
    return undefined;
  }
}

const eof: State = () => false;

const data: State = (t) => {
  const lt = t.input.indexOf('<', t.pos);
  const start = t.pos;
  if (lt < 0) {
    t.state = eof;
    return t.input.length - start === 0 ? false : t.emit('DATA_TEXT', start, t.input.length - start);
  }
  t.pos = lt + 1;
  t.state = tagOpen;
  return lt === start ? tagOpen(t) : t.emit('DATA_TEXT', start, lt - start);
};

const tagOpen: State = (t) => {
  if (t.pos >= t.input.length) return false;
  const ch = t.input[t.pos];
  if (ch === '!') {
    t.pos++;
    return markupDeclarationOpen(t);
  }
  if (ch === '/') {
    t.pos++;
    t.isClose = true;
    return endTagOpen(t);
  }
  if (ch === '?') {
    t.pos++;
    return bogusComment(t);
  }
  if (ch === '%') {
    // `<% ... %>`: not HTML5, but old IE and Safari treated it as a comment.
    t.pos++;
    return percentComment(t);
  }
  if (isAlpha(ch) || ch === '\x00') return tagName(t);
  if (t.pos === 0) return data(t);
  // `<` not starting a tag is text.
  t.state = data;
  return t.emit('DATA_TEXT', t.pos - 1, 1);
};

const endTagOpen: State = (t) => {
  if (t.pos >= t.input.length) return false;
  const ch = t.input[t.pos];
  if (ch === '>') return data(t);
  if (isAlpha(ch)) return tagName(t);
  t.isClose = false;
  return bogusComment(t);
};

const tagNameClose: State = (t) => {
  t.isClose = false;
  const start = t.pos;
  t.pos++;
  t.state = t.pos < t.input.length ? data : eof;
  return t.emit('TAG_NAME_CLOSE', start, 1);
};

const tagName: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  for (let pos = start; pos < s.length; pos++) {
    const ch = s[pos];
    if (ch === '\x00') continue; // old browsers ignore NUL inside a tag name
    if (isWhite(ch)) {
      t.pos = pos + 1;
      t.state = beforeAttributeName;
      return t.emit('TAG_NAME_OPEN', start, pos - start);
    }
    if (ch === '/') {
      t.pos = pos + 1;
      t.state = selfClosingStartTag;
      return t.emit('TAG_NAME_OPEN', start, pos - start);
    }
    if (ch === '>') {
      if (t.isClose) {
        t.pos = pos + 1;
        t.isClose = false;
        t.state = data;
        return t.emit('TAG_CLOSE', start, pos - start);
      }
      t.pos = pos;
      t.state = tagNameClose;
      return t.emit('TAG_NAME_OPEN', start, pos - start);
    }
  }
  t.pos = s.length;
  t.state = eof;
  return t.emit('TAG_NAME_OPEN', start, s.length - start);
};

const beforeAttributeName: State = (t) => {
  const ch = t.skipWhite();
  if (ch === undefined) return false;
  if (ch === '/') {
    t.pos++;
    return selfClosingStartTag(t);
  }
  if (ch === '>') {
    t.state = data;
    t.pos++;
    return t.emit('TAG_NAME_CLOSE', t.pos - 1, 1);
  }
  return attributeName(t);
};

const attributeName: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  // The first byte always belongs to the name, even `=` or `/`.
  for (let pos = start + 1; pos < s.length; pos++) {
    const ch = s[pos];
    const nextState: State | null = isWhite(ch)
      ? afterAttributeName
      : ch === '/'
        ? selfClosingStartTag
        : ch === '='
          ? beforeAttributeValue
          : ch === '>'
            ? tagNameClose
            : null;
    if (nextState !== null) {
      t.pos = ch === '>' ? pos : pos + 1;
      t.state = nextState;
      return t.emit('ATTR_NAME', start, pos - start);
    }
  }
  t.pos = s.length;
  t.state = eof;
  return t.emit('ATTR_NAME', start, s.length - start);
};

const afterAttributeName: State = (t) => {
  const ch = t.skipWhite();
  if (ch === undefined) return false;
  if (ch === '/') {
    t.pos++;
    return selfClosingStartTag(t);
  }
  if (ch === '=') {
    t.pos++;
    return beforeAttributeValue(t);
  }
  if (ch === '>') return tagNameClose(t);
  return attributeName(t);
};

const beforeAttributeValue: State = (t) => {
  const ch = t.skipWhite();
  if (ch === undefined) {
    t.state = eof;
    return false;
  }
  if (ch === '"') return valueDoubleQuote(t);
  if (ch === "'") return valueSingleQuote(t);
  if (ch === '`') return valueBackQuote(t);
  return valueNoQuote(t);
};

const quotedValue =
  (quote: string): State =>
  (t) => {
    // At position 0 we started inside the value (no opening quote in the input).
    if (t.pos > 0) t.pos++;
    const start = t.pos;
    const close = t.input.indexOf(quote, start);
    if (close < 0) {
      t.state = eof;
      return t.emit('ATTR_VALUE', start, t.input.length - start);
    }
    t.pos = close + 1;
    t.state = afterAttributeValueQuoted;
    return t.emit('ATTR_VALUE', start, close - start);
  };

const valueDoubleQuote = quotedValue('"');
const valueSingleQuote = quotedValue("'");
const valueBackQuote = quotedValue('`');

const valueNoQuote: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  for (let pos = start; pos < s.length; pos++) {
    const ch = s[pos];
    if (isWhite(ch)) {
      t.pos = pos + 1;
      t.state = beforeAttributeName;
      return t.emit('ATTR_VALUE', start, pos - start);
    }
    if (ch === '>') {
      t.pos = pos;
      t.state = tagNameClose;
      return t.emit('ATTR_VALUE', start, pos - start);
    }
  }
  t.state = eof;
  t.pos = s.length;
  return t.emit('ATTR_VALUE', start, s.length - start);
};

const afterAttributeValueQuoted: State = (t) => {
  if (t.pos >= t.input.length) return false;
  const ch = t.input[t.pos];
  if (isWhite(ch)) {
    t.pos++;
    return beforeAttributeName(t);
  }
  if (ch === '/') {
    t.pos++;
    return selfClosingStartTag(t);
  }
  if (ch === '>') {
    t.state = data;
    t.pos++;
    return t.emit('TAG_NAME_CLOSE', t.pos - 1, 1);
  }
  return beforeAttributeName(t);
};

const selfClosingStartTag: State = (t) => {
  if (t.pos >= t.input.length) return false;
  if (t.input[t.pos] === '>') {
    t.state = data;
    t.pos++;
    return t.emit('TAG_NAME_SELFCLOSE', t.pos - 2, 2);
  }
  return beforeAttributeName(t);
};

const bogusComment: State = (t) => {
  const start = t.pos;
  const gt = t.input.indexOf('>', start);
  if (gt < 0) {
    t.pos = t.input.length;
    t.state = eof;
    return t.emit('TAG_COMMENT', start, t.input.length - start);
  }
  t.pos = gt + 1;
  t.state = data;
  return t.emit('TAG_COMMENT', start, gt - start);
};

const percentComment: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  let from = start;
  for (;;) {
    const pct = s.indexOf('%', from);
    if (pct < 0 || pct + 1 >= s.length) {
      t.pos = s.length;
      t.state = eof;
      return t.emit('TAG_COMMENT', start, s.length - start);
    }
    if (s[pct + 1] === '>') {
      t.pos = pct + 2;
      t.state = data;
      return t.emit('TAG_COMMENT', start, pct - start);
    }
    from = pct + 1;
  }
};

const markupDeclarationOpen: State = (t) => {
  const { input: s, pos } = t;
  if (s.length - pos >= 7 && s.slice(pos, pos + 7).toUpperCase() === 'DOCTYPE') return doctype(t);
  if (s.startsWith('[CDATA[', pos)) {
    t.pos += 7;
    return cdata(t);
  }
  if (s.startsWith('--', pos)) {
    t.pos += 2;
    return comment(t);
  }
  return bogusComment(t);
};

/** `<!-- ... -->`, also ended by `--!>` and `-!>`, with NULs ignored after a dash. */
const comment: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  const toEnd = (): true => {
    t.state = eof;
    return t.emit('TAG_COMMENT', start, s.length - start);
  };
  let from = start;
  for (;;) {
    const dash = s.indexOf('-', from);
    if (dash < 0 || dash > s.length - 3) return toEnd();
    let at = dash + 1;
    while (at < s.length && s[at] === '\x00') at++;
    if (at === s.length) return toEnd();
    if (s[at] !== '-' && s[at] !== '!') {
      from = dash + 1;
      continue;
    }
    at++;
    if (at === s.length) return toEnd();
    if (s[at] !== '>') {
      from = dash + 1;
      continue;
    }
    t.pos = at + 1;
    t.state = data;
    return t.emit('TAG_COMMENT', start, dash - start);
  }
};

const cdata: State = (t) => {
  const { input: s } = t;
  const start = t.pos;
  const end = s.indexOf(']]>', start);
  if (end < 0) {
    t.state = eof;
    return t.emit('DATA_TEXT', start, s.length - start);
  }
  t.state = data;
  t.pos = end + 3;
  return t.emit('DATA_TEXT', start, end - start);
};

const doctype: State = (t) => {
  const start = t.pos;
  const gt = t.input.indexOf('>', start);
  if (gt < 0) {
    t.state = eof;
    return t.emit('DOCTYPE', start, t.input.length - start);
  }
  t.state = data;
  t.pos = gt + 1;
  return t.emit('DOCTYPE', start, gt - start);
};

const INITIAL_STATE: Record<Html5Context, State> = {
  data,
  valueNoQuote: beforeAttributeName,
  valueSingleQuote,
  valueDoubleQuote,
  valueBackQuote,
};
