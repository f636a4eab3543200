/** The web-attacks detector against its labelled cases (fixtures/web-attacks-cases.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/index.js';
import {
  attackClassOf,
  createWebAttacksDetector,
  decodeQueryValue,
  payloadClassesOf,
} from './web-attacks.js';

interface Case {
  name: string;
  description: string;
  events: SecurityEvent[];
  expected: Array<{
    ruleId: string;
    entity: { type: string; value: string };
    severity: string;
    tags: string[];
  }>;
}

const cases = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/web-attacks-cases.json'), 'utf8'),
) as Case[];

describe('web-attacks detector', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const detector = createWebAttacksDetector();
    const detections = c.events.flatMap((event) => detector.observe(securityEventSchema.parse(event)));
    expect(detections.map((d) => ({ ruleId: d.ruleId, entity: d.entity, severity: d.severity }))).toEqual(
      c.expected.map((e) => ({ ruleId: e.ruleId, entity: e.entity, severity: e.severity })),
    );
    for (const [i, d] of detections.entries()) {
      for (const tag of c.expected[i]?.tags ?? []) expect(d.tags).toContain(tag);
      expect(d.attack).toEqual(['T1190']);
      // The entity travels in its own field, never in the text (which enters the ledger).
      expect(`${d.title} ${d.description}`).not.toContain(d.entity.value);
    }
  });

  it('stays quiet once it fired, for the cool-down', () => {
    const attack = cases.find((c) => c.name === 'waf-blocks-sqlmap')!;
    const detector = createWebAttacksDetector();
    const again = attack.events.map((e, i) => ({ ...e, id: `${e.id.slice(0, -1)}${i + 5}` }));
    const all = [...attack.events, ...again].flatMap((e) => detector.observe(securityEventSchema.parse(e)));
    expect(all).toHaveLength(1);
  });

  it('can be told to ignore payloads and to need more hits', () => {
    const payloads = cases.find((c) => c.name === 'payloads-without-waf')!;
    const off = createWebAttacksDetector({ payloads: false });
    expect(payloads.events.flatMap((e) => off.observe(securityEventSchema.parse(e)))).toEqual([]);
    const strict = createWebAttacksDetector({ minHits: 3 });
    expect(payloads.events.flatMap((e) => strict.observe(securityEventSchema.parse(e)))).toEqual([]);
  });

  it('classes CRS rules by their file and leaves score summaries out', () => {
    expect(attackClassOf('942100')).toBe('sql-injection');
    expect(attackClassOf('941110')).toBe('xss');
    expect(attackClassOf('932160')).toBe('command-injection');
    expect(attackClassOf('920350')).toBe('protocol');
    expect(attackClassOf('949110')).toBeUndefined();
    expect(attackClassOf('980170')).toBeUndefined();
    expect(attackClassOf('not-a-number')).toBeUndefined();
  });

  it('decodes query values as bytes and finds payloads in any parameter', () => {
    expect(decodeQueryValue('a+b%27c%zz')).toBe("a b'c%zz");
    expect(decodeQueryValue('caf%C3%A9')).toBe('caf\u00c3\u00a9');
    expect(payloadClassesOf('/p?x=1&y=%27%20OR%201%3D1--', 32)).toEqual(['sql-injection']);
    expect(payloadClassesOf('/p?x=1&y=%27%20OR%201%3D1--', 1)).toEqual([]);
    expect(payloadClassesOf('/no-query', 32)).toEqual([]);
  });
});
