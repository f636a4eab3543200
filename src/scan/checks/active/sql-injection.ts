/**
 * SQL injection in GET parameters, two ways:
 * - error-based: a stray quote makes the database print an error it did not print for
 *   the original value (signatures of SQLite, MySQL/MariaDB, PostgreSQL, SQL Server, Oracle);
 * - boolean-based: a condition that is true changes the page, the same condition made
 *   false does not (it matches the page for a harmless value), and a second true/false
 *   pair repeats it. Echoes of the payload are removed before pages are compared.
 * Time-based blind injection is the `sql-injection-time` check.
 */
import type { InjectionPoint } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';
import {
  curlFor,
  pointLabel,
  pointWhat,
  sendTo,
  similarity,
  testEachInjectionPoint,
  withoutEchoes,
} from './injection-points.js';

export const SQL_ERROR_SIGNATURES: RegExp[] = [
  /SQLITE_ERROR|SqliteError|unrecognized token: |near "[^"]{0,60}": syntax error|incomplete input/,
  /You have an error in your SQL syntax|mysql_fetch|MySqlException|MariaDB server version/i,
  /PG::SyntaxError|syntax error at or near "|unterminated quoted string at or near/i,
  /Unclosed quotation mark after the character string|Microsoft OLE DB Provider for SQL Server|SqlException/,
  /\bORA-\d{5}\b/,
  /SQLSTATE\[\w+\]/,
];

const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const SAME = 0.97;
const DIFFERENT = 0.9;

function sqlError(body: string): RegExpExecArray | null {
  for (const signature of SQL_ERROR_SIGNATURES) {
    const match = signature.exec(body);
    if (match) return match;
  }
  return null;
}

export const sqlInjectionCheck: Check = {
  id: 'sql-injection',
  kind: 'active',
  attackClass: 'injection',
  title: 'SQL injection (error-based and boolean-based) in GET parameters and POST form fields',
  run: (context) => testEachInjectionPoint(context, testPoint),
};

interface Hit {
  technique: 'error-based' | 'boolean-based';
  response: ScanResponse;
  proof: string;
  needle?: string;
  payload: string;
}

/** Both techniques always run, so a finding says which ones confirmed it. */
async function testPoint(context: CheckContext, point: InjectionPoint): Promise<boolean> {
  const send = (value: string) => sendTo(context, point, value);
  const original = point.params[point.name] ?? '';
  const baseline = await send(original);
  if (!baseline.ok) return skip(context, point, baseline.detail);
  const hits: Hit[] = [];
  const baselineError = sqlError(baseline.body);
  for (const quote of ["'", '"']) {
    const broken = await send(original + quote);
    if (!broken.ok) return skip(context, point, broken.detail);
    const match = sqlError(broken.body);
    if (match && !baselineError) {
      hits.push({
        technique: 'error-based',
        response: broken,
        proof: `Database error after adding ${quote}: "${match[0]}"`,
        needle: match[0],
        payload: original + quote,
      });
      break;
    }
  }
  const boolean = await testBoolean(point, original, send);
  if (typeof boolean === 'string') return skip(context, point, boolean);
  if (boolean) hits.push(boolean);
  if (hits.length > 0) report(context, point, hits);
  return true;
}

/** The boolean-based hit, null when there is none, or why it could not be tested. */
async function testBoolean(
  point: InjectionPoint,
  original: string,
  send: (value: string) => ReturnType<CheckContext['http']['send']>,
): Promise<Hit | null | string> {
  const harmless = original ? original : 'ensuresec';
  const numeric = /^\d+$/.test(original);
  const pairs = numeric
    ? [
        [`${original} AND 1=1`, `${original} AND 1=2`],
        [`${original} AND 2>1`, `${original} AND 2<1`],
      ]
    : [
        [`${harmless}' OR 1=1 -- `, `${harmless}' AND 1=2 -- `],
        [`${harmless}' OR 2>1 -- `, `${harmless}' AND 2<1 -- `],
      ];
  const control = await send(harmless);
  const again = await send(harmless);
  if (!control.ok) return control.detail;
  if (!again.ok) return again.detail;
  // A page that answers the same value identically twice is compared exactly; a page with
  // changing parts (tokens, times) by the share of lines in common.
  const stable = withoutEchoes(control, [harmless]) === withoutEchoes(again, [harmless]);
  let last: Hit | null = null;
  for (const [truePayload = '', falsePayload = ''] of pairs) {
    const truth = await send(truePayload);
    const falsehood = await send(falsePayload);
    if (!truth.ok) return truth.detail;
    if (!falsehood.ok) return falsehood.detail;
    const values = [truePayload, falsePayload, harmless];
    const t = withoutEchoes(truth, values);
    const f = withoutEchoes(falsehood, values);
    const c = withoutEchoes(control, values);
    // One side must look like the harmless value: a tautology (OR) changes the page and its
    // negation does not; a conjunction (AND) keeps the page and its negation empties it.
    const closest = Math.max(similarity(f, c), similarity(t, c));
    const differs = stable
      ? t !== f && (f === c || t === c)
      : similarity(t, f) < DIFFERENT && closest >= SAME;
    if (truth.status >= 500 || falsehood.status >= 500 || !differs) return null;
    last = {
      technique: 'boolean-based',
      response: truth,
      payload: truePayload,
      proof: `true condition ${JSON.stringify(truePayload)} and false condition ${JSON.stringify(falsePayload)} give different pages, one of them the page of a harmless value; a second pair agrees`,
    };
  }
  return last;
}

function skip(context: CheckContext, point: InjectionPoint, why: string): false {
  context.notChecked(pointLabel(point), `sql-injection: ${why}`);
  return false;
}

function report(context: CheckContext, point: InjectionPoint, hits: Hit[]): void {
  const techniques = hits.map((h) => h.technique);
  const first = hits[0] as Hit;
  context.report({
    checkId: 'sql-injection',
    attackClass: 'injection',
    title: `SQL injection (${techniques.join(', ')}) in ${pointWhat(point)}`,
    cvssVector: CVSS,
    cwe: 'CWE-89',
    url: point.url,
    method: point.method,
    parameter: point.name,
    description: `The ${point.name} parameter of ${new URL(point.url).pathname} is pasted into an SQL query: an attacker can read or change the whole database (customers, password hashes, orders).`,
    evidence: evidenceOf(first.response, hits.map((h) => h.proof).join(' | '), first.needle),
    reproduce: hits.map((h) => curlFor(point, h.payload)).join('\n'),
    remediation:
      'Use parameterised queries (placeholders) for every value; never build SQL from strings. Do not show database errors to visitors.',
    data: { techniques, payloads: hits.map((h) => h.payload) },
  });
}
