/**
 * libinjection-style XSS detector (gateway/waf/libinjection/xss): the public entry points.
 * `@detectXSS` (../operators.ts) calls detectXss on each transformed value.
 */
export { detectXss } from './detect.js';
export { Html5Tokenizer, type Html5Context, type Html5Token, type Html5TokenType } from './html5.js';
