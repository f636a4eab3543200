/**
 * `npm run bench:scan-compare`: ensuresec's scanner against a well-known open scanner,
 * Wapiti 3 (Debian's package: `apt-get install -y wapiti`), on the same targets in the same
 * run (issue 8: "more true findings, no more false ones, in comparable time").
 *
 * Targets: the demo shop in vulnerable mode and in safe mode, each scanner run on a fresh
 * shop (in this process, on 127.0.0.1, SQLite in a temp dir), plus any loopback URLs in
 * `SCAN_COMPARE_TARGETS` (comma-separated; scored without a flaw list). Runs, one at a time:
 *
 * - `ensuresec scan URL --active --i-am-authorised` with the CLI's defaults: anonymous (as
 *   Wapiti is), with the demo's login recipe (docs/scanner.md), and with the recipe and
 *   `--browser` (skip that one with `SCAN_COMPARE_BROWSER=0`);
 * - `wapiti -u URL --scope folder --flush-session -m WAPITI_MODULES -f json`, anonymous,
 *   through a loopback-only proxy (bench/scan-compare-net.ts: anything else is refused and
 *   counted), with a loopback stand-in for its SSRF endpoint, `--no-bugreport`, and a time
 *   budget of `--max-scan-time` (crawl) and `--max-attack-time` (per module).
 *
 * Each finding of either tool is mapped to the demo shop's documented flaws
 * (src/demo/shop/vulnerabilities.ts) by the rules below, then counted per run: true (a
 * documented flaw found, counted once per flaw), other real (no documented flaw, but a real
 * weakness, each justified in JUSTIFIED_EXTRAS), false (everything else, and every finding on
 * the safe shop). Wapiti's "anomalies" (HTTP 500 answers) are listed, not counted.
 *
 * Environment: SCAN_COMPARE_TARGETS, SCAN_COMPARE_DEMO=0 (only those targets),
 * SCAN_COMPARE_BROWSER=0, SCAN_COMPARE_CLI=dist (the built CLI instead of the sources),
 * SCAN_COMPARE_WAPITI_CRAWL_S (60), SCAN_COMPARE_WAPITI_MODULE_S (45).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startTestShop } from '../src/demo/shop/test-kit.js';
import { SECURITY_HEADERS } from '../src/demo/shop/security-headers.js';
import { VULNERABILITIES, type VulnerabilityId } from '../src/demo/shop/vulnerabilities.js';
import { DEMO_RECIPE_PATH, prepareDemoAccounts } from '../src/scan/testing/demo-accounts.js';
import { isLoopback, startLoopbackProxy, startSsrfEndpoint } from './scan-compare-net.js';
import {
  ensuresecCommand,
  runEnsuresec,
  runWapiti,
  wapitiVersion,
  type EnsuresecFinding,
  type EnsuresecReport,
  type WapitiEntry,
} from './scan-compare-run.js';

/**
 * Wapiti 3.0.4 modules for the classes ensuresec tests: injection (sql, blindsql, exec, file,
 * ssrf, crlf), XSS (xss, permanentxss), open redirect, exposed data (backup, htaccess), headers
 * and cookies (http_headers, csp, cookieflags) and CSRF. Left out: buster (31,545-path brute
 * force), nikto and wapp (need databases downloaded from GitHub), brute_login_form (password
 * guessing), methods, shellshock and xxe (classes ensuresec does not test).
 */
export const WAPITI_MODULES = [
  'sql',
  'blindsql',
  'exec',
  'file',
  'xss',
  'permanentxss',
  'ssrf',
  'redirect',
  'crlf',
  'backup',
  'htaccess',
  'http_headers',
  'csp',
  'cookieflags',
  'csrf',
] as const;

// ---------------------------------------------------------------------------------------
// Mapping rules. A finding of either tool is first reduced to a kind (its class, in one
// vocabulary for both tools), a method, a path and a parameter; a documented flaw is found
// when a finding has one of its kinds on its route (and parameter, where the flaw has one).

type Kind =
  | 'sqli'
  | 'xss-reflected'
  | 'xss-stored'
  | 'command-injection'
  | 'ssrf'
  | 'path-traversal'
  | 'open-redirect'
  | 'crlf'
  | 'csrf'
  | 'missing-header'
  | 'weak-csp'
  | 'cookie-flags'
  | 'exposed-file'
  | 'access-bypass'
  | 'idor'
  | 'price-tampering'
  | 'coupon-replay'
  | 'coupon-stacking'
  | 'quantity-tampering'
  | 'currency-tampering'
  | 'login-rate-limit'
  | 'payment-rate-limit'
  | 'account-enumeration'
  | 'cors'
  | 'version-disclosure'
  | 'script-integrity'
  | 'transport'
  | 'other';

interface Finding {
  kind: Kind;
  /** For `missing-header`: the header's lower-case name. */
  detail: string;
  method: string;
  path: string;
  parameter: string;
  /** The tool's own words, for the listing. */
  label: string;
}

interface FlawRule {
  kinds: readonly Kind[];
  path: RegExp;
  /** When given, the finding must name one of these parameters. */
  parameters?: readonly string[];
  /** When given, the finding's detail must pass it. */
  detail?: (detail: string) => boolean;
}

/** The headers the safe shop sends: their absence in vulnerable mode is the documented flaw. */
const SAFE_SHOP_HEADERS = new Set(Object.keys(SECURITY_HEADERS));

/** One rule per documented flaw (the Record type makes a new flaw without a rule a type error). */
export const FLAW_RULES: Record<VulnerabilityId, FlawRule> = {
  'sql-injection-search': { kinds: ['sqli'], path: /^\/search$/, parameters: ['q'] },
  'reflected-xss-search': { kinds: ['xss-reflected'], path: /^\/search$/, parameters: ['q'] },
  // Written by POST /products/:slug/reviews (fields name/author and text), shown on GET /products/:slug.
  'stored-xss-reviews': { kinds: ['xss-stored'], path: /^\/products\/[^/]+(\/reviews)?$/ },
  'idor-order-page': { kinds: ['idor'], path: /^(\/api)?\/orders\/(:id|\d+)$/ },
  'client-price-trusted': { kinds: ['price-tampering'], path: /^\/cart\/add$/, parameters: ['price_minor'] },
  'quantity-not-validated': { kinds: ['quantity-tampering'], path: /^\/(cart\/add|api\/cart)$/ },
  'client-currency-trusted': { kinds: ['currency-tampering'], path: /^\/(cart\/add|api\/cart)$/ },
  // The coupon flaws take two steps (apply, check out): a finding on either cart route or on checkout names them.
  'coupon-replay': { kinds: ['coupon-replay'], path: /^\/(cart(\/[a-z]+)?|api\/cart|checkout)$/ },
  'coupon-stacking': { kinds: ['coupon-stacking'], path: /^\/(cart(\/[a-z]+)?|api\/cart|checkout)$/ },
  'account-enumeration-login': { kinds: ['account-enumeration'], path: /^(\/api)?\/login$/ },
  'account-enumeration-registration': { kinds: ['account-enumeration'], path: /^(\/api)?\/register$/ },
  'no-login-rate-limit': { kinds: ['login-rate-limit'], path: /^\/login$/ },
  'no-payment-rate-limit': { kinds: ['payment-rate-limit'], path: /^(\/api)?\/checkout$/ },
  // "every POST form": a form without a token, or a cross-site post accepted, on any route.
  'missing-csrf-protection': { kinds: ['csrf'], path: /^\// },
  'command-injection-carrier-status': {
    kinds: ['command-injection'],
    path: /^\/carrier-status$/,
    parameters: ['parcel'],
  },
  'ssrf-image-proxy': { kinds: ['ssrf'], path: /^\/image-proxy$/, parameters: ['url'] },
  // "every response": a header the safe shop sends (SECURITY_HEADERS) reported missing.
  'missing-security-headers': {
    kinds: ['missing-header'],
    path: /^\//,
    detail: (header) => SAFE_SHOP_HEADERS.has(header),
  },
  'exposed-dotenv': { kinds: ['exposed-file'], path: /^\/\.env$/ },
  // The flaw is the served .git directory: /.git/HEAD proves it as well as /.git/config.
  'exposed-git-config': { kinds: ['exposed-file'], path: /^\/\.git\// },
};

/**
 * Findings on the vulnerable shop that match no documented flaw but are real weaknesses,
 * each with the reason. Everything not here and not matching a flaw is false.
 */
export const JUSTIFIED_EXTRAS: readonly { kind: Kind; path: RegExp; reason: string }[] = [];

/*
 * Judged false on purpose (kept here so a reviewer sees them):
 * - "X-XSS-Protection is not set" (Wapiti): the header is deprecated, current browsers ignore
 *   it and OWASP's Secure Headers Project recommends not sending it (or `0`); the safe shop
 *   does not send it either.
 * - "Strict-Transport-Security is not set" on http://127.0.0.1 (Wapiti): browsers ignore HSTS
 *   on plain http (RFC 6797 section 8.1); there is no https here to pin.
 * - "Secure flag is not set in the cookie" on plain http (Wapiti): a Secure cookie set over
 *   http is refused by browsers (RFC 6265bis), so the shop on http cannot use the flag.
 */

function headerOf(text: string): string {
  const t = text.toLowerCase();
  if (t.includes('content-security-policy') || t.includes('csp is not set')) return 'content-security-policy';
  if (t.includes('framed') || t.includes('clickjacking') || t.includes('x-frame-options'))
    return 'x-frame-options';
  if (t.includes('x-content-type-options')) return 'x-content-type-options';
  if (t.includes('referrer-policy')) return 'referrer-policy';
  if (t.includes('permissions-policy')) return 'permissions-policy';
  if (t.includes('strict-transport-security') || t.includes('hsts')) return 'strict-transport-security';
  if (t.includes('x-xss-protection')) return 'x-xss-protection';
  return t;
}

/** ensuresec check → kind. */
export function fromEnsuresec(f: EnsuresecFinding): Finding {
  const base = {
    detail: '',
    method: f.method ?? 'GET',
    path: new URL(f.url).pathname,
    parameter: f.parameter ?? '',
    label: `${f.checkId}: ${f.title}`,
  };
  const simple: Record<string, Kind> = {
    'sql-injection': 'sqli',
    'sql-injection-time': 'sqli',
    'reflected-xss': 'xss-reflected',
    'stored-xss': 'xss-stored',
    'command-injection': 'command-injection',
    ssrf: 'ssrf',
    'path-traversal': 'path-traversal',
    'open-redirect': 'open-redirect',
    csrf: 'csrf',
    'csrf-tokens': 'csrf',
    cookies: 'cookie-flags',
    'exposed-files': 'exposed-file',
    idor: 'idor',
    'login-rate-limit': 'login-rate-limit',
    'payment-rate-limit': 'payment-rate-limit',
    'account-enumeration': 'account-enumeration',
    cors: 'cors',
    'version-disclosure': 'version-disclosure',
    'script-inventory': 'script-integrity',
    transport: 'transport',
    tls: 'transport',
  };
  if (f.checkId === 'security-headers') {
    const missing = /^(No |The shop can be framed)/.test(f.title);
    const weakCsp = /^Weak Content-Security-Policy/.test(f.title);
    return {
      ...base,
      kind: missing ? 'missing-header' : weakCsp ? 'weak-csp' : 'other',
      detail: headerOf(f.title),
    };
  }
  if (f.checkId === 'checkout-tampering') {
    // Titles of src/scan/checks/active/checkout-tampering.ts.
    const t = f.title;
    const kind: Kind = /^Single-use coupon accepted again/.test(t)
      ? 'coupon-replay'
      : /^Coupons stack/.test(t)
        ? 'coupon-stacking'
        : /^Tampered price/.test(t)
          ? 'price-tampering'
          : /^Tampered quantity/.test(t)
            ? 'quantity-tampering'
            : /^Tampered currency/.test(t)
              ? 'currency-tampering'
              : 'other';
    return { ...base, kind };
  }
  return { ...base, kind: simple[f.checkId] ?? 'other' };
}

/** Wapiti category (its `definitions/*.py` NAME) → kind. */
export function fromWapiti(category: string, e: WapitiEntry): Finding {
  const base = {
    detail: '',
    method: e.method,
    path: new URL(e.path, 'http://x').pathname,
    parameter: e.parameter,
    label: `${category}: ${e.info.split('\n')[0] ?? ''}`,
  };
  switch (category) {
    case 'SQL Injection':
    case 'Blind SQL Injection':
      return { ...base, kind: 'sqli' };
    case 'Cross Site Scripting':
      // mod_permanentxss words its findings "Permanent XSS vulnerability found in …".
      return { ...base, kind: /^Permanent XSS/i.test(e.info) ? 'xss-stored' : 'xss-reflected' };
    case 'Command execution':
      return { ...base, kind: 'command-injection' };
    case 'Server Side Request Forgery':
      return { ...base, kind: 'ssrf' };
    case 'Path Traversal':
      return { ...base, kind: 'path-traversal' };
    case 'Open Redirect':
      return { ...base, kind: 'open-redirect' };
    case 'CRLF Injection':
      return { ...base, kind: 'crlf' };
    case 'Cross Site Request Forgery':
      return { ...base, kind: 'csrf' };
    case 'Content Security Policy Configuration':
      return /CSP is not set/i.test(e.info)
        ? { ...base, kind: 'missing-header', detail: 'content-security-policy' }
        : { ...base, kind: 'weak-csp' };
    case 'HTTP Secure Headers':
      return { ...base, kind: 'missing-header', detail: headerOf(e.info) };
    case 'Secure Flag cookie':
    case 'HttpOnly Flag cookie':
      return { ...base, kind: 'cookie-flags' };
    case 'Backup file':
    case 'Potentially dangerous file':
      return { ...base, kind: 'exposed-file' };
    case 'Htaccess Bypass':
      return { ...base, kind: 'access-bypass' };
    default:
      return { ...base, kind: 'other' };
  }
}

function matchFlaw(f: Finding): VulnerabilityId | null {
  for (const v of VULNERABILITIES) {
    const rule = FLAW_RULES[v.id];
    if (!rule.kinds.includes(f.kind) || !rule.path.test(f.path)) continue;
    if (rule.parameters && !rule.parameters.includes(f.parameter)) continue;
    if (rule.detail && !rule.detail(f.detail)) continue;
    return v.id;
  }
  return null;
}

interface Score {
  raw: number;
  flaws: Set<VulnerabilityId>;
  extras: Finding[];
  falses: Finding[];
}

function score(findings: Finding[], vulnerableShop: boolean): Score {
  const s: Score = { raw: findings.length, flaws: new Set(), extras: [], falses: [] };
  for (const f of findings) {
    if (!vulnerableShop) {
      s.falses.push(f);
      continue;
    }
    const flaw = matchFlaw(f);
    if (flaw) s.flaws.add(flaw);
    else if (JUSTIFIED_EXTRAS.some((x) => x.kind === f.kind && x.path.test(f.path))) s.extras.push(f);
    else s.falses.push(f);
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Runs and table.

interface Row {
  tool: string;
  /** The child process from start to exit (for ensuresec through tsx, compiling the CLI included). */
  wallMs: number;
  /** ensuresec: the report's own duration (the scan alone); Wapiti: the wall time (it reports none). */
  scanMs: number;
  requests: string;
  findings: Finding[];
  notes: string[];
  failed?: string;
}

const env = process.env;
const CRAWL_S = Number(env['SCAN_COMPARE_WAPITI_CRAWL_S'] ?? 60);
const MODULE_S = Number(env['SCAN_COMPARE_WAPITI_MODULE_S'] ?? 45);
const WITH_BROWSER = env['SCAN_COMPARE_BROWSER'] !== '0';
const WITH_DEMO = env['SCAN_COMPARE_DEMO'] !== '0';
const ENSURESEC_CAP_MS = 15 * 60_000;
const WAPITI_CAP_MS = (CRAWL_S + WAPITI_MODULES.length * MODULE_S + 180) * 1000;

function extraTargets(): string[] {
  const list = (env['SCAN_COMPARE_TARGETS'] ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of list) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      throw new Error(`SCAN_COMPARE_TARGETS: ${JSON.stringify(t)} is not a URL`);
    }
    if (url.protocol !== 'http:' || !isLoopback(url.hostname))
      throw new Error(`SCAN_COMPARE_TARGETS: ${t} is not an http URL on 127.0.0.0/8 (loopback only)`);
  }
  return list;
}

function ensuresecRow(
  tool: string,
  result: Awaited<ReturnType<typeof runEnsuresec>>,
): Row & { report: EnsuresecReport | null } {
  const { run, report } = result;
  if (!report)
    return {
      tool,
      wallMs: run.wallMs,
      scanMs: run.wallMs,
      requests: '?',
      findings: [],
      notes: [],
      failed: `${run.killed ? 'stopped at the cap' : `exit ${run.exitCode}`}: ${run.tail}`,
      report,
    };
  return {
    tool,
    wallMs: run.wallMs,
    scanMs: report.durationMs,
    requests: String(report.requests.sent),
    findings: report.findings.map(fromEnsuresec),
    notes: [],
    report,
  };
}

function wapitiRow(
  result: Awaited<ReturnType<typeof runWapiti>>,
  forwarded: number,
  blocked: string[],
  ssrfHits: number,
): Row {
  const { run, report } = result;
  const notes = [
    `${blocked.length} request(s) to other hosts refused by the proxy${blocked.length ? `: ${[...new Set(blocked)].join(', ')}` : ''}`,
  ];
  if (ssrfHits > 0) notes.push(`${ssrfHits} fetch(es) of the SSRF endpoint by the target`);
  if (!report)
    return {
      tool: 'wapiti',
      wallMs: run.wallMs,
      scanMs: run.wallMs,
      requests: String(forwarded),
      findings: [],
      notes,
      failed: `${run.killed ? 'stopped at the cap' : `exit ${run.exitCode}`}: ${run.tail}`,
    };
  const findings: Finding[] = [];
  for (const [category, entries] of Object.entries(report.vulnerabilities))
    for (const e of entries) findings.push(fromWapiti(category, e));
  const anomalies = Object.entries(report.anomalies).flatMap(([category, entries]) =>
    entries.map((e) => `${category} ${e.method} ${e.path}${e.parameter ? ` ${e.parameter}` : ''}`),
  );
  if (anomalies.length > 0)
    notes.push(
      `anomalies (not counted): ${[...new Set(anomalies)].map((a) => `${a} ×${anomalies.filter((x) => x === a).length}`).join('; ')}`,
    );
  return {
    tool: 'wapiti',
    wallMs: run.wallMs,
    scanMs: run.wallMs,
    requests: String(forwarded),
    findings,
    notes,
  };
}

const timeRatios = (row: Row, wapiti: Row) =>
  `time ${(row.wallMs / wapiti.wallMs).toFixed(2)} (wall), ${(row.scanMs / wapiti.scanMs).toFixed(2)} (scan)`;
const pad = (text: string, width: number) => text.padEnd(width);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function printTable(title: string, rows: Row[], vulnerableShop: boolean | null): void {
  console.log(`\n## ${title}\n`);
  const head = [
    'tool',
    'wall time',
    'scan time',
    'requests',
    'raw findings',
    'true (flaws)',
    'other real',
    'false',
    'flaws missed',
  ];
  const widths = [28, 10, 10, 9, 13, 13, 11, 6, 0];
  console.log(head.map((h, i) => pad(h, widths[i] ?? 0)).join(' '));
  const scores = new Map<string, Score>();
  for (const row of rows) {
    if (row.failed) {
      console.log(
        `${pad(row.tool, 28)} FAILED (${seconds(row.wallMs)}): ${row.failed.replace(/\n/g, ' | ')}`,
      );
      continue;
    }
    if (vulnerableShop === null) {
      const kinds = new Map<string, number>();
      for (const f of row.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      const byKind = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
      console.log(
        `${pad(row.tool, 28)} ${pad(seconds(row.wallMs), 10)} ${pad(seconds(row.scanMs), 10)} ${pad(row.requests, 9)} ${pad(String(row.findings.length), 13)} not scored (no flaw list): ${byKind}`,
      );
      continue;
    }
    const s = score(row.findings, vulnerableShop);
    scores.set(row.tool, s);
    const missed = vulnerableShop ? VULNERABILITIES.map((v) => v.id).filter((id) => !s.flaws.has(id)) : [];
    console.log(
      [
        pad(row.tool, 28),
        pad(seconds(row.wallMs), 10),
        pad(seconds(row.scanMs), 10),
        pad(row.requests, 9),
        pad(String(s.raw), 13),
        pad(vulnerableShop ? `${s.flaws.size}/${VULNERABILITIES.length}` : '-', 13),
        pad(String(s.extras.length), 11),
        pad(String(s.falses.length), 6),
        vulnerableShop ? missed.join(', ') || 'none' : '-',
      ].join(' '),
    );
  }
  for (const row of rows) {
    const s = scores.get(row.tool);
    const lines = [...row.notes];
    if (vulnerableShop === null)
      for (const label of new Set(
        row.findings.map((f) => `${f.kind} ${f.method} ${f.path} ${f.label.slice(0, 110)}`),
      ))
        lines.push(`finding (judge it yourself): ${label}`);
    if (s) {
      for (const f of s.extras) lines.push(`other real: ${f.method} ${f.path} ${f.parameter} ${f.label}`);
      const falses = new Map<string, number>();
      for (const f of s.falses) {
        const key = `${f.kind}${f.detail ? `(${f.detail})` : ''} ${f.method} ${f.path.replace(/^\/products\/[^/]+/, '/products/:slug')}${f.parameter ? ` ${f.parameter}` : ''} — ${f.label.replace(/\/products\/[^/ ]+/g, '/products/:slug').slice(0, 110)}`;
        falses.set(key, (falses.get(key) ?? 0) + 1);
      }
      for (const [key, n] of falses) lines.push(`false: ${key}${n > 1 ? ` ×${n}` : ''}`);
    }
    if (lines.length > 0) console.log(`\n${row.tool}:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  }
  const wapiti = rows.find((r) => r.tool === 'wapiti' && !r.failed);
  const w = scores.get('wapiti');
  if (vulnerableShop && wapiti && w) {
    console.log('');
    for (const row of rows) {
      const s = scores.get(row.tool);
      if (row.tool === 'wapiti' || !s) continue;
      const ratio = w.flaws.size > 0 ? (s.flaws.size / w.flaws.size).toFixed(2) : '∞';
      console.log(
        `ratio ${row.tool} / wapiti: true ${s.flaws.size}/${w.flaws.size} = ${ratio}; false ${s.falses.length} vs ${w.falses.length}; ${timeRatios(row, wapiti)}`,
      );
    }
    for (const [tool, s] of scores) {
      if (tool === 'wapiti') continue;
      const onlyWapiti = [...w.flaws].filter((id) => !s.flaws.has(id));
      console.log(`found by wapiti, missed by ${tool}: ${onlyWapiti.join(', ') || 'none'}`);
    }
  } else if (vulnerableShop === false && wapiti && w) {
    console.log('');
    for (const row of rows) {
      const s = scores.get(row.tool);
      if (row.tool === 'wapiti' || !s) continue;
      console.log(
        `ratio ${row.tool} / wapiti: false ${s.falses.length} vs ${w.falses.length}; ${timeRatios(row, wapiti)}`,
      );
    }
  }
}

async function demoRows(vulnerable: boolean, net: Net): Promise<Row[]> {
  const rows: Row[] = [];
  const configs: { tool: string; recipe: boolean; browser: boolean }[] = [
    { tool: 'ensuresec', recipe: false, browser: false },
    { tool: 'ensuresec +recipe', recipe: true, browser: false },
  ];
  if (WITH_BROWSER) configs.push({ tool: 'ensuresec +recipe +browser', recipe: true, browser: true });
  for (const config of configs) {
    const shop = await startTestShop({ vulnerable, deliveryStepMs: 0 });
    try {
      if (config.recipe) await prepareDemoAccounts(shop);
      process.stderr.write(`${vulnerable ? 'vulnerable' : 'safe'} shop: ${config.tool}…\n`);
      const result = await runEnsuresec(`${shop.url}/`, {
        ...(config.recipe ? { loginRecipe: DEMO_RECIPE_PATH } : {}),
        browser: config.browser,
        capMs: ENSURESEC_CAP_MS,
      });
      rows.push(ensuresecRow(config.tool, result));
    } finally {
      await shop.stop();
    }
  }
  const shop = await startTestShop({ vulnerable, deliveryStepMs: 0 });
  try {
    process.stderr.write(`${vulnerable ? 'vulnerable' : 'safe'} shop: wapiti…\n`);
    rows.push(await wapitiOn(`${shop.url}/`, net));
  } finally {
    await shop.stop();
  }
  return rows;
}

interface Net {
  proxy: Awaited<ReturnType<typeof startLoopbackProxy>>;
  endpoint: Awaited<ReturnType<typeof startSsrfEndpoint>>;
}

async function wapitiOn(target: string, net: Net): Promise<Row> {
  const host = new URL(target).host;
  const before = net.proxy.forwarded.get(host) ?? 0;
  const blockedBefore = net.proxy.blocked.length;
  const hitsBefore = net.endpoint.hits();
  const result = await runWapiti(target, {
    modules: WAPITI_MODULES,
    proxyUrl: net.proxy.url,
    endpointUrl: net.endpoint.url,
    crawlSeconds: CRAWL_S,
    moduleSeconds: MODULE_S,
    capMs: WAPITI_CAP_MS,
  });
  return wapitiRow(
    result,
    (net.proxy.forwarded.get(host) ?? 0) - before,
    net.proxy.blocked.slice(blockedBefore),
    net.endpoint.hits() - hitsBefore,
  );
}

async function main(): Promise<void> {
  const version = wapitiVersion();
  if (!version) {
    console.log(
      'bench:scan-compare skipped: wapiti is not installed (Debian/Ubuntu: apt-get install -y wapiti). Nothing was measured.',
    );
    return;
  }
  let targets: string[];
  try {
    targets = extraTargets();
  } catch (error) {
    console.error(`bench:scan-compare: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  console.log('# ensuresec scan vs Wapiti');
  console.log(
    `date ${new Date().toISOString()}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min)`,
  );
  console.log(
    `ensuresec ${pkg.version} via ${ensuresecCommand().label}, CLI defaults (10m, 1500 requests, 20/s); ${version}`,
  );
  console.log(
    `wapiti -m ${WAPITI_MODULES.join(',')} --scope folder --max-scan-time ${CRAWL_S} --max-attack-time ${MODULE_S} (per module), via a loopback-only proxy`,
  );
  const net: Net = { proxy: await startLoopbackProxy(), endpoint: await startSsrfEndpoint() };
  try {
    if (WITH_DEMO) {
      printTable('demo shop, vulnerable mode', await demoRows(true, net), true);
      printTable('demo shop, safe mode', await demoRows(false, net), false);
    }
    for (const target of targets) {
      process.stderr.write(`${target}: ensuresec…\n`);
      const rows: Row[] = [
        ensuresecRow('ensuresec', await runEnsuresec(target, { capMs: ENSURESEC_CAP_MS })),
      ];
      process.stderr.write(`${target}: wapiti…\n`);
      rows.push(await wapitiOn(target, net));
      printTable(target, rows, null);
    }
  } finally {
    await net.proxy.close();
    await net.endpoint.close();
  }
  console.log(
    `\nload at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
