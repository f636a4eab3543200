/**
 * Judges one stage the way go-ftw's checkResult does (CRS regression runner: response + log
 * lines -> pass/fail with a reason): an expected error passes only on an error; otherwise an
 * error fails; then the status, `response_contains` (a regex over the raw response), and the
 * log: every expect_id fired, no no_expect_id fired, match_regex / no_match_regex over the
 * stage's lines, and `isolated` (exactly one rule fired).
 */
import type { FtwStage } from './ftw-schema.js';
import type { SendOutcome } from './raw-client.js';
import { ruleIdsIn } from './match-log.js';

export interface StageVerdict {
  passed: boolean;
  /** Why it failed (empty when passed). */
  reason: string;
  firedIds: string[];
}

export function judgeStage(stage: FtwStage, outcome: SendOutcome, logLines: readonly string[]): StageVerdict {
  const expect = stage.expect;
  const firedIds = ruleIdsIn(logLines);
  const fail = (reason: string): StageVerdict => ({ passed: false, reason, firedIds });
  if (expect.expectError) {
    return outcome.ok
      ? fail(`expected an error, got status ${outcome.response.status}`)
      : { passed: true, reason: '', firedIds };
  }
  if (!outcome.ok) return fail(`request failed: ${outcome.error}`);
  const response = outcome.response;
  if (expect.statuses.length > 0 && !expect.statuses.includes(response.status))
    return fail(`status ${response.status}, expected ${expect.statuses.join(' or ')}`);
  if (expect.responseContains !== undefined) {
    if (!new RegExp(expect.responseContains).test(response.raw.toString('latin1')))
      return fail(`response does not match ${JSON.stringify(expect.responseContains)}`);
  }
  const text = logLines.join('\n');
  for (const pattern of expect.logMatches) {
    if (!new RegExp(pattern).test(text)) return fail(`log does not match ${JSON.stringify(pattern)}`);
  }
  const missing = expect.expectIds.filter((id) => !firedIds.includes(id));
  if (missing.length > 0)
    return fail(`expected ${missing.join(', ')} to fire; fired: ${firedIds.join(', ') || 'none'}`);
  if (expect.isolated && firedIds.length !== 1)
    return fail(`isolated test fired ${firedIds.length} rules: ${firedIds.join(', ')}`);
  for (const pattern of expect.logNoMatches) {
    if (new RegExp(pattern).test(text)) return fail(`log unexpectedly matches ${JSON.stringify(pattern)}`);
  }
  const unexpected = expect.noExpectIds.filter((id) => firedIds.includes(id));
  if (unexpected.length > 0) return fail(`${unexpected.join(', ')} fired but must not`);
  return { passed: true, reason: '', firedIds };
}

/** Whether a stage can only pass if the WAF saw the request (it expects a rule to fire). */
export function needsInspection(stage: FtwStage): boolean {
  return (
    !stage.expect.expectError && (stage.expect.expectIds.length > 0 || stage.expect.logMatches.length > 0)
  );
}
