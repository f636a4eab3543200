/**
 * The plain-list importer (detect/intel): one indicator per line, its type detected from the
 * value (ip, cidr, hash, ja4, url, domain, in that order), `#` starting a comment (a whole
 * line, or the rest of a line after whitespace), blank lines ignored, defanged values
 * (`hxxp://`, `[.]`) refanged. The format of most public block lists.
 *
 * @example
 * importPlainList('# tor exits\n198.51.100.7\nevil[.]example\n', 'tor.txt', defaults);
 */
import { indicatorFromEntry, type ImportDefaults } from './entry.js';
import type { IntelImportResult } from './types.js';

export function importPlainList(text: string, file: string, defaults: ImportDefaults): IntelImportResult {
  const result: IntelImportResult = { indicators: [], problems: [], skippedObjects: {} };
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const value = (lines[i] ?? '').replace(/(^|\s)#.*$/, '').trim();
    if (value === '') continue;
    const built = indicatorFromEntry({ value }, defaults);
    if ('error' in built)
      result.problems.push({ code: 'intel_import_invalid', file, line: i + 1, reason: built.error });
    else result.indicators.push(built);
  }
  return result;
}
