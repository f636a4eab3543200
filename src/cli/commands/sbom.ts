/**
 * `ensuresec sbom DIR`: a CycloneDX SBOM from the lockfiles in DIR and the known vulnerabilities
 * of its packages from a local OSV export (`--osv-dir`) or, only with `--online`, the OSV API.
 * Findings go to the same reports as `ensuresec scan` (`--format … --report FILE`) and, with
 * `--store --target ORIGIN`, to the server with that shop's scans.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EnsuresecError } from '../../core/errors.js';
import { toJsonReport } from '../../scan/report/json.js';
import { REPORT_FORMATS, writeReports, type ReportFormat } from '../../scan/report/write.js';
import { loadOsvDirectory, queryOsvOnline, type OsvAdvisory } from '../../scan/sbom/osv.js';
import { readLockfiles } from '../../scan/sbom/lockfiles.js';
import { VERSION } from '../../server/version.js';
import { action } from '../action.js';

interface SbomFlags {
  out?: string;
  osvDir?: string;
  online?: boolean;
  format?: string;
  report?: string;
  target?: string;
  store?: boolean;
  failOn?: string;
}

const SEVERITY_ORDER = ['info', 'low', 'medium', 'high', 'critical'];

export function register(program: Command): void {
  program
    .command('sbom <dir>')
    .description('CycloneDX SBOM from the lockfiles in DIR, and their known vulnerabilities (OSV)')
    .option('--out <file>', 'write the CycloneDX 1.6 JSON SBOM to this file')
    .option('--osv-dir <dir>', 'a local OSV export: one JSON advisory per file (searched recursively)')
    .option('--online', 'ask the OSV API (api.osv.dev) for the advisories')
    .option('--format <formats>', `findings report format(s): ${REPORT_FORMATS.join(', ')}`)
    .option('--report <file>', 'findings report file (with several formats: the base name)')
    .option('--target <origin>', 'the shop origin this code runs at (needed by --store)')
    .option('--store', 'store the findings on the server with the scans of --target')
    .option('--fail-on <severity>', 'exit 1 when a finding has this severity or higher (for CI)')
    .action(
      action(async (context, dir: string, flags: SbomFlags) => {
        // Loaded here, not at the top: other commands start without the CycloneDX library.
        const { runSbom } = await import('../../scan/sbom/sbom.js');
        const formats = (flags.format ?? '')
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== '');
        const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
        if (unknown.length > 0)
          throw new EnsuresecError('bad_request', { detail: `Unknown --format ${unknown.join(', ')}.` });
        if (formats.length > 0 && !flags.report)
          throw new EnsuresecError('bad_request', { detail: '--format needs --report FILE.' });
        let origin: string | undefined;
        if (flags.target) {
          try {
            origin = new URL(flags.target).origin;
          } catch {
            origin = undefined;
          }
          if (!origin || !/^https?:/.test(origin))
            throw new EnsuresecError('scan_target_invalid', { detail: `--target ${flags.target}` });
        }
        if (flags.store && !origin)
          throw new EnsuresecError('bad_request', { detail: '--store needs --target ORIGIN (the shop).' });
        if (flags.failOn && !SEVERITY_ORDER.includes(flags.failOn))
          throw new EnsuresecError('bad_request', {
            detail: `--fail-on must be one of ${SEVERITY_ORDER.join(', ')}.`,
          });
        const api = flags.store ? context.client() : undefined;

        let advisories: OsvAdvisory[] | null = null;
        let skipped: string[] = [];
        if (flags.osvDir) ({ advisories, skipped } = loadOsvDirectory(flags.osvDir));
        if (flags.online)
          advisories = [...(advisories ?? []), ...(await queryOsvOnline(readLockfiles(dir).packages))];

        const result = runSbom({
          dir,
          toolVersion: VERSION,
          advisories,
          skipped,
          ...(origin ? { origin } : {}),
        });
        const written: string[] = [];
        if (flags.out) {
          writeFileSync(flags.out, result.cyclonedx);
          written.push(flags.out);
        }
        if (flags.report && formats.length > 0)
          written.push(...writeReports(result.report, formats as ReportFormat[], flags.report));
        const stored = api
          ? await api.scans.store(JSON.parse(toJsonReport(result.report)) as unknown)
          : undefined;

        if (context.output.json) process.stdout.write(toJsonReport(result.report));
        else {
          const out = context.output;
          out.line(
            `${result.packages.length} package(s) from ${result.lockfiles.join(', ')}; ${result.report.findings.length} vulnerable`,
          );
          out.list(
            result.report.findings.map((f) => ({
              severity: f.severity,
              score: f.cvssScore.toFixed(1),
              advisory: String(f.data?.['advisory'] ?? ''),
              package: f.url,
              fix: String(f.data?.['fixedIn'] ?? '-'),
            })),
            ['severity', 'score', 'advisory', 'package', 'fix'],
          );
          const check = result.report.checks[0];
          if (check && check.status !== 'tested')
            out.line(`vulnerabilities ${check.status}: ${check.reason ?? ''}`);
          for (const path of written) out.line(`wrote ${path}`);
          if (stored)
            out.line(
              `stored as ${stored.scan.id}: ${stored.scan.changes.new} new, ${stored.scan.changes.fixed} fixed`,
            );
        }
        const threshold = flags.failOn ? SEVERITY_ORDER.indexOf(flags.failOn) : -1;
        if (
          threshold >= 0 &&
          result.report.findings.some((f) => SEVERITY_ORDER.indexOf(f.severity) >= threshold)
        )
          process.exitCode = 1;
      }),
    );
}
