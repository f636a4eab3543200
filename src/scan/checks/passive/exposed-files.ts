/**
 * Exposed files: fixed paths a deployment leaks (.git, .env, backups, admin consoles),
 * source maps of the shop's own scripts, and directory listings. A 200 is never enough:
 * each probe names what the content must look like, so a shop that answers every path
 * with its home page (a "soft 404") raises nothing.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import type { Evidence } from '../../types.js';
import type { Check, CheckContext } from '../check.js';

export interface ExposedFileProbe {
  path: string;
  title: string;
  /** The content proves the exposure (matched on the body, never on the status alone). */
  proves: (res: ScanResponse) => boolean;
  cvssVector: string;
  cwe: string;
  remediation: string;
}

const SECRETS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const LEAK = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';
const notHtml = (res: ScanResponse) => !/^\s*(<!doctype|<html)/i.test(res.body);

function dotenvLike(res: ScanResponse): boolean {
  const lines = res.body.split(/\r?\n/).filter((line) => line.trim() && !line.trim().startsWith('#'));
  const assignments = lines.filter((line) => /^(export\s+)?[A-Z_][A-Z0-9_]*\s*=/.test(line.trim()));
  return notHtml(res) && assignments.length >= 2 && assignments.length >= lines.length * 0.8;
}

const DENY_GIT =
  'Do not deploy the .git directory; deny /.git/ in the web server (e.g. nginx `location ~ /\\.git { deny all; }`), then rotate any credential it held.';

export const EXPOSED_FILE_PROBES: ExposedFileProbe[] = [
  {
    path: '/.git/HEAD',
    title: 'Git repository exposed (/.git/HEAD)',
    proves: (res) => /^(ref: refs\/|[0-9a-f]{40}\s*$)/.test(res.body),
    cvssVector: LEAK,
    cwe: 'CWE-527',
    remediation: DENY_GIT,
  },
  {
    path: '/.git/config',
    title: 'Git repository configuration exposed (/.git/config)',
    proves: (res) => /^\[core\]/m.test(res.body) && /repositoryformatversion/.test(res.body),
    cvssVector: SECRETS,
    cwe: 'CWE-527',
    remediation: DENY_GIT,
  },
  ...['/.env', '/.env.local', '/.env.production'].map((path) => ({
    path,
    title: `Environment file with secrets exposed (${path})`,
    proves: dotenvLike,
    cvssVector: SECRETS,
    cwe: 'CWE-538',
    remediation:
      'Keep .env files outside the web root and deny dotfiles in the web server; rotate every secret the file held.',
  })),
  ...['/backup.sql', '/dump.sql', '/db.sql', '/database.sql'].map((path) => ({
    path,
    title: `Database dump exposed (${path})`,
    proves: (res: ScanResponse) => notHtml(res) && /(CREATE TABLE|INSERT INTO)\s/i.test(res.body),
    cvssVector: SECRETS,
    cwe: 'CWE-530',
    remediation: 'Remove backups from the web root; keep them encrypted outside it.',
  })),
  ...['/backup.zip', '/site.zip', '/www.zip'].map((path) => ({
    path,
    title: `Site backup archive exposed (${path})`,
    proves: (res: ScanResponse) => res.body.startsWith('PK\u0003\u0004'),
    cvssVector: SECRETS,
    cwe: 'CWE-530',
    remediation: 'Remove archives from the web root.',
  })),
  ...['/index.php.bak', '/wp-config.php.bak', '/config.php.bak', '/wp-config.php~'].map((path) => ({
    path,
    title: `Source backup exposed (${path})`,
    proves: (res: ScanResponse) => /<\?php/.test(res.body),
    cvssVector: SECRETS,
    cwe: 'CWE-530',
    remediation: 'Remove editor and backup copies of source files; deny *.bak and *~ in the web server.',
  })),
  {
    path: '/phpmyadmin/',
    title: 'phpMyAdmin console reachable',
    proves: (res) =>
      /phpMyAdmin/.test(res.body) && /pma_|phpmyadmin\.css|name="pma_username"/i.test(res.body),
    cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N',
    cwe: 'CWE-749',
    remediation: 'Do not expose database consoles publicly; restrict them to a VPN or remove them.',
  },
  {
    path: '/adminer.php',
    title: 'Adminer database console reachable',
    proves: (res) => /Adminer/.test(res.body) && /name="auth\[/.test(res.body),
    cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N',
    cwe: 'CWE-749',
    remediation: 'Remove adminer.php from the server.',
  },
  {
    path: '/server-status',
    title: 'Apache server-status exposed',
    proves: (res) => /Apache Server Status for/i.test(res.body),
    cvssVector: LEAK,
    cwe: 'CWE-200',
    remediation: 'Restrict mod_status to localhost.',
  },
  {
    path: '/actuator/env',
    title: 'Spring Boot actuator environment exposed',
    proves: (res) => /"propertySources"\s*:/.test(res.body),
    cvssVector: SECRETS,
    cwe: 'CWE-215',
    remediation: 'Do not expose actuator endpoints publicly (management.endpoints.web.exposure.include).',
  },
  {
    path: '/.DS_Store',
    title: 'macOS .DS_Store file listing exposed',
    proves: (res) => res.body.startsWith('\u0000\u0000\u0000\u0001Bud1'),
    cvssVector: LEAK,
    cwe: 'CWE-538',
    remediation: 'Remove .DS_Store files from the deployment.',
  },
];

const DIRECTORY_LISTING = /<title>\s*(Index of \/|Directory listing for )/i;
const MAX_SOURCE_MAPS = 5;

export const exposedFilesCheck: Check = {
  id: 'exposed-files',
  kind: 'passive',
  attackClass: 'exposed-data',
  title: 'Exposed files, source maps, admin consoles and directory listings',
  async run(context) {
    const origin = context.target.origin;
    let tested = 0;
    let failed = 0;
    const results = await Promise.all(
      EXPOSED_FILE_PROBES.map(async (probe) => ({
        probe,
        res: await context.http.send({ url: origin + probe.path }),
      })),
    );
    for (const { probe, res } of results) {
      if (!res.ok) {
        failed++;
        context.notChecked(origin + probe.path, `${res.reason}: ${res.detail}`);
        continue;
      }
      tested++;
      if (res.status === 200 && probe.proves(res))
        report(context, res, probe.title, probe.cvssVector, probe.cwe, probe.remediation);
    }
    tested += await checkSourceMaps(context);
    for (const page of context.site.pages) {
      if (page.response.status === 200 && DIRECTORY_LISTING.test(page.response.body)) {
        report(
          context,
          page.response,
          `Directory listing at ${new URL(page.url).pathname}`,
          LEAK,
          'CWE-548',
          'Turn off directory listings (nginx `autoindex off`, Apache `Options -Indexes`).',
        );
      }
    }
    if (failed > 0) return { status: 'partial', tested, reason: `${failed} probes got no answer` };
    return { status: 'tested', tested };
  },
};

async function checkSourceMaps(context: CheckContext): Promise<number> {
  const scripts = new Set<string>();
  for (const page of context.site.pages) {
    for (const script of page.html?.scripts ?? []) {
      if (script.src && new URL(script.src).origin === context.target.origin)
        scripts.add(script.src.split('?')[0] ?? script.src);
    }
  }
  let tested = 0;
  for (const src of [...scripts].slice(0, MAX_SOURCE_MAPS)) {
    const res = await context.http.send({ url: `${src}.map` });
    if (!res.ok) continue;
    tested++;
    if (res.status === 200 && /"version"\s*:\s*3/.test(res.body) && /"mappings"\s*:/.test(res.body)) {
      const withSources = /"sourcesContent"\s*:\s*\[/.test(res.body);
      report(
        context,
        res,
        `Source map exposed (${new URL(res.url).pathname})`,
        withSources ? LEAK : 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N',
        'CWE-540',
        'Do not deploy .map files to production (or serve them only to your error tracker).',
      );
    }
  }
  return tested;
}

function report(
  context: CheckContext,
  res: ScanResponse,
  title: string,
  cvssVector: string,
  cwe: string,
  remediation: string,
): void {
  const path = new URL(res.url).pathname;
  context.report({
    checkId: 'exposed-files',
    attackClass: 'exposed-data',
    title,
    cvssVector,
    cwe,
    url: res.url,
    detailKey: path,
    description: `${path} is served to anyone and its content confirms what it is (not just a 200 status).`,
    evidence: redactSecrets(
      evidenceOf(res, `GET ${path} answered ${res.status} with content that matches the file type`),
    ),
    reproduce: `curl -s ${res.url} | head`,
    remediation,
  });
}

/** Reports travel further than the scan: never copy a leaked secret into one in full. */
function redactSecrets(evidence: Evidence): Evidence {
  const response = evidence.response
    .replace(
      /^((?:export\s+)?[A-Z0-9_]*(?:PASS|SECRET|KEY|TOKEN|URL|DSN)[A-Z0-9_]*\s*=\s*)(.{0,4}).*$/gim,
      '$1$2…(redacted)',
    )
    .replace(/(:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1…(redacted)@');
  return { ...evidence, response };
}
