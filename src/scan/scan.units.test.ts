import { describe, expect, it } from 'vitest';
import { FindingCollector, fingerprintOf } from './findings/collect.js';
import { createProgressReporter, progressBarLine } from './progress.js';
import { createScope } from './scope.js';
import type { FindingDraft } from './types.js';

describe('scope', () => {
  const scope = createScope(new URL('http://127.0.0.1:8781/'), {
    hosts: ['127.0.0.1:9000'],
    include: ['/shop', '/api/*/public'],
    exclude: ['/shop/logout', '/api/v1*/public'],
  });

  it('allows the target host and the extra hosts, nothing else', () => {
    expect(scope.allows(new URL('http://127.0.0.1:8781/shop/cart'))).toBe(true);
    expect(scope.allows(new URL('http://127.0.0.1:9000/shop'))).toBe(true);
    expect(scope.whyOutOfScope(new URL('http://127.0.0.2:8781/shop'))).toMatch(/host/);
    expect(scope.whyOutOfScope(new URL('ftp://127.0.0.1:8781/shop'))).toMatch(/scheme/);
  });

  it('applies include prefixes and exclude rules, with * as a wildcard', () => {
    expect(scope.whyOutOfScope(new URL('http://127.0.0.1:8781/admin'))).toMatch(/--include/);
    expect(scope.whyOutOfScope(new URL('http://127.0.0.1:8781/shop/logout'))).toMatch(/excluded/);
    expect(scope.allows(new URL('http://127.0.0.1:8781/api/v2/public'))).toBe(true);
    expect(scope.allows(new URL('http://127.0.0.1:8781/api/x/public'))).toBe(true);
    expect(scope.allows(new URL('http://127.0.0.1:8781/api/v1/public'))).toBe(false);
  });
});

describe('findings', () => {
  const draft = (overrides: Partial<FindingDraft> = {}): FindingDraft => ({
    checkId: 'reflected-xss',
    attackClass: 'xss',
    title: 'Reflected XSS in parameter q',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwe: 'CWE-79',
    url: 'http://shop.test/search',
    parameter: 'q',
    description: 'd',
    evidence: { request: 'r', response: 'r', proof: 'p' },
    reproduce: 'x',
    remediation: 'y',
    ...overrides,
  });

  it('fingerprints the weakness, not the payload, the evidence or the query', () => {
    const a = fingerprintOf(draft());
    expect(
      fingerprintOf(
        draft({
          url: 'http://shop.test/search?q=other',
          evidence: { request: 'x', response: 'y', proof: 'z' },
        }),
      ),
    ).toBe(a);
    expect(fingerprintOf(draft({ parameter: 'page' }))).not.toBe(a);
    expect(fingerprintOf(draft({ url: 'http://other.test/search' }))).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });

  it('folds duplicates and scores from the vector, most severe first', () => {
    const collector = new FindingCollector();
    collector.add(draft());
    collector.add(draft());
    collector.add(
      draft({
        checkId: 'sql-injection',
        attackClass: 'injection',
        cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      }),
    );
    const [first, second] = collector.list();
    expect(collector.size).toBe(2);
    expect(first).toMatchObject({ checkId: 'sql-injection', cvssScore: 9.8, severity: 'critical' });
    expect(second).toMatchObject({
      checkId: 'reflected-xss',
      cvssScore: 6.1,
      severity: 'medium',
      occurrences: 2,
    });
  });
});

describe('progress', () => {
  const progress = {
    phase: 'active' as const,
    requestsSent: 50,
    maxRequests: 200,
    findings: 3,
    elapsedMs: 5_000,
    remainingMs: 65_000,
  };

  it('shows phase, requests, findings and time left on one line', () => {
    expect(progressBarLine(progress)).toBe(
      'active  ██████░░░░░░░░░░░░░░░░░░ 50/200 requests · 3 findings · 0:05 elapsed · ~1:05 left',
    );
  });

  it('redraws in place on a terminal and writes plain lines elsewhere', () => {
    const written: string[] = [];
    const sink = (isTTY: boolean) =>
      ({
        isTTY,
        columns: 200,
        write: (text: string) => written.push(text) > 0,
      }) as unknown as NodeJS.WritableStream;
    createProgressReporter(sink(true)).update(progress);
    expect(written.pop()?.startsWith('\r\u001b[2Kactive  █')).toBe(true);
    const plain = createProgressReporter(sink(false));
    plain.update(progress);
    plain.update({ ...progress, requestsSent: 51 }); // same phase, too soon: no new line
    expect(written).toEqual(['scan: phase=active requests=50/200 findings=3 elapsed=0:05 left~1:05\n']);
  });
});
