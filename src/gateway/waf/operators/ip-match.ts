/**
 * `@ipMatch` (gateway/waf/operators): the value is an IPv4 or IPv6 address inside one of the
 * comma-separated addresses or CIDR blocks of the parameter. A value that is not an address
 * never matches; a bad list entry is a load error.
 *
 * @example SecRule REMOTE_ADDR "@ipMatch 127.0.0.1,::1,10.0.0.0/8" "id:1,phase:1,allow"
 */
import { BlockList, isIP } from 'node:net';
import type { OperatorDefinition, OperatorMatcher } from '../types.js';
import { OperatorParamError } from './param.js';

export function buildIpList(operator: string, entries: string[]): OperatorMatcher {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new OperatorParamError(operator, `"${entry}" is not an IP address or CIDR block`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new OperatorParamError(operator, `"${entry}" has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, type);
  }
  // BlockList.check builds a SocketAddress per call (a few µs); CRS asks twice per transaction
  // about the same REMOTE_ADDR, and a client sends many: the last answer is kept.
  let lastValue: string | null = null;
  let lastResult = false;
  return (value) => {
    if (value === lastValue) return lastResult;
    const address = value.trim();
    const family = isIP(address);
    const result = family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    lastValue = value;
    lastResult = result;
    return result;
  };
}

export const ipMatch: OperatorDefinition = {
  compile(param) {
    const entries = param.split(',');
    if (entries.every((entry) => entry.trim() === ''))
      throw new OperatorParamError('ipMatch', 'no address given');
    return buildIpList('ipMatch', entries);
  },
};
