/**
 * `@ipMatchFromFile` / `@ipMatchF` (gateway/waf/operators): `@ipMatch` with the addresses and
 * CIDR blocks read from a data file, one per line (`#` comments and blank lines skipped).
 *
 * @example SecRule REMOTE_ADDR "@ipMatchFromFile trusted-proxies.data" "id:1,phase:1,pass"
 */
import type { OperatorDefinition } from '../types.js';
import { buildIpList } from './ip-match.js';
import { readDataFiles } from './pm-from-file.js';

export const ipMatchFromFile: OperatorDefinition = {
  compile(param, { resolveFile }) {
    return buildIpList('ipMatchFromFile', readDataFiles('ipMatchFromFile', param, resolveFile));
  },
};
