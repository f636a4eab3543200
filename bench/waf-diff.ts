/**
 * WAF differential test: `node --import tsx bench/waf-diff.ts` (npm run diff:waf). Sends the
 * same requests to the Ensuresec gateway with the OWASP CRS at PL1 (default setup, the child of
 * bench/waf-server.ts) and to nginx + ModSecurity v3 + the same CRS (bench/waf-anchor.ts), both
 * in front of the anchor's nginx `return 200` on :8083, and compares the decisions: blocked
 * (403) or passed (2xx); any other status is counted apart. The requests are traffic nobody on
 * this project wrote (bench/waf-diff-cases.ts: libinjection's corpora as query value, form
 * field, cookie and User-Agent; bench/waf-diff-sqlmap.ts: sqlmap's requests, when installed).
 * Every disagreement, and an even sample of all cases, is then replayed alone to read the rule
 * ids each side logged (our JSON audit log, ModSecurity's error log): disagreements are grouped
 * by the rules that fired on one side only, and the sample shows the rule-level differences
 * the anomaly threshold hides. Everything goes to a JSON report.
 * Env: DIFF_CONCURRENCY (8 cases in flight, each to both targets), DIFF_HEADER_EVERY (10: cookie
 * and User-Agent cases for every 10th line), DIFF_MAX_LINES_PER_FILE (0 = every line; 3000 keeps
 * 3000 evenly spaced lines of sqli-forums.txt, the one longer file, and halves the run),
 * DIFF_SQLMAP (1; 0 skips sqlmap), DIFF_SQLMAP_EVERY (2: every 2nd of sqlmap's ~5,650 requests),
 * DIFF_SQLMAP_TIMEOUT_S (120 per scan), DIFF_REPLAY_MAX (2000 disagreements replayed for rule
 * ids), DIFF_RULE_SAMPLE (1000 cases, evenly spaced, replayed to compare the rule ids that fired
 * whatever the decision), DIFF_REPORT (/tmp/ensuresec-waf-diff/report.json), WAF_CRS_DIR
 * (../shared/crs), MODSEC_ANCHOR_DIR (../shared/anchors/modsec-nginx).
 * Exit code: 0 when it ran (disagreements are findings, not failures), 2 when it cannot run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ANCHOR_PORTS, startAnchor, stopAnchor, type Anchor } from './waf-anchor.js';
import { BROWSER_HEADERS, corpusCases, type DiffCase } from './waf-diff-cases.js';
import {
  agreement,
  groupByCause,
  kindOf,
  oneSidedRules,
  printTallies,
  sameRules,
  show,
  tally,
  type Explained,
  type Outcome,
} from './waf-diff-report.js';
import {
  anchorRuleIds,
  LogTail,
  markerPath,
  ourRuleIds,
  pool,
  send,
  target,
  type Target,
} from './waf-diff-send.js';
import { recordSqlmap, sqlmapAvailable } from './waf-diff-sqlmap.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const CONCURRENCY = env('DIFF_CONCURRENCY', 8);
const HEADER_EVERY = env('DIFF_HEADER_EVERY', 10);
const MAX_LINES_PER_FILE = env('DIFF_MAX_LINES_PER_FILE', 0);
const SQLMAP = env('DIFF_SQLMAP', 1) !== 0;
const SQLMAP_TIMEOUT_MS = env('DIFF_SQLMAP_TIMEOUT_S', 120) * 1000;
const SQLMAP_EVERY = Math.max(1, env('DIFF_SQLMAP_EVERY', 2));
const REPLAY_MAX = env('DIFF_REPLAY_MAX', 2000);
const RULE_SAMPLE = env('DIFF_RULE_SAMPLE', 1000);
const REPORT = resolve(process.env['DIFF_REPORT'] ?? join(tmpdir(), 'ensuresec-waf-diff', 'report.json'));
const CRS_DIR = resolve(process.env['WAF_CRS_DIR'] ?? join(root, '../shared/crs'));
const ANCHOR_DIR = resolve(process.env['MODSEC_ANCHOR_DIR'] ?? join(root, '../shared/anchors/modsec-nginx'));
const WAF_SERVER = fileURLToPath(new URL('./waf-server.ts', import.meta.url));
const UPSTREAM = `http://127.0.0.1:${ANCHOR_PORTS.fastUpstream}`;

function startGateway(dataDir: string): Promise<ChildProcess & { port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WAF_SERVER, 'gateway-crs', UPSTREAM, CRS_DIR, dataDir],
    { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], cwd: root },
  );
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      done(Object.assign(child, { port: (JSON.parse(line) as { port: number }).port }));
    });
    child.once('exit', (code) => fail(new Error(`the gateway exited with ${code}`)));
  });
}

function progress(label: string, total: number): (done: number, agreeing?: number) => void {
  const tty = process.stderr.isTTY;
  const step = Math.max(1, Math.floor(total / 20));
  const started = Date.now();
  return (done, agreeing) => {
    if (!tty && done % step !== 0 && done !== total) return;
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const agree = agreeing === undefined ? '' : ` ${((agreeing / done) * 100).toFixed(2)}% agree,`;
    const line = `${label} [${done}/${total}]${agree} ${rate.toFixed(0)} cases/s`;
    if (tty) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else console.error(line);
  };
}

async function compareAll(cases: DiffCase[], ours: Target, anchor: Target): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(cases.length);
  let agreeing = 0;
  const report = progress('comparing', cases.length);
  await pool(
    cases,
    CONCURRENCY,
    async (c, index) => {
      const [a, b] = await Promise.all([send(ours, c), send(anchor, c)]);
      const outcome: Outcome = { case: c, ours: a, anchor: b, kind: kindOf(a, b) };
      if (outcome.kind === 'agree') agreeing++;
      outcomes[index] = outcome;
    },
    (done) => report(done, agreeing),
  );
  return outcomes;
}

/** Replays each case alone and reads the rule ids each side logged for it. */
async function explain(
  outcomes: Outcome[],
  ours: Target,
  anchor: Target,
  logs: LogTail[],
): Promise<Explained[]> {
  const [ourLog, anchorLog] = logs as [LogTail, LogTail];
  const explained: Explained[] = [];
  const report = progress('replaying disagreements and the sample alone, for rule ids', outcomes.length);
  let markers = 0;
  let missed = 0;
  for (const outcome of outcomes) {
    ourLog.skip();
    anchorLog.skip();
    const [a, b] = await Promise.all([send(ours, outcome.case), send(anchor, outcome.case)]);
    const marker: DiffCase = {
      ...outcome.case,
      method: 'GET',
      path: markerPath(++markers),
      headers: BROWSER_HEADERS,
    };
    delete marker.body;
    await Promise.all([send(ours, marker), send(anchor, marker)]);
    const [ourText, anchorText] = await Promise.all([ourLog.until(markers), anchorLog.until(markers)]);
    if (!ourText.found || !anchorText.found) missed++;
    explained.push({
      outcome,
      oursRuleIds: ourRuleIds(ourText.text),
      anchorRuleIds: anchorRuleIds(anchorText.text),
      replay: { ours: a.status, anchor: b.status },
    });
    report(explained.length);
  }
  if (missed > 0)
    console.log(`note: ${missed} replays never saw their marker in a log; their rule ids may be short`);
  return explained;
}

function requestOf(c: DiffCase): Record<string, unknown> {
  const extraHeaders = Object.fromEntries(
    Object.entries(c.headers).filter(([name, value]) => BROWSER_HEADERS[name] !== value),
  );
  return { method: c.method, path: c.path, extraHeaders, ...(c.body === undefined ? {} : { body: c.body }) };
}

function printCauses(title: string, explained: Explained[]): ReturnType<typeof groupByCause> {
  const groups = groupByCause(explained);
  console.log(`\n${title}`);
  for (const group of groups.slice(0, 15)) {
    const e = group.example.outcome;
    console.log(`  ${String(group.count).padStart(6)}  ${group.cause}`);
    console.log(`          e.g. ${e.case.corpus} ${e.case.mode}: ${show(e.case.value)}`);
  }
  const { oursOnly, modsecOnly } = oneSidedRules(explained);
  const list = (rules: Array<[number, number]>): string =>
    rules
      .slice(0, 12)
      .map(([id, n]) => `${id} x${n}`)
      .join(', ') || '-';
  console.log(`  rules fired by us only: ${list(oursOnly)}`);
  console.log(`  rules fired by ModSecurity only: ${list(modsecOnly)}`);
  return groups;
}

function printDecisions(outcomes: Outcome[]): void {
  const all = tally(outcomes, () => 'all').get('all');
  if (all === undefined) throw new Error('no outcomes');
  console.log(
    `\ntotal requests: ${outcomes.length} cases, each sent to both targets (${outcomes.length * 2} requests)`,
  );
  console.log(
    `agreement: ${agreement(all).toFixed(2)} % of the ${all.agree + all.weBlock + all.wePass} cases both decided (403 or 2xx)`,
  );
  console.log(`we block, ModSecurity passes: ${all.weBlock}`);
  console.log(`we pass, ModSecurity blocks: ${all.wePass}`);
  console.log(`other statuses on either side: ${all.other}`);
  printTallies(
    'per family and mode',
    tally(outcomes, (o) => `${o.case.family} / ${o.case.mode}`),
  );
  printTallies(
    'per corpus file (files with a difference)',
    tally(outcomes, (o) => o.case.corpus),
    true,
  );
  const others = outcomes.filter((o) => o.kind === 'other');
  const statuses = (o: Outcome): string =>
    `ours ${o.ours.error ?? o.ours.status} / ModSecurity ${o.anchor.error ?? o.anchor.status}`;
  if (others.length > 0) printTallies('other statuses (ours / ModSecurity)', tally(others, statuses));
}

/** Indices of the disagreements (at most REPLAY_MAX, evenly spaced) and of an even sample of all cases. */
function replayPlan(outcomes: Outcome[]): { disagreeing: number[]; sample: number[] } {
  const disagreeingAll = outcomes.flatMap((o, i) => (o.kind === 'weBlock' || o.kind === 'wePass' ? [i] : []));
  const every = Math.max(1, Math.ceil(disagreeingAll.length / REPLAY_MAX));
  const disagreeing = disagreeingAll.filter((_, i) => i % every === 0);
  const step = outcomes.length / Math.min(RULE_SAMPLE, outcomes.length);
  const sample =
    RULE_SAMPLE > 0
      ? Array.from({ length: Math.min(RULE_SAMPLE, outcomes.length) }, (_, i) => Math.floor(i * step))
      : [];
  return { disagreeing, sample };
}

const detail = (e: Explained): Record<string, unknown> => ({
  corpus: e.outcome.case.corpus,
  mode: e.outcome.case.mode,
  value: e.outcome.case.value,
  request: requestOf(e.outcome.case),
  ours: { status: e.outcome.ours.status, ruleIds: e.oursRuleIds, replayStatus: e.replay.ours },
  modsecurity: { status: e.outcome.anchor.status, ruleIds: e.anchorRuleIds, replayStatus: e.replay.anchor },
});

async function main(): Promise<void> {
  if (!existsSync(join(CRS_DIR, 'rules'))) {
    console.error(`diff:waf needs an extracted CRS at ${CRS_DIR} (set WAF_CRS_DIR); see docs/waf.md.`);
    process.exit(2);
  }
  const started = await startAnchor(ANCHOR_DIR, CRS_DIR);
  if ('skipped' in started) {
    console.error(`diff:waf needs the anchor (nginx + ModSecurity v3 + CRS): ${started.skipped}`);
    process.exit(2);
  }
  const anchor: Anchor = started;
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-waf-diff-'));
  let gateway: ChildProcess | null = null;
  const runStarted = Date.now();
  try {
    gateway = await startGateway(dataDir);
    const ours = target(
      'ensuresec gateway + CRS PL1',
      (gateway as ChildProcess & { port: number }).port,
      CONCURRENCY,
    );
    const modsec = target('nginx + ModSecurity v3 + CRS', ANCHOR_PORTS.crs4, CONCURRENCY);
    const logs = [
      new LogTail(join(dataDir, 'waf', 'audit.log')),
      new LogTail(join(anchor.runDir, 'logs', 'error.log')),
    ];

    const { cases, linesPerFile } = corpusCases({
      headerEvery: HEADER_EVERY,
      maxLinesPerFile: MAX_LINES_PER_FILE,
    });
    const lines = [...linesPerFile.values()].reduce((a, b) => a + b, 0);
    console.log(
      `corpora: ${lines} lines from ${linesPerFile.size} libinjection files${MAX_LINES_PER_FILE > 0 ? ` (at most ${MAX_LINES_PER_FILE} per file, evenly spaced)` : ''}; ` +
        `query + form for each, cookie + User-Agent for every ${HEADER_EVERY}th line a header can carry: ${cases.length} cases`,
    );
    const notes: string[] = [
      'CRS regression-test payloads not sent: the CRS suite is the set the engine was tuned on.',
    ];
    if (SQLMAP && sqlmapAvailable()) {
      const recorded = await recordSqlmap(SQLMAP_TIMEOUT_MS, SQLMAP_EVERY);
      notes.push(...recorded.notes);
      cases.push(...recorded.cases);
    } else {
      notes.push(
        SQLMAP
          ? 'sqlmap not installed (apt-get install -y sqlmap): its requests not sent'
          : 'sqlmap skipped (DIFF_SQLMAP=0)',
      );
    }
    for (const note of notes) console.log(`note: ${note}`);
    console.log(
      `targets: ${ours.name} :${ours.port}, ${modsec.name} :${modsec.port}; upstream ${UPSTREAM}; ${CONCURRENCY} cases in flight`,
    );

    const outcomes = await compareAll(cases, ours, modsec);
    const plan = replayPlan(outcomes);
    const indices = [...new Set([...plan.disagreeing, ...plan.sample])].sort((a, b) => a - b);
    const replayed = await explain(
      indices.map((i) => outcomes[i] as Outcome),
      ours,
      modsec,
      logs,
    );
    const byIndex = new Map(indices.map((index, i) => [index, replayed[i] as Explained]));
    const explained = plan.disagreeing.map((i) => byIndex.get(i) as Explained);
    const sample = plan.sample.map((i) => byIndex.get(i) as Explained);
    const sameInSample = sample.filter(sameRules).length;
    // Both logs empty would agree trivially: say how many sampled cases fired a rule at all.
    const firedInSample = sample.filter((e) => e.oursRuleIds.length + e.anchorRuleIds.length > 0).length;

    printDecisions(outcomes);
    const groups = printCauses(
      `disagreements by cause (rule ids on one side only; ${explained.length} replayed):`,
      explained,
    );
    console.log(
      `\nrule-level comparison on an even sample of ${sample.length} cases: ${sameInSample} (${((sameInSample / Math.max(1, sample.length)) * 100).toFixed(2)} %) fire the same rule ids on both sides (scoring rules 949/959/980 aside); ${firedInSample} of them fired a rule on either side`,
    );
    const sampleGroups = printCauses(
      'rule-level differences in the sample, by cause:',
      sample.filter((e) => !sameRules(e)),
    );

    mkdirSync(dirname(REPORT), { recursive: true });
    const report = {
      date: new Date().toISOString(),
      durationS: Math.round((Date.now() - runStarted) / 1000),
      settings: {
        crs: CRS_DIR,
        concurrency: CONCURRENCY,
        headerEvery: HEADER_EVERY,
        maxLinesPerFile: MAX_LINES_PER_FILE,
        ruleSample: RULE_SAMPLE,
      },
      notes,
      totals: tally(outcomes, () => 'all').get('all'),
      perFamilyMode: Object.fromEntries(tally(outcomes, (o) => `${o.case.family} / ${o.case.mode}`)),
      perCorpus: Object.fromEntries(tally(outcomes, (o) => o.case.corpus)),
      causes: groups.map((g) => ({
        cause: g.cause,
        count: g.count,
        example: requestOf(g.example.outcome.case),
      })),
      oneSidedRules: oneSidedRules(explained),
      disagreements: explained.map(detail),
      unexplained:
        outcomes.filter((o) => o.kind === 'weBlock' || o.kind === 'wePass').length - explained.length,
      ruleSample: {
        cases: sample.length,
        sameRules: sameInSample,
        firedAnyRule: firedInSample,
        causes: sampleGroups.map((g) => ({
          cause: g.cause,
          count: g.count,
          example: requestOf(g.example.outcome.case),
        })),
        oneSidedRules: oneSidedRules(sample),
        differences: sample.filter((e) => !sameRules(e)).map(detail),
      },
      other: outcomes
        .filter((o) => o.kind === 'other')
        .map((o) => ({
          corpus: o.case.corpus,
          mode: o.case.mode,
          request: requestOf(o.case),
          ours: o.ours,
          modsecurity: o.anchor,
        })),
    };
    writeFileSync(REPORT, JSON.stringify(report, null, 1));
    console.log(`\nreport (every disagreement, with both sides' rule ids): ${REPORT}`);
    console.log(`run time: ${report.durationS} s`);
  } finally {
    gateway?.kill('SIGTERM');
    stopAnchor(ANCHOR_DIR, anchor);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
