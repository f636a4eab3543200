/**
 * XML request-body processor (gateway/waf/engine/bodies): a small well-formedness checker that
 * collects what CRS inspects — all text content (`XML:/*`) and attribute values (`XML://@*`).
 * A malformed document sets REQBODY_ERROR as libxml2 does in ModSecurity. No DTD is loaded
 * and no entity is expanded beyond the five predefined ones and character references, so XXE
 * payloads are inspected as text, never resolved.
 */
import type { BodyResult } from './types.js';

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:\x80-\xff][-A-Za-z0-9_:.\x80-\xff]*/;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code = entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      if (!Number.isFinite(code) || code > 0x10ffff) return whole;
      return Buffer.from(String.fromCodePoint(code), 'utf8').toString('latin1');
    }
    return PREDEFINED[entity] ?? whole;
  });
}

export function processXml(body: string, maxDepth: number): BodyResult {
  const stack: string[] = [];
  let text = '';
  const attributes: string[] = [];
  let position = 0;
  let sawRoot = false;
  const fail = (reason: string): BodyResult => ({
    args: [],
    error: `XML: Failed parsing document: ${reason} at offset ${position}`,
  });
  while (position < body.length) {
    const lt = body.indexOf('<', position);
    const chunk = lt === -1 ? body.slice(position) : body.slice(position, lt);
    if (stack.length > 0) text += decodeEntities(chunk);
    else if (chunk.trim() !== '') return fail('text outside the root element');
    if (lt === -1) break;
    position = lt;
    if (body.startsWith('<!--', position)) {
      const end = body.indexOf('-->', position + 4);
      if (end === -1) return fail('unterminated comment');
      position = end + 3;
    } else if (body.startsWith('<![CDATA[', position)) {
      const end = body.indexOf(']]>', position + 9);
      if (end === -1 || stack.length === 0) return fail('bad CDATA section');
      text += body.slice(position + 9, end);
      position = end + 3;
    } else if (body.startsWith('<?', position)) {
      const end = body.indexOf('?>', position + 2);
      if (end === -1) return fail('unterminated processing instruction');
      position = end + 2;
    } else if (body.startsWith('<!DOCTYPE', position)) {
      if (sawRoot) return fail('DOCTYPE after the root element');
      const internal = body.indexOf('[', position);
      const close = body.indexOf('>', position);
      const end = internal !== -1 && internal < close ? body.indexOf(']>', internal) + 1 : close;
      if (end <= 0) return fail('unterminated DOCTYPE');
      position = end + 1;
    } else if (body.startsWith('</', position)) {
      const match = NAME.exec(body.slice(position + 2));
      const close = body.indexOf('>', position);
      if (!match || close === -1 || body.slice(position + 2 + match[0].length, close).trim() !== '') {
        return fail('bad end tag');
      }
      if (stack.pop() !== match[0]) return fail(`end tag ${match[0]} does not match`);
      position = close + 1;
    } else {
      const match = NAME.exec(body.slice(position + 1));
      if (!match) return fail('bad start tag');
      if (stack.length === 0 && sawRoot) return fail('extra content after the root element');
      sawRoot = true;
      position += 1 + match[0].length;
      const attributePattern = /^\s+([A-Za-z_:\x80-\xff][-A-Za-z0-9_:.\x80-\xff]*)\s*=\s*("[^"<]*"|'[^'<]*')/;
      for (;;) {
        const attribute = attributePattern.exec(body.slice(position, position + 65536));
        if (!attribute) break;
        attributes.push(decodeEntities((attribute[2] ?? '""').slice(1, -1)));
        position += attribute[0].length;
      }
      const rest = /^\s*(\/?)>/.exec(body.slice(position, position + 256));
      if (!rest) return fail('bad attribute or unterminated start tag');
      position += rest[0].length;
      if (rest[1] !== '/') {
        stack.push(match[0]);
        if (stack.length > maxDepth) return fail(`nesting deeper than ${maxDepth}`);
      }
    }
  }
  if (!sawRoot) return fail('no root element');
  if (stack.length > 0) return fail(`element ${stack[stack.length - 1]} not closed`);
  return { args: [], xml: { text, attributes } };
}
