/**
 * Results of a CRS regression run (test/crs-regression): the totals, pass rate per CRS rule
 * file, and the JSON report (report.json, gitignored) with every failure, skip and every
 * request that never reached inspection. `summaryLine` is the one line CI reads.
 */
import type { NotInspectedBy, TestResult } from './harness.js';
import type { FileProblem, MalformedTest } from './reader.js';

export interface RuleFileStats {
  ruleFile: string;
  passed: number;
  failed: number;
  skipped: number;
  /** passed / (passed + failed), 0..100; null when nothing ran. */
  passRate: number | null;
}

export interface RunReport {
  startedAt: string;
  durationMs: number;
  engine: { kind: 'waf' | 'stand-in'; note: string };
  concurrency: number;
  totals: { passed: number; failed: number; skipped: number; passRate: number | null };
  ruleFiles: RuleFileStats[];
  failed: Array<{ id: string; reason: string }>;
  skipped: Array<{ id: string; reason: string }>;
  /** Requests that never reached inspection: node's parser or the gateway refused them first. */
  notInspected: Array<{
    id: string;
    by: NotInspectedBy;
    parserError?: string;
    status?: number;
    error?: string;
    testPassed: boolean;
    /** The test expects a rule to fire, so it cannot pass while the request is refused. */
    needsInspection: boolean;
  }>;
  problems: FileProblem[];
  /** Match lines no worker could claim (should be 0). */
  unattributedLines: number;
  results: TestResult[];
}

export function passRate(passed: number, failed: number): number | null {
  return passed + failed === 0 ? null : (100 * passed) / (passed + failed);
}

/** Malformed tests and unreadable files count as failures: they exist and did not pass. */
export function resultsForProblems(malformed: MalformedTest[], problems: FileProblem[]): TestResult[] {
  const asResult = (id: string, file: string, ruleFile: string, reason: string): TestResult => ({
    id,
    file,
    ruleFile,
    status: 'failed',
    reason,
    firedIds: [],
    stages: [],
    durationMs: 0,
  });
  return [
    ...malformed.map((m) => asResult(m.id, m.file, m.ruleFile, `malformed test: ${m.message}`)),
    ...problems
      .filter((p) => p.kind === 'invalid')
      .map((p) =>
        asResult(
          `file:${p.file}`,
          p.file,
          p.file.split('/')[0] ?? p.file,
          `unreadable test file: ${p.message}`,
        ),
      ),
  ];
}

export function buildReport(input: {
  startedAt: Date;
  durationMs: number;
  engine: { kind: 'waf' | 'stand-in'; note: string };
  concurrency: number;
  results: TestResult[];
  problems: FileProblem[];
  unattributedLines: number;
}): RunReport {
  const results = [...input.results].sort(
    (a, b) => a.file.localeCompare(b.file) || a.id.localeCompare(b.id, 'en', { numeric: true }),
  );
  const count = (status: TestResult['status']) => results.filter((r) => r.status === status).length;
  const byFile = new Map<string, RuleFileStats>();
  for (const result of results) {
    const stats = byFile.get(result.ruleFile) ?? {
      ruleFile: result.ruleFile,
      passed: 0,
      failed: 0,
      skipped: 0,
      passRate: null,
    };
    stats[result.status]++;
    byFile.set(result.ruleFile, stats);
  }
  for (const stats of byFile.values()) stats.passRate = passRate(stats.passed, stats.failed);
  const notInspected: RunReport['notInspected'] = [];
  for (const result of results) {
    for (const stage of result.stages) {
      if (stage.rejectedBy === undefined) continue;
      notInspected.push({
        id: result.id,
        by: stage.rejectedBy,
        ...(stage.parserError ? { parserError: stage.parserError } : {}),
        ...(stage.status !== undefined ? { status: stage.status } : {}),
        ...(stage.error !== undefined ? { error: stage.error } : {}),
        testPassed: result.status === 'passed',
        needsInspection: stage.needsInspection,
      });
    }
  }
  const passed = count('passed');
  const failed = count('failed');
  return {
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    engine: input.engine,
    concurrency: input.concurrency,
    totals: { passed, failed, skipped: count('skipped'), passRate: passRate(passed, failed) },
    ruleFiles: [...byFile.values()].sort((a, b) => a.ruleFile.localeCompare(b.ruleFile)),
    failed: results.filter((r) => r.status === 'failed').map((r) => ({ id: r.id, reason: r.reason })),
    skipped: results.filter((r) => r.status === 'skipped').map((r) => ({ id: r.id, reason: r.reason })),
    notInspected,
    problems: input.problems,
    unattributedLines: input.unattributedLines,
    results,
  };
}

/** The line CI reads, exactly: `N passed, N failed, N skipped`. */
export function summaryLine(report: RunReport): string {
  const { passed, failed, skipped } = report.totals;
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

function percent(rate: number | null): string {
  return rate === null ? '     -' : `${rate.toFixed(1).padStart(5)}%`;
}

/** The per-rule-file table printed before the summary line. */
export function ruleFileTable(report: RunReport): string[] {
  const width = Math.max(...report.ruleFiles.map((s) => s.ruleFile.length), 10);
  return [
    `${'rule file'.padEnd(width)}  pass rate  passed  failed  skipped`,
    ...report.ruleFiles.map(
      (s) =>
        `${s.ruleFile.padEnd(width)}  ${percent(s.passRate).padStart(9)}  ${String(s.passed).padStart(6)}  ` +
        `${String(s.failed).padStart(6)}  ${String(s.skipped).padStart(7)}`,
    ),
    `${'all'.padEnd(width)}  ${percent(report.totals.passRate).padStart(9)}`,
  ];
}
