/**
 * Evidence excerpts: a request and a response written the way a developer reads them in a
 * proxy, cut to `EVIDENCE_MAX_CHARS` around what proves the finding.
 */
import type { ScanResponse } from '../http/client.js';
import { EVIDENCE_MAX_CHARS, type Evidence } from '../types.js';

export function requestExcerpt(
  res: Pick<ScanResponse, 'method' | 'url' | 'requestHeaders' | 'requestBody'>,
): string {
  const url = new URL(res.url);
  const lines = [`${res.method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(res.requestHeaders)) lines.push(`${name}: ${value}`);
  const text = lines.join('\n') + (res.requestBody ? `\n\n${res.requestBody}` : '');
  return cap(text, EVIDENCE_MAX_CHARS / 2);
}

/** Status line, headers and the part of the body around `needle` (or its start). */
export function responseExcerpt(res: ScanResponse, needle?: string): string {
  const head = [`HTTP/1.1 ${res.status}`, ...Object.entries(res.headers).map(([n, v]) => `${n}: ${v}`)].join(
    '\n',
  );
  const room = Math.max(200, EVIDENCE_MAX_CHARS - head.length - 2);
  let body = res.body;
  const at = needle ? body.indexOf(needle) : -1;
  if (at > room / 2) body = '…' + body.slice(at - Math.floor(room / 4));
  return cap(`${head}\n\n${printable(body)}`, EVIDENCE_MAX_CHARS);
}

export function evidenceOf(res: ScanResponse, proof: string, needle?: string): Evidence {
  return { request: requestExcerpt(res), response: responseExcerpt(res, needle), proof: cap(proof, 500) };
}

export function cap(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** Control characters (binary junk) would break terminals and reports: show them as `.`. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '.');
}
