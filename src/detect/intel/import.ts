/**
 * Reading indicator files (detect/intel): picks the importer by the format named or by the
 * file's extension (`.csv` CSV, `.json` STIX 2.1 bundle, anything else a plain list), applies
 * the defaults (source = the file's name, confidence 50) and never throws for a bad file or
 * entry: each problem comes back with its file and line or object.
 *
 * @example
 * const result = await importIndicatorFile('feeds/abuse.csv', { source: 'abuse.ch', confidence: 80 });
 * index.addAll(result.indicators);
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { EnsuresecError } from '../../core/errors.js';
import { importCsvIndicators } from './csv.js';
import type { ImportDefaults } from './entry.js';
import { importPlainList } from './plain-list.js';
import { importStixBundle } from './stix.js';
import type { IntelImportResult } from './types.js';

export const INTEL_FORMATS = ['csv', 'list', 'stix'] as const;
export type IntelFormat = (typeof INTEL_FORMATS)[number];

export interface IntelImportOptions {
  /** Default: by extension (.csv, .json, else list). */
  format?: IntelFormat;
  /** Default: the file's name. */
  source?: string;
  /** 0-100 for entries that give none; default 50. */
  confidence?: number;
  /** Added to every entry's tags. */
  tags?: string[];
}

export function formatOfFile(path: string): IntelFormat {
  const extension = extname(path).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.json' ? 'stix' : 'list';
}

function defaultsFor(name: string, options: IntelImportOptions): ImportDefaults {
  const confidence = options.confidence ?? 50;
  if (!Number.isInteger(confidence) || confidence < 0 || confidence > 100)
    throw new EnsuresecError('config_invalid', {
      detail: `intel confidence must be an integer 0-100, not ${confidence}`,
    });
  return { source: options.source ?? name, confidence, tags: options.tags ?? [] };
}

/** Imports text already in memory (an API body, a test fixture). `name` is used in problems. */
export function importIndicatorText(
  text: string,
  format: IntelFormat,
  name: string,
  options: IntelImportOptions = {},
): IntelImportResult {
  const defaults = defaultsFor(name, options);
  if (format === 'csv') return importCsvIndicators(text, name, defaults);
  if (format === 'stix') return importStixBundle(text, name, defaults);
  return importPlainList(text, name, defaults);
}

/** Imports one file; a file that cannot be read is reported as a problem, not thrown. */
export async function importIndicatorFile(
  path: string,
  options: IntelImportOptions = {},
): Promise<IntelImportResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    return {
      indicators: [],
      problems: [{ code: 'intel_import_invalid', file: path, reason }],
      skippedObjects: {},
    };
  }
  return importIndicatorText(text, options.format ?? formatOfFile(path), path, {
    ...options,
    source: options.source ?? basename(path),
  });
}
