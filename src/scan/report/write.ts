/** Writes the reports a scan asked for: one format to --out, or several as --out plus each extension. */
import { writeFileSync } from 'node:fs';
import type { ScanReport } from '../scanner.js';
import { toHtmlReport } from './html.js';
import { toJsonReport } from './json.js';
import { toSarif } from './sarif.js';

export const REPORT_FORMATS = ['json', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(report: ScanReport, format: ReportFormat): string {
  if (format === 'sarif') return JSON.stringify(toSarif(report), null, 2) + '\n';
  if (format === 'html') return toHtmlReport(report);
  return toJsonReport(report);
}

export function writeReports(report: ScanReport, formats: ReportFormat[], out: string): string[] {
  const written: string[] = [];
  for (const format of formats) {
    const path = formats.length === 1 ? out : `${out}.${format}`;
    writeFileSync(path, renderReport(report, format));
    written.push(path);
  }
  return written;
}
