/**
 * Stored XSS, verified by execution in Chromium (needs `--browser`): every POST form the crawl
 * found that takes text (reviews, names, addresses, messages; never a login or sign-up form
 * with a password) is filled in the browser, one unique marker per text field, with a payload
 * that calls the marker function when it runs, and submitted as a visitor would (the page's own
 * session and CSRF token). Then the page the form answered with and the crawled pages are loaded
 * again; a marker that runs on any of them proves the field is stored and written into a page
 * unescaped. It can miss: values shown only to other roles (an admin's back office), forms
 * that need a valid multi-step flow, fields checked against a format before being stored.
 */
import { xssElementPayload } from '../../browser/browser.js';
import type { SiteForm } from '../../crawl/crawler.js';
import { cap, evidenceOf } from '../../findings/evidence.js';
import { probeToken, successfulHtmlPages, type Check, type CheckContext } from '../check.js';

/** Forms submitted per scan, and pages loaded again to look for the markers. */
const MAX_FORMS = 10;
const MAX_PAGES_REVISITED = 12;
const TEXT_TYPES = new Set(['text', 'textarea', 'search', '']);
/** Forms of one shape (the same fields posted to `/products/<any>/reviews`): two are enough. */
const MAX_PER_SHAPE = 2;

function shapeOf(form: SiteForm): string {
  const segments = new URL(form.action).pathname.split('/');
  return `${segments.length} ${segments[1] ?? ''} ${segments.at(-1) ?? ''} ${form.fields.map((f) => f.name).join(',')}`;
}

/** The POST forms that take text (not a password), at most two of each shape. */
function formsToTest(forms: SiteForm[]): SiteForm[] {
  const perShape = new Map<string, number>();
  return forms.filter((f) => {
    if (f.method !== 'POST' || f.fields.some((x) => x.type === 'password')) return false;
    if (!f.fields.some((x) => TEXT_TYPES.has(x.type))) return false;
    const shape = shapeOf(f);
    const seen = perShape.get(shape) ?? 0;
    perShape.set(shape, seen + 1);
    return seen < MAX_PER_SHAPE;
  });
}

interface Planted {
  marker: string;
  form: SiteForm;
  field: string;
  payload: string;
}

export const storedXssCheck: Check = {
  id: 'stored-xss',
  kind: 'active',
  attackClass: 'xss',
  title: 'Stored XSS in form fields (verified by execution in Chromium)',
  async run(context) {
    const browser = context.browser;
    if (!browser)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'stored XSS is verified by execution: scan with --browser',
      };
    const forms = formsToTest(context.site.forms);
    if (forms.length === 0) return { status: 'tested', tested: 0 };
    const planted: Planted[] = [];
    const shownAt = new Map<string, string>();
    const revisit = new Set<string>();
    let tested = 0;
    for (const form of forms.slice(0, MAX_FORMS)) {
      const values: Record<string, string> = {};
      for (const field of form.fields) {
        if (!TEXT_TYPES.has(field.type)) continue;
        const marker = probeToken();
        values[field.name] = xssElementPayload(marker);
        planted.push({ marker, form, field: field.name, payload: values[field.name] as string });
      }
      const visit = await browser.submitForm(form.pageUrl, { action: form.action, values });
      if (!visit.ok) {
        context.notChecked(`POST ${form.action}`, `stored-xss: ${visit.detail}`);
        continue;
      }
      tested++;
      for (const marker of visit.executed) if (!shownAt.has(marker)) shownAt.set(marker, visit.url);
      revisit.add(form.pageUrl);
      revisit.add(visit.url);
    }
    for (const page of successfulHtmlPages(context.site)) revisit.add(page.url);
    for (const url of [...revisit].slice(0, MAX_PAGES_REVISITED)) {
      const visit = await browser.visit(url);
      if (!visit.ok) continue;
      for (const marker of visit.executed) if (!shownAt.has(marker)) shownAt.set(marker, visit.url);
    }
    for (const plant of planted) {
      const page = shownAt.get(plant.marker);
      if (page) await report(context, plant, page);
    }
    if (forms.length > MAX_FORMS)
      return {
        status: 'partial',
        tested,
        reason: `only the first ${MAX_FORMS} of ${forms.length} forms were tested`,
      };
    return tested < Math.min(forms.length, MAX_FORMS)
      ? { status: 'partial', tested, reason: 'some forms could not be submitted in Chromium' }
      : { status: 'tested', tested };
  },
};

async function report(context: CheckContext, plant: Planted, page: string): Promise<void> {
  const action = new URL(plant.form.action);
  const shown = new URL(page);
  const proof = `the payload posted in ${plant.field} to ${action.pathname} ran when ${shown.pathname} was loaded in Chromium (it called the marker function with ${plant.marker})`;
  const res = await context.http.send({ url: page });
  const evidence =
    res.ok && res.body.includes(plant.marker)
      ? evidenceOf(res, proof, plant.marker)
      : {
          request: cap(
            `POST ${action.pathname} HTTP/1.1\nhost: ${action.host}\n\n${plant.field}=${plant.payload}`,
            1000,
          ),
          response: `(the page ${shown.pathname} as Chromium rendered it for the scan's session)`,
          proof,
        };
  context.report({
    checkId: 'stored-xss',
    attackClass: 'xss',
    title: `Stored XSS in field ${plant.field} of ${action.pathname}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwe: 'CWE-79',
    url: plant.form.action,
    method: 'POST',
    parameter: plant.field,
    description: `What is posted in ${plant.field} to ${action.pathname} is stored and written unescaped into ${shown.pathname}: a script posted once runs in the browser of everyone who opens that page. Verified by execution in Chromium.`,
    evidence,
    reproduce: `Open ${plant.form.pageUrl}, post <img src=x onerror=alert(document.domain)> in ${plant.field}, then open ${page}.`,
    remediation:
      'Escape every stored value for its context when writing HTML (the template engine’s auto-escaping); validate on input; add a CSP without unsafe-inline as a second layer.',
    data: { payload: plant.payload, shownAt: page, verified: 'executed-in-chromium' },
  });
}
