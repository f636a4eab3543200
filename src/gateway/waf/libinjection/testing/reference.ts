/**
 * Test support for the libinjection detectors: locates the read-only reference data
 * (../shared/reference/libinjection-data, or $LIBINJECTION_DATA_DIR), parses the unit vector
 * format (--TEST-- / --INPUT-- / --EXPECTED--) and the corpora. Tests only; the product never
 * reads these files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const referenceDir = resolve(
  process.env['LIBINJECTION_DATA_DIR'] ?? join(here, '../../../../../../shared/reference/libinjection-data'),
);

export function assertReferencePresent(): void {
  if (!existsSync(join(referenceDir, 'tests'))) {
    throw new Error(`libinjection reference data not found at ${referenceDir}; set LIBINJECTION_DATA_DIR`);
  }
}

export interface Vector {
  file: string;
  input: string;
  expected: string[];
}

/** Vector files of one family, e.g. `test-tokens-` (read as latin1: bytes in, bytes out). */
export function readVectors(prefix: string, exclude: string[] = []): Vector[] {
  const dir = join(referenceDir, 'tests');
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && !exclude.some((x) => f.startsWith(x)))
    .sort()
    .map((file) => parseVector(file, readFileSync(join(dir, file), 'latin1')));
}

export function parseVector(file: string, text: string): Vector {
  const inputAt = text.indexOf('--INPUT--\n');
  const expectedAt = text.indexOf('--EXPECTED--', inputAt);
  if (inputAt < 0 || expectedAt < 0) throw new Error(`${file}: not a --INPUT--/--EXPECTED-- vector`);
  const input = text.slice(inputAt + '--INPUT--\n'.length, expectedAt).replace(/[\r\n]+$/, '');
  const expected = trimLines(text.slice(expectedAt + '--EXPECTED--'.length).split('\n'));
  return { file, input, expected };
}

/** Right-trims each line and drops leading/trailing empty lines, for a tolerant comparison. */
export function trimLines(lines: string[]): string[] {
  const out = lines.map((l) => l.replace(/[\s]+$/, ''));
  while (out.length > 0 && out[0] === '') out.shift();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Corpus lines: `#` comments and blank lines skipped, each line URL-decoded to bytes. */
export function readCorpus(file: string): string[] {
  const text = readFileSync(join(referenceDir, 'data', file), 'latin1');
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map(urlDecodeToBytes);
}

export function corpusFiles(prefix: string): string[] {
  return readdirSync(join(referenceDir, 'data'))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.txt'))
    .sort();
}

/** `%XX` and `+` decoded into bytes (latin1 string), invalid escapes kept as they are. */
export function urlDecodeToBytes(text: string): string {
  return text
    .replace(/\+/g, ' ')
    .replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export interface FamilyResult {
  passed: number;
  failed: number;
  failures: string[];
}

export function runFamily(vectors: Vector[], actual: (input: string) => string[]): FamilyResult {
  const result: FamilyResult = { passed: 0, failed: 0, failures: [] };
  for (const v of vectors) {
    const got = trimLines(actual(v.input));
    if (got.join('\n') === v.expected.join('\n')) {
      result.passed++;
    } else {
      result.failed++;
      result.failures.push(
        `${v.file}: input ${JSON.stringify(v.input)}\n  expected ${JSON.stringify(v.expected)}\n  got      ${JSON.stringify(got)}`,
      );
    }
  }
  return result;
}
