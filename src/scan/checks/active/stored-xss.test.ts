/**
 * The stored-XSS check without the browser, against a tiny local guestbook
 * (testing/guestbook-server.ts): the probe posted over HTTP (hidden CSRF token kept, the
 * session cookie sent back) and found as markup on the page that shows the entries; nothing on
 * a store that escapes; never "tested" when the form could not be submitted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runScan, type ScanReport } from '../../scanner.js';
import { startGuestbookServer, type GuestbookOptions } from '../../testing/guestbook-server.js';
import { markupInjected } from './reflected-xss.js';
import { storedProbe } from './stored-xss.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scan(options: GuestbookOptions) {
  const server = await startGuestbookServer(options);
  servers.push(server);
  const report = await runScan({
    target: `${server.url}/`,
    active: true,
    checks: ['stored-xss'],
    maxRequests: 100,
    ratePerSecond: 0,
  });
  return { server, report };
}

const stored = (report: ScanReport) => report.checks.find((c) => c.checkId === 'stored-xss');
const found = (report: ScanReport) =>
  report.findings.map((f) => `${f.checkId} ${f.parameter ?? ''} ${f.title}`).sort();

describe('stored-xss without the browser, on a tiny guestbook', { timeout: 30_000 }, () => {
  it('finds nothing on a store that escapes, having stored its probes there', async () => {
    const { server, report } = await scan({ write: 'escaped' });
    expect(found(report)).toEqual([]);
    expect([stored(report)?.status, stored(report)?.tested]).toEqual(['tested', 1]);
    // The form really was submitted: the probes are stored (and shown escaped).
    const [entry] = server.entries();
    expect(entry?.name).toMatch(/^ens\w+"'><ens\w+x ens\w+y=1>$/);
    expect(report.classes.find((c) => c.attackClass === 'xss')?.result).not.toBe('fail');
  });

  it('finds both fields of a store that writes them raw, shown on another page than the form', async () => {
    const { report } = await scan({ write: 'raw-text' });
    expect(found(report)).toEqual([
      'stored-xss message Stored markup injection in message of /sign, shown on /',
      'stored-xss name Stored markup injection in name of /sign, shown on /',
    ]);
    const finding = report.findings[0];
    expect(finding?.attackClass).toBe('xss');
    expect(finding?.method).toBe('POST');
    expect(finding?.description).toContain('Not verified by execution (scan with --browser to verify).');
    expect(finding?.data).toMatchObject({ context: 'element', verified: 'not-run' });
    expect(finding?.evidence.response).toContain(`${String(finding?.data?.['payload']).slice(0, 11)}x`);
    expect(stored(report)?.status).toBe('tested');
    expect(report.classes.find((c) => c.attackClass === 'xss')?.result).toBe('fail');
  });

  it('finds a field written raw into a quoted attribute (angle brackets escaped), not the escaped one', async () => {
    const { report } = await scan({ write: 'raw-attribute' });
    expect(found(report)).toEqual(['stored-xss name Stored markup injection in name of /sign, shown on /']);
    expect(report.findings[0]?.data?.['context']).toBe('attribute');
  });

  it('submits a form with a CSRF token bound to the session, as a visitor would', async () => {
    const { server, report } = await scan({ write: 'raw-text', csrf: true });
    expect(server.entries()).toHaveLength(1);
    expect(found(report)).toHaveLength(2);
    expect(stored(report)?.status).toBe('tested');
  });

  it('never says tested when the form was refused: partial, and the form listed as not checked', async () => {
    const { server, report } = await scan({ write: 'raw-text', refuse: true });
    expect(server.entries()).toEqual([]);
    expect(found(report)).toEqual([]);
    expect([stored(report)?.status, stored(report)?.tested]).toEqual(['partial', 0]);
    expect(report.notChecked.find((n) => n.checkId === 'stored-xss')).toMatchObject({
      what: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/sign$/),
      reason: expect.stringContaining('HTTP 403'),
    });
    expect(report.classes.find((c) => c.attackClass === 'xss')?.result).toBe('not-tested');
  });

  it('never says tested when the post was sent to a login page', async () => {
    const { report } = await scan({ write: 'raw-text', login: true });
    expect([stored(report)?.status, stored(report)?.tested]).toEqual(['partial', 0]);
    expect(report.notChecked.find((n) => n.checkId === 'stored-xss')?.reason).toContain(
      'sent the scan to a login page (/login)',
    );
  });
});

describe('the stored probe', () => {
  const probe = storedProbe('enstoken1');
  it.each([
    ['a text node', (v: string) => `<p>${v}</p>`, 'element'],
    ['a double-quoted attribute', (v: string) => `<input value="${v}">`, 'element'],
    ['a single-quoted attribute', (v: string) => `<input value='${v}'>`, 'element'],
    [
      'a double-quoted attribute, angle brackets escaped',
      (v: string) => `<input value="${v.replace(/</g, '&lt;').replace(/>/g, '&gt;')}">`,
      'attribute',
    ],
  ])('becomes markup in %s', (_name, write, how) => {
    expect(markupInjected(`<!doctype html><body>${write(probe)}</body>`, 'enstoken1x', 'enstoken1y')).toBe(
      how,
    );
  });
  it('stays text when escaped, or inside a textarea', () => {
    const escaped = probe
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
    expect(
      markupInjected(`<p>${escaped}</p><input value="${escaped}">`, 'enstoken1x', 'enstoken1y'),
    ).toBeNull();
    expect(markupInjected(`<textarea>${probe}</textarea>`, 'enstoken1x', 'enstoken1y')).toBeNull();
  });
});

describe('stored-xss with the browser, on the tiny guestbook', { timeout: 90_000 }, () => {
  const scanWithBrowser = async (options: GuestbookOptions) => {
    const server = await startGuestbookServer(options);
    servers.push(server);
    return runScan({
      target: `${server.url}/`,
      active: true,
      browser: true,
      checks: ['stored-xss'],
      maxRequests: 200,
      ratePerSecond: 0,
    });
  };

  it('verifies the stored XSS by execution, one finding per field', async () => {
    const report = await scanWithBrowser({ write: 'raw-text', csrf: true });
    expect(report.findings.map((f) => `${f.parameter} ${f.title}`).sort()).toEqual([
      'message Stored XSS in field message of /sign',
      'name Stored XSS in field name of /sign',
    ]);
    for (const f of report.findings) {
      expect(f.description).toContain('Verified by execution in Chromium.');
      expect(f.data?.['verified']).toBe('executed-in-chromium');
    }
    expect(stored(report)?.status).toBe('tested');
  });

  it('reports stored markup that did not run (a CSP stopped it) as not executed', async () => {
    const report = await scanWithBrowser({ write: 'raw-text', csp: true });
    expect(found(report)).toEqual([
      'stored-xss message Stored markup injection in message of /sign, shown on /',
      'stored-xss name Stored markup injection in name of /sign, shown on /',
    ]);
    for (const f of report.findings) {
      expect(f.description).toContain(
        'Stored, but not executed in Chromium: no payload ran (a CSP or a filter stopped it).',
      );
      expect(f.data?.['verified']).toBe('not-executed');
    }
  });
});
