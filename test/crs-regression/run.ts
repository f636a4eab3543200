/**
 * `npm run test:crs`: the OWASP CRS regression suite (go-ftw YAML tests) against the gateway
 * with the WAF engine, or with a stand-in (marker rule only) until src/gateway/waf/index.ts
 * exports createInspector. Prints a per-rule-file table and, as its last stdout line, exactly
 * `N passed, N failed, N skipped` (CI reads it); writes test/crs-regression/report.json.
 * Exit 0 when the pass rate reaches --min-pass-rate (default 0), 1 below it, 2 when the run
 * could not start (no CRS, a broken overrides file, an engine that refuses the rules or
 * never logs the marker).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import type { FtwTest } from './ftw-schema.js';
import { Harness, type TestResult } from './harness.js';
import { loadOverrides } from './overrides.js';
import { readTestTree } from './reader.js';
import { buildReport, resultsForProblems, ruleFileTable, summaryLine } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('expected a percentage 0..100');
  return n;
}

interface CliOptions {
  crs: string;
  tests?: string;
  concurrency: number;
  timeoutMs: number;
  minPassRate: number;
  filter?: string;
  waf: boolean;
  report: string;
  overrides: string;
}

function parseCli(argv: string[]): CliOptions {
  return new Command('test:crs')
    .description('Run the OWASP CRS regression tests (go-ftw format) against the gateway')
    .option(
      '--crs <dir>',
      'extracted CRS release',
      process.env.CRS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'crs'),
    )
    .option('--tests <dir>', 'go-ftw test folder (default <crs>/tests/regression/tests)')
    .option('--concurrency <n>', 'tests run at once (one gateway each)', positiveInt, 8)
    .option('--timeout-ms <ms>', 'per request timeout', positiveInt, 5_000)
    .option('--min-pass-rate <percent>', 'exit 1 below this pass rate', rate, 0)
    .option('--filter <regex>', 'only test ids matching (e.g. "^9201")')
    .option('--no-waf', 'run against the gateway without the WAF engine (marker rule only)')
    .option('--report <file>', 'JSON report', path.join(here, 'report.json'))
    .option('--overrides <file>', 'skipped tests with reasons', path.join(here, 'overrides.yaml'))
    .parse(argv)
    .opts<CliOptions>();
}

function fail(message: string): never {
  process.stderr.write(`test:crs: ${message}\n`);
  process.exit(2);
}

async function runPool(
  harness: Harness,
  tests: FtwTest[],
  overrides: Map<string, string>,
  onDone: (result: TestResult) => void,
): Promise<TestResult[]> {
  const results: TestResult[] = [];
  let next = 0;
  const worker = async (index: number): Promise<void> => {
    while (next < tests.length) {
      const test = tests[next++]!;
      const skip = overrides.get(test.id);
      const result: TestResult = skip
        ? {
            id: test.id,
            file: test.file,
            ruleFile: test.ruleFile,
            status: 'skipped',
            reason: skip,
            firedIds: [],
            stages: [],
            durationMs: 0,
          }
        : await harness.runTest(test, index);
      results.push(result);
      onDone(result);
    }
  };
  await Promise.all(Array.from({ length: harness.workerCount }, (_, index) => worker(index)));
  return results;
}

async function startHarness(options: CliOptions, ruleFiles: string[]): Promise<Harness> {
  const make = (concurrency: number) =>
    new Harness({ repoRoot, ruleFiles, useWaf: options.waf, concurrency, timeoutMs: options.timeoutMs });
  let harness = make(options.concurrency);
  try {
    await harness.start();
  } catch (error) {
    await harness.close().catch(() => undefined);
    fail(`the gateway or the WAF engine did not start: ${(error as Error).message}`);
  }
  const probe = await harness.probe();
  if (probe === 'no-request-id' && options.concurrency > 1) {
    process.stderr.write(
      'test:crs: the engine gives match lines without a request id: running one test at a time\n',
    );
    await harness.close();
    harness = make(1);
    await harness.start();
    return harness;
  }
  if (probe !== 'ok' && probe !== 'no-request-id') {
    await harness.close();
    fail(`log link check failed: ${probe}`);
  }
  return harness;
}

async function main(): Promise<void> {
  const options = parseCli(process.argv);
  const crsDir = path.resolve(options.crs);
  const testsDir = path.resolve(options.tests ?? path.join(crsDir, 'tests', 'regression', 'tests'));
  if (!existsSync(path.join(crsDir, 'crs-setup.conf.example')) || !existsSync(path.join(crsDir, 'rules')))
    fail(
      `no CRS release at ${crsDir} (crs-setup.conf.example and rules/ expected); pass --crs DIR or set CRS_DIR`,
    );
  if (!existsSync(testsDir)) fail(`no regression tests at ${testsDir}`);
  let filter: RegExp | null = null;
  try {
    filter = options.filter ? new RegExp(options.filter) : null;
  } catch {
    fail(`--filter ${JSON.stringify(options.filter)} is not a valid regular expression`);
  }
  let overrides: Map<string, string>;
  try {
    overrides = loadOverrides(options.overrides);
  } catch (error) {
    fail((error as Error).message);
  }

  const startedAt = new Date();
  const read = readTestTree(testsDir);
  const keep = (id: string) => filter === null || filter.test(id);
  const tests = read.tests.filter((t) => keep(t.id));
  const known = new Set([...read.tests.map((t) => t.id), ...read.malformed.map((m) => m.id)]);
  for (const id of overrides.keys())
    if (!known.has(id)) process.stderr.write(`test:crs: overrides.yaml names unknown test ${id}\n`);
  for (const problem of read.problems)
    process.stderr.write(`test:crs: ${problem.file}: ${problem.message}\n`);

  const ruleFiles = [
    path.join(here, 'crs-test.conf'),
    path.join(crsDir, 'crs-setup.conf.example'),
    path.join(crsDir, 'rules', '*.conf'),
  ];
  const harness = await startHarness(options, ruleFiles);
  const engine = harness.engine!;
  process.stderr.write(`test:crs: ${engine.note}; ${tests.length} tests, ${harness.workerCount} at a time\n`);

  const tty = process.stderr.isTTY === true;
  let done = 0;
  let passed = 0;
  let failed = 0;
  const results = await runPool(harness, tests, overrides, (result) => {
    done++;
    if (result.status === 'passed') passed++;
    if (result.status === 'failed') failed++;
    if (tty && (done % 25 === 0 || done === tests.length)) {
      const pct = passed + failed === 0 ? 0 : (100 * passed) / (passed + failed);
      process.stderr.write(`\r[${done}/${tests.length}] ${pct.toFixed(1)}% pass`);
    }
  });
  if (tty) process.stderr.write('\n');
  const unattributedLines = harness.router.unattributed.length;
  await harness.close();

  const malformed = resultsForProblems(
    read.malformed.filter((m) => keep(m.id)),
    read.problems,
  ).map((r): TestResult =>
    overrides.has(r.id) ? { ...r, status: 'skipped', reason: overrides.get(r.id)! } : r,
  );
  const report = buildReport({
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    engine: { kind: engine.kind, note: engine.note },
    concurrency: harness.workerCount,
    results: [...results, ...malformed],
    problems: read.problems,
    unattributedLines,
  });
  writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
  for (const line of ruleFileTable(report)) process.stdout.write(`${line}\n`);
  process.stdout.write(`${summaryLine(report)}\n`);
  process.stderr.write(
    `test:crs: ${(report.durationMs / 1000).toFixed(1)} s; report: ${path.relative(process.cwd(), options.report)}\n`,
  );
  process.exitCode = (report.totals.passRate ?? 100) >= options.minPassRate ? 0 : 1;
}

main().catch((error: unknown) => fail(`unexpected failure: ${(error as Error).stack ?? String(error)}`));
