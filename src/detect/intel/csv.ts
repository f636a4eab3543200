/**
 * The CSV importer (detect/intel): RFC 4180 text (quoted fields, doubled quotes, line breaks
 * inside quotes, CRLF or LF) whose first non-comment line names the columns, in any order and
 * case. `value` (or `indicator`, `ioc`) is required; `type`, `source`, `confidence`,
 * `valid_from`, `valid_until`, `tags` (`;`, `|` or `,` separated) and `description` are
 * optional; other columns are ignored and listed. Lines starting with `#` are comments.
 *
 * @example
 * const { indicators, problems } = importCsvIndicators(text, 'feed.csv', { source: 'feed', confidence: 50, tags: [] });
 */
import { indicatorFromEntry, type ImportDefaults, type RawEntry } from './entry.js';
import type { IntelImportResult, IntelProblem } from './types.js';

interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records, each with the line it starts on; an unclosed quote is a problem. */
export function parseCsv(text: string): { records: CsvRecord[]; unclosedQuoteLine?: number } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) return { records, unclosedQuoteLine: recordLine };
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

const COLUMN_ALIASES: Record<string, keyof RawEntry> = {
  value: 'value',
  indicator: 'value',
  ioc: 'value',
  type: 'type',
  source: 'source',
  confidence: 'confidence',
  valid_from: 'validFrom',
  valid_until: 'validUntil',
  expires: 'validUntil',
  tags: 'tags',
  description: 'description',
};

export interface CsvImportResult extends IntelImportResult {
  ignoredColumns: string[];
}

export function importCsvIndicators(text: string, file: string, defaults: ImportDefaults): CsvImportResult {
  const result: CsvImportResult = { indicators: [], problems: [], skippedObjects: {}, ignoredColumns: [] };
  const problem = (line: number | undefined, reason: string): IntelProblem =>
    line === undefined
      ? { code: 'intel_import_invalid', file, reason }
      : { code: 'intel_import_invalid', file, line, reason };
  const { records, unclosedQuoteLine } = parseCsv(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (unclosedQuoteLine !== undefined)
    result.problems.push(
      problem(unclosedQuoteLine, 'a quoted field is never closed; the rest of the file was not read'),
    );
  const rows = records.filter((record) => !(record.fields[0] ?? '').trimStart().startsWith('#'));
  const header = rows.shift();
  if (header === undefined) {
    result.problems.push(
      problem(undefined, 'the file has no header line (expected at least a "value" column)'),
    );
    return result;
  }
  const columns: Array<keyof RawEntry | undefined> = header.fields.map((name) => {
    const key = COLUMN_ALIASES[name.trim().toLowerCase()];
    if (key === undefined && name.trim() !== '') result.ignoredColumns.push(name.trim());
    return key;
  });
  if (!columns.includes('value')) {
    result.problems.push(
      problem(header.line, `the header has no "value" column (found: ${header.fields.join(', ')})`),
    );
    return result;
  }
  for (const row of rows) {
    if (row.fields.length > header.fields.length) {
      result.problems.push(
        problem(row.line, `${row.fields.length} fields, but the header has ${header.fields.length}`),
      );
      continue;
    }
    const raw: RawEntry = { value: '' };
    columns.forEach((key, i) => {
      if (key !== undefined) raw[key] = row.fields[i] ?? '';
    });
    const built = indicatorFromEntry(raw, defaults);
    if ('error' in built) result.problems.push(problem(row.line, built.error));
    else result.indicators.push(built);
  }
  return result;
}
