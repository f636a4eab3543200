/**
 * Generator of the libinjection data modules (run by hand or in CI, never at run time).
 *
 * Reads the BSD-3-Clause tables of libinjection (src/sqlparse_data.json: the character classes
 * and the keyword table; src/fingerprints.txt: the SQLi fingerprints) from the reference
 * directory and writes `sqli/data.generated.ts`, so the gateway needs no file at run time.
 *
 *   npx tsx src/gateway/waf/libinjection/scripts/generate-data.ts [referenceDir]
 *
 * The reference directory defaults to ../shared/reference/libinjection-data (from the repo root)
 * or $LIBINJECTION_DATA_DIR.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const referenceDir = resolve(
  process.argv[2] ??
    process.env['LIBINJECTION_DATA_DIR'] ??
    join(here, '../../../../../../shared/reference/libinjection-data'),
);
const outFile = join(here, '..', 'sqli', 'data.generated.ts');

interface SqlparseData {
  charmap: string[];
  keywords: Record<string, string>;
}

const data = JSON.parse(readFileSync(join(referenceDir, 'src/sqlparse_data.json'), 'utf8')) as SqlparseData;
const fingerprints = readFileSync(join(referenceDir, 'src/fingerprints.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.length > 0);
const sourceMd = readFileSync(join(referenceDir, 'SOURCE.md'), 'utf8');
const commit = /commit ([0-9a-f]{40})/.exec(sourceMd)?.[1] ?? 'unknown';

if (data.charmap.length !== 256) throw new Error(`charmap has ${data.charmap.length} entries, expected 256`);

const classNames = [...new Set(data.charmap)].sort();
const keywordEntries = Object.entries(data.keywords).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
// Fingerprints are matched case-insensitively, as libinjection upper-cases both sides.
const fingerprintSet = [...new Set(fingerprints.map((fp) => fp.toUpperCase()))].sort();

const lines: string[] = [];
lines.push(
  '// GENERATED FILE - do not edit. Regenerate with src/gateway/waf/libinjection/scripts/generate-data.ts.',
  '/**',
  ' * libinjection SQL tokenizer tables: byte character classes, keyword types and fingerprints.',
  ` * Source: libinjection/libinjection at commit ${commit}`,
  ' * (src/sqlparse_data.json, src/fingerprints.txt).',
  ' *',
  ' * Data licence: BSD-3-Clause, Copyright (c) 2012-2016, Nick Galbreath. All rights reserved.',
  ' * See ../LICENSE-libinjection-data for the full notice and conditions.',
  ' */',
  '',
  `export type CharClass = ${classNames.map((c) => JSON.stringify(c)).join(' | ')};`,
  '',
  '/** Character class of each byte 0..255. */',
  `export const charClassByByte: readonly CharClass[] = ${JSON.stringify(data.charmap)};`,
  '',
  '/** Keyword (upper case) to token type, e.g. `SELECT` -> `E`, `UNION` -> `U`, `&&` -> `&`. */',
  `export const keywordTypes: ReadonlyMap<string, string> = new Map<string, string>(${JSON.stringify(keywordEntries)});`,
  '',
  '/** SQLi fingerprints, upper case (a fingerprint is looked up upper-cased). */',
  `export const fingerprintSet: ReadonlySet<string> = new Set<string>(${JSON.stringify(fingerprintSet)});`,
  '',
);
writeFileSync(outFile, lines.join('\n'));
execFileSync('npx', ['prettier', '--write', outFile], { stdio: 'inherit' });
console.log(
  `wrote ${outFile}: ${keywordEntries.length} keywords, ${fingerprintSet.length} fingerprints (commit ${commit})`,
);
