/**
 * Time-based blind SQL injection in GET parameters: a payload that makes the database
 * wait (SLEEP, pg_sleep) or work (SQLite has no sleep: a recursive CTE counting millions
 * of rows) against the very same payload told to wait zero, in interleaved pairs after a
 * baseline of harmless requests (see timing.ts): a slow server slows both sides and is
 * never reported. Covered: SQLite (heavy query), PostgreSQL (`pg_sleep`), MySQL/MariaDB
 * (`SLEEP`), in string and numeric contexts. Not covered: SQL Server (`WAITFOR` needs
 * stacked queries), Oracle, injection outside GET parameters.
 */
import type { InjectionPoint } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse, ScanResult } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';
import { curlFor, pointLabel, pointWhat, sendTo, testEachInjectionPoint } from './injection-points.js';
import { measurePairs, type TimedProbe, type TimingDecision } from './timing.js';

/**
 * Rows the SQLite payload counts first: 0.5 to 1.3 s on the machines we measured (0.12 to
 * 0.33 µs a row), so it is escalated (see `heavierAmount`) where it falls short of the gap.
 */
export const SQLITE_HEAVY_ROWS = 4_000_000;
const SLEEP_SECONDS = 2;
const BASELINE_REQUESTS = 3;
const CONFIRM_PAIRS = 2;
/** A heavy query is retried heavier (once) only if every pair it ran slowed the answer by this much. */
const ESCALATE_ABOVE_MS = 150;
/** The retry aims at this multiple of the required gap, at most `MAX_ESCALATION` times heavier. */
const ESCALATION_MARGIN = 2.5;
const MAX_ESCALATION = 16;

interface Payload {
  dbms: 'SQLite' | 'PostgreSQL' | 'MySQL/MariaDB';
  context: 'string' | 'numeric';
  /** The value sent; `amount` is the sleep in seconds or the rows to count (0 or 1 for the control). */
  build(original: string, amount: number): string;
  amount: number;
  control: number;
  minGapMs: number;
  heavy: boolean;
}

const cte = (rows: number) =>
  `(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n<${rows}) SELECT COUNT(*) FROM c)`;

/** Sleep payloads first: they name the DBMS; the heavy CTE also runs on PostgreSQL. */
export const TIME_PAYLOADS: readonly Payload[] = [
  {
    dbms: 'PostgreSQL',
    context: 'string',
    build: (o, s) => `${o}' || (SELECT '' FROM pg_sleep(${s})) || '`,
    amount: SLEEP_SECONDS,
    control: 0,
    minGapMs: 1000,
    heavy: false,
  },
  {
    dbms: 'MySQL/MariaDB',
    context: 'string',
    build: (o, s) => `${o}' AND (SELECT 1 FROM (SELECT SLEEP(${s}))x) AND '1'='1`,
    amount: SLEEP_SECONDS,
    control: 0,
    minGapMs: 1000,
    heavy: false,
  },
  {
    dbms: 'SQLite',
    context: 'string',
    build: (o, rows) => `${o}' || ${cte(rows)} || '`,
    amount: SQLITE_HEAVY_ROWS,
    control: 1,
    minGapMs: 500,
    heavy: true,
  },
  {
    dbms: 'PostgreSQL',
    context: 'numeric',
    build: (o, s) => `${o} AND 1=(SELECT 1 FROM pg_sleep(${s}))`,
    amount: SLEEP_SECONDS,
    control: 0,
    minGapMs: 1000,
    heavy: false,
  },
  {
    dbms: 'MySQL/MariaDB',
    context: 'numeric',
    build: (o, s) => `${o} AND (SELECT 1 FROM (SELECT SLEEP(${s}))x)`,
    amount: SLEEP_SECONDS,
    control: 0,
    minGapMs: 1000,
    heavy: false,
  },
  {
    dbms: 'SQLite',
    context: 'numeric',
    build: (o, rows) => `${o} AND ${cte(rows)}>0`,
    amount: SQLITE_HEAVY_ROWS,
    control: 1,
    minGapMs: 500,
    heavy: true,
  },
];

export const sqlInjectionTimeCheck: Check = {
  id: 'sql-injection-time',
  kind: 'active',
  attackClass: 'injection',
  title: 'Time-based blind SQL injection in GET parameters and POST form fields (SQLite, PostgreSQL, MySQL)',
  run: (context) => testEachInjectionPoint(context, testPoint),
};

async function testPoint(context: CheckContext, point: InjectionPoint): Promise<boolean> {
  const original = point.params[point.name] ?? '';
  const baselineMs: number[] = [];
  for (let i = 0; i < BASELINE_REQUESTS; i++) {
    const res = await sendTo(context, point, original);
    if (!res.ok) return skip(context, point, res.detail);
    baselineMs.push(res.elapsedMs);
  }
  const contexts = /^\d+$/.test(original) ? ['numeric', 'string'] : ['string'];
  for (const payload of TIME_PAYLOADS.filter((p) => contexts.includes(p.context))) {
    let amount = payload.amount;
    for (let attempt = 0; attempt < (payload.heavy ? 2 : 1); attempt++) {
      let lastDelayed: ScanResponse | null = null;
      const probe = async (value: string, keep: boolean): Promise<TimedProbe> => {
        const res: ScanResult = await sendTo(context, point, value);
        if (res.ok && keep) lastDelayed = res;
        return res.ok ? { ok: true, elapsedMs: res.elapsedMs } : { ok: false, elapsedMs: 0 };
      };
      const delayedValue = payload.build(original, amount);
      const measured = await measurePairs(
        () => probe(delayedValue, true),
        () => probe(payload.build(original, payload.control), false),
        { baselineMs, minGapMs: payload.minGapMs, confirmPairs: CONFIRM_PAIRS },
      );
      if (!measured) return skip(context, point, `a ${payload.dbms} timing probe failed`);
      if (measured.decision.delayed && lastDelayed) {
        report(context, point, payload, delayedValue, lastDelayed, measured.decision, baselineMs);
        return true;
      }
      const heavier = heavierAmount(amount, measured.decision);
      if (heavier === null) break;
      amount = heavier;
    }
  }
  return true;
}

/**
 * The heavier amount to retry a heavy query with when it slowed every pair, but by less than
 * required: scaled so the expected gap is `ESCALATION_MARGIN` times the required one (the
 * work is linear in the rows), at least doubled and at most `MAX_ESCALATION` times. Null when
 * some pair was not slowed by `ESCALATE_ABOVE_MS`: nothing there to scale up.
 * @example heavierAmount(4_000_000, { smallestGapMs: 490, requiredGapMs: 500 }) // 12_000_000
 */
export function heavierAmount(
  amount: number,
  decision: Pick<TimingDecision, 'smallestGapMs' | 'requiredGapMs'>,
): number | null {
  if (decision.smallestGapMs < ESCALATE_ABOVE_MS) return null;
  const factor = Math.ceil((ESCALATION_MARGIN * decision.requiredGapMs) / decision.smallestGapMs);
  return amount * Math.min(MAX_ESCALATION, Math.max(2, factor));
}

function skip(context: CheckContext, point: InjectionPoint, why: string): false {
  context.notChecked(pointLabel(point), `sql-injection-time: ${why}`);
  return false;
}

function report(
  context: CheckContext,
  point: InjectionPoint,
  payload: Payload,
  value: string,
  res: ScanResponse,
  decision: TimingDecision,
  baselineMs: number[],
): void {
  context.report({
    checkId: 'sql-injection-time',
    attackClass: 'injection',
    title: `Time-based blind SQL injection in ${pointWhat(point)}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cwe: 'CWE-89',
    url: point.url,
    method: point.method,
    parameter: point.name,
    description: `The ${point.name} parameter of ${new URL(point.url).pathname} reaches an SQL query (${payload.dbms}, ${payload.context} context): a payload that makes the database ${payload.heavy ? 'count millions of rows' : 'sleep'} delays the answer, the same payload told not to does not. Even with errors hidden and identical pages, an attacker reads the database one bit per request.`,
    evidence: evidenceOf(
      res,
      `${decision.reason}; baseline ${baselineMs.map((ms) => `${Math.round(ms)} ms`).join(', ')}`,
    ),
    reproduce: `time ${curlFor(point, value, '-s -o /dev/null')}\ntime ${curlFor(point, payload.build(point.params[point.name] ?? '', payload.control), '-s -o /dev/null')}`,
    remediation:
      'Use parameterised queries (placeholders) for every value; never build SQL from strings. A statement timeout limits the damage of heavy queries.',
    data: {
      dbms: payload.dbms,
      context: payload.context,
      payload: value,
      baselineMs,
      gapMs: decision.smallestGapMs,
    },
  });
}
