/**
 * `ensuresec sbom DIR` (supply chain, prevention stage): a CycloneDX 1.6 SBOM of the packages the
 * lockfiles pin, built and serialised with the official CycloneDX JavaScript library, and the
 * known vulnerabilities of those packages (OSV) as findings of class `vulnerable-components`
 * (check `osv-components`), in a scan report the report writers and `--store` take as they are.
 */
import { basename, resolve } from 'node:path';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { classResults } from '../classes.js';
import { cvssBaseScore } from '../findings/cvss.js';
import { FindingCollector } from '../findings/collect.js';
import type { ScanReport } from '../scanner.js';
import type { CheckResult, FindingDraft, NotChecked } from '../types.js';
import { purlOf, readLockfiles, type LockedPackage, type LockfileName } from './lockfiles.js';
import { matchAdvisories, type OsvAdvisory, type OsvMatch } from './osv.js';

export const OSV_CHECK_ID = 'osv-components';

/**
 * A representative CVSS v3.1 vector per GitHub advisory severity, used only when an advisory
 * carries no CVSS v3 vector (the finding says so in `data.cvssSource`).
 */
const VECTOR_BY_LABEL: Record<string, string> = {
  CRITICAL: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  HIGH: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
  MODERATE: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N',
  MEDIUM: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N',
  LOW: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N',
};

function vectorOf(advisory: OsvAdvisory): { vector: string; source: string } {
  for (const s of advisory.severity ?? []) {
    if (s.type !== 'CVSS_V3' || !s.score) continue;
    const vector = s.score.replace(/^CVSS:3\.0\//, 'CVSS:3.1/');
    try {
      cvssBaseScore(vector);
      return {
        vector,
        source: s.score.startsWith('CVSS:3.0/') ? 'advisory (CVSS 3.0 read as 3.1)' : 'advisory',
      };
    } catch {
      // not a vector we can score: fall through to the label
    }
  }
  const label = advisory.database_specific?.['severity'];
  if (typeof label === 'string' && VECTOR_BY_LABEL[label.toUpperCase()])
    return {
      vector: VECTOR_BY_LABEL[label.toUpperCase()] as string,
      source: `estimated from the advisory's severity ${label}`,
    };
  return {
    vector: VECTOR_BY_LABEL['MEDIUM'] as string,
    source: 'estimated: the advisory has no CVSS v3 vector or severity',
  };
}

function cweOf(advisory: OsvAdvisory): string {
  const ids = advisory.database_specific?.['cwe_ids'];
  const first = Array.isArray(ids)
    ? ids.find((id): id is string => typeof id === 'string' && /^CWE-\d+$/.test(id))
    : undefined;
  return first ?? 'CWE-1395';
}

export function findingOfMatch(match: OsvMatch): FindingDraft {
  const { pkg, advisory, fixedIn } = match;
  const { vector, source } = vectorOf(advisory);
  const aliases = (advisory.aliases ?? []).filter((a) => a !== advisory.id);
  const reference =
    advisory.references?.find((r) => r.type === 'ADVISORY')?.url ?? advisory.references?.[0]?.url;
  const upgrade = fixedIn
    ? `Upgrade ${pkg.name} to ${fixedIn} or later (then regenerate ${pkg.source}).`
    : `No fixed version is known: remove or replace ${pkg.name}, or check the advisory for a workaround.`;
  return {
    checkId: OSV_CHECK_ID,
    attackClass: 'vulnerable-components',
    title: `${pkg.name}@${pkg.version}: ${advisory.summary ?? advisory.id}`.slice(0, 512),
    cvssVector: vector,
    cwe: cweOf(advisory),
    url: purlOf(pkg),
    detailKey: advisory.id,
    description:
      `${pkg.source} pins ${pkg.name} ${pkg.version}${pkg.dev ? ' (development only)' : ''}, affected by ${advisory.id}` +
      `${aliases.length > 0 ? ` (${aliases.join(', ')})` : ''}. ${(advisory.details ?? '').slice(0, 1500)}`.trim(),
    evidence: {
      request: `${pkg.source}: ${pkg.name}@${pkg.version}`,
      response: JSON.stringify({
        id: advisory.id,
        aliases,
        affected: advisory.affected?.filter((a) => a.package?.name === pkg.name),
      }).slice(0, 2000),
      proof: `${pkg.name} ${pkg.version} is in an affected range of ${advisory.id}${fixedIn ? ` (fixed in ${fixedIn})` : ''}`,
    },
    reproduce: `Look up ${advisory.id}${reference ? ` (${reference})` : ''} and compare with ${pkg.source}.`,
    remediation: upgrade,
    data: {
      advisory: advisory.id,
      aliases,
      package: pkg.name,
      version: pkg.version,
      ecosystem: pkg.ecosystem,
      dev: pkg.dev,
      ...(fixedIn ? { fixedIn } : {}),
      cvssSource: source,
    },
  };
}

/** The CycloneDX 1.6 JSON document of the packages, made with the CycloneDX library. */
export function buildCycloneDx(
  dir: string,
  packages: LockedPackage[],
  options: { toolVersion: string; serialNumber?: string; timestamp?: Date },
): string {
  const bom = new Models.Bom();
  if (options.serialNumber) bom.serialNumber = options.serialNumber;
  bom.metadata.timestamp = options.timestamp ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'ensuresec', { version: options.toolVersion }),
  );
  bom.metadata.component = new Models.Component(Enums.ComponentType.Application, basename(resolve(dir)));
  for (const pkg of packages) {
    const slash = pkg.name.lastIndexOf('/');
    const component = new Models.Component(
      Enums.ComponentType.Library,
      slash > 0 ? pkg.name.slice(slash + 1) : pkg.name,
      {
        version: pkg.version,
        purl: purlOf(pkg),
        bomRef: purlOf(pkg),
        ...(slash > 0 ? { group: pkg.name.slice(0, slash) } : {}),
        ...(pkg.dev ? { scope: Enums.ComponentScope.Optional } : {}),
      },
    );
    component.properties.add(new Models.Property('ensuresec:lockfile', pkg.source));
    bom.components.add(component);
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true, space: 2 }) + '\n';
}

export interface SbomResult {
  lockfiles: LockfileName[];
  packages: LockedPackage[];
  cyclonedx: string;
  /** Findings and verdicts in the scan report shape (target: `--target` or the directory). */
  report: ScanReport;
}

export interface SbomOptions {
  dir: string;
  toolVersion: string;
  /** The vulnerability database: advisories already loaded (from --osv-dir or --online); null: none given. */
  advisories: OsvAdvisory[] | null;
  /** Files of the OSV directory that were not advisories. */
  skipped?: string[];
  /** The shop origin the code runs at (to store the findings with that shop's scans). */
  origin?: string;
  now?: () => Date;
}

export function runSbom(options: SbomOptions): SbomResult {
  const now = options.now ?? (() => new Date());
  const started = now();
  const { lockfiles, packages } = readLockfiles(options.dir);
  const cyclonedx = buildCycloneDx(options.dir, packages, {
    toolVersion: options.toolVersion,
    timestamp: started,
  });
  const findings = new FindingCollector();
  const notChecked: NotChecked[] = (options.skipped ?? []).map((path) => ({
    what: path,
    reason: 'not an OSV advisory',
    checkId: OSV_CHECK_ID,
  }));
  let check: CheckResult;
  if (options.advisories === null) {
    check = {
      checkId: OSV_CHECK_ID,
      kind: 'passive',
      attackClass: 'vulnerable-components',
      status: 'not-tested',
      tested: 0,
      reason: 'no vulnerability source: give --osv-dir DIR or --online',
    };
  } else {
    for (const match of matchAdvisories(packages, options.advisories)) findings.add(findingOfMatch(match));
    const unorderable = packages.filter((p) => !/^[vV=]?\d/.test(p.version));
    for (const p of unorderable)
      notChecked.push({
        what: `${p.name}@${p.version}`,
        reason: 'version has no order (only exact version lists of advisories are matched)',
        checkId: OSV_CHECK_ID,
      });
    check = {
      checkId: OSV_CHECK_ID,
      kind: 'passive',
      attackClass: 'vulnerable-components',
      status: unorderable.length > 0 ? 'partial' : 'tested',
      tested: packages.length,
      ...(unorderable.length > 0
        ? { reason: `${unorderable.length} package version(s) without an order` }
        : {}),
    };
  }
  const list = findings.list();
  const finished = now();
  const target = options.origin ?? `file://${resolve(options.dir)}`;
  const report: ScanReport = {
    tool: { name: 'ensuresec', version: options.toolVersion },
    target,
    origin: options.origin ?? target,
    mode: 'passive',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    requests: { sent: 0, failed: 0, budget: 0 },
    coverage: { pagesCrawled: 0, formsFound: 0, parametersFound: 0, apiOperations: 0 },
    crawled: [],
    findings: list,
    checks: [check],
    classes: classResults([check], list),
    notChecked,
    records: { sbom: { lockfiles, components: packages.length } },
  };
  return { lockfiles, packages, cyclonedx, report };
}

/**
 * A URL scan with the supply chain of the same shop (`ensuresec scan URL --sbom DIR`): the SBOM
 * run's findings, check and not-checked items added, the class verdicts computed again, so the
 * reports and the certificate speak about `vulnerable-components` too.
 */
export function withSupplyChain(report: ScanReport, sbom: ScanReport): ScanReport {
  const findings = [...report.findings, ...sbom.findings].sort(
    (a, b) => b.cvssScore - a.cvssScore || a.checkId.localeCompare(b.checkId) || a.url.localeCompare(b.url),
  );
  const checks = [...report.checks.filter((c) => c.checkId !== OSV_CHECK_ID), ...sbom.checks];
  return {
    ...report,
    findings,
    checks,
    classes: classResults(checks, findings),
    notChecked: [...report.notChecked, ...sbom.notChecked],
    records: { ...report.records, ...sbom.records },
  };
}
