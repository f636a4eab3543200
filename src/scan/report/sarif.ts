/**
 * SARIF 2.1.0 (OASIS) for code-scanning tools: one run, one rule per check and title,
 * results located by URL, with `partialFingerprints` (our fingerprint, so tools track a
 * finding across scans), `security-severity` (the CVSS score, as GitHub reads it) and the
 * request/response as `webRequest`/`webResponse`.
 */
import type { ScanReport } from '../scanner.js';
import type { ScanFinding } from '../types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note' | 'none';

function levelOf(finding: ScanFinding): Level {
  if (finding.severity === 'critical' || finding.severity === 'high') return 'error';
  if (finding.severity === 'medium') return 'warning';
  return 'note';
}

function ruleIdOf(finding: ScanFinding): string {
  return `${finding.checkId}/${finding.cwe}`;
}

export function toSarif(report: ScanReport): object {
  const rules = new Map<string, { index: number; finding: ScanFinding }>();
  for (const finding of report.findings) {
    const id = ruleIdOf(finding);
    if (!rules.has(id)) rules.set(id, { index: rules.size, finding });
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ensuresec-scan',
            version: report.tool.version,
            rules: [...rules].map(([id, { finding }]) => ({
              id,
              name: finding.checkId,
              shortDescription: { text: finding.title },
              fullDescription: { text: finding.description },
              help: { text: finding.remediation },
              properties: {
                tags: ['security', finding.cwe, finding.attackClass],
                'security-severity': finding.cvssScore.toFixed(1),
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            toolExecutionNotifications: report.notChecked.slice(0, 200).map((n) => ({
              level: 'note',
              message: { text: `not checked: ${n.what}: ${n.reason}` },
            })),
          },
        ],
        originalUriBaseIds: { TARGET: { uri: `${report.origin}/` } },
        results: report.findings.map((finding) => ({
          ruleId: ruleIdOf(finding),
          ruleIndex: rules.get(ruleIdOf(finding))?.index ?? 0,
          level: levelOf(finding),
          message: { text: `${finding.title}. ${finding.description}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: finding.url } } }],
          partialFingerprints: { 'ensuresecFingerprint/v1': finding.fingerprint },
          webRequest: {
            protocol: 'HTTP',
            version: '1.1',
            method: finding.method ?? 'GET',
            target: finding.url,
            body: { text: finding.evidence.request },
          },
          webResponse: { body: { text: finding.evidence.response } },
          properties: {
            severity: finding.severity,
            cvssVector: finding.cvssVector,
            cvssScore: finding.cvssScore,
            parameter: finding.parameter ?? null,
            reproduce: finding.reproduce,
            proof: finding.evidence.proof,
          },
        })),
      },
    ],
  };
}
