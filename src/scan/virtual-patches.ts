/**
 * Virtual patches (prevention stage): for each injection finding the WAF can block (SQL
 * injection, reflected XSS, path traversal, command injection, SSRF) on a route and
 * parameter, a SecLang rule pair scoped
 * to exactly that route (`REQUEST_FILENAME @streq`) and that parameter (`ARGS:name`), so the
 * gateway blocks the exploit there while the rest of the shop is untouched. The file is meant
 * for `waf.rules` (loaded after the CRS; `SIGHUP` reloads it). It never sets `SecRuleEngine`:
 * the gateway's own setting decides whether it blocks or only detects.
 */
import type { ScanFinding } from './types.js';

/** ModSecurity's range for local rules is 1-99 999; virtual patches take 91 000 upwards. */
export const VIRTUAL_PATCH_FIRST_ID = 91_000;
export const VIRTUAL_PATCH_LAST_ID = 91_999;

interface Detector {
  label: string;
  operator: string;
  transformations: string;
}

/** The operator that recognises each check's attack in the parameter's (decoded) value. */
const DETECTORS: Record<string, Detector> = {
  'sql-injection': {
    label: 'SQL injection',
    operator: '@detectSQLi',
    transformations: 't:none,t:urlDecodeUni',
  },
  'reflected-xss': {
    label: 'XSS',
    operator: '@detectXSS',
    transformations: 't:none,t:urlDecodeUni,t:htmlEntityDecode',
  },
  'sql-injection-time': {
    label: 'blind SQL injection',
    // libinjection misses the heavy-query payloads: delay functions, recursive CTEs, UNION
    // SELECT, and a quote followed by ||, AND or OR (breaking out of a string).
    operator: String.raw`@rx (?:sleep|benchmark|randomblob|waitfor\s+delay)\s*\(|\bwith\s+recursive\b|\bunion\b[\s\S]*\bselect\b|['"][\s)]*(?:\|\||&&|\band\b|\bor\b)`,
    transformations: 't:none,t:urlDecodeUni,t:lowercase',
  },
  'command-injection': {
    label: 'command injection',
    // A shell separator or substitution: ; | & ` newline, $( and ${.
    operator: String.raw`@rx [;|&\x60\n\r]|\$[({]`,
    transformations: 't:none,t:urlDecodeUni',
  },
  ssrf: {
    label: 'SSRF',
    // An absolute or scheme-relative URL where the shop expects its own path.
    operator: String.raw`@rx ^\s*(?:[a-z][a-z0-9+.-]*:|[\\/]{2})`,
    transformations: 't:none,t:urlDecodeUni,t:lowercase',
  },
  'path-traversal': {
    label: 'path traversal',
    // A `..` path segment (either slash), an absolute Unix system path, a drive letter, a NUL.
    operator: String.raw`@rx (?:^|[\\/])\.\.(?:[\\/]|$)|^/(?:etc|proc|sys|var|root|home)/|^[a-z]:[\\/]|\x00`,
    transformations: 't:none,t:urlDecodeUni,t:lowercase',
  },
};

export const PATCHABLE_CHECKS = Object.keys(DETECTORS);

export interface VirtualPatch {
  ruleId: number;
  fingerprint: string;
  checkId: string;
  path: string;
  parameter: string;
  /** The two chained SecRule lines. */
  rule: string;
}

export interface VirtualPatchSet {
  patches: VirtualPatch[];
  /** Findings of a patchable check that got no patch, and why. */
  skipped: { fingerprint: string; title: string; reason: string }[];
  /** The whole rules file. */
  text: string;
}

const SAFE_PATH = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/]*$/;
const SAFE_PARAMETER = /^[A-Za-z0-9_.\-[\]]{1,128}$/;

/** What a `msg:'…'` may hold: no quote, backslash or line break. */
const msgText = (text: string): string => text.replace(/['"\\\r\n]/g, ' ').slice(0, 200);

export function proposeVirtualPatches(
  findings: ScanFinding[],
  options: { firstId?: number; origin?: string; generatedAt?: string } = {},
): VirtualPatchSet {
  const firstId = options.firstId ?? VIRTUAL_PATCH_FIRST_ID;
  const patches: VirtualPatch[] = [];
  const skipped: VirtualPatchSet['skipped'] = [];
  const seen = new Set<string>();
  const candidates = findings
    .filter((f) => DETECTORS[f.checkId] !== undefined)
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
  for (const f of candidates) {
    const detector = DETECTORS[f.checkId] as Detector;
    const skip = (reason: string) => skipped.push({ fingerprint: f.fingerprint, title: f.title, reason });
    if (!f.parameter) {
      skip('no parameter to scope the rule to');
      continue;
    }
    if (!SAFE_PARAMETER.test(f.parameter)) {
      skip(`parameter name ${JSON.stringify(f.parameter)} needs a hand-written selector`);
      continue;
    }
    let path: string;
    try {
      path = new URL(f.url).pathname;
    } catch {
      skip('the URL does not parse');
      continue;
    }
    if (!SAFE_PATH.test(path)) {
      skip(`path ${JSON.stringify(path)} needs a hand-written rule`);
      continue;
    }
    const key = `${f.checkId}\n${path}\n${f.parameter}`;
    if (seen.has(key)) continue; // one rule per check, route and parameter
    seen.add(key);
    const ruleId = firstId + patches.length;
    if (ruleId > VIRTUAL_PATCH_LAST_ID && firstId === VIRTUAL_PATCH_FIRST_ID) {
      skip('more than 1000 virtual patches');
      continue;
    }
    const msg = msgText(`ensuresec virtual patch: ${detector.label} in ${f.parameter} on ${path}`);
    const rule =
      `SecRule REQUEST_FILENAME "@streq ${path}" ` +
      `"id:${ruleId},phase:2,deny,status:403,log,msg:'${msg}',tag:'ensuresec/virtual-patch',` +
      `tag:'ensuresec/${f.checkId}',tag:'ensuresec/fingerprint/${f.fingerprint}',chain"\n` +
      `    SecRule ARGS:${f.parameter} "${detector.operator.replace(/"/g, '\\"')}" "${detector.transformations}"`;
    patches.push({
      ruleId,
      fingerprint: f.fingerprint,
      checkId: f.checkId,
      path,
      parameter: f.parameter,
      rule,
    });
  }
  const header = [
    '# Virtual patches proposed by `ensuresec scan` (docs/scanner.md#virtual-patches).',
    `# Target: ${(options.origin ?? 'unknown').replace(/[\r\n]/g, ' ')}`,
    ...(options.generatedAt ? [`# Generated: ${options.generatedAt}`] : []),
    '# Each rule blocks one attack class on one route and parameter. Review, then add this file to',
    '# `waf.rules` and reload the gateway (SIGHUP). Remove a rule once the code is fixed.',
    ...skipped.map((s) => `# Not patched: ${msgText(s.title)} (${msgText(s.reason)})`),
  ];
  const body = patches.map(
    (p) => `\n# ${p.checkId} ${p.path} ${p.parameter} (finding ${p.fingerprint})\n${p.rule}`,
  );
  return { patches, skipped, text: [...header, ...body].join('\n') + '\n' };
}
