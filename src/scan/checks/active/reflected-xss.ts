/**
 * Reflected XSS in GET parameters: a harmless probe tag (`<ensXXXX>`) and a probe attribute
 * are sent, and the answer is parsed as a browser parses it (parse5). When the parsed page
 * holds an element or attribute the probe created, the server let markup through unescaped.
 * With the browser (`--browser`) the candidate is then verified by execution: the page is
 * loaded in Chromium with a payload that calls a marker function, and the finding says whether
 * it ran (a CSP or a filter may stop it: then it is reported as reflected but not executed).
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import type { InjectionPoint } from '../../crawl/crawler.js';
import { isHtml } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import { xssAttributePayloads, xssElementPayload } from '../../browser/browser.js';
import { probeToken, type Check, type CheckContext } from '../check.js';
import {
  curlFor,
  pointLabel,
  pointWhat,
  sendTo,
  testEachInjectionPoint,
  urlWith,
} from './injection-points.js';

type Node = DefaultTreeAdapterMap['node'];

/** True when the parsed document has an element named `tag` or an attribute named `attribute`. */
export function markupInjected(html: string, tag: string, attribute: string): 'element' | 'attribute' | null {
  const stack: Node[] = [parse(html)];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if ('tagName' in node) {
      if (node.tagName === tag) return 'element';
      if (node.attrs.some((a) => a.name === attribute)) return 'attribute';
    }
    if ('childNodes' in node) stack.push(...node.childNodes);
  }
  return null;
}

export const reflectedXssCheck: Check = {
  id: 'reflected-xss',
  kind: 'active',
  attackClass: 'xss',
  title: 'Reflected XSS in GET parameters and POST form fields (reflection, parsed as a browser would)',
  run: (context) => testEachInjectionPoint(context, testPoint),
};

async function testPoint(context: CheckContext, point: InjectionPoint): Promise<boolean> {
  const token = probeToken();
  const payloads = [`${token}<${token}x>`, `${token}"${token}y=1 x="'${token}y=1 x='`];
  for (const payload of payloads) {
    const res = await sendTo(context, point, payload);
    if (!res.ok) {
      context.notChecked(pointLabel(point), `reflected-xss: ${res.detail}`);
      return false;
    }
    if (!isHtml(res) || !res.body.includes(token)) continue;
    const how = markupInjected(res.body, `${token}x`, `${token}y`);
    if (how) {
      report(context, point, res, payload, how, await verifyByExecution(context, point, how));
      return true;
    }
  }
  return true;
}

/** What loading the page with a running payload in Chromium showed; null without the browser. */
type Execution = { executed: true; payload: string } | { executed: false; reason: string } | null;

async function verifyByExecution(
  context: CheckContext,
  point: InjectionPoint,
  how: 'element' | 'attribute',
): Promise<Execution> {
  if (!context.browser) return null;
  // A POST form would need Chromium to submit it: not verified by execution (yet).
  if (point.method === 'POST') return null;
  const marker = probeToken();
  const payloads = how === 'element' ? [xssElementPayload(marker)] : xssAttributePayloads(marker);
  let reason = 'no payload ran (a CSP or a filter stopped it)';
  for (const payload of payloads) {
    const visit = await context.browser.visit(urlWith(point, payload));
    if (!visit.ok) {
      reason = `Chromium could not load the page: ${visit.detail}`;
      continue;
    }
    if (visit.executed.includes(marker)) return { executed: true, payload };
  }
  return { executed: false, reason };
}

function report(
  context: CheckContext,
  point: InjectionPoint,
  res: ScanResponse,
  payload: string,
  how: 'element' | 'attribute',
  execution: Execution,
): void {
  const csp = res.headers['content-security-policy'];
  const example = execution?.executed
    ? execution.payload.replace(/__ensuresecXss\(\/\w+\/\.source\)/, 'alert(document.domain)')
    : how === 'element'
      ? '<script>alert(document.domain)</script>'
      : '" autofocus onfocus="alert(document.domain)';
  const verification =
    execution === null
      ? csp
        ? ' A Content-Security-Policy is present and may stop script execution (not verified: scan with --browser).'
        : ' Not verified by execution (scan with --browser).'
      : execution.executed
        ? ` Verified by execution in Chromium: the payload ${JSON.stringify(execution.payload)} ran.`
        : ` Reflected, but not executed in Chromium: ${execution.reason}.`;
  context.report({
    checkId: 'reflected-xss',
    attackClass: 'xss',
    title: `Reflected XSS in ${pointWhat(point)}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwe: 'CWE-79',
    url: point.url,
    method: point.method,
    parameter: point.name,
    description:
      `The ${point.name} parameter is echoed into the page without escaping: the probe created a new HTML ${how}. A link with a script in it runs that script in the customer's session.` +
      verification,
    evidence: evidenceOf(
      res,
      `the parsed page contains the ${how} injected by ${JSON.stringify(payload)}`,
      payload.slice(0, 20),
    ),
    reproduce:
      point.method === 'GET'
        ? `Open ${urlWith(point, example)} in a browser.`
        : `Submit the form of ${point.form?.pageUrl ?? point.url} with ${point.name} set to ${JSON.stringify(example)} (a page of the attacker's can post it for the victim); the answer: ${curlFor(point, example)}`,
    remediation:
      'Escape every value for its context when writing HTML (use the template engine’s auto-escaping); add a CSP without unsafe-inline as a second layer.',
    data: {
      payload,
      context: how,
      cspPresent: Boolean(csp),
      verified: execution === null ? 'not-run' : execution.executed ? 'executed-in-chromium' : 'not-executed',
      ...(execution?.executed ? { executedPayload: execution.payload } : {}),
    },
  });
}
