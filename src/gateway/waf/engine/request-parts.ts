/**
 * Request parsing for the engine's variables (gateway/waf/engine): splits the raw request-target
 * into REQUEST_URI / REQUEST_FILENAME / QUERY_STRING, decodes `a=b&c=d` arguments and the Cookie
 * header as ModSecurity v3 does. Every input is a byte string; nothing here throws.
 *
 * @example parseArguments('a=1&b=%27x') // [['a', '1'], ['b', "'x"]]
 */

import { percentDecode } from '../transformations/url-decode.js';

/**
 * ModSecurity's lenient URL decoding of arguments: `+` is a space, a bad `%` stays as it is
 * (the `t:urlDecode` decoding, which builds no string per character).
 */
export function decodeArgument(text: string): string {
  return percentDecode(text, true);
}

/** `a=1&b&c=` -> [['a','1'], ['b',''], ['c','']]; empty pieces are skipped. */
export function parseArguments(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (text === '') return pairs;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    if (equals === -1) pairs.push([decodeArgument(piece), '']);
    else pairs.push([decodeArgument(piece.slice(0, equals)), decodeArgument(piece.slice(equals + 1))]);
  }
  return pairs;
}

/** Cookie header -> pairs; values stay encoded (ModSecurity does not decode them). */
export function parseCookies(header: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const piece of header.split(';')) {
    const trimmed = piece.replace(/^[ \t]+/, '');
    if (trimmed === '') continue;
    const equals = trimmed.indexOf('=');
    if (equals === -1) pairs.push([trimmed, '']);
    else pairs.push([trimmed.slice(0, equals), trimmed.slice(equals + 1)]);
  }
  return pairs;
}

export interface UriParts {
  /** Percent-decoded path and query, without scheme and authority: REQUEST_URI. */
  uri: string;
  /** The percent-decoded path, up to the first `?` of the decoded text: REQUEST_FILENAME. */
  filename: string;
  /** After the last `/` of that path: REQUEST_BASENAME. */
  basename: string;
  /** After the first `?` of the raw target, raw: QUERY_STRING. */
  queryString: string;
}

/** ModSecurity v3's uri_decode: valid `%XX` become bytes, anything else stays; `+` stays. */
export function uriDecode(text: string): string {
  return percentDecode(text, false);
}

/**
 * The URI variables as ModSecurity v3 sets them (Transaction::processURI): QUERY_STRING from the
 * raw target, the path variables from the decoded one, so `/a%20b%3Fc` has the path `/a b` and
 * no query string. An absolute-form target loses `scheme://authority` when a path follows it.
 */
export function splitUri(rawUri: string): UriParts {
  let raw = rawUri;
  const hash = raw.indexOf('#');
  if (hash !== -1) raw = raw.slice(0, hash);
  const rawQuestion = raw.indexOf('?');
  const queryString = rawQuestion === -1 ? '' : raw.slice(rawQuestion + 1);
  let decoded = uriDecode(raw);
  let uri = decoded;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(decoded);
  if (absolute) {
    const rest = decoded.slice(absolute[0].length);
    if (rest.startsWith('/')) uri = rest;
    decoded = rest.startsWith('/') ? rest : `/${rest}`;
  }
  const question = decoded.indexOf('?');
  const filename = question === -1 ? decoded : decoded.slice(0, question);
  const slash = filename.lastIndexOf('/');
  return { uri, filename, basename: slash === -1 ? filename : filename.slice(slash + 1), queryString };
}

/** `multipart/form-data; boundary=x` -> 'multipart/form-data' (lower case, no parameters). */
export function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}
