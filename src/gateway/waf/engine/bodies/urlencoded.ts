/**
 * URLENCODED request-body processor (gateway/waf/engine/bodies): `a=1&b=2` into ARGS_POST,
 * decoded as query arguments are.
 */
import { parseArguments } from '../request-parts.js';
import type { BodyResult } from './types.js';

export function processUrlencoded(body: string): BodyResult {
  return { args: parseArguments(body) };
}
