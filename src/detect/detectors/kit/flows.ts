/**
 * Reading flow events the way the network detectors need them (detect, built-in detectors):
 * the flow section of a `flow` event, its protocol by name, whether it looks like a probe
 * (a SYN nobody answered, a rejected or reset attempt, a tiny exchange), whether it looks like
 * the answer half of a connection (NetFlow records are one-way), and sets of networks (CIDRs)
 * validated as configuration and matched with the gateway's prefix trie (the same one the
 * intelligence index uses; node's `BlockList` allocates per lookup, too slow per flow).
 *
 * @example
 *   const flow = flowOf(event);
 *   if (flow && isProbe(flow)) scanWindow.add(flow.srcIp, ...);
 *   const internal = networkSet(['10.0.0.0/8']); internal.has('10.1.2.3'); // true
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { SecurityEvent } from '../../../core/records/index.js';
import { normaliseIp, parseIp } from '../../../gateway/ip.js';
import { PrefixTrie } from '../../../gateway/prefix-trie.js';

export type Flow = NonNullable<SecurityEvent['flow']>;

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

/** The flow section when the event is a flow event with addresses. */
export function flowOf(event: SecurityEvent): Flow | undefined {
  const flow = event.flow;
  if (event.kind !== 'flow' || flow === undefined || !flow.srcIp || !flow.dstIp) return undefined;
  return flow;
}

/** `tcp`, `udp`, `icmp` (also from IANA numbers 6, 17, 1, 58), else the text lower-cased. */
export function protocolOf(flow: Flow): string {
  // Collectors already write the lower-case names: answer them without a new string per call.
  const raw = flow.protocol;
  if (raw === 'tcp' || raw === 'udp' || raw === 'icmp') return raw;
  const p = raw.toLowerCase();
  if (p === '6') return 'tcp';
  if (p === '17') return 'udp';
  if (p === '1' || p === '58' || p === 'ipv6-icmp' || p === 'icmpv6') return 'icmp';
  return p;
}

/** Zeek connection states of an attempt that never became a connection. */
const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH']);
/** Suricata flow states/reasons and Zeek states of a connection that carried data both ways. */
const ESTABLISHED_STATES = new Set(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR', 'established', 'closed']);

/**
 * A probe: a TCP attempt that got no connection (SYN without ACK, a rejected or unanswered
 * state), or a tiny TCP/UDP exchange (at most 3 packets and 200 bytes, what a connect scan
 * of an open port or a UDP probe leaves). What a port scan is made of.
 */
export function isProbe(flow: Flow): boolean {
  const protocol = protocolOf(flow);
  if (protocol !== 'tcp' && protocol !== 'udp') return false;
  if (flow.state !== undefined && FAILED_STATES.has(flow.state)) return true;
  if (flow.state !== undefined && ESTABLISHED_STATES.has(flow.state) && flow.packets > 3) return false;
  if (protocol === 'tcp' && flow.tcpFlags !== undefined) {
    if ((flow.tcpFlags & SYN) !== 0 && (flow.tcpFlags & ACK) === 0) return true;
  }
  return flow.packets <= 3 && flow.bytes <= 200;
}

/** A SYN nobody answered (the signature of a SYN flood): SYN without ACK, or Zeek's S0. */
export function isSynOnly(flow: Flow): boolean {
  if (protocolOf(flow) !== 'tcp') return false;
  if (flow.state === 'S0') return true;
  return flow.tcpFlags !== undefined && (flow.tcpFlags & SYN) !== 0 && (flow.tcpFlags & ACK) === 0;
}

/**
 * The answer half of a connection, as one-way exporters (NetFlow, IPFIX) report it: from a
 * service port (< 1024) to an ephemeral one, or a bare RST+ACK (a closed port refusing).
 * Sensors that report both directions in one record (Zeek, Suricata) never give one.
 */
export function isReply(flow: Flow): boolean {
  if (flow.srcPort > 0 && flow.srcPort < 1024 && flow.dstPort >= 1024) return true;
  const flags = flow.tcpFlags;
  return (
    protocolOf(flow) === 'tcp' &&
    flags !== undefined &&
    (flags & RST) !== 0 &&
    (flags & ACK) !== 0 &&
    (flags & SYN) === 0 &&
    flow.packets <= 2
  );
}

/** `a.b.c.d/n` or `x:y::/n` (a bare address is a /32 or /128). */
export const cidr = z
  .string()
  .max(64)
  .refine((text) => parseCidr(text) !== undefined, 'is not an address or a network such as 10.0.0.0/8');

export const cidrList = z.array(cidr).max(10_000);

function parseCidr(text: string): { address: string; bits: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (bits < 0 || bits > max) return undefined;
  return { address, bits, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export const PRIVATE_NETWORKS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

export interface NetworkSet {
  has(ip: string): boolean;
  readonly empty: boolean;
}

/** A set of networks from validated CIDRs; `has` is false for anything that is not an address. */
export function networkSet(cidrs: readonly string[]): NetworkSet {
  const v4 = new PrefixTrie<true>();
  const v6 = new PrefixTrie<true>();
  const words = new Uint32Array(4);
  for (const text of cidrs) {
    const parsed = parseCidr(text);
    if (parsed === undefined) continue;
    const bits = parseIp(parsed.address, words);
    if (bits === 32) v4.insert(words, parsed.bits, true);
    else if (bits === 128) v6.insert(words, parsed.bits, true);
  }
  let found = false;
  const mark = (): void => {
    found = true;
  };
  const empty = cidrs.length === 0;
  return {
    empty,
    has(ip: string): boolean {
      // An empty set (the default of every "ignore" list) answers without parsing the address.
      if (empty) return false;
      const bits = parseIp(normaliseIp(ip), words);
      if (bits === 0) return false;
      found = false;
      (bits === 32 ? v4 : v6).forEachMatch(words, bits, mark);
      return found;
    },
  };
}

/** Port numbers 0-65535 as configuration. */
export const portList = z.array(z.number().int().min(0).max(65535)).max(1000);
