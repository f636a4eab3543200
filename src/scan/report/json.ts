/** The JSON report: the scan report as it is, versioned so tools can read it. */
import type { ScanReport } from '../scanner.js';

export const JSON_REPORT_FORMAT = 'ensuresec-scan-report/v1';

export function toJsonReport(report: ScanReport): string {
  return JSON.stringify({ format: JSON_REPORT_FORMAT, ...report }, null, 2) + '\n';
}
