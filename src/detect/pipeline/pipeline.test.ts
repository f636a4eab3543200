import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { alertSchema, type SecurityEvent } from '../../core/records/index.js';
import { ingestFile } from '../../ingest/sources/file-ingest.js';
import type { Detection, Detector } from '../detector.js';
import type { AlertChange } from './grouping.js';
import { createDetectionPipeline, type DetectionPipeline } from './pipeline.js';
import { loadDetectionPipeline } from './settings.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
/** Tests only: the SigmaHQ web and proxy rules, outside the repository. */
const SIGMA_WEB_RULES = join(import.meta.dirname, '../../../../shared/reference/sigma-web-rules');

interface GroupingCase {
  time: string;
  entity: string;
  severity: Detection['severity'];
  expect: { type: AlertChange['type']; count: number; severity?: string; evidenceIds?: number };
}

async function runFile(pipeline: DetectionPipeline, file: string): Promise<AlertChange[]> {
  const ingest = ingestFile(join(FIXTURES, file), { format: 'nginx' });
  const changes: AlertChange[] = [];
  for await (const batch of ingest.batches()) changes.push(...pipeline.observeMany(batch));
  changes.push(...pipeline.flush());
  return changes;
}

/** The last state of every alert the changes touched. */
function finalAlerts(changes: readonly AlertChange[]) {
  return [...new Map(changes.map((change) => [change.alert.id, change.alert])).values()];
}

function tickEvent(time: string): SecurityEvent {
  return {
    id: newId('evt'),
    time,
    kind: 'http',
    source: { type: 'file', name: 'test' },
    labels: {},
  } as SecurityEvent;
}

/** A detector that raises, for each event, the detection the test queued for it. */
function scriptedDetector(queue: Detection[]): Detector {
  return {
    name: 'scripted',
    observe: () => {
      const next = queue.shift();
      return next ? [next] : [];
    },
    stateSize: () => 0,
  };
}

function detectionAt(event: SecurityEvent, entity: string, severity: Detection['severity']): Detection {
  return {
    ruleId: 'test.rule',
    title: 'Test rule',
    description: 'raised by the test',
    severity,
    eventIds: [event.id],
    entity: { type: 'ip', value: entity },
    attack: ['T1595.003', 'not-a-technique'],
    tags: ['attack.reconnaissance'],
    time: event.time,
    evidence: { requests: 3 },
  };
}

describe('detection pipeline', () => {
  it('raises grouped alerts from the SigmaHQ rules and the built-in detectors on an attack log', async () => {
    const { pipeline, problems, sigma } = await loadDetectionPipeline({ sigmaRules: [SIGMA_WEB_RULES] });
    expect(problems).toEqual([]);
    expect(sigma.activeRules).toBeGreaterThan(100);
    const changes = await runFile(pipeline, 'attack-nginx.log');
    const alerts = finalAlerts(changes);
    for (const alert of alerts) expect(alertSchema.parse(alert)).toEqual(alert);

    const scanner = alerts.filter((alert) => alert.entity?.value === '185.220.101.4');
    expect(scanner.map((alert) => alert.ruleId)).toContain('ecommerce.scraping.not-found');
    const recon = scanner.find((alert) => alert.ruleId === '19aa4f58-94ca-45ff-bc34-92e533c0994a');
    // 80 probes with a recon tool's user agent: one alert, counted, with a bounded evidence list.
    expect(recon).toMatchObject({
      detector: 'sigma',
      count: 80,
      attack: ['T1190'],
      subject: { ip: '185.220.101.4' },
    });
    expect(recon?.eventIds).toHaveLength(20);
    expect(Date.parse(recon!.lastSeen!)).toBeGreaterThan(Date.parse(recon!.firstSeen!));

    const injector = alerts.filter((alert) => alert.entity?.value === '45.155.205.233').map((a) => a.title);
    expect(injector).toEqual(
      expect.arrayContaining([
        'SQL Injection Strings In URI',
        'Path Traversal Exploitation Attempts',
        'Log4j RCE CVE-2021-44228 Generic',
      ]),
    );
    expect(changes.filter((change) => change.type === 'created')).toHaveLength(alerts.length);
    expect(alerts.every((alert) => alert.entity?.value !== '203.0.113.7')).toBe(true);
  });

  it('raises nothing on a benign shop log', async () => {
    const { pipeline } = await loadDetectionPipeline({ sigmaRules: [SIGMA_WEB_RULES] });
    expect(await runFile(pipeline, 'benign-nginx.log')).toEqual([]);
    expect(pipeline.stats()).toMatchObject({ events: 400, detections: 0, detectorErrors: 0 });
  });

  it('groups detections per rule and entity within the window', () => {
    const spec = JSON.parse(readFileSync(join(FIXTURES, 'grouping-cases.json'), 'utf8')) as {
      windowMs: number;
      maxEvidenceEvents: number;
      cases: GroupingCase[];
    };
    const queue: Detection[] = [];
    const pipeline = createDetectionPipeline({
      detectors: false,
      anomaly: false,
      extraDetectors: [scriptedDetector(queue)],
      grouping: { windowMs: spec.windowMs, maxEvidenceEvents: spec.maxEvidenceEvents },
    });
    const ids = new Map<string, string>();
    for (const step of spec.cases) {
      const event = tickEvent(step.time);
      queue.push(detectionAt(event, step.entity, step.severity));
      const [change, ...rest] = pipeline.observe(event);
      expect(rest).toEqual([]);
      expect(change?.type).toBe(step.expect.type);
      const alert = change!.alert;
      expect(alert.count).toBe(step.expect.count);
      expect(alert.attack).toEqual(['T1595.003']);
      if (step.expect.severity) expect(alert.severity).toBe(step.expect.severity);
      if (step.expect.evidenceIds) expect(alert.eventIds).toHaveLength(step.expect.evidenceIds);
      if (step.expect.type === 'updated') expect(alert.id).toBe(ids.get(step.entity));
      else expect(alert.id).not.toBe(ids.get(step.entity));
      expect(alert.lastSeen).toBe(step.time);
      ids.set(step.entity, alert.id);
    }
    expect(pipeline.stats()).toMatchObject({ alertsCreated: 3, alertsUpdated: 3 });
  });

  it('keeps at most maxGroups open groups, closing the least recently updated', () => {
    const queue: Detection[] = [];
    const pipeline = createDetectionPipeline({
      detectors: false,
      anomaly: false,
      extraDetectors: [scriptedDetector(queue)],
      grouping: { maxGroups: 2 },
    });
    const raise = (entity: string, second: number) => {
      const event = tickEvent(`2026-11-26T10:00:${String(second).padStart(2, '0')}.000Z`);
      queue.push(detectionAt(event, entity, 'low'));
      return pipeline.observe(event)[0]?.type;
    };
    expect([
      raise('a', 1),
      raise('b', 2),
      raise('a', 3),
      raise('c', 4),
      raise('a', 5),
      raise('b', 6),
    ]).toEqual(['created', 'created', 'updated', 'created', 'updated', 'created']);
    expect(pipeline.stats()).toMatchObject({ openGroups: 2, groupEvictions: 2 });
  });

  it('counts a detector that throws and runs the others', () => {
    const errors: string[] = [];
    const queue: Detection[] = [];
    const broken: Detector = {
      name: 'broken',
      observe: () => {
        throw new Error('bad state');
      },
      stateSize: () => 0,
    };
    const pipeline = createDetectionPipeline({
      detectors: false,
      anomaly: false,
      extraDetectors: [broken, scriptedDetector(queue)],
      onDetectorError: (name) => errors.push(name),
    });
    const event = tickEvent('2026-11-26T10:00:00.000Z');
    queue.push(detectionAt(event, '203.0.113.7', 'high'));
    expect(pipeline.observe(event).map((change) => change.type)).toEqual(['created']);
    expect(errors).toEqual(['broken']);
    expect(pipeline.stats().detectorErrors).toBe(1);
  });

  it('reports a rule directory that cannot be read and still runs the rest', async () => {
    const { pipeline, problems } = await loadDetectionPipeline({
      sigmaRules: [join(FIXTURES, 'no-such-dir')],
      detectors: { scraping: { enabled: false } },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('sigma_rule_invalid');
    expect(problems[0]?.text).toContain('no-such-dir');
    expect(pipeline.detectorNames).not.toContain('scraping');
    expect(pipeline.detectorNames).toContain('card-testing');
  });

  it('calls a detector only for the event kinds it declares, all kinds when it declares none, in order', () => {
    const calls: string[] = [];
    const recording = (name: string, kinds?: SecurityEvent['kind'][]): Detector => ({
      name,
      ...(kinds ? { kinds } : {}),
      observe: (event) => {
        calls.push(`${name}:${event.kind}`);
        return [];
      },
      stateSize: () => 0,
    });
    const pipeline = createDetectionPipeline({
      detectors: false,
      anomaly: false,
      extraDetectors: [
        recording('delivery-only', ['delivery']),
        recording('any'),
        recording('web-and-flows', ['http', 'flow']),
      ],
    });
    for (const kind of ['http', 'delivery', 'flow', 'business', 'made-up'] as const) {
      pipeline.observe({ ...tickEvent('2026-11-26T10:00:00.000Z'), kind } as unknown as SecurityEvent);
    }
    expect(calls).toEqual([
      'any:http',
      'web-and-flows:http',
      'delivery-only:delivery',
      'any:delivery',
      'any:flow',
      'web-and-flows:flow',
      'any:business',
      // A kind no schema admits (an event that skipped validation) meets every detector.
      'delivery-only:made-up',
      'any:made-up',
      'web-and-flows:made-up',
    ]);
    expect(pipeline.stats().events).toBe(5);
  });
});
