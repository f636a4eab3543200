import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/index.js';
import type { Detection } from '../detector.js';
import { DETECTOR_NAMES, DETECTORS, createDetectors, type DetectorName } from './registry.js';
import type { ExpectedDetection } from './testing/case-kit.js';
import { allCases, CASES_DIR, caseFiles } from './testing/generate-cases.js';

interface CaseFolder {
  detector: DetectorName;
  name: string;
  events: SecurityEvent[];
  expected: { description: string; config?: Record<string, unknown>; detections: ExpectedDetection[] };
}

function readCases(): CaseFolder[] {
  const folders: CaseFolder[] = [];
  for (const detector of readdirSync(CASES_DIR).sort()) {
    for (const name of readdirSync(join(CASES_DIR, detector)).sort()) {
      const dir = join(CASES_DIR, detector, name);
      const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
      folders.push({
        detector: detector as DetectorName,
        name,
        events: lines.map((line) => securityEventSchema.parse(JSON.parse(line))),
        expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as CaseFolder['expected'],
      });
    }
  }
  return folders;
}

function run(
  detector: DetectorName,
  config: Record<string, unknown> | undefined,
  events: SecurityEvent[],
): Detection[] {
  const instance = DETECTORS[detector].create(config ?? {});
  return events.flatMap((event) => instance.observe(event));
}

function tally(detections: Detection[]): ExpectedDetection[] {
  const counts = new Map<string, ExpectedDetection>();
  for (const d of detections) {
    const key = `${d.ruleId}|${d.entity.type}|${d.entity.value}`;
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { ruleId: d.ruleId, entity: d.entity, count: 1 });
  }
  return [...counts.values()].sort((x, y) =>
    `${x.ruleId}${x.entity.value}` < `${y.ruleId}${y.entity.value}` ? -1 : 1,
  );
}

const cases = readCases();

describe('labelled detector cases', () => {
  it('cover every detector with at least 3 attacks and 2 honest crowds', () => {
    for (const name of DETECTOR_NAMES) {
      const mine = cases.filter((c) => c.detector === name);
      expect(mine.filter((c) => c.expected.detections.length > 0).length, name).toBeGreaterThanOrEqual(3);
      expect(mine.filter((c) => c.expected.detections.length === 0).length, name).toBeGreaterThanOrEqual(2);
    }
  });

  it('are the files the case definitions generate (regenerate with testing/generate-cases.ts)', () => {
    for (const c of allCases()) {
      for (const [path, content] of Object.entries(caseFiles(c))) {
        expect(readFileSync(join(CASES_DIR, path), 'utf8'), path).toBe(content);
      }
    }
  });

  describe.each(cases.map((c) => [`${c.detector}/${c.name}`, c] as const))('%s', (_label, c) => {
    it('has valid events in time order with unique ids', () => {
      const times = c.events.map((e) => Date.parse(e.time));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(new Set(c.events.map((e) => e.id)).size).toBe(c.events.length);
    });

    it(c.expected.detections.length ? 'raises exactly the expected detections' : 'raises nothing', () => {
      const detections = run(c.detector, c.expected.config, c.events);
      const expected = [...c.expected.detections].sort((x, y) =>
        `${x.ruleId}${x.entity.value}` < `${y.ruleId}${y.entity.value}` ? -1 : 1,
      );
      expect(tally(detections)).toEqual(expected);
      const ids = new Set(c.events.map((e) => e.id));
      for (const d of detections) {
        expect(d.eventIds.length).toBeGreaterThan(0);
        expect(d.eventIds.length).toBeLessThanOrEqual(1000);
        for (const id of d.eventIds) expect(ids.has(id)).toBe(true);
        expect(ids.has(d.eventIds[0] as string)).toBe(true);
        expect(Date.parse(d.time)).toBeLessThanOrEqual(Date.parse(c.events.at(-1)?.time ?? ''));
        expect(Object.keys(d.evidence).length).toBeGreaterThan(0);
      }
    });

    it('keeps the entity value (personal data) out of titles and descriptions', () => {
      for (const d of run(c.detector, c.expected.config, c.events)) {
        expect(d.title, d.ruleId).not.toContain(d.entity.value);
        expect(d.description, d.ruleId).not.toContain(d.entity.value);
      }
    });

    it('replays identically', () => {
      expect(run(c.detector, c.expected.config, c.events)).toEqual(
        run(c.detector, c.expected.config, c.events),
      );
    });
  });
});

describe('detector registry', () => {
  it('builds every detector with its defaults, in alphabetical order', () => {
    const names = createDetectors().map((d) => d.name);
    expect(names).toEqual([...DETECTOR_NAMES].sort());
    expect(names).toHaveLength(23);
  });

  it('leaves out a disabled detector', () => {
    expect(createDetectors({ scraping: { enabled: false } }).map((d) => d.name)).not.toContain('scraping');
  });

  it('answers config_invalid naming the key for a bad setting', () => {
    expect(() => createDetectors({ 'card-testing': { window: 'soon' } })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        detail: expect.stringContaining('detectors.card-testing.window'),
      }),
    );
    expect(() => createDetectors({ 'brute-force': { minFailures: 0 } })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('answers config_invalid for an unknown detector or key', () => {
    expect(() => createDetectors({ 'card-testin': {} } as never)).toThrow(
      expect.objectContaining({ code: 'config_invalid', detail: expect.stringContaining('card-testin') }),
    );
    expect(() => createDetectors({ scalping: { maxScarceUnit: 3 } })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('ignores events it cannot judge instead of throwing', () => {
    const odd = [
      { ...(cases[0]?.events[0] as SecurityEvent), time: 'not a time' },
      { ...(cases[0]?.events[0] as SecurityEvent), client: undefined },
      { ...(cases[0]?.events[0] as SecurityEvent), kind: 'flow' as const, business: undefined },
    ];
    for (const detector of createDetectors())
      for (const event of odd) expect(detector.observe(event)).toEqual([]);
  });
});

describe('detector state', () => {
  const everything = cases.flatMap((c) => c.events).sort((x, y) => (x.time < y.time ? -1 : 1));
  const bounded = Object.fromEntries(DETECTOR_NAMES.map((n) => [n, { maxKeys: 20 }]));

  it('stays within maxKeys per table however many entities it sees', () => {
    const free = createDetectors();
    const tight = createDetectors(bounded);
    for (const event of everything) for (const d of [...free, ...tight]) d.observe(event);
    const total = (list: typeof free) => list.reduce((sum, d) => sum + d.stateSize(), 0);
    expect(total(free)).toBeGreaterThan(500);
    // At most five tables and a cool-down per detector.
    for (const d of tight) expect(d.stateSize(), d.name).toBeLessThanOrEqual(6 * 20);
  });
});

describe('declared event kinds', () => {
  // The pipeline calls a detector only for the kinds it declares: sound only if the other
  // kinds change nothing. Every case's events, all detectors' kinds mixed in time order.
  const everything = cases.flatMap((c) => c.events).sort((x, y) => (x.time < y.time ? -1 : 1));

  it('are declared by every built-in detector, and the stream has events of other kinds', () => {
    for (const detector of createDetectors()) {
      expect(detector.kinds?.length, detector.name).toBeGreaterThan(0);
      const kinds = new Set<string>(detector.kinds);
      expect(everything.filter((event) => !kinds.has(event.kind)).length, detector.name).toBeGreaterThan(100);
    }
  });

  it('leave detections and state as they are when the other kinds are not fed', () => {
    const all = createDetectors();
    const only = createDetectors();
    for (const [index, detector] of all.entries()) {
      const filtered = only[index]!;
      const kinds = new Set<string>(detector.kinds ?? []);
      const fromAll: Detection[] = [];
      const fromOnly: Detection[] = [];
      for (const event of everything) {
        fromAll.push(...detector.observe(event));
        if (kinds.has(event.kind)) fromOnly.push(...filtered.observe(event));
      }
      expect(fromAll.length, detector.name).toBeGreaterThan(0);
      expect(fromOnly, detector.name).toEqual(fromAll);
      expect(filtered.stateSize(), detector.name).toBe(detector.stateSize());
    }
  });
});
