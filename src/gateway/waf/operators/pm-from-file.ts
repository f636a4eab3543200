/**
 * `@pmFromFile` / `@pmf` (gateway/waf/operators): `@pm` with the phrases read from data
 * files (space-separated names, relative to the rule file), one phrase per line; blank lines
 * and lines starting with `#` are skipped. A missing file is a load error.
 *
 * @example SecRule REQUEST_FILENAME "@pmFromFile restricted-files.data" "id:1,phase:1,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { AhoCorasick } from './aho-corasick.js';
import { dataFileLines, OperatorParamError } from './param.js';
import { phraseMatcher } from './pm.js';

export function readDataFiles(
  operator: string,
  param: string,
  resolveFile: (path: string) => string,
): string[] {
  const files = param.split(/\s+/).filter((name) => name !== '');
  if (files.length === 0) throw new OperatorParamError(operator, 'no data file named');
  const lines: string[] = [];
  for (const file of files) {
    if (/^https?:\/\//i.test(file)) {
      throw new OperatorParamError(
        operator,
        `remote data files are not supported (${file}); download it and name the file`,
      );
    }
    let content: string;
    try {
      content = resolveFile(file);
    } catch (error) {
      throw new OperatorParamError(operator, `cannot read data file ${file}: ${(error as Error).message}`);
    }
    lines.push(...dataFileLines(content));
  }
  return lines;
}

export const pmFromFile: OperatorDefinition = {
  compile(param, { resolveFile }) {
    return phraseMatcher(new AhoCorasick(readDataFiles('pmFromFile', param, resolveFile)));
  },
  // A value matches only when it holds one of the phrases, so the phrases are exactly the
  // literals the engine's index looks for (the same ASCII folding): no phrase found, no call.
  requiredLiterals(param, { resolveFile }) {
    const phrases = readDataFiles('pmFromFile', param, resolveFile);
    return phrases.length === 0 ? null : phrases;
  },
};
