/**
 * The mixed-content check: the parser against fixture pages (fixtures/mixed-content), then a
 * real scan of a real local https server (node:https with the self-signed certificate of
 * fixtures/tls) serving those pages. The scanner's HTTP client verifies certificates against
 * Node's trust store and has no option to skip that, so the scan runs in a child Node process
 * started with NODE_EXTRA_CA_CERTS naming the test certificate (what a user does for a shop
 * behind a private CA). Plain http targets (a local server and the demo shop) are not applicable.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShop } from '../../../demo/shop/test-kit.js';
import { runScan, type ScanReport } from '../../scanner.js';
import { mixedContentOf } from './mixed-content.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const page = (name: string) => readFileSync(join(FIXTURES, 'mixed-content', `${name}.html`), 'utf8');
const PAGES: Record<string, { file: string; headers?: Record<string, string> }> = {
  '/': { file: 'index' },
  '/mixed': { file: 'mixed' },
  '/clean': { file: 'clean' },
  '/upgraded': { file: 'upgraded', headers: { 'content-security-policy': 'upgrade-insecure-requests' } },
};

function serve(req: { url?: string }, res: import('node:http').ServerResponse): void {
  const route = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
  if (!route) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...route.headers }).end(page(route.file));
}

const summary = (resources: ReturnType<typeof mixedContentOf>['resources']) =>
  resources.map((r) => `${r.kind} ${r.tag}[${r.attribute}] ${r.url}`);

describe('mixed content in a page', () => {
  it('finds every http:// sub-resource once, active, form and passive, and nothing else', () => {
    const result = mixedContentOf(page('mixed'), 'https://shop.test/mixed');
    expect(summary(result.resources)).toEqual([
      'active script[src] http://cdn.widgets.example/pay.js',
      'active link[href] http://fonts.styles.example/shop.css',
      'active iframe[src] http://ads.example/banner',
      'active object[data] http://media.example/viewer.swf',
      'active embed[src] http://media.example/player.swf',
      'form form[action] http://pay.example/charge',
      'passive img[src] http://img.example/logo.png',
      'passive img[srcset] http://img.example/hero-1x.jpg',
      'passive video[src] http://media.example/intro.mp4',
      'passive source[src] http://media.example/jingle.mp3',
    ]);
    expect(result.upgradedBy).toBeNull();
    expect(result.resources[0]?.element).toBe('<script src="http://cdn.widgets.example/pay.js">');
  });

  it('finds nothing on a page with https, relative and protocol-relative resources only', () => {
    expect(mixedContentOf(page('clean'), 'https://shop.test/clean')).toEqual({
      resources: [],
      upgradedBy: null,
    });
  });

  it('resolves against an http <base>, sees formaction and a CSP in a meta tag', () => {
    const result = mixedContentOf(page('meta-csp'), 'https://shop.test/meta');
    expect(summary(result.resources)).toEqual([
      'passive img[src] http://assets.example/photo.jpg',
      'form button[formaction] http://pay.example/quick',
    ]);
    expect(result.upgradedBy).toBe('block-all-mixed-content');
  });

  it('takes upgrade-insecure-requests from the header', () => {
    const result = mixedContentOf(
      page('upgraded'),
      'https://shop.test/upgraded',
      'upgrade-insecure-requests',
    );
    expect(result.upgradedBy).toBe('upgrade-insecure-requests');
    expect(summary(result.resources)).toHaveLength(2);
  });
});

/** runScan in a child process that trusts the self-signed test certificate. */
function scanInChild(target: string): Promise<ScanReport> {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-mixed-'));
  const out = join(dir, 'report.json');
  const scanner = join(import.meta.dirname, '..', '..', 'scanner.ts');
  const code = [
    `const { runScan } = await import(${JSON.stringify(scanner)});`,
    `const report = await runScan({ target: ${JSON.stringify(target)}, active: false, checks: ['mixed-content'], maxRequests: 40, ratePerSecond: 0 });`,
    `(await import('node:fs')).writeFileSync(${JSON.stringify(out)}, JSON.stringify(report));`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(FIXTURES, 'tls', 'self-signed.crt') } },
      (error, _stdout, stderr) => {
        try {
          if (error) reject(new Error(`scan child failed: ${stderr}`));
          else resolve(JSON.parse(readFileSync(out, 'utf8')) as ScanReport);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

describe('mixed-content check against a real https server', { timeout: 60_000 }, () => {
  let server: Server;
  let report: ScanReport;
  let origin: string;

  beforeAll(async () => {
    server = createServer(
      {
        key: readFileSync(join(FIXTURES, 'tls', 'self-signed.key')),
        cert: readFileSync(join(FIXTURES, 'tls', 'self-signed.crt')),
      },
      serve,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    report = await scanInChild(`${origin}/`);
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('crawls every page over https and tests them all', () => {
    expect(report.crawled.map((c) => new URL(c.url).pathname).sort()).toEqual(
      expect.arrayContaining(['/', '/clean', '/mixed', '/upgraded']),
    );
    expect(report.checks.find((c) => c.checkId === 'mixed-content')).toMatchObject({
      status: 'tested',
      tested: 4,
    });
  });

  it('reports active content as medium, the http form as high, passive as low, with CWE-319', () => {
    const onMixed = report.findings.filter((f) => f.url === `${origin}/mixed`);
    const by = (resource: string) => onMixed.find((f) => f.parameter === resource);
    expect(onMixed).toHaveLength(10);
    expect(by('http://cdn.widgets.example/pay.js')?.severity).toBe('medium');
    expect(by('http://fonts.styles.example/shop.css')?.severity).toBe('medium');
    expect(by('http://pay.example/charge')).toMatchObject({
      severity: 'high',
      title: 'A form on an https page submits over plain http',
    });
    expect(by('http://img.example/logo.png')).toMatchObject({ severity: 'low', occurrences: 1 });
    expect(onMixed.every((f) => f.cwe === 'CWE-319' && f.attackClass === 'transport-security')).toBe(true);
    const script = by('http://cdn.widgets.example/pay.js');
    expect(script?.evidence.proof).toBe('<script src="http://cdn.widgets.example/pay.js">');
    expect(script?.evidence.response).toContain('http://cdn.widgets.example/pay.js');
    expect(script?.remediation).toContain('https://cdn.widgets.example/pay.js');
    expect(report.classes.find((c) => c.attackClass === 'transport-security')?.result).toBe('fail');
  });

  it('reports nothing on the clean page', () => {
    expect(report.crawled.map((c) => c.url)).toContain(`${origin}/clean`);
    expect(report.findings.filter((f) => f.url === `${origin}/clean` || f.url === `${origin}/`)).toEqual([]);
  });

  it('lowers passive content to info under upgrade-insecure-requests, not active content', () => {
    const onUpgraded = report.findings.filter((f) => f.url === `${origin}/upgraded`);
    const image = onUpgraded.find((f) => f.parameter === 'http://img.example/gallery-1.jpg');
    expect(image?.severity).toBe('info');
    expect(image?.description).toContain('upgrade-insecure-requests');
    expect(onUpgraded.find((f) => f.parameter === 'http://cdn.widgets.example/gallery.js')?.severity).toBe(
      'medium',
    );
  });
});

describe('mixed-content check on plain http targets', { timeout: 60_000 }, () => {
  const notApplicable = (report: ScanReport) => {
    expect(report.findings.filter((f) => f.checkId === 'mixed-content')).toEqual([]);
    const check = report.checks.find((c) => c.checkId === 'mixed-content');
    expect(check?.status).toBe('not-tested');
    expect(check?.reason).toContain('plain http');
    expect(report.notChecked).toContainEqual(
      expect.objectContaining({ what: 'mixed content', checkId: 'mixed-content' }),
    );
    expect(report.classes.find((c) => c.attackClass === 'transport-security')?.result).not.toBe('pass');
  };

  it('is not applicable (not tested, never passed) on an http server serving mixed pages', async () => {
    const server: HttpServer = createHttpServer(serve);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const report = await runScan({
        target,
        active: false,
        checks: ['mixed-content'],
        maxRequests: 40,
        ratePerSecond: 0,
      });
      expect(report.crawled.length).toBeGreaterThanOrEqual(4);
      notApplicable(report);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives the demo shop (served over http) no finding', async () => {
    const shop = await startTestShop();
    try {
      const report = await runScan({
        target: shop.url,
        active: false,
        checks: ['mixed-content'],
        maxRequests: 60,
        ratePerSecond: 0,
      });
      expect(report.crawled.length).toBeGreaterThan(0);
      notApplicable(report);
    } finally {
      await shop.stop();
    }
  });
});
