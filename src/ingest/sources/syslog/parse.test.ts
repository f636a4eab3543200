import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSyslog } from './parse.js';

interface SyslogCase {
  name: string;
  line: string;
  expect?: Record<string, unknown>;
  malformed?: string;
}

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/parse-cases.json', import.meta.url), 'utf8'),
) as SyslogCase[];
const nowMs = Date.parse('2026-11-26T12:00:00Z');

describe('syslog message parser', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = parseSyslog(testCase.line, { nowMs });
      if (testCase.malformed) {
        expect(result).toEqual({ ok: false, reason: testCase.malformed });
        return;
      }
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.value).toMatchObject(testCase.expect ?? {});
    });
  }

  it('reads RFC 3164 times in the configured zone', () => {
    const result = parseSyslog('<13>Nov 26 11:00:00 host app: x', { nowMs, legacyUtcOffsetMinutes: 60 });
    expect(result.ok && result.value.timeMs).toBe(Date.parse('2026-11-26T10:00:00Z'));
  });
});
