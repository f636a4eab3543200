/**
 * Reads datagram fixtures written as hex (ingest, flow source, testing): `#` starts a
 * comment, whitespace is ignored, a line `---` separates datagrams.
 *
 * @example const datagrams = readHexDatagrams(new URL('../fixtures/v5-sampled.hex', import.meta.url));
 */
import { readFileSync } from 'node:fs';

export function parseHexDatagrams(text: string): Buffer[] {
  return text
    .split(/^---$/m)
    .map((chunk) => chunk.replace(/#.*$/gm, '').replace(/\s+/g, ''))
    .filter((hex) => hex !== '')
    .map((hex) => Buffer.from(hex, 'hex'));
}

export function readHexDatagrams(path: URL | string): Buffer[] {
  return parseHexDatagrams(readFileSync(path, 'utf8'));
}
