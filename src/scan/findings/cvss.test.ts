import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/cvss-vectors.json' with { type: 'json' };
import { cvssBaseScore, roundUp, severityOfScore } from './cvss.js';

describe('CVSS v3.1 base score', () => {
  for (const c of vectors.cases) {
    it(`scores ${c.name} as ${c.score} (${c.severity})`, () => {
      const score = cvssBaseScore(c.vector);
      expect(score).toBe(c.score);
      expect(severityOfScore(score)).toBe(c.severity);
    });
  }

  for (const vector of vectors.invalid) {
    it(`refuses ${vector}`, () => expect(() => cvssBaseScore(vector)).toThrow());
  }

  it('rounds up the way Appendix A says, despite floating point', () => {
    expect(roundUp(4.0)).toBe(4.0);
    expect(roundUp(4.02)).toBe(4.1);
    expect(roundUp(4.000001)).toBe(4.0);
    // 0.30000000000000004 is 0.3 in the specification, not 0.4.
    expect(roundUp(0.1 + 0.2)).toBe(0.3);
  });
});
