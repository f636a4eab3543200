/**
 * Version disclosure: response headers that name the server software with its version
 * (Server, X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version, X-Generator). A product
 * name without a version is not reported; a version tells an attacker which exploits fit.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';

const HEADERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator'];
const HAS_VERSION = /\d+\.\d+/;

export const versionDisclosureCheck: Check = {
  id: 'version-disclosure',
  kind: 'passive',
  attackClass: 'exposed-data',
  title: 'Software versions in response headers',
  async run(context) {
    for (const page of context.site.pages) {
      for (const name of HEADERS) {
        const value = page.response.headers[name];
        if (!value || !HAS_VERSION.test(value)) continue;
        context.report({
          checkId: 'version-disclosure',
          attackClass: 'exposed-data',
          title: `Software version disclosed in ${name}: ${value.slice(0, 80)}`,
          cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N',
          cwe: 'CWE-497',
          url: `${context.target.origin}/`,
          parameter: name,
          detailKey: name,
          description: `The ${name} header names the software and its version, which tells an attacker which known vulnerabilities to try.`,
          evidence: evidenceOf(page.response, `${name}: ${value}`),
          reproduce: `curl -sI ${page.url} | grep -i ${name}`,
          remediation: `Remove the version from ${name} (or the header): e.g. nginx \`server_tokens off\`, PHP \`expose_php = Off\`, Express \`app.disable('x-powered-by')\`.`,
        });
      }
    }
    return { status: 'tested', tested: context.site.pages.length };
  },
};
