/**
 * CSRF tokens on state-changing forms: a POST form with no hidden field that looks like a
 * per-session token (csrf, xsrf, _token, authenticity_token, nonce…) can be submitted from
 * another site with the customer's cookies. Read from the forms the crawl saw; nothing is
 * submitted. SameSite=Lax cookies blunt it in current browsers, which the finding says; a
 * defence by custom header or Origin check is invisible here and would be a false positive.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';

const TOKEN_FIELD = /csrf|xsrf|_token|authenticity|nonce|__requestverificationtoken|form_key|formkey/i;

export const csrfTokensCheck: Check = {
  id: 'csrf-tokens',
  kind: 'passive',
  attackClass: 'access-control',
  title: 'CSRF tokens on forms that change state (POST)',
  async run(context) {
    const forms = context.site.forms.filter(
      (f) => f.method === 'POST' && new URL(f.action).origin === context.target.origin,
    );
    for (const form of forms) {
      if (form.fields.some((f) => f.type === 'hidden' && TOKEN_FIELD.test(f.name))) continue;
      const page = context.site.pages.find((p) => p.url === form.pageUrl);
      const action = new URL(form.action);
      context.report({
        checkId: 'csrf-tokens',
        attackClass: 'access-control',
        title: `Form without a CSRF token: POST ${action.pathname}`,
        cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N',
        cwe: 'CWE-352',
        url: form.action,
        method: 'POST',
        description: `The form posting to ${action.pathname} (on ${form.pageUrl}) has no anti-CSRF token: a page on another site can submit it with the customer's cookies. SameSite=Lax cookies stop this in current browsers, not in older ones.`,
        evidence: page
          ? evidenceOf(
              page.response,
              `form fields: ${form.fields.map((f) => `${f.name} (${f.type})`).join(', ') || 'none'}`,
              action.pathname,
            )
          : {
              request: `GET ${form.pageUrl}`,
              response: '',
              proof: `form fields: ${form.fields.map((f) => f.name).join(', ')}`,
            },
        reproduce: `Host <form method="post" action="${form.action}">…</form> on another origin, submit it while logged in to the shop.`,
        remediation:
          'Add a per-session token as a hidden field to every state-changing form and reject POSTs without it (synchroniser token), in addition to SameSite cookies.',
      });
    }
    return forms.length === 0
      ? { status: 'tested', tested: 0, reason: 'no POST form was found' }
      : { status: 'tested', tested: forms.length };
  },
};
