/**
 * The request line of an access log (`%r`, `$request`): `METHOD target HTTP/x.y`, or
 * `METHOD target` (HTTP/0.9). Anything else (a TLS ClientHello sent to a plain-HTTP port,
 * `""` from a client that closed at once, binary junk) is kept as an invalid request: it is
 * still an observation worth an event, just not a parsable one.
 */

/** RFC 9110 token characters, the only ones a method may have. */
const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/;
const PROTOCOL = /^HTTP\/\d(\.\d)?$/i;

export interface RequestLine {
  method: string;
  path: string;
  protocol?: string;
  invalidRequest?: 'empty' | 'unparsable';
}

export function parseRequestLine(text: string): RequestLine {
  if (text === '' || text === '-') return { method: '', path: '', invalidRequest: 'empty' };
  const firstSpace = text.indexOf(' ');
  if (firstSpace <= 0) return { method: '', path: '', invalidRequest: 'unparsable' };
  const method = text.slice(0, firstSpace);
  if (!METHOD.test(method)) return { method: '', path: '', invalidRequest: 'unparsable' };
  const lastSpace = text.lastIndexOf(' ');
  const tail = text.slice(lastSpace + 1);
  // A target with spaces in it (sent unencoded) stays whole: only a final HTTP/x.y is the protocol.
  if (lastSpace > firstSpace && PROTOCOL.test(tail)) {
    return { method, path: text.slice(firstSpace + 1, lastSpace), protocol: tail };
  }
  const path = text.slice(firstSpace + 1);
  if (path === '') return { method, path: '', invalidRequest: 'unparsable' };
  return { method, path };
}
