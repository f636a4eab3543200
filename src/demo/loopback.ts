/**
 * The demo's guard rail: the traffic simulator and the HTTP payment client only ever talk
 * to this machine. A base URL outside 127.0.0.0/8, localhost or ::1 is refused with a
 * clear error before any request leaves the process.
 */
import { isIPv4 } from 'node:net';
import { EnsuresecError } from '../core/errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  if (host.startsWith('::ffff:')) return isLoopbackHost(host.slice('::ffff:'.length));
  return isIPv4(host) && host.startsWith('127.');
}

/** Parses `baseUrl` and returns it without a trailing slash, or throws `bad_request` when it is not loopback. */
export function assertLoopbackUrl(baseUrl: string, purpose: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new EnsuresecError('bad_request', { detail: `${purpose}: "${baseUrl}" is not a valid URL.` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EnsuresecError('bad_request', { detail: `${purpose}: only http and https URLs are allowed.` });
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new EnsuresecError('bad_request', {
      detail: `${purpose}: refusing to send traffic to "${url.hostname}"; only loopback hosts (127.0.0.0/8, localhost, ::1) are allowed.`,
    });
  }
  return url;
}
