/**
 * The scanner (prevention stage): crawl the target, run the passive checks, then the
 * active ones when allowed, and hand back a report: deduplicated findings, what each check
 * covered, a verdict per attack class and everything that could not be checked. It never
 * stores or prints anything itself; the CLI writes the reports and the certificate.
 *
 * @example const report = await runScan({ target: 'http://127.0.0.1:8781/', active: false })
 */
import { CHECKS } from './checks/registry.js';
import type { Check, CheckContext, ScanAuth } from './checks/check.js';
import { logIn, logInAll } from './auth/login.js';
import type { LoginRecipe } from './auth/recipe.js';
import { classResults, type ClassResult } from './classes.js';
import { crawl } from './crawl/crawler.js';
import { browserCrawl } from './crawl/browser-crawl.js';
import { launchScanBrowser, type ScanBrowser, type ScanBrowserOptions } from './browser/browser.js';
import { FindingCollector } from './findings/collect.js';
import { ScanHttpClient } from './http/client.js';
import { createScope, type ScopeOptions } from './scope.js';
import type { CheckResult, NotChecked, ScanFinding } from './types.js';
import type { JWK } from 'jose';
import { checkProofOfControl, type ProofOfControl } from './certificate/proof-of-control.js';
import { SCAN_DEFAULTS } from './defaults.js';

export type ScanPhase = 'crawl' | 'passive' | 'active' | 'done';

export interface ScanProgress {
  phase: ScanPhase;
  requestsSent: number;
  maxRequests: number;
  findings: number;
  elapsedMs: number;
  /** Estimated time left, ms (from the budget and the pace so far, capped by the deadline). */
  remainingMs: number;
}

export interface ScanOptions {
  target: string;
  active: boolean;
  maxRequests?: number;
  ratePerSecond?: number;
  concurrency?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxPages?: number;
  maxDepth?: number;
  /** The whole scan stops (recording what it could not do) after this long. */
  maxDurationMs?: number;
  scope?: ScopeOptions;
  openapi?: string;
  /** Sent with every request: an authenticated scan's Cookie or Authorization header. */
  headers?: Record<string, string>;
  /** PEM certificates trusted besides the public roots (a private CA or a self-signed staging shop). */
  caCertificates?: string[];
  /** Named in reports, certificates and the User-Agent (the CLI passes the package version). */
  toolVersion?: string;
  /** Authenticated scanning: how to log in and the test accounts (see auth/recipe.ts). */
  loginRecipe?: LoginRecipe;
  /** Run only these check ids. */
  checks?: string[];
  /** Headless Chromium: crawl what scripts reveal, verify XSS by execution (`--browser`). */
  browser?: boolean | ScanBrowserOptions;
  /** Check /.well-known/ensuresec-scan.txt for this certificate key (when a certificate will be issued). */
  proofOfControlKey?: JWK;
  onProgress?: (progress: ScanProgress) => void;
}

export { SCAN_DEFAULTS };

export interface ScanReport {
  tool: { name: 'ensuresec'; version: string };
  target: string;
  origin: string;
  mode: 'passive' | 'active';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  requests: { sent: number; failed: number; budget: number };
  coverage: { pagesCrawled: number; formsFound: number; parametersFound: number; apiOperations: number };
  /** Every page fetched by the crawl, with its status (what the scan saw). */
  crawled: { url: string; status: number }[];
  findings: ScanFinding[];
  checks: CheckResult[];
  classes: ClassResult[];
  notChecked: NotChecked[];
  records: Record<string, unknown>;
  proofOfControl?: ProofOfControl;
}

export async function runScan(options: ScanOptions): Promise<ScanReport> {
  const target = new URL(options.target);
  const settings = { ...SCAN_DEFAULTS, ...definedOnly(options) };
  const started = Date.now();
  const deadline = AbortSignal.timeout(settings.maxDurationMs);
  const http = new ScanHttpClient({
    scope: createScope(target, options.scope),
    maxRequests: settings.maxRequests,
    ratePerSecond: settings.ratePerSecond,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.caCertificates ? { caCertificates: options.caCertificates } : {}),
    userAgent: `ensuresec-scan/${options.toolVersion ?? 'dev'} (security scanner)`,
    signal: deadline,
  });
  const findings = new FindingCollector();
  const notChecked: NotChecked[] = [];
  const records: Record<string, unknown> = {};
  let phase: ScanPhase = 'crawl';
  const progress = () => {
    const { sent } = http.stats();
    const elapsedMs = Date.now() - started;
    const pace = sent > 0 ? elapsedMs / sent : 0;
    const byBudget = pace * (settings.maxRequests - sent);
    options.onProgress?.({
      phase,
      requestsSent: sent,
      maxRequests: settings.maxRequests,
      findings: findings.size,
      elapsedMs,
      remainingMs: phase === 'done' ? 0 : Math.max(0, Math.min(byBudget, settings.maxDurationMs - elapsedMs)),
    });
  };
  http.onRequest = progress;
  let browser: ScanBrowser | null = null;
  try {
    progress();
    const site = await crawl(http, target, {
      maxPages: settings.maxPages,
      maxDepth: settings.maxDepth,
      ...(options.openapi ? { openapi: options.openapi } : {}),
    });
    notChecked.push(...site.notChecked);
    browser = options.browser ? await startBrowser(http, options.browser, notChecked) : null;
    if (browser)
      records['browserCrawl'] = await browserCrawl(browser, http, site, {
        maxPages: settings.maxPages,
        notChecked,
      });
    const auth = await authenticate(http, target, options.loginRecipe, notChecked);
    if (options.loginRecipe)
      records['authentication'] = {
        loggedIn: auth.accounts.map((a) => a.name),
        failed: auth.failed,
      };
    const checks: CheckResult[] = [];
    const selected = CHECKS.filter((c) => !options.checks || options.checks.includes(c.id));
    for (const kind of ['passive', 'active'] as const) {
      phase = kind;
      progress();
      for (const check of selected.filter((c) => c.kind === kind)) {
        if (kind === 'active' && !options.active) {
          checks.push(
            resultOf(check, { status: 'not-tested', tested: 0, reason: 'active checks need --active' }),
          );
          continue;
        }
        const context: CheckContext = {
          target,
          http,
          site,
          report: (draft) => {
            findings.add(draft);
            progress();
          },
          notChecked: (what, reason) => notChecked.push({ what, reason, checkId: check.id }),
          record: (key, value) => (records[key] = value),
          ...(browser ? { browser } : {}),
          auth,
        };
        const sentBefore = http.stats().sent;
        const result = resultOf(check, await runCheck(check, context, deadline));
        checks.push({ ...result, requests: http.stats().sent - sentBefore });
      }
    }
    const proofOfControl = options.proofOfControlKey
      ? await checkProofOfControl(http, target.origin, options.proofOfControlKey)
      : undefined;
    phase = 'done';
    progress();
    const list = findings.list();
    const stats = http.stats();
    if (stats.budgetLeft === 0)
      notChecked.push({
        what: 'the rest of the scan',
        reason: `the request budget (${settings.maxRequests}) was spent`,
      });
    if (deadline.aborted)
      notChecked.push({
        what: 'the rest of the scan',
        reason: `the time limit (${settings.maxDurationMs} ms) was reached`,
      });
    return {
      tool: { name: 'ensuresec', version: options.toolVersion ?? 'dev' },
      target: target.href,
      origin: target.origin,
      mode: options.active ? 'active' : 'passive',
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      requests: { sent: stats.sent, failed: stats.failed, budget: settings.maxRequests },
      coverage: {
        pagesCrawled: site.pages.length,
        formsFound: site.forms.length,
        parametersFound: site.injectionPoints.length,
        apiOperations: site.apiOperations.length,
      },
      crawled: site.pages.map((page) => ({ url: page.url, status: page.response.status })),
      findings: list,
      checks,
      classes: classResults(checks, list),
      notChecked,
      records,
      ...(proofOfControl ? { proofOfControl } : {}),
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await http.close();
  }
}

async function authenticate(
  http: ScanHttpClient,
  target: URL,
  recipe: LoginRecipe | undefined,
  notChecked: NotChecked[],
): Promise<ScanAuth> {
  const auth: ScanAuth = {
    accounts: [],
    resourceLists: recipe?.idor?.lists ?? null,
    failed: [],
    checkout: recipe?.checkout ?? null,
    async freshSession(name) {
      const account = recipe?.accounts.find((a) => a.name === name);
      if (!recipe || !account || account.cookie || account.bearer) return null;
      const outcome = await logIn(http, recipe, account, target);
      return outcome.ok ? outcome.account : null;
    },
  };
  if (!recipe) return auth;
  for (const outcome of await logInAll(http, recipe, target)) {
    if (outcome.ok) auth.accounts.push(outcome.account);
    else {
      auth.failed.push({ name: outcome.name, reason: outcome.reason });
      notChecked.push({ what: `login as ${outcome.name}`, reason: outcome.reason });
    }
  }
  return auth;
}

/** The headless browser, or null (recorded as not checked) when Chromium cannot start. */
async function startBrowser(
  http: ScanHttpClient,
  wanted: true | ScanBrowserOptions,
  notChecked: NotChecked[],
): Promise<ScanBrowser | null> {
  try {
    return await launchScanBrowser(http, wanted === true ? {} : wanted);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    notChecked.push({
      what: 'the browser crawl and XSS verification',
      reason: `Chromium did not start: ${reason}`,
    });
    return null;
  }
}

async function runCheck(check: Check, context: CheckContext, deadline: AbortSignal) {
  if (deadline.aborted)
    return { status: 'not-tested' as const, tested: 0, reason: 'the scan time limit was reached first' };
  const sentBefore = context.http.stats();
  try {
    const outcome = await check.run(context);
    const after = context.http.stats();
    // A check that hit the budget or the deadline may have missed something: never "tested".
    if (
      outcome.status === 'tested' &&
      (after.budgetLeft === 0 || deadline.aborted) &&
      after.sent > sentBefore.sent
    ) {
      return {
        ...outcome,
        status: 'partial' as const,
        reason: 'the request budget or time limit ran out during this check',
      };
    }
    return outcome;
  } catch (error) {
    context.notChecked(
      check.id,
      `the check failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { status: 'not-tested' as const, tested: 0, reason: 'the check failed (see not checked)' };
  }
}

function resultOf(
  check: Check,
  outcome: { status: CheckResult['status']; tested: number; reason?: string },
): CheckResult {
  return {
    checkId: check.id,
    kind: check.kind,
    attackClass: check.attackClass,
    status: outcome.status,
    tested: outcome.tested,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  };
}

function definedOnly(options: ScanOptions): Partial<typeof SCAN_DEFAULTS> {
  const picked: Record<string, number> = {};
  for (const key of Object.keys(SCAN_DEFAULTS) as (keyof typeof SCAN_DEFAULTS)[]) {
    const value = options[key];
    if (typeof value === 'number') picked[key] = value;
  }
  return picked;
}
