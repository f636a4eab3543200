/**
 * What a transaction reports (gateway/waf/engine -> gateway): matched rules, the interruption,
 * one ModSecurity-style match line per rule (`[id "942100"] [msg "..."]`, the format CRS's test
 * tooling and log parsers expect) and the JSON audit-log record in ModSecurity v3's layout.
 */
import type { RuleEngineMode } from '../seclang/model.js';
import type { Phase } from './program.js';

export interface WafMatch {
  id: number;
  phase: Phase;
  msg: string;
  logdata: string;
  severity: number | undefined;
  tags: string[];
  ver: string | undefined;
  rev: string | undefined;
  maturity: string | undefined;
  accuracy: string | undefined;
  file: string;
  line: number;
  /** The variable that matched last (MATCHED_VAR_NAME) and its transformed value. */
  variable: { name: string; value: string };
  /** `Matched "Operator ..." at ARGS:id` (ModSecurity's match description). */
  match: string;
  /** What the rule did: pass, deny, drop, redirect, allow. */
  disruptive: string;
  /** Write the rule to the audit log (its `auditlog` flag). */
  auditlog: boolean;
}

export interface WafInterruption {
  action: 'deny' | 'drop' | 'redirect';
  status: number;
  url?: string;
  ruleId: number;
  phase: Phase;
}

export interface AuditRecord {
  transaction: {
    client_ip: string;
    client_port: number;
    host_ip: string;
    host_port: number;
    server_id: string;
    time_stamp: string;
    unique_id: string;
    request: { method: string; http_version: string; uri: string; headers: Record<string, string> };
    response: { http_code: number; headers: Record<string, string> };
    producer: { modsecurity: string; connector: string; secrules_engine: string; components: string[] };
    messages: Array<{
      message: string;
      details: {
        match: string;
        reference: string;
        ruleId: string;
        file: string;
        lineNumber: string;
        data: string;
        severity: string;
        ver: string;
        rev: string;
        tags: string[];
        maturity: string;
        accuracy: string;
      };
    }>;
  };
}

export interface WafResult {
  engineMode: RuleEngineMode;
  /** Set when the request or response must be stopped (engine On). */
  interruption: WafInterruption | null;
  /** DetectionOnly: what would have been done. */
  wouldInterrupt: WafInterruption | null;
  /** Rules that matched and log (CRS's nolog bookkeeping rules are not listed). */
  matchedRules: WafMatch[];
  /** One ModSecurity-style line per matched rule. */
  matchLines: string[];
  /** The audit record, when the audit engine wants it (On, or RelevantOnly and relevant). */
  auditLog: AuditRecord | null;
}

/** Log-safe text: quotes and control or non-ASCII bytes escaped, so a line cannot be forged. */
export function logSafe(text: string, maxChars = 1024): string {
  const clipped = text.length > maxChars ? text.slice(0, maxChars) : text;
  // eslint-disable-next-line no-control-regex -- control bytes are exactly what must be escaped
  return clipped.replace(/["\\\x00-\x1f\x7f-\xff]/g, (char) =>
    char === '"' || char === '\\' ? `\\${char}` : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export function describeMatch(operatorName: string, param: string, name: string, value: string): string {
  const op = operatorName.charAt(0).toUpperCase() + operatorName.slice(1);
  return `Matched "Operator \`${op}' with parameter \`${logSafe(param, 200)}' against variable \`${logSafe(name)}' (Value: \`${logSafe(value, 100)}' )"`;
}

export function formatMatchLine(
  match: WafMatch,
  context: { hostname: string; uri: string; uniqueId: string; interruption: WafInterruption | null },
): string {
  const head = context.interruption
    ? `ModSecurity: Access denied with code ${context.interruption.status} (phase ${context.interruption.phase}).`
    : 'ModSecurity: Warning.';
  const fields: Array<[string, string]> = [
    ['file', match.file],
    ['line', String(match.line)],
    ['id', String(match.id)],
    ['rev', match.rev ?? ''],
    ['msg', match.msg],
    ['data', match.logdata],
    ['severity', match.severity === undefined ? '' : String(match.severity)],
    ['ver', match.ver ?? ''],
    ['maturity', match.maturity ?? '0'],
    ['accuracy', match.accuracy ?? '0'],
    ...match.tags.map((tag): [string, string] => ['tag', tag]),
    ['hostname', context.hostname],
    ['uri', context.uri],
    ['unique_id', context.uniqueId],
  ];
  return `${head} ${match.match} ${fields.map(([name, value]) => `[${name} "${logSafe(value)}"]`).join(' ')}`;
}
