/**
 * JA4 TLS client fingerprints (gateway, TLS front -> events and decisions), after FoxIO's
 * specification (github.com/FoxIO-LLC/ja4, technical_details/JA4.md): a readable prefix
 * (transport, version, SNI, counts, ALPN), then a truncated SHA-256 of the sorted cipher
 * suites, then one of the sorted extensions (without SNI and ALPN) followed by the signature
 * algorithms in wire order. GREASE values (RFC 8701) are ignored everywhere.
 *
 * @example ja4Of(hello) // 't13d1516h2_8daaf6152771_e5627efa2ab1'
 */
import { createHash } from 'node:crypto';
import { EXT_ALPN, EXT_SERVER_NAME, type ClientHello } from './client-hello.js';

const EMPTY_HASH = '000000000000';

const VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

/** GREASE: 0x0a0a, 0x1a1a ... 0xfafa (RFC 8701 §2). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}

const hex4 = (value: number): string => value.toString(16).padStart(4, '0');
const twoDigits = (count: number): string => String(Math.min(count, 99)).padStart(2, '0');
const truncatedSha256 = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, 12);

function isAlphanumeric(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

/** First and last character of the first ALPN value; its hex form's when either is not alphanumeric. */
function alpnChars(alpn: Buffer | null): string {
  if (alpn === null || alpn.length === 0) return '00';
  const first = alpn[0] as number;
  const last = alpn[alpn.length - 1] as number;
  if (isAlphanumeric(first) && isAlphanumeric(last)) return String.fromCharCode(first, last);
  const hex = alpn.toString('hex');
  return `${hex[0] ?? '0'}${hex[hex.length - 1] ?? '0'}`;
}

function versionOf(hello: ClientHello): string {
  let version = hello.legacyVersion;
  if (hello.supportedVersions !== null) {
    let highest = -1;
    for (const candidate of hello.supportedVersions) {
      if (!isGrease(candidate) && candidate > highest) highest = candidate;
    }
    if (highest >= 0) version = highest;
  }
  return VERSIONS.get(version) ?? '00';
}

/** The JA4 fingerprint of a ClientHello received over TCP. */
export function ja4Of(hello: ClientHello): string {
  const ciphers = hello.cipherSuites.filter((value) => !isGrease(value));
  const extensions = hello.extensions.filter((value) => !isGrease(value));
  const signatureAlgorithms = hello.signatureAlgorithms.filter((value) => !isGrease(value));

  const prefix =
    't' +
    versionOf(hello) +
    (hello.serverName !== null ? 'd' : 'i') +
    twoDigits(ciphers.length) +
    twoDigits(extensions.length) +
    alpnChars(hello.firstAlpn);

  const sortedCiphers = ciphers.map(hex4).sort();
  const cipherHash = sortedCiphers.length === 0 ? EMPTY_HASH : truncatedSha256(sortedCiphers.join(','));

  const sortedExtensions = extensions
    .filter((value) => value !== EXT_SERVER_NAME && value !== EXT_ALPN)
    .map(hex4)
    .sort();
  let extensionText = sortedExtensions.join(',');
  if (signatureAlgorithms.length > 0) extensionText += `_${signatureAlgorithms.map(hex4).join(',')}`;
  const extensionHash = sortedExtensions.length === 0 ? EMPTY_HASH : truncatedSha256(extensionText);

  return `${prefix}_${cipherHash}_${extensionHash}`;
}

/** Whether `value` has the shape of a JA4 fingerprint (for decisions and filters). */
export function isJa4(value: string): boolean {
  return /^[tqd][0-9a-z]{2}[di]\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/.test(value);
}
