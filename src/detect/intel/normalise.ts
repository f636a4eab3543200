/**
 * Indicator values in one canonical form (detect/intel): what importers store and what the
 * matcher looks up, so `2001:DB8:0::1`, `2001:db8::1` and `::ffff:192.0.2.1` / `192.0.2.1`
 * compare equal, hosts are lower-case without a trailing dot, URLs are `host[:port]/path?query`
 * (no scheme, no fragment, no default port). Feeds often "defang" values (`hxxp://evil[.]example`);
 * `refang` undoes that for the list and CSV importers.
 *
 * @example canonicalIp('2001:DB8:0:0::1') // '2001:db8::1'
 */
import { domainToASCII } from 'node:url';
import { normaliseIp, parseIp } from '../../gateway/ip.js';
import type { HashAlgorithm, IndicatorType } from './types.js';

const words = new Uint32Array(4);

/** `a.b.c.d` of a 32-bit word. */
export function formatV4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/** RFC 5952 text of the address in `words`: lower-case, the longest run of zero groups as `::`. */
export function formatV6(address: Uint32Array): string {
  const groups: number[] = [];
  for (let w = 0; w < 4; w++) groups.push((address[w] ?? 0) >>> 16, (address[w] ?? 0) & 0xffff);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical text of an IP address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const bits = parseIp(normaliseIp(text.trim()), words);
  if (bits === 32) return formatV4(words[0] ?? 0);
  if (bits === 128) return formatV6(words);
  return undefined;
}

export interface ParsedCidr {
  bits: 32 | 128;
  prefix: number;
  /** The network address (host bits cleared). */
  words: Uint32Array;
  /** `192.0.2.0/24`, `2001:db8::/32`. */
  canonical: string;
}

/** A CIDR block with its host bits cleared, or undefined when the text is not one. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const address = new Uint32Array(4);
  const bits = parseIp(normaliseIp(text.slice(0, slash).trim()), address);
  if (bits === 0 || prefix > bits) return undefined;
  for (let w = 0; w < 4; w++) {
    const keep = Math.max(0, Math.min(32, prefix - w * 32));
    address[w] =
      keep === 0 ? 0 : ((address[w] ?? 0) & (keep === 32 ? 0xffffffff : ~(0xffffffff >>> keep))) >>> 0;
  }
  const network = bits === 32 ? formatV4(address[0] ?? 0) : formatV6(address);
  return { bits, prefix, words: address, canonical: `${network}/${prefix}` };
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** A host name lower-cased, IDN to punycode, trailing dot removed; undefined when not a name. */
export function normaliseDomain(text: string): string | undefined {
  let host = text.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host.length > 253) return undefined;
  // eslint-disable-next-line no-control-regex -- any non-ASCII character means an IDN
  if (/[^\x00-\x7f]/.test(host)) host = domainToASCII(host);
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return undefined; // an address, not a name
  return host;
}

const DEFAULT_PORTS: Record<string, string> = {
  'http:': '80',
  'https:': '443',
  'ftp:': '21',
  'ws:': '80',
  'wss:': '443',
};

// Only characters new URL() leaves as they are in a path and query.
const PLAIN_URL = /^(https?):\/\/([a-z0-9.-]+)(?::(\d{1,5}))?([/?][A-Za-z0-9\-._~!$&()*+,;=:@/?]*)?(#.*)?$/i;

/** `HTTP://Evil.Example:80/a?b#c` -> `evil.example/a?b`; undefined when not an absolute URL. */
export function normaliseUrl(text: string): string | undefined {
  const trimmed = text.trim();
  // The common case (http(s), a plain host name, printable ASCII) without the cost of new URL().
  const plain = PLAIN_URL.exec(trimmed);
  if (plain !== null && Number(plain[3] ?? 0) <= 65535 && !/\/\.\.?(?:[/?]|$)/.test(plain[4] ?? '')) {
    const [, scheme, host, port, rest] = plain;
    const portNumber = port === undefined ? '' : String(Number(port));
    const explicit =
      portNumber !== '' && portNumber !== DEFAULT_PORTS[`${scheme?.toLowerCase()}:`] ? `:${portNumber}` : '';
    const path = rest === undefined || rest.startsWith('?') ? `/${rest ?? ''}` : rest;
    return `${urlHost(host ?? '')}${explicit}${path}`;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.hostname === '') return undefined;
  const port = url.port !== '' && url.port !== DEFAULT_PORTS[url.protocol] ? `:${url.port}` : '';
  return `${urlHost(url.hostname)}${port}${url.pathname || '/'}${url.search}`;
}

/** The host part of a URL key: names lower-case, addresses canonical (brackets dropped). */
export function urlHost(hostname: string): string {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return canonicalIp(bare) ?? bare.toLowerCase().replace(/\.$/, '');
}

const HASH_LENGTHS: Record<number, HashAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** The algorithm of a hex digest by its length, or undefined when the text is not one. */
export function hashAlgorithmOf(text: string): HashAlgorithm | undefined {
  return /^[0-9a-f]+$/i.test(text) ? HASH_LENGTHS[text.length] : undefined;
}

/** FoxIO's JA4 TLS client fingerprint: `t13d1516h2_8daaf6152771_b186095e22b6`. */
const JA4 = /^[tqd][0-9a-z]{2}[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/i;

export function isJa4(text: string): boolean {
  return JA4.test(text);
}

/** Undoes the usual defanging: `hxxp`, `[.]`, `(.)`, `[:]`, `[://]`. */
export function refang(text: string): string {
  return text
    .replace(/^hxxp(s?):\/\//i, 'http$1://')
    .replace(/\[(\.|:|:\/\/)\]|\((\.)\)/g, (_, a?: string, b?: string) => a ?? b ?? '');
}

/** What a bare value most likely is; undefined when it is none of the types. */
export function detectIndicatorType(text: string): IndicatorType | undefined {
  if (canonicalIp(text) !== undefined) return 'ip';
  if (parseCidr(text) !== undefined) return 'cidr';
  if (hashAlgorithmOf(text) !== undefined) return 'hash';
  if (isJa4(text)) return 'ja4';
  if (normaliseUrl(text) !== undefined) return 'url';
  if (normaliseDomain(text) !== undefined) return 'domain';
  return undefined;
}

export interface NormalisedValue {
  value: string;
  algorithm?: HashAlgorithm;
}

/** The canonical value of a given type, or a reason why the text is not one. */
export function normaliseIndicatorValue(
  type: IndicatorType,
  text: string,
): NormalisedValue | { error: string } {
  const trimmed = text.trim();
  let value: string | undefined;
  switch (type) {
    case 'ip':
      value = canonicalIp(trimmed);
      break;
    case 'cidr':
      value = parseCidr(trimmed)?.canonical ?? canonicalIp(trimmed);
      if (value !== undefined && !value.includes('/')) value += value.includes(':') ? '/128' : '/32';
      break;
    case 'domain':
      value = normaliseDomain(trimmed);
      break;
    case 'url':
      value = normaliseUrl(trimmed);
      break;
    case 'hash': {
      const algorithm = hashAlgorithmOf(trimmed);
      if (algorithm !== undefined) return { value: trimmed.toLowerCase(), algorithm };
      break;
    }
    case 'ja4':
      if (isJa4(trimmed)) value = trimmed.toLowerCase();
      break;
  }
  if (value === undefined)
    return { error: `${JSON.stringify(trimmed.slice(0, 200))} is not a valid ${type}` };
  return { value };
}
