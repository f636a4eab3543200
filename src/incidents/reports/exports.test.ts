/**
 * Frozen reports and their exports, from a labelled data-exfiltration case
 * (fixtures/exfiltration-case.json): the JSON validates against the documented schema
 * (docs/schemas/incident-report.schema.json) and its digest covers it; a person's override is
 * frozen with who and why; the indicators become a STIX 2.1 bundle valid against the OASIS
 * schemas; the PDF is parsed back (structure, pages, text), and a damaged one is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { incidentReportSchema } from '../../core/records/incident-report.js';
import { incidentEntrySchema, incidentSchema } from '../../core/records/index.js';
import { assessIncident } from '../../regulation/assess.js';
import { REPORT_STAGES } from '../../regulation/deadlines.js';
import { entityProfileSchema } from '../../regulation/profile.js';
import { descriptionOf, foldCase } from '../case.js';
import { buildDraft } from './drafts.js';
import { freezeDraft, reportDigest } from './frozen.js';
import { incidentStixBundle, indicatorsOf } from './indicators.js';
import { frozenStatusOf, renderMarkdown } from './markdown.js';
import { renderPdf } from './pdf.js';
import { parsePdf, stixProblems } from './test-support.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
const profile = entityProfileSchema.parse(read('../../regulation/fixtures/profiles/marketplace.json'));
const fixture = read('fixtures/exfiltration-case.json') as {
  incident: unknown;
  entries: unknown[];
  now: string;
};
const nowMs = Date.parse(fixture.now);
const incident = incidentSchema.parse(fixture.incident);
const entries = fixture.entries.map((entry) => incidentEntrySchema.parse(entry));
const assessment = assessIncident(descriptionOf(foldCase(incident, entries, profile, nowMs), []), profile);
const view = foldCase(
  incident,
  [
    ...entries,
    {
      ...entries[0]!,
      id: 'ine_01KBY00000000000000000000Z',
      kind: 'assessment',
      data: { trigger: 'impact', assessment },
    },
  ],
  profile,
  nowMs,
);

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateExport = ajv.compile(read('../../../docs/schemas/incident-report.schema.json') as object);

let uuid = 0;
const nextUuid = () => `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}`;

function frozen(stage: (typeof REPORT_STAGES)[number], version = 1) {
  const draft = buildDraft(stage, view, profile, nowMs);
  const frozenAt = new Date(nowMs).toISOString();
  return freezeDraft(
    draft,
    {
      id: `rpt_01KBY0000000000000000000${String(version).padStart(2, '0')}`,
      version,
      frozenAt,
      frozenBy: 'usr_lead',
    },
    indicatorsOf(view),
    incidentStixBundle(view, profile.name, frozenAt, nextUuid),
  );
}

describe('frozen reports', () => {
  it.each([...REPORT_STAGES])('exports %s as JSON valid against the documented schema', (stage) => {
    const report = frozen(stage);
    const json = JSON.parse(JSON.stringify(report)) as unknown;
    expect(validateExport(json), JSON.stringify(validateExport.errors)).toBe(true);
    expect(incidentReportSchema.parse(json)).toEqual(report);
  });

  it('is checked by a schema that rejects a broken export', () => {
    const { sha256: _sha, ...unsigned } = frozen('notification');
    expect(validateExport(unsigned)).toBe(false);
    expect(validateExport({ ...frozen('notification'), stage: 'rumour' })).toBe(false);
    expect(validateExport({ ...frozen('notification'), extra: true })).toBe(false);
  });

  it('carries a digest of its content that any change breaks', () => {
    const report = frozen('final');
    expect(reportDigest(report)).toBe(report.sha256);
    expect(reportDigest({ ...report, version: 2 })).not.toBe(report.sha256);
    const edited = report.fields.map((field) =>
      field.key === 'rootCause' ? { ...field, value: 'other' } : field,
    );
    expect(reportDigest({ ...report, fields: edited })).not.toBe(report.sha256);
  });

  it("keeps a person's override with who and why, and the Markdown says it was edited", () => {
    const report = frozen('notification');
    const severity = report.fields.find((field) => field.key === 'severity');
    expect(severity).toMatchObject({
      value: 'critical',
      missing: false,
      override: { by: 'usr_lead', reason: 'Addresses of 2,400 customers: raised after review' },
    });
    const markdown = renderMarkdown(report, frozenStatusOf(report));
    expect(markdown).toContain('# Incident notification — v1');
    expect(markdown).toContain('edited by usr_lead');
    expect(markdown).toContain(`SHA-256 of the JSON export: ${report.sha256}`);
    expect(markdown).toContain('- ipv4: `203.0.113.50`');
    // The early warning has no override: the case's values stand.
    expect(frozen('early_warning').fields.every((field) => field.override === undefined)).toBe(true);
  });
});

describe('indicators of compromise', () => {
  it('come from the evidence: named indicators, file hashes and web addresses, once each', () => {
    expect(indicatorsOf(view).map((indicator) => `${indicator.type}:${indicator.value}`)).toEqual([
      'ipv4:203.0.113.50',
      'domain:exfil.example.net',
      'sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
      'url:https://shop.example.invalid/uploads/pull.sh',
    ]);
  });

  it('are attached as a STIX 2.1 bundle valid against the OASIS schemas', () => {
    const report = frozen('notification');
    expect(report.stix).not.toBeNull();
    expect(stixProblems(report.stix as never)).toEqual([]);
    const count = (type: string) =>
      report.stix?.objects.filter((object) => (object as { type: string }).type === type).length;
    expect(count('identity')).toBe(1);
    expect(count('indicator')).toBe(4);
    expect(count('sighting')).toBe(4);
    expect(count('course-of-action')).toBe(1);
    const ip = report.stix?.objects.find(
      (object) => (object as { pattern?: string }).pattern === "[ipv4-addr:value = '203.0.113.50']",
    );
    expect(ip).toBeDefined();
  });

  it('is checked by a harness that rejects a broken object', () => {
    const bundle = frozen('notification').stix as { objects: { type: string; id: string }[] };
    const broken = {
      ...bundle,
      objects: bundle.objects.map((object) =>
        object.type === 'indicator' ? { ...object, pattern_type: undefined } : object,
      ),
    };
    expect(stixProblems(JSON.parse(JSON.stringify(broken)) as never)).not.toEqual([]);
  });

  it('leaves no bundle when the case has no indicator', () => {
    expect(incidentStixBundle({ ...view, evidence: [] }, profile.name, fixture.now)).toBeNull();
  });
});

describe('the PDF', () => {
  it('opens: a well-formed file whose text holds the title, the fields and the version', async () => {
    const report = frozen('gdpr_notification');
    const parsed = await parsePdf(await renderPdf(report, frozenStatusOf(report)));
    expect(parsed.pages).toBeGreaterThanOrEqual(1);
    expect(parsed.title).toContain('Customer records pulled through the shop API');
    const text = parsed.text.join('\n');
    expect(text).toContain('Personal data breach notification — v1');
    expect(text).toContain('Customer records pulled through the shop API');
    expect(text).toContain('(b) Name and contact details of the DPO or other contact point');
    expect(text).toContain('dpo@example.invalid');
    expect(text).toContain(`page 1 of ${parsed.pages}`);
  });

  it('flows a long report over several pages, each numbered', async () => {
    const long = frozen('final');
    const withLongRoot = {
      ...long,
      fields: long.fields.map((field) =>
        field.key === 'rootCause'
          ? { ...field, value: 'The API returned any record by its id. '.repeat(400) }
          : field,
      ),
    };
    const parsed = await parsePdf(await renderPdf(withLongRoot, frozenStatusOf(long)));
    expect(parsed.pages).toBeGreaterThan(2);
    expect(parsed.text.join('\n')).toContain(`page ${parsed.pages} of ${parsed.pages}`);
  });

  it('marks a draft as a draft and prints characters the fonts lack as ?', async () => {
    const draft = buildDraft('early_warning', view, profile, nowMs);
    const parsed = await parsePdf(
      await renderPdf({ ...draft, incident: { ...draft.incident, title: 'Daten in 東京 exfiltriert' } }),
    );
    const text = parsed.text.join('\n');
    expect(text).toContain('Early warning — DRAFT');
    expect(text).toContain('Daten in ?? exfiltriert');
    expect(text).toContain('DRAFT, not frozen');
  });

  it('is checked by a reader that refuses a damaged file', async () => {
    const report = frozen('notification');
    const bytes = Buffer.from(await renderPdf(report, frozenStatusOf(report)));
    await expect(parsePdf(bytes.subarray(0, bytes.length - 200))).rejects.toThrow();
    // Entry 1's offset moved by one byte: the table no longer points at its object.
    const raw = bytes.toString('latin1');
    const table = Number(/startxref\s+(\d+)/.exec(raw)?.[1]);
    const header = /^xref\s+\d+ \d+\s+/.exec(raw.slice(table))?.[0] ?? '';
    const row = table + header.length + 20;
    const offset = Number(raw.slice(row, row + 10));
    const moved = Buffer.from(
      raw.slice(0, row) + String(offset + 1).padStart(10, '0') + raw.slice(row + 10),
      'latin1',
    );
    await expect(parsePdf(moved)).rejects.toThrow(/points at byte/);
    await expect(parsePdf(Buffer.from('<html>not a pdf</html>'))).rejects.toThrow(/header/);
  });
});
