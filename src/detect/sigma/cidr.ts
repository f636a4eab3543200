/**
 * The `cidr` modifier (detect/sigma): IPv4 and IPv6 networks, parsed once at load time; an
 * address is parsed per test into 16 bytes (IPv4 as its IPv4-mapped IPv6 form, so
 * `::ffff:10.0.0.1` is in 10.0.0.0/8) and compared on the prefix bits.
 *
 * @example compileCidr('10.0.0.0/8')('10.1.2.3') // true
 */
import { isIP } from 'node:net';

function ipv4Bytes(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

/** 16 bytes of an IPv4 or IPv6 address (IPv4 mapped into ::ffff:0:0/96), or null. */
export function ipBytes(text: string): Uint8Array | null {
  const kind = isIP(text);
  if (kind === 4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...ipv4Bytes(text)!]);
  if (kind !== 6) return null;
  let address = text;
  const bytes = new Uint8Array(16);
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  let tailWords: number[] = [];
  if (tail.includes('.')) {
    const v4 = ipv4Bytes(tail)!;
    tailWords = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    address = address.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = address.includes('::') ? address.split('::') : [address, undefined];
  const headWords = head ? head.split(':').map((w) => parseInt(w, 16)) : [];
  let restWords = rest !== undefined && rest !== '' ? rest.split(':').map((w) => parseInt(w, 16)) : [];
  if (tailWords.length > 0) {
    if (rest === undefined) headWords.splice(-1, 1, ...tailWords);
    else restWords = [...restWords.slice(0, -1), ...tailWords];
  }
  const words = [
    ...headWords,
    ...new Array<number>(8 - headWords.length - restWords.length).fill(0),
    ...restWords,
  ];
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
}

/** Compiles `network/prefix` (a bare address is a /32 or /128); throws an Error when it is not one. */
export function compileCidr(cidr: string): (address: string) => boolean {
  const [network = '', prefixText] = cidr.trim().split('/');
  const networkBytes = ipBytes(network);
  if (!networkBytes) throw new Error(`'${cidr}' is not a CIDR network`);
  const isV4 = isIP(network) === 4;
  const maxPrefix = isV4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || (prefixText ?? '0').trim() === '') {
    throw new Error(`'${cidr}' has an invalid prefix length`);
  }
  const bits = isV4 ? prefix + 96 : prefix;
  const fullBytes = bits >> 3;
  const mask = (0xff << (8 - (bits & 7))) & 0xff;
  return (address: string): boolean => {
    const bytes = ipBytes(address);
    if (!bytes) return false;
    for (let i = 0; i < fullBytes; i++) if (bytes[i] !== networkBytes[i]) return false;
    return (bits & 7) === 0 || (bytes[fullBytes]! & mask) === (networkBytes[fullBytes]! & mask);
  };
}
