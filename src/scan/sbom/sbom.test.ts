/**
 * The SBOM and OSV matching on fixture files: the four lockfile formats (and their variants) read
 * into exact packages, a CycloneDX 1.6 document the CycloneDX library's own JSON schema validator
 * accepts, each OSV matching rule (SEMVER and ECOSYSTEM ranges, pre-releases, explicit versions,
 * last_affected, withdrawn, Packagist names), CVSS from the advisory or estimated and said so,
 * and the report writers taking the result. Never online.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../core/errors.js';
import { writeReports } from '../report/write.js';
import { parsePnpmLock, parseYarnLock, readLockfiles } from './lockfiles.js';
import { loadOsvDirectory } from './osv.js';
import { runSbom, withSupplyChain } from './sbom.js';
import { sampleReport } from '../testing/sample-report.js';
import { compareVersions } from './versions.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/sbom');
const SHOP = join(FIXTURES, 'shop');
const read = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

/**
 * The CycloneDX 1.6 JSON schema shipped inside @cyclonedx/cyclonedx-library, compiled with ajv (the
 * library's own validator needs an optional peer, ajv-formats-draft2019, the project does not have;
 * the two IRI/IDN formats it would add are accepted as is).
 */
function cycloneDxValidator() {
  const resolve = createRequire(import.meta.url).resolve;
  const dir = join(resolve('@cyclonedx/cyclonedx-library/package.json'), '../res/schema');
  const load = (name: string): object => JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('iri-reference', true).addFormat('idn-email', true);
  ajv.addSchema(load('spdx.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
  ajv.addSchema(
    load('jsf-0.82.SNAPSHOT.schema.json'),
    'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
  );
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

describe('lockfiles', () => {
  it('reads the four formats of one shop into exact, deduplicated packages', () => {
    const { lockfiles, packages } = readLockfiles(SHOP);
    expect(lockfiles).toEqual(['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'composer.lock']);
    expect(packages.map((p) => `${p.ecosystem}:${p.name}@${p.version}${p.dev ? ' dev' : ''}`)).toEqual([
      'npm:@acme/widget@2.0.0-beta.1',
      'npm:axios@0.21.0',
      'npm:express@4.17.1',
      'npm:follow-redirects@1.15.6',
      'npm:foo@1.0.0',
      'npm:lodash@4.17.20',
      'npm:lodash@4.17.21',
      'npm:minimist@1.2.6',
      'npm:send@0.17.1',
      'npm:typescript@5.6.3 dev',
      'Packagist:guzzlehttp/guzzle@7.4.4',
      'Packagist:phpunit/phpunit@10.5.2 dev',
      'Packagist:symfony/http-kernel@dev-main',
    ]);
  });

  it('reads pnpm v6 keys with peer suffixes and yarn Berry without workspaces', () => {
    expect(parsePnpmLock(read('pnpm-v6/pnpm-lock.yaml')).map((p) => [p.name, p.version, p.dev])).toEqual([
      ['@babel/runtime', '7.22.0', true],
      ['react-dom', '18.2.0', false],
      ['react', '18.2.0', false],
    ]);
    expect(parseYarnLock(read('yarn-berry/yarn.lock')).map((p) => `${p.name}@${p.version}`)).toEqual([
      '@acme/widget@2.0.0-beta.1',
      'lodash@4.17.20',
    ]);
  });

  it('refuses a v1 package-lock and a directory without lockfiles, with the catalogue codes', () => {
    const code = (run: () => unknown) => {
      try {
        run();
        return undefined;
      } catch (error) {
        return error instanceof EnsuresecError ? error.code : String(error);
      }
    };
    expect(code(() => readLockfiles(join(FIXTURES, 'npm-v1')))).toBe('sbom_lockfile_invalid');
    expect(code(() => readLockfiles(join(FIXTURES, 'osv')))).toBe('sbom_no_lockfile');
  });
});

describe('versions', () => {
  it('orders releases, pre-releases and composer versions', () => {
    expect(compareVersions('4.17.20', '4.17.21')).toBe(-1);
    expect(compareVersions('2.0.0-beta.1', '2.0.0-alpha.1')).toBe(1);
    expect(compareVersions('2.0.0-rc.1', '2.0.0')).toBe(-1);
    expect(compareVersions('1.0.0-alpha.2', '1.0.0-alpha.10')).toBe(-1);
    expect(compareVersions('v7.4.4', '7.4.4.0')).toBe(0);
    expect(compareVersions('10.0.0', '9.9.9')).toBe(1);
    expect(compareVersions('dev-main', '1.0.0')).toBeUndefined();
  });
});

describe('ensuresec sbom', () => {
  const osv = loadOsvDirectory(join(FIXTURES, 'osv'));
  const result = runSbom({
    dir: SHOP,
    toolVersion: '0.1.0',
    advisories: osv.advisories,
    skipped: osv.skipped,
    now: () => new Date('2026-11-27T10:00:00Z'),
  });

  it('writes a CycloneDX 1.6 SBOM the CycloneDX JSON schema accepts', () => {
    const bom = JSON.parse(result.cyclonedx) as {
      bomFormat: string;
      specVersion: string;
      components: { name: string; group?: string; version: string; purl: string; scope?: string }[];
    };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    expect(bom.components).toHaveLength(13);
    expect(bom.components).toContainEqual(
      expect.objectContaining({
        group: '@acme',
        name: 'widget',
        version: '2.0.0-beta.1',
        purl: 'pkg:npm/%40acme/widget@2.0.0-beta.1',
      }),
    );
    expect(bom.components).toContainEqual(
      expect.objectContaining({ name: 'typescript', scope: 'optional', purl: 'pkg:npm/typescript@5.6.3' }),
    );
    expect(bom.components).toContainEqual(
      expect.objectContaining({
        group: 'guzzlehttp',
        name: 'guzzle',
        purl: 'pkg:composer/guzzlehttp/guzzle@7.4.4',
      }),
    );
    const validate = cycloneDxValidator();
    expect(validate(bom), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...bom, components: [{ name: 'no type' }] })).toBe(false);
  });

  it('finds exactly the affected packages, with CVSS from the advisory or an estimate said as such', () => {
    expect(osv.skipped.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(['not-an-advisory.json']);
    const found = Object.fromEntries(result.report.findings.map((f) => [String(f.data?.['advisory']), f]));
    expect(Object.keys(found).sort()).toEqual([
      'ENSTEST-2026-0001', // lodash 4.17.20 (4.17.21, nested, is fixed)
      'ENSTEST-2026-0003', // @acme/widget pre-release in range
      'ENSTEST-2026-0004', // axios by explicit version
      'ENSTEST-2026-0005', // express ≤ last_affected (0006 is withdrawn)
      'ENSTEST-2026-0007', // guzzle, Packagist name in other case
    ]);
    expect(found['ENSTEST-2026-0001']).toMatchObject({
      checkId: 'osv-components',
      attackClass: 'vulnerable-components',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      cvssScore: 7.2,
      severity: 'high',
      cwe: 'CWE-94',
      url: 'pkg:npm/lodash@4.17.20',
      remediation: expect.stringContaining('Upgrade lodash to 4.17.21'),
      data: expect.objectContaining({
        fixedIn: '4.17.21',
        cvssSource: 'advisory',
        aliases: ['CVE-2099-0001'],
      }),
    });
    expect(found['ENSTEST-2026-0004']?.data?.['cvssSource']).toBe(
      "estimated from the advisory's severity HIGH",
    );
    expect(found['ENSTEST-2026-0007']).toMatchObject({
      cvssScore: 5.9,
      data: expect.objectContaining({ cvssSource: 'advisory (CVSS 3.0 read as 3.1)', fixedIn: '7.4.5' }),
    });
    expect(found['ENSTEST-2026-0005']?.remediation).toContain('No fixed version is known');
  });

  it('says what it could not match and never passes the class on a partial run', () => {
    expect(result.report.checks).toEqual([
      expect.objectContaining({ checkId: 'osv-components', status: 'partial', tested: 13 }),
    ]);
    expect(result.report.notChecked).toContainEqual(
      expect.objectContaining({ what: 'symfony/http-kernel@dev-main' }),
    );
    expect(result.report.classes.find((c) => c.attackClass === 'vulnerable-components')?.result).toBe('fail');
    const none = runSbom({ dir: join(FIXTURES, 'pnpm-v6'), toolVersion: '0.1.0', advisories: null });
    expect(none.report.checks[0]).toMatchObject({ status: 'not-tested' });
    expect(none.report.classes.find((c) => c.attackClass === 'vulnerable-components')?.result).toBe(
      'not-tested',
    );
    const clean = runSbom({
      dir: join(FIXTURES, 'pnpm-v6'),
      toolVersion: '0.1.0',
      advisories: osv.advisories,
    });
    expect(clean.report.classes.find((c) => c.attackClass === 'vulnerable-components')?.result).toBe('pass');
  });

  it('feeds the JSON, SARIF and HTML report writers', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ensuresec-sbom-')), 'sbom');
    const written = writeReports(result.report, ['json', 'sarif', 'html'], out);
    expect(written).toHaveLength(3);
    const sarif = JSON.parse(readFileSync(`${out}.sarif`, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0]?.results).toHaveLength(5);
    expect(readFileSync(`${out}.html`, 'utf8')).toContain('ENSTEST-2026-0001');
  });

  it('adds the supply chain to a URL scan report and recomputes the verdicts', () => {
    const url = sampleReport();
    const classOf = (r: typeof url, c: string) => r.classes.find((x) => x.attackClass === c)?.result;
    expect(classOf(url, 'vulnerable-components')).toBe('not-tested');
    const merged = withSupplyChain(url, result.report);
    expect(merged.findings).toHaveLength(url.findings.length + 5);
    expect(merged.findings.map((f) => f.cvssScore)).toEqual(
      [...merged.findings.map((f) => f.cvssScore)].sort((a, b) => b - a),
    );
    expect(merged.checks.map((c) => c.checkId)).toContain('osv-components');
    expect(classOf(merged, 'vulnerable-components')).toBe('fail');
    expect(classOf(merged, 'xss')).toBe(classOf(url, 'xss'));
    const clean = runSbom({
      dir: join(FIXTURES, 'pnpm-v6'),
      toolVersion: '0.1.0',
      advisories: osv.advisories,
    });
    expect(classOf(withSupplyChain(url, clean.report), 'vulnerable-components')).toBe('pass');
  });
});
