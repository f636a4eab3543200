/**
 * What the gateway refuses to proxy even when the inspector lets a request pass (gateway,
 * after inspection): the RFC 9110/9112 rules on the method, the request-target, the version
 * and Host. Shared by the hot path (core.ts, requests node's parser accepted) and the lenient
 * front (requests it refused), so both answer the same request the same way. The WAF always
 * judges first; these rules only choose the gateway's own answer.
 *
 * @example
 * requestProblem('GET', '/a#b', '1.1', 'shop.example') // { code: 'bad_request', reason: 'fragment in the request-target' }
 */
import { METHODS } from 'node:http';
import type { ErrorCode } from '../core/errors.js';

export interface RequestProblem {
  code: ErrorCode;
  /** For the log and the event label; never sent to the client. */
  reason: string;
}

/** The methods node's parser knows (and the shop may implement); others get 501. */
const KNOWN_METHODS = new Set(METHODS);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Origin-form bytes: visible ASCII without `#` (a fragment is not part of a request-target). */
const ORIGIN_FORM = /^\/[!-"$-~]*$/;
const ABSOLUTE_FORM = /^(https?):\/\/([^/?#\s]+)([^#\s]*)$/i;
const AUTHORITY_FORM = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
/** A DNS name, an IPv4 address or a bracketed IPv6 literal, with an optional port. */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;
const HTTP_VERSION = /^HTTP\/(\d)\.(\d)$/;

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** `http://shop.example/a?b` -> { authority: 'shop.example', path: '/a?b' }; null when not absolute-form. */
export function absoluteForm(target: string): { authority: string; path: string } | null {
  const match = ABSOLUTE_FORM.exec(target);
  if (match === null) return null;
  const rest = match[3] ?? '';
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return ORIGIN_FORM.test(path) ? { authority: match[2] ?? '', path } : null;
}

/** Whether the Host field value is one the gateway forwards: empty or odd bytes are refused (RFC 9112 §3.2). */
export function isValidHost(host: string): boolean {
  return HOST.test(host);
}

/**
 * The version problem of a request line's version token (`HTTP/1.1`; '' when the line has
 * none), or null for HTTP/1.0 and HTTP/1.1.
 */
export function versionProblem(version: string): RequestProblem | null {
  const match = HTTP_VERSION.exec(version);
  if (match === null)
    return { code: 'bad_request', reason: `malformed HTTP version "${version.slice(0, 32)}"` };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major === 1 && minor <= 1) return null;
  // HTTP/0.9 had no version token and no headers: a line claiming it is malformed.
  if (major === 0) return { code: 'bad_request', reason: `HTTP version ${version} in a request line` };
  return { code: 'version_not_supported', reason: `HTTP version ${version} is not supported` };
}

/**
 * Why the gateway will not forward this request, or null. Cheap for the usual request (one
 * regular-expression test each on the target and the Host), since core.ts calls it per request.
 * `version` is `1.1` (node's httpVersion) or a whole token from the lenient parser (`HTTP/4.0`).
 */
export function requestProblem(
  method: string,
  target: string,
  version: string,
  host: string | undefined,
): RequestProblem | null {
  if (!isToken(method)) return { code: 'bad_request', reason: 'the method is not a token' };
  if (method === 'CONNECT') {
    return AUTHORITY_FORM.test(target)
      ? { code: 'method_not_implemented', reason: 'CONNECT: the gateway does not open tunnels' }
      : { code: 'bad_request', reason: 'CONNECT without a host:port target' };
  }
  if (!KNOWN_METHODS.has(method))
    return { code: 'method_not_implemented', reason: `unknown method ${method.slice(0, 32)}` };
  const versionIssue = versionProblem(version.startsWith('HTTP/') ? version : `HTTP/${version}`);
  if (versionIssue !== null) return versionIssue;
  if (!ORIGIN_FORM.test(target)) {
    const absolute = absoluteForm(target);
    if (absolute === null) return { code: 'bad_request', reason: 'the request-target is not a path' };
    // RFC 9112 §3.2.2: the target's authority wins over Host; refuse a request where they disagree.
    if (host !== undefined && host.toLowerCase() !== absolute.authority.toLowerCase())
      return { code: 'bad_request', reason: 'the Host header differs from the absolute-form target' };
  }
  if (host !== undefined && !isValidHost(host)) return { code: 'bad_request', reason: 'invalid Host header' };
  return null;
}
