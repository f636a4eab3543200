/**
 * `ensuresec scan URL`: assesses a shop. Passive by default; `--active` sends attack
 * payloads and needs `--i-am-authorised` or a typed confirmation on a terminal. Shows a
 * progress bar on stderr, prints a summary (or the JSON report with --json), writes reports
 * with --format/--out and a signed certificate with --certificate/--key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { parseDurationMs } from '../../core/duration.js';
import { EnsuresecError } from '../../core/errors.js';
import { readJwkFile } from '../../scan/certificate/key-files.js';
import { loadLoginRecipe } from '../../scan/auth/recipe.js';
import { createProgressReporter } from '../../scan/progress.js';
import { REPORT_FORMATS, writeReports, type ReportFormat } from '../../scan/report/write.js';
import { toJsonReport } from '../../scan/report/json.js';
import { SCAN_DEFAULTS } from '../../scan/defaults.js';
import type { ScanReport } from '../../scan/scanner.js';
import { VERSION } from '../../server/version.js';
import { readLockfiles } from '../../scan/sbom/lockfiles.js';
import { loadOsvDirectory, queryOsvOnline } from '../../scan/sbom/osv.js';
import { action } from '../action.js';
import type { Output } from '../output.js';

interface ScanFlags {
  active?: boolean;
  iAmAuthorised?: boolean;
  maxRequests: string;
  rate: string;
  concurrency: string;
  timeout: string;
  maxResponseBytes: string;
  maxPages: string;
  maxDepth: string;
  maxDuration: string;
  host?: string[];
  include?: string[];
  exclude?: string[];
  openapi?: string;
  browser?: boolean;
  header?: string[];
  caCert?: string[];
  loginRecipe?: string;
  format?: string;
  out?: string;
  certificate?: string;
  key?: string;
  validDays: string;
  failOn?: string;
  progress: boolean;
  store?: boolean;
  virtualPatches?: string;
  sbom?: string;
  osvDir?: string;
  online?: boolean;
}

const SEVERITY_ORDER = ['info', 'low', 'medium', 'high', 'critical'];

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new EnsuresecError('bad_request', {
      detail: `--${name} must be a non-negative number, not ${text}.`,
    });
  return value;
}

function parseTarget(text: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // falls through to the error below
  }
  throw new EnsuresecError('scan_target_invalid', { detail: `Got ${JSON.stringify(text)}.` });
}

/** A `--ca-cert` file: PEM text holding at least one certificate, or a clear error. */
function readCaCertificate(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EnsuresecError('bad_request', {
      detail: `--ca-cert ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new EnsuresecError('bad_request', { detail: `--ca-cert ${file} holds no PEM certificate.` });
  return text;
}

function parseHeaders(lines: string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new EnsuresecError('bad_request', {
        detail: `--header must be "Name: value", not ${JSON.stringify(line)}.`,
      });
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function parseFormats(text: string | undefined): ReportFormat[] {
  if (!text) return [];
  const formats = text.split(',').map((f) => f.trim().toLowerCase());
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new EnsuresecError('bad_request', {
      detail: `Unknown --format ${unknown.join(', ')}; use ${REPORT_FORMATS.join(', ')}.`,
    });
  return formats as ReportFormat[];
}

async function confirmAuthorised(origin: string): Promise<void> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new EnsuresecError('scan_not_authorised', {
      detail: 'No terminal to confirm on: pass --i-am-authorised.',
    });
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Active scanning attacks ${origin}. Type "yes" if you are authorised to test it: `,
    );
    if (answer.trim().toLowerCase() !== 'yes')
      throw new EnsuresecError('scan_not_authorised', { detail: 'Not confirmed.' });
  } finally {
    prompt.close();
  }
}

function printSummary(output: Output, report: ScanReport, written: string[]): void {
  output.line(
    `${report.origin}: ${report.mode} scan, ${report.requests.sent} requests, ${report.coverage.pagesCrawled} pages, ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  output.list(
    report.findings.map((f) => ({
      severity: f.severity,
      score: f.cvssScore.toFixed(1),
      check: f.checkId,
      title: f.title,
      url: f.url,
    })),
    ['severity', 'score', 'check', 'title', 'url'],
  );
  if (report.coverage.pagesCrawled === 0) {
    const why = report.notChecked[0]?.reason ?? 'no answer';
    output.line(`warning: no page of ${report.origin} could be fetched (${why}): almost nothing was tested`);
  }
  output.line('attack classes:');
  for (const c of report.classes)
    output.line(`  ${c.result.padEnd(10)} ${c.attackClass}${c.reason ? ` (${c.reason})` : ''}`);
  if (report.notChecked.length > 0)
    output.line(`not checked: ${report.notChecked.length} item(s), listed in the reports`);
  for (const path of written) output.line(`wrote ${path}`);
}

export function register(program: Command): void {
  program
    .command('scan <url>')
    .description(
      'assess a shop: crawl, passive checks, active checks with --active; reports and a signed certificate',
    )
    .option('--active', 'also run active checks (sends attack payloads)')
    .option('--i-am-authorised', 'confirm you are authorised to run active checks against this target')
    .option('--max-requests <n>', 'request budget for the whole scan', String(SCAN_DEFAULTS.maxRequests))
    .option(
      '--rate <n>',
      'at most this many requests per second (0 = no limit)',
      String(SCAN_DEFAULTS.ratePerSecond),
    )
    .option('--concurrency <n>', 'requests in flight at once', String(SCAN_DEFAULTS.concurrency))
    .option('--timeout <ms>', 'time limit of one request, in ms', String(SCAN_DEFAULTS.timeoutMs))
    .option(
      '--max-response-bytes <n>',
      'read at most this much of a response',
      String(SCAN_DEFAULTS.maxResponseBytes),
    )
    .option('--max-pages <n>', 'pages the crawler fetches at most', String(SCAN_DEFAULTS.maxPages))
    .option('--max-depth <n>', 'link depth the crawler follows', String(SCAN_DEFAULTS.maxDepth))
    .option('--max-duration <duration>', 'stop the whole scan after this long (e.g. 5m)', '10m')
    .option('--host <host...>', 'extra hosts in scope (host or host:port)')
    .option('--include <path...>', 'only scan paths under these prefixes (* matches anything)')
    .option('--exclude <path...>', 'never request paths under these prefixes (* matches anything)')
    .option('--openapi <fileOrUrl>', 'an OpenAPI document describing the shop API')
    .option('--browser', 'headless Chromium: crawl what scripts reveal, verify XSS by execution')
    .option(
      '--ca-cert <file...>',
      'trust these PEM certificates besides the public roots (a staging shop behind a private CA or self-signed)',
    )
    .option(
      '--header <header...>',
      'send a header with every request, e.g. "Cookie: sid=…" or "Authorization: Bearer …"',
    )
    .option(
      '--login-recipe <file>',
      'log in test accounts (YAML/JSON: login form, success check, accounts or cookies/tokens) for authenticated checks',
    )
    .option('--format <formats>', `report format(s), comma-separated: ${REPORT_FORMATS.join(', ')}`)
    .option('--out <file>', 'report file (with several formats: the base name, each gets its extension)')
    .option('--certificate <file>', 'write a signed certificate of the scan (needs --key)')
    .option('--key <keyfile>', 'private key from `ensuresec cert keygen`')
    .option('--valid-days <n>', 'certificate validity in days', '30')
    .option('--fail-on <severity>', 'exit 1 when a finding has this severity or higher (for CI)')
    .option('--no-progress', 'no progress output on stderr')
    .option(
      '--sbom <dir>',
      "also check the shop's lockfiles in DIR for vulnerable components (see `ensuresec sbom`)",
    )
    .option('--osv-dir <dir>', 'with --sbom: a local OSV export (one JSON advisory per file)')
    .option('--online', 'with --sbom: ask the OSV API (api.osv.dev) for the advisories')
    .option(
      '--virtual-patches <file>',
      'write SecLang rules that block the injection findings on their route and parameter (for waf.rules)',
    )
    .option(
      '--store',
      'store the report on the server (--url/ENSURESEC_URL, ENSURESEC_TOKEN): findings tracked across scans',
    )
    .action(
      action(async (context, url: string, flags: ScanFlags) => {
        // Loaded here, not at the top: other commands start without the scanner's modules.
        const { runScan } = await import('../../scan/scanner.js');
        const target = parseTarget(url);
        const formats = parseFormats(flags.format);
        if (formats.length > 0 && !flags.out)
          throw new EnsuresecError('bad_request', { detail: '--format needs --out FILE.' });
        if (flags.certificate && !flags.key)
          throw new EnsuresecError('scan_key_invalid', { detail: '--certificate needs --key KEYFILE.' });
        if (flags.failOn && !SEVERITY_ORDER.includes(flags.failOn))
          throw new EnsuresecError('bad_request', {
            detail: `--fail-on must be one of ${SEVERITY_ORDER.join(', ')}.`,
          });
        const key = flags.certificate && flags.key ? readJwkFile(flags.key) : null;
        const loginRecipe = flags.loginRecipe ? loadLoginRecipe(flags.loginRecipe) : undefined;
        const maxDurationMs = parseDurationMs(flags.maxDuration);
        if (maxDurationMs === undefined)
          throw new EnsuresecError('bad_request', {
            detail: `--max-duration ${flags.maxDuration} is not a duration (e.g. 90s, 5m).`,
          });
        if (flags.active && !flags.iAmAuthorised) await confirmAuthorised(target.origin);
        // Resolved before scanning, so a missing token fails at once, not after the scan.
        const api = flags.store ? context.client() : undefined;
        const progress = flags.progress ? createProgressReporter(process.stderr) : null;
        if ((flags.osvDir || flags.online) && !flags.sbom)
          throw new EnsuresecError('bad_request', { detail: '--osv-dir and --online go with --sbom DIR.' });
        // The lockfiles and the OSV directory are read before scanning, so a bad path fails at once.
        const supplyChain = flags.sbom ? readLockfiles(flags.sbom) : undefined;
        const local = flags.osvDir ? loadOsvDirectory(flags.osvDir) : undefined;
        const scanned = await runScan({
          target: target.href,
          toolVersion: VERSION,
          active: Boolean(flags.active),
          maxRequests: positive('max-requests', flags.maxRequests),
          ratePerSecond: positive('rate', flags.rate),
          concurrency: Math.max(1, positive('concurrency', flags.concurrency)),
          timeoutMs: positive('timeout', flags.timeout),
          maxResponseBytes: positive('max-response-bytes', flags.maxResponseBytes),
          maxPages: positive('max-pages', flags.maxPages),
          maxDepth: positive('max-depth', flags.maxDepth),
          maxDurationMs,
          scope: { hosts: flags.host ?? [], include: flags.include ?? [], exclude: flags.exclude ?? [] },
          headers: parseHeaders(flags.header),
          ...(flags.caCert ? { caCertificates: flags.caCert.map(readCaCertificate) } : {}),
          ...(loginRecipe ? { loginRecipe } : {}),
          ...(flags.openapi ? { openapi: flags.openapi } : {}),
          ...(flags.browser ? { browser: true } : {}),
          ...(key ? { proofOfControlKey: key } : {}),
          ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
        });
        progress?.finish();
        let report = scanned;
        if (flags.sbom && supplyChain) {
          const { runSbom, withSupplyChain } = await import('../../scan/sbom/sbom.js');
          let advisories = local ? local.advisories : null;
          if (flags.online)
            advisories = [...(advisories ?? []), ...(await queryOsvOnline(supplyChain.packages))];
          const sbom = runSbom({
            dir: flags.sbom,
            toolVersion: VERSION,
            advisories,
            skipped: local?.skipped ?? [],
            origin: scanned.origin,
          });
          report = withSupplyChain(scanned, sbom.report);
        }
        const written = flags.out && formats.length > 0 ? writeReports(report, formats, flags.out) : [];
        if (flags.certificate && key) {
          const { issueCertificate } = await import('../../scan/certificate/certificate.js');
          const jws = await issueCertificate(report, key, {
            validityDays: positive('valid-days', flags.validDays),
            ...(report.proofOfControl ? { proof: report.proofOfControl } : {}),
          });
          writeFileSync(flags.certificate, jws + '\n');
          written.push(flags.certificate);
        }
        if (flags.virtualPatches) {
          const { proposeVirtualPatches } = await import('../../scan/virtual-patches.js');
          const patches = proposeVirtualPatches(report.findings, {
            origin: report.origin,
            generatedAt: report.finishedAt,
          });
          writeFileSync(flags.virtualPatches, patches.text);
          written.push(`${flags.virtualPatches} (${patches.patches.length} virtual patch(es))`);
        }
        const stored = api ? await api.scans.store(JSON.parse(toJsonReport(report)) as unknown) : undefined;
        if (context.output.json) process.stdout.write(toJsonReport(report));
        else {
          printSummary(context.output, report, written);
          if (stored) {
            const c = stored.scan.changes;
            context.output.line(
              `stored as ${stored.scan.id}: ${c.new} new, ${c.seenAgain} seen again, ${c.reopened} reopened, ${c.fixed} fixed`,
            );
            for (const id of stored.revokedCertificates ?? [])
              context.output.line(
                `certificate ${id} revoked: this scan confirmed a flaw in a class it certified`,
              );
          }
        }
        const threshold = flags.failOn ? SEVERITY_ORDER.indexOf(flags.failOn) : -1;
        if (threshold >= 0 && report.findings.some((f) => SEVERITY_ORDER.indexOf(f.severity) >= threshold))
          process.exitCode = 1;
      }),
    );
}
