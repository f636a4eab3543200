/**
 * IP address parsing for the gateway's decision index (enforcement, hot path): addresses
 * become 32-bit words so CIDR lookups walk a bit trie without allocating.
 */

/** Words of the last parsed address; valid until the next parse (the hot path is synchronous). */
export const scratchWords = new Uint32Array(4);

/** `::ffff:192.0.2.1` -> `192.0.2.1`, so a v4 decision matches clients of a dual-stack socket. */
export function normaliseIp(ip: string): string {
  if (ip.length > 7 && ip.charCodeAt(0) === 58 && ip.startsWith('::ffff:') && ip.includes('.', 7)) {
    return ip.slice(7);
  }
  return ip;
}

function parseV4Into(ip: string, start: number, out: Uint32Array, index: number): boolean {
  let value = 0;
  let octet = -1;
  let dots = 0;
  for (let i = start; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (octet < 0) return false;
      value = value * 256 + octet;
      octet = -1;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  if (dots !== 3 || octet < 0) return false;
  out[index] = (value * 256 + octet) >>> 0;
  return true;
}

function parseV6Into(input: string, out: Uint32Array): boolean {
  const zone = input.indexOf('%');
  const ip = zone >= 0 ? input.slice(0, zone) : input;
  const halves = ip.split('::');
  if (halves.length > 2) return false;
  const groups: number[] = [];
  const parseGroups = (part: string, into: number[]): boolean => {
    if (part === '') return true;
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = new Uint32Array(1);
        if (!parseV4Into(piece, 0, v4, 0)) return false;
        const word = v4[0] ?? 0;
        into.push(word >>> 16, word & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return false;
        into.push(parseInt(piece, 16));
      }
    }
    return true;
  };
  const head: number[] = [];
  const tail: number[] = [];
  if (!parseGroups(halves[0] ?? '', head)) return false;
  if (halves.length === 2) {
    if (!parseGroups(halves[1] ?? '', tail)) return false;
    if (head.length + tail.length > 7) return false;
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    if (head.length !== 8) return false;
    groups.push(...head);
  }
  for (let w = 0; w < 4; w++) out[w] = (((groups[w * 2] ?? 0) << 16) | (groups[w * 2 + 1] ?? 0)) >>> 0;
  return true;
}

/**
 * Parses into `scratchWords`; returns 32 for IPv4, 128 for IPv6, 0 when not an address.
 * @example parseIp('10.1.2.3') === 32 && scratchWords[0] === 0x0a010203
 */
export function parseIp(ip: string, out: Uint32Array = scratchWords): 0 | 32 | 128 {
  if (ip.includes(':')) return parseV6Into(ip, out) ? 128 : 0;
  return parseV4Into(ip, 0, out, 0) ? 32 : 0;
}

/** Bit `i` (0 = most significant) of an address held in words. */
export function bitAt(words: Uint32Array, i: number): number {
  return ((words[i >>> 5] ?? 0) >>> (31 - (i & 31))) & 1;
}
