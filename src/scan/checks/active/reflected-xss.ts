/**
 * Reflected XSS in GET parameters, by reflection: a harmless probe tag (`<ensXXXX>`) and a
 * probe attribute are sent, and the answer is parsed as a browser parses it (parse5). When
 * the parsed page holds an element or attribute the probe created, the server let markup
 * through unescaped. It does not run the page in a browser yet: a CSP or a filter that
 * stops script execution is noted, not verified.
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import type { InjectionPoint } from '../../crawl/crawler.js';
import { isHtml } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import { probeToken, type Check, type CheckContext } from '../check.js';
import { urlWith } from './injection-points.js';

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
  title: 'Reflected XSS in GET parameters (reflection, parsed as a browser would)',
  async run(context) {
    const points = context.site.injectionPoints;
    if (points.length === 0)
      return { status: 'not-tested', tested: 0, reason: 'the crawl found no GET parameter to test' };
    let tested = 0;
    for (const point of points) if (await testPoint(context, point)) tested++;
    if (tested < points.length)
      return {
        status: 'partial',
        tested,
        reason: `${points.length - tested} parameters could not be tested`,
      };
    return { status: 'tested', tested };
  },
};

async function testPoint(context: CheckContext, point: InjectionPoint): Promise<boolean> {
  const token = probeToken();
  const payloads = [`${token}<${token}x>`, `${token}"${token}y=1 x="'${token}y=1 x='`];
  for (const payload of payloads) {
    const res = await context.http.send({ url: urlWith(point, payload) });
    if (!res.ok) {
      context.notChecked(`${point.url} ?${point.name}=`, `reflected-xss: ${res.detail}`);
      return false;
    }
    if (!isHtml(res) || !res.body.includes(token)) continue;
    const how = markupInjected(res.body, `${token}x`, `${token}y`);
    if (how) {
      report(context, point, res, payload, how);
      return true;
    }
  }
  return true;
}

function report(
  context: CheckContext,
  point: InjectionPoint,
  res: ScanResponse,
  payload: string,
  how: 'element' | 'attribute',
): void {
  const csp = res.headers['content-security-policy'];
  const example =
    how === 'element'
      ? '<script>alert(document.domain)</script>'
      : '" autofocus onfocus="alert(document.domain)';
  context.report({
    checkId: 'reflected-xss',
    attackClass: 'xss',
    title: `Reflected XSS in parameter ${point.name}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwe: 'CWE-79',
    url: point.url,
    method: 'GET',
    parameter: point.name,
    description:
      `The ${point.name} parameter is echoed into the page without escaping: the probe created a new HTML ${how}. A link with a script in it runs that script in the customer's session.` +
      (csp ? ` A Content-Security-Policy is present and may stop script execution (not verified yet).` : ''),
    evidence: evidenceOf(
      res,
      `the parsed page contains the ${how} injected by ${JSON.stringify(payload)}`,
      payload.slice(0, 20),
    ),
    reproduce: `Open ${urlWith(point, example)} in a browser.`,
    remediation:
      'Escape every value for its context when writing HTML (use the template engine’s auto-escaping); add a CSP without unsafe-inline as a second layer.',
    data: { payload, context: how, cspPresent: Boolean(csp) },
  });
}
