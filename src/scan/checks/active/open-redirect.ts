/**
 * Open redirect: parameters whose name or value looks like a destination (next, url,
 * return…, or a value that is a path or URL) are set to a foreign site; a 3xx whose
 * Location leads there is a finding. Redirects made by scripts or meta refresh are not
 * seen yet.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';
import { curlFor, injectionPointsOf, pointLabel, pointWhat, sendTo } from './injection-points.js';

export const REDIRECT_PROBE_HOST = 'ensuresec-redirect-probe.example';
const REDIRECT_NAMES =
  /^(next|url|redirect|redirect_?ur[il]|return|return_?to|return_?url|continue|dest|destination|goto|target|r|u|back|forward|callback)$/i;

export const openRedirectCheck: Check = {
  id: 'open-redirect',
  kind: 'active',
  attackClass: 'access-control',
  title: 'Open redirect through destination parameters',
  async run(context) {
    const points = injectionPointsOf(context.site).filter((p) => {
      const value = p.params[p.name] ?? '';
      return REDIRECT_NAMES.test(p.name) || /^(https?:)?\/\//i.test(value) || value.startsWith('/');
    });
    let tested = 0;
    for (const point of points) {
      for (const payload of [
        `https://${REDIRECT_PROBE_HOST}/`,
        `//${REDIRECT_PROBE_HOST}/`,
        `/\\${REDIRECT_PROBE_HOST}/`,
      ]) {
        const res = await sendTo(context, point, payload);
        if (!res.ok) {
          context.notChecked(pointLabel(point), `open-redirect: ${res.detail}`);
          break;
        }
        const location = res.headers['location'] ?? '';
        let host = '';
        try {
          host = new URL(location.replace(/\\/g, '/'), point.url).hostname;
        } catch {
          host = '';
        }
        if (res.status >= 300 && res.status < 400 && host === REDIRECT_PROBE_HOST) {
          context.report({
            checkId: 'open-redirect',
            attackClass: 'access-control',
            title: `Open redirect in ${pointWhat(point)}`,
            cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
            cwe: 'CWE-601',
            url: point.url,
            method: point.method,
            parameter: point.name,
            description: `The shop redirects to whatever ${point.name} says: a phishing mail can use a link on the shop's own domain to send customers to a fake payment page.`,
            evidence: evidenceOf(res, `Location: ${location}`),
            reproduce: `${curlFor(point, payload, '-si')} | grep -i location`,
            remediation:
              'Redirect only to relative paths of your own site (or an allow-list of hosts); reject values that start with // or a scheme.',
            data: { payload },
          });
          break;
        }
      }
      tested++;
    }
    return points.length === 0
      ? { status: 'tested', tested: 0, reason: 'no destination-like parameter was found' }
      : { status: 'tested', tested };
  },
};
