/**
 * CORS misconfiguration: asks the home page and the JSON endpoints the crawl found with a
 * foreign Origin (and with `Origin: null`, what sandboxed frames send). An allowed origin
 * echoed back together with `Access-Control-Allow-Credentials: true` lets any site read a
 * logged-in customer's data.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';

export const CORS_PROBE_ORIGIN = 'https://ensuresec-cors-probe.example';
const MAX_ENDPOINTS = 4;

export const corsCheck: Check = {
  id: 'cors',
  kind: 'passive',
  attackClass: 'access-control',
  title: 'CORS: foreign origins allowed with credentials',
  async run(context) {
    const origin = context.target.origin;
    const endpoints = new Set<string>([`${origin}/`]);
    for (const page of context.site.pages) {
      if (/json/i.test(page.response.headers['content-type'] ?? '') && page.response.status < 400) {
        endpoints.add(page.url);
      }
      if (endpoints.size >= MAX_ENDPOINTS) break;
    }
    let tested = 0;
    for (const url of endpoints) {
      for (const probeOrigin of [CORS_PROBE_ORIGIN, 'null']) {
        const res = await context.http.send({ url, headers: { origin: probeOrigin } });
        if (!res.ok) {
          context.notChecked(url, `CORS probe: ${res.reason} (${res.detail})`);
          continue;
        }
        tested++;
        const allowed = res.headers['access-control-allow-origin'];
        const credentials = (res.headers['access-control-allow-credentials'] ?? '').toLowerCase() === 'true';
        if (allowed !== probeOrigin) continue;
        context.report({
          checkId: 'cors',
          attackClass: 'access-control',
          title: credentials
            ? `CORS allows any origin with credentials (${probeOrigin === 'null' ? 'null origin' : 'reflected origin'})`
            : `CORS reflects any origin (${probeOrigin === 'null' ? 'null origin' : 'reflected origin'}), without credentials`,
          cvssVector: credentials
            ? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N'
            : 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N',
          cwe: 'CWE-942',
          url,
          parameter: 'Origin',
          detailKey: probeOrigin === 'null' ? 'null' : 'reflected',
          description: credentials
            ? 'The server trusts whatever Origin asks and allows credentials: a page on any site can read this endpoint as the logged-in customer.'
            : 'The server echoes any Origin; without credentials only public data is exposed, but one added header makes it critical.',
          evidence: evidenceOf(
            res,
            `Origin: ${probeOrigin} → Access-Control-Allow-Origin: ${allowed}${credentials ? ', Access-Control-Allow-Credentials: true' : ''}`,
          ),
          reproduce: `curl -sI -H 'Origin: ${probeOrigin}' ${url} | grep -i access-control`,
          remediation:
            'Compare the Origin with an explicit allow-list of your own origins; never reflect it, never allow `null`.',
        });
      }
    }
    return tested > 0
      ? { status: 'tested', tested }
      : { status: 'not-tested', tested, reason: 'no CORS probe was answered' };
  },
};
