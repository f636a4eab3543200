/**
 * Transport security, the part this slice covers: a shop on a public host served over
 * plain http is a finding; https targets get HSTS checked by security-headers. TLS
 * protocol versions, ciphers and the certificate chain are not checked yet, so this class
 * never passes (the check reports `partial`).
 */
import type { Check } from '../check.js';
import { isLoopbackHost } from '../check.js';

export const transportCheck: Check = {
  id: 'transport',
  kind: 'passive',
  attackClass: 'transport-security',
  title: 'Transport security (https, HSTS; TLS details later)',
  async run(context) {
    const target = context.target;
    if (target.protocol === 'http:' && !isLoopbackHost(target.hostname)) {
      context.report({
        checkId: 'transport',
        attackClass: 'transport-security',
        title: 'The shop is served over plain http',
        cvssVector: 'CVSS:3.1/AV:A/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N',
        cwe: 'CWE-319',
        url: `${target.origin}/`,
        description: 'Passwords, session cookies and addresses cross the network in clear text.',
        evidence: { request: `GET ${target.href}`, response: '', proof: `the target URL uses http:` },
        reproduce: `curl -sI ${target.origin}/`,
        remediation: 'Serve the shop over https only, redirect http to https, then add HSTS.',
      });
    }
    return {
      status: 'partial',
      tested: 1,
      reason:
        target.protocol === 'https:'
          ? 'TLS versions, ciphers and the certificate chain are not checked yet'
          : 'the target does not use TLS (loopback http is not reported); TLS checks are not implemented yet',
    };
  },
};
