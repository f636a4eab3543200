/**
 * From check results to a verdict per attack class: `fail` when a finding of the class
 * (above info) was made; `pass` only when every check the class needs ran completely;
 * otherwise `not-tested`, with the reason. Classes list the checks this scanner does not
 * have yet, so they can never pass on a partial test.
 */
import type { AttackClass, CheckResult, ScanFinding } from './types.js';
import { ATTACK_CLASSES } from './types.js';

export type ClassVerdict = 'pass' | 'fail' | 'not-tested';

export interface ClassResult {
  attackClass: AttackClass;
  result: ClassVerdict;
  checks: { checkId: string; status: CheckResult['status'] }[];
  findings: number;
  reason?: string;
}

/** What each class needs: implemented check ids, and capabilities still missing (issue 8). */
export const CLASS_REQUIREMENTS: Record<AttackClass, { checks: string[]; missing: string[] }> = {
  injection: {
    checks: ['sql-injection', 'sql-injection-time', 'command-injection', 'ssrf'],
    missing: ['injection in JSON bodies, headers and cookies'],
  },
  xss: { checks: ['reflected-xss', 'stored-xss'], missing: [] },
  'access-control': {
    checks: ['cors', 'csrf-tokens', 'csrf', 'open-redirect', 'path-traversal', 'idor'],
    missing: [],
  },
  authentication: { checks: ['login-rate-limit', 'account-enumeration'], missing: [] },
  'business-logic': { checks: ['checkout-tampering', 'payment-rate-limit'], missing: [] },
  'transport-security': { checks: ['transport', 'tls', 'mixed-content'], missing: [] },
  'security-headers': { checks: ['security-headers', 'cookies'], missing: [] },
  'exposed-data': { checks: ['exposed-files', 'version-disclosure'], missing: [] },
  'vulnerable-components': { checks: ['osv-components'], missing: [] },
  'client-side-script-integrity': { checks: ['script-inventory'], missing: [] },
};

export function classResults(checks: CheckResult[], findings: ScanFinding[]): ClassResult[] {
  return ATTACK_CLASSES.map((attackClass) => {
    const needs = CLASS_REQUIREMENTS[attackClass];
    const ran = checks.filter((c) => c.attackClass === attackClass);
    const failing = findings.filter((f) => f.attackClass === attackClass && f.severity !== 'info').length;
    const base = {
      attackClass,
      checks: ran.map((c) => ({ checkId: c.checkId, status: c.status })),
      findings: failing,
    };
    if (failing > 0) return { ...base, result: 'fail' as const };
    const incomplete = needs.checks.filter((id) => ran.find((c) => c.checkId === id)?.status !== 'tested');
    const reasons = [
      ...incomplete.map((id) => {
        const check = ran.find((c) => c.checkId === id);
        return check ? `${id}: ${check.reason ?? check.status}` : `${id} did not run`;
      }),
      ...(needs.missing.length > 0 ? [`not implemented yet: ${needs.missing.join(', ')}`] : []),
      ...(needs.checks.length === 0 && needs.missing.length === 0 ? ['no check'] : []),
    ];
    if (reasons.length === 0) return { ...base, result: 'pass' as const };
    return { ...base, result: 'not-tested' as const, reason: reasons.join('; ') };
  });
}
