/**
 * OS command injection in GET parameters, two ways:
 * - output-based: shell separators (`;`, `|`, `&&`, `||`, a newline, `$(…)`, backticks,
 *   and quote-breaking forms) followed by `echo <token>$((40+2))`; the token followed by 42
 *   in the answer proves a shell evaluated the arithmetic (the raw payload only holds
 *   `$((40+2))`, so an echo of the value never matches);
 * - time-based, when no output shows: `sleep 2` against `sleep 0` in interleaved pairs
 *   after a baseline (timing.ts), so a slow server is never reported.
 * POSIX shells only (sh, bash, dash…): Windows `cmd.exe` payloads are not sent.
 */
import type { InjectionPoint } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import { probeToken, type Check, type CheckContext } from '../check.js';
import { curlFor, pointLabel, pointWhat, sendTo, testEachInjectionPoint } from './injection-points.js';
import { measurePairs, type TimedProbe } from './timing.js';

/** `{cmd}` is replaced by the command; each form is appended to the parameter's original value. */
export const COMMAND_SEPARATORS = [
  ';{cmd}',
  '|{cmd}',
  '&&{cmd}',
  '||{cmd}',
  '\n{cmd}\n',
  '$({cmd})',
  '`{cmd}`',
  "';{cmd};'",
  '";{cmd};"',
];
const TIME_SEPARATORS = [';{cmd}', '$({cmd})', "';{cmd};'", '";{cmd};"'];
const SLEEP_SECONDS = 2;
const MIN_GAP_MS = 1000;
const BASELINE_REQUESTS = 3;
const CONFIRM_PAIRS = 2;
const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

export const commandInjectionCheck: Check = {
  id: 'command-injection',
  kind: 'active',
  attackClass: 'injection',
  title: 'OS command injection in GET parameters and POST form fields (output- and time-based, POSIX shells)',
  run: (context) => testEachInjectionPoint(context, testPoint),
};

async function testPoint(context: CheckContext, point: InjectionPoint): Promise<boolean> {
  const original = point.params[point.name] ?? '';
  const send = (value: string) => sendTo(context, point, value);
  const baseline: number[] = [];
  let baselineBody = '';
  for (let i = 0; i < BASELINE_REQUESTS; i++) {
    const res = await send(original);
    if (!res.ok) return skip(context, point, res.detail);
    baseline.push(res.elapsedMs);
    baselineBody = res.body;
  }
  const token = probeToken();
  const proof = `${token}42`;
  for (const form of COMMAND_SEPARATORS) {
    const value = original + form.replace('{cmd}', `echo ${token}$((40+2))`);
    const res = await send(value);
    if (!res.ok) return skip(context, point, res.detail);
    if (res.body.includes(proof) && !baselineBody.includes(proof)) {
      report(
        context,
        point,
        value,
        res,
        'output-based',
        `the answer holds "${proof}": a shell computed $((40+2))`,
        proof,
      );
      return true;
    }
  }
  for (const form of TIME_SEPARATORS) {
    let last: ScanResponse | null = null;
    const probe = async (seconds: number): Promise<TimedProbe> => {
      const res = await send(original + form.replace('{cmd}', `sleep ${seconds}`));
      if (res.ok && seconds > 0) last = res;
      return res.ok ? { ok: true, elapsedMs: res.elapsedMs } : { ok: false, elapsedMs: 0 };
    };
    const measured = await measurePairs(
      () => probe(SLEEP_SECONDS),
      () => probe(0),
      { baselineMs: baseline, minGapMs: MIN_GAP_MS, confirmPairs: CONFIRM_PAIRS },
    );
    if (!measured) return skip(context, point, 'a timing probe failed');
    if (measured.decision.delayed && last) {
      const value = original + form.replace('{cmd}', `sleep ${SLEEP_SECONDS}`);
      report(context, point, value, last, 'time-based', measured.decision.reason);
      return true;
    }
  }
  return true;
}

function skip(context: CheckContext, point: InjectionPoint, why: string): false {
  context.notChecked(pointLabel(point), `command-injection: ${why}`);
  return false;
}

function report(
  context: CheckContext,
  point: InjectionPoint,
  value: string,
  res: ScanResponse,
  technique: 'output-based' | 'time-based',
  proof: string,
  needle?: string,
): void {
  context.report({
    checkId: 'command-injection',
    attackClass: 'injection',
    title: `OS command injection (${technique}) in ${pointWhat(point)}`,
    cvssVector: CVSS,
    cwe: 'CWE-78',
    url: point.url,
    method: point.method,
    parameter: point.name,
    description: `The ${point.name} parameter of ${new URL(point.url).pathname} is pasted into a shell command line: an attacker runs any command on the server with the shop's rights (read secrets, install a card skimmer, pivot into the network).`,
    evidence: evidenceOf(res, proof, needle),
    reproduce: curlFor(point, value),
    remediation:
      'Never build shell command lines from request values: call the program directly with an argument array (execFile, no shell), validate the value against a strict pattern first, or use a library instead of a command.',
    data: { technique, payload: value },
  });
}
