/**
 * XSS decision of the libinjection-style detector (gateway/waf/libinjection/xss).
 *
 * The input is tokenized as HTML5 five times, as if it landed in page text, or in an unquoted,
 * single-, double- or back-quoted attribute value. It is XSS when any pass meets a black-listed
 * construct: a doctype; a script-capable tag (script, iframe, svg, xsl..., and others); an event
 * handler attribute (`on*`), xmlns/xlink or a data-binding attribute; a URL attribute (href,
 * src, action...) whose value starts with javascript:, vbscript:, data: or view-source:, even
 * behind HTML entities; any style attribute; or a comment carrying IE conditional / XML / import
 * tricks.
 */
import { Html5Tokenizer, type Html5Context } from './html5.js';

type AttributeKind = 'none' | 'black' | 'url' | 'style' | 'indirect';

const CONTEXTS: Html5Context[] = [
  'data',
  'valueNoQuote',
  'valueSingleQuote',
  'valueDoubleQuote',
  'valueBackQuote',
];

const BLACK_TAGS = [
  'APPLET',
  'BASE',
  'COMMENT',
  'EMBED',
  'FRAME',
  'FRAMESET',
  'HANDLER',
  'IFRAME',
  'IMPORT',
  'ISINDEX',
  'LINK',
  'LISTENER',
  'META',
  'NOSCRIPT',
  'OBJECT',
  'SCRIPT',
  'STYLE',
  'VMLFRAME',
  'XML',
  'XSS',
];

const BLACK_ATTRIBUTES: ReadonlyArray<readonly [string, AttributeKind]> = [
  ['ACTION', 'url'],
  ['ATTRIBUTENAME', 'indirect'], // SVG animation names the attribute in a value
  ['BY', 'url'],
  ['BACKGROUND', 'url'],
  ['DATAFORMATAS', 'black'],
  ['DATASRC', 'black'],
  ['DYNSRC', 'url'],
  ['FILTER', 'style'],
  ['FORMACTION', 'url'],
  ['FOLDER', 'url'],
  ['FROM', 'url'],
  ['HANDLER', 'url'],
  ['HREF', 'url'],
  ['LOWSRC', 'url'],
  ['POSTER', 'url'],
  ['SRC', 'url'],
  ['STYLE', 'style'],
  ['TO', 'url'],
  ['VALUES', 'url'],
  ['XLINK:HREF', 'url'],
];

const BLACK_URL_SCHEMES = ['DATA', 'VIEW-SOURCE', 'JAVA', 'VBSCRIPT'];

/**
 * Compares a keyword (upper case) with the start of `text`, ignoring case and NUL bytes in the
 * text, which browsers skip. True when the whole of `text` spells exactly `keyword`.
 */
function equalsIgnoringNul(keyword: string, text: string): boolean {
  let k = 0;
  // Char codes, not per-character strings: this runs for every tag and attribute name.
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code === 0) continue;
    if (code >= 0x61 && code <= 0x7a) code -= 0x20;
    if (k >= keyword.length || keyword.charCodeAt(k) !== code) return false;
    k++;
  }
  return k === keyword.length;
}

function isBlackTag(name: string): boolean {
  if (name.length < 3) return false;
  if (BLACK_TAGS.some((tag) => equalsIgnoringNul(tag, name))) return true;
  const prefix = name.slice(0, 3).toUpperCase();
  return prefix === 'SVG' || prefix === 'XSL';
}

function attributeKind(name: string): AttributeKind {
  if (name.length < 2) return 'none';
  if (name.length >= 5) {
    const start = name.slice(0, 5);
    if (/^on/i.test(name)) return 'black';
    if (equalsIgnoringNul('XMLNS', start) || equalsIgnoringNul('XLINK', start)) return 'black';
  }
  return BLACK_ATTRIBUTES.find(([attr]) => equalsIgnoringNul(attr, name))?.[1] ?? 'none';
}

/** Decodes one character reference (`&#106;`, `&#x6A;`) at `at`; named entities stay `&`. */
function decodeCharAt(s: string, at: number): { code: number; consumed: number } {
  const ch = s.charCodeAt(at);
  if (ch !== 0x26 || at + 1 >= s.length) return { code: ch, consumed: 1 };
  if (s[at + 1] !== '#') return { code: 0x26, consumed: 1 };
  const hex = s[at + 2] === 'x' || s[at + 2] === 'X';
  const digitsAt = hex ? at + 3 : at + 2;
  const digit = (c: string | undefined): number =>
    c === undefined
      ? -1
      : hex
        ? /^[0-9a-fA-F]$/.test(c)
          ? parseInt(c, 16)
          : -1
        : /^[0-9]$/.test(c)
          ? Number(c)
          : -1;
  if (digit(s[digitsAt]) < 0) return { code: 0x26, consumed: 1 };
  let value = 0;
  let i = digitsAt;
  for (; i < s.length; i++) {
    if (s[i] === ';') return { code: value, consumed: i + 1 - at };
    const d = digit(s[i]);
    if (d < 0) return { code: value, consumed: i - at };
    value = value * (hex ? 16 : 10) + d;
    if (value > 0x1000ff) return { code: 0x26, consumed: 1 };
  }
  return { code: value, consumed: i - at };
}

/** True when the entity-decoded value starts with `prefix` (leading controls and spaces, NUL and LF ignored). */
function decodedStartsWith(prefix: string, value: string): boolean {
  let p = 0;
  let first = true;
  for (let at = 0; at < value.length;) {
    const { code, consumed } = decodeCharAt(value, at);
    at += consumed;
    if (first && code <= 32) continue;
    first = false;
    if (code === 0 || code === 10) continue;
    const upper = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
    if (prefix.charCodeAt(p) !== upper) return false;
    p++;
    if (p === prefix.length) return true;
  }
  return false;
}

function isBlackUrl(value: string): boolean {
  let start = 0;
  // Leading spaces, controls and high bytes are skipped by browsers before the scheme.
  while (start < value.length && (value.charCodeAt(start) <= 32 || value.charCodeAt(start) >= 127)) start++;
  const rest = value.slice(start);
  return BLACK_URL_SCHEMES.some((scheme) => decodedStartsWith(scheme, rest));
}

function isBlackComment(text: string): boolean {
  // IE accepts "`" as a tag end inside comments.
  if (text.includes('`')) return true;
  if (text.length > 3) {
    const head = text.slice(0, 3).toUpperCase();
    if (head === '[IF' || head === 'XML') return true; // IE conditional comment, XML processing
  }
  if (text.length > 5) {
    const head = text.slice(0, 6);
    if (equalsIgnoringNul('IMPORT', head) || equalsIgnoringNul('ENTITY', head)) return true;
  }
  return false;
}

function isXssInContext(input: string, context: Html5Context): boolean {
  const tokenizer = new Html5Tokenizer(input, context);
  let attribute: AttributeKind = 'none';
  while (tokenizer.next()) {
    const { type } = tokenizer.token;
    if (type !== 'ATTR_VALUE') attribute = 'none';
    if (type === 'DOCTYPE') return true;
    if (type === 'TAG_NAME_OPEN' && isBlackTag(tokenizer.text())) return true;
    if (type === 'ATTR_NAME') attribute = attributeKind(tokenizer.text());
    if (type === 'ATTR_VALUE') {
      const value = tokenizer.text();
      if (attribute === 'black' || attribute === 'style') return true;
      if (attribute === 'url' && isBlackUrl(value)) return true;
      if (attribute === 'indirect' && attributeKind(value) !== 'none') return true;
      attribute = 'none';
    }
    if (type === 'TAG_COMMENT' && isBlackComment(tokenizer.text())) return true;
  }
  return false;
}

/**
 * Detects cross-site scripting in a byte string, as libinjection's libinjection_xss() does.
 *
 * @example detectXss('<script>alert(1)</script>') // true
 */
export function detectXss(input: string): boolean {
  return CONTEXTS.some((context) => isXssInContext(input, context));
}
