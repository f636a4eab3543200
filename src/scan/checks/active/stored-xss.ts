/**
 * Stored XSS in form fields. Every POST form the crawl found that takes text (reviews, names,
 * addresses, messages; never a login or sign-up form with a password; at most two of one
 * shape) is submitted over the scan's HTTP client as the form would be: the form's page is
 * fetched first in the check's own session (one cookie jar), so its hidden fields (a CSRF token)
 * are sent back, and each text field carries one unique harmless probe: a tag and an attribute
 * named after a random token. The page the form answered with, the form's page and the crawled
 * pages are then fetched again and parsed as a browser parses them (parse5, `markupInjected`):
 * a probe that comes back as an element or an attribute was stored and written into a page
 * unescaped. Without the browser that is the finding (not verified by execution).
 *
 * With the browser (`--browser`), the forms are also filled in Chromium with a payload that
 * calls a marker function when it runs; a marker that runs on a page loaded again proves the
 * stored XSS by execution. A stored probe whose payload did not run (a CSP, a filter) is
 * reported as stored markup that did not execute, as reflected-xss does.
 *
 * It can miss: values shown only to other roles (an admin's back office), forms that need a
 * valid multi-step flow, fields checked against a format before being stored, values shown
 * only on pages beyond the first `MAX_PAGES_REVISITED` fetched again.
 */
import { xssElementPayload } from '../../browser/browser.js';
import { isHtml, type SiteForm } from '../../crawl/crawler.js';
import { cap, evidenceOf } from '../../findings/evidence.js';
import { CookieJar, type ScanResponse } from '../../http/client.js';
import { probeToken, successfulHtmlPages, type Check, type CheckContext } from '../check.js';
import { markupInjected } from './reflected-xss.js';
import { freshForm, postForm } from './shop-flows.js';

/** Forms submitted per scan, and pages loaded again to look for the markers. */
const MAX_FORMS = 10;
const MAX_PAGES_REVISITED = 12;
const TEXT_TYPES = new Set(['text', 'textarea', 'search', '']);
/** Forms of one shape (the same fields posted to `/products/<any>/reviews`): two are enough. */
const MAX_PER_SHAPE = 2;
/** Values for fields that are not probed and have no value of their own, so the form is accepted. */
const DEFAULTS: Record<string, string> = {
  email: 'ensuresec-scan@example.com',
  number: '1',
  range: '1',
  tel: '5550100',
  url: 'https://example.com/',
  date: '2020-01-01',
};
const LOGIN_PATH = /\/(log-?in|sign-?in)(\/|\.|$)/i;
const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N';
const REMEDIATION =
  'Escape every stored value for its context when writing HTML (the template engine’s auto-escaping); validate on input; add a CSP without unsafe-inline as a second layer.';

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

/**
 * The harmless probe for one field: text, then quotes that leave an attribute value, then a new
 * element `<TOKENx>` with a new attribute `TOKENy`. Escaped, it is inert text; written raw into
 * text or into a quoted attribute, the parsed page holds the element or the attribute.
 */
export function storedProbe(token: string): string {
  return `${token}"'><${token}x ${token}y=1>`;
}

/** A probe posted over HTTP, and where it came back as markup. */
interface HttpPlant {
  token: string;
  form: SiteForm;
  field: string;
  payload: string;
  /** The POST that stored it (for the evidence). */
  posted: ScanResponse;
  shown?: { page: ScanResponse; how: 'element' | 'attribute' };
}

/** A payload posted in Chromium, and the page where it ran. */
interface BrowserPlant {
  marker: string;
  form: SiteForm;
  field: string;
  payload: string;
  shownAt?: string;
}

/** Why the browser could not verify a form (absent: it could). */
type BrowserFailures = Map<string, string>;

export const storedXssCheck: Check = {
  id: 'stored-xss',
  kind: 'active',
  attackClass: 'xss',
  title:
    'Stored XSS in form fields (stored markup parsed as a browser would; executed in Chromium with --browser)',
  async run(context) {
    const forms = formsToTest(context.site.forms);
    if (forms.length === 0)
      return { status: 'tested', tested: 0, reason: 'no POST form that takes text was found' };
    const chosen = forms.slice(0, MAX_FORMS);
    const { plants, submitted } = await plantOverHttp(context, chosen);
    const browser = context.browser ? await plantInBrowser(context, chosen) : null;
    // A form counts as tested when one of the two ways could submit it.
    for (const form of browser?.submitted ?? []) submitted.add(form);
    for (const plant of browser?.plants ?? []) {
      if (plant.shownAt) await reportExecuted(context, plant, plant.shownAt);
    }
    for (const plant of plants) {
      if (!plant.shown) continue;
      // Proven by execution already: one finding per field.
      if (browser?.plants.some((b) => b.shownAt && b.form === plant.form && b.field === plant.field))
        continue;
      const verification = browser
        ? (browser.failures.get(plant.form.action) ?? 'no payload ran (a CSP or a filter stopped it)')
        : null;
      reportStoredMarkup(context, plant, verification);
    }
    if (forms.length > MAX_FORMS) {
      context.notChecked(
        `${forms.length - MAX_FORMS} more POST forms`,
        `stored-xss: only the first ${MAX_FORMS} are submitted`,
      );
      return {
        status: 'partial',
        tested: submitted.size,
        reason: `only the first ${MAX_FORMS} of ${forms.length} forms were tested`,
      };
    }
    return submitted.size < chosen.length
      ? {
          status: 'partial',
          tested: submitted.size,
          reason: `${chosen.length - submitted.size} of ${chosen.length} forms could not be submitted (see not checked)`,
        }
      : { status: 'tested', tested: submitted.size };
  },
};

/**
 * Posts each form with a probe in every text field (one session for the whole check), then
 * fetches the answer pages, the forms' pages and the crawled pages again and looks for the
 * probes as markup. `submitted` counts the forms the target accepted.
 */
async function plantOverHttp(
  context: CheckContext,
  forms: SiteForm[],
): Promise<{ plants: HttpPlant[]; submitted: Set<SiteForm> }> {
  const jar = new CookieJar();
  const plants: HttpPlant[] = [];
  const answers: string[] = [];
  const submitted = new Set<SiteForm>();
  for (const form of forms) {
    const fresh = await freshForm(context.http, form, jar);
    if (!fresh) {
      context.notChecked(
        `POST ${form.action}`,
        'stored-xss: the form was not on its page when fetched again',
      );
      continue;
    }
    const values: Record<string, string> = {};
    const planted: { token: string; field: string; payload: string }[] = [];
    for (const field of fresh.fields) {
      if (TEXT_TYPES.has(field.type)) {
        const token = probeToken();
        values[field.name] = storedProbe(token);
        planted.push({ token, field: field.name, payload: values[field.name] as string });
      } else if (!field.value && DEFAULTS[field.type]) values[field.name] = DEFAULTS[field.type] as string;
    }
    if (planted.length === 0) {
      context.notChecked(`POST ${form.action}`, 'stored-xss: the form served now has no text field');
      continue;
    }
    const posted = await postForm(context.http, fresh, values, jar);
    if (!posted.ok) {
      context.notChecked(`POST ${form.action}`, `stored-xss: ${posted.detail}`);
      continue;
    }
    if (posted.status >= 400) {
      context.notChecked(
        `POST ${form.action}`,
        `stored-xss: the form was refused (HTTP ${posted.status}), so nothing was stored to look for`,
      );
      continue;
    }
    const location = posted.headers['location'];
    const next =
      posted.status >= 300 && posted.status < 400 && location && URL.canParse(location, posted.url)
        ? new URL(location, posted.url)
        : null;
    if (next && LOGIN_PATH.test(next.pathname)) {
      context.notChecked(
        `POST ${form.action}`,
        `stored-xss: the form sent the scan to a login page (${next.pathname}), so nothing was stored to look for`,
      );
      continue;
    }
    submitted.add(form);
    for (const p of planted) plants.push({ ...p, form, posted });
    if (next && context.http.scope.allows(next)) answers.push(next.href);
    answers.push(form.pageUrl);
  }
  if (plants.length === 0) return { plants, submitted };
  const revisit = new Set<string>(answers);
  for (const page of successfulHtmlPages(context.site)) revisit.add(page.url);
  // A page whose address carries a probe would only reflect it: not a proof of storage.
  const pages = [...revisit]
    .filter((url) => !plants.some((p) => url.includes(p.token)))
    .slice(0, MAX_PAGES_REVISITED);
  for (const url of pages) {
    const page = await context.http.send({ url, jar });
    if (!page.ok) {
      context.notChecked(url, `stored-xss: the page was not fetched again: ${page.detail}`);
      continue;
    }
    if (!isHtml(page)) continue;
    for (const plant of plants) {
      if (plant.shown || !page.body.includes(plant.token)) continue;
      const how = markupInjected(page.body, `${plant.token}x`, `${plant.token}y`);
      if (how) plant.shown = { page, how };
    }
  }
  return { plants, submitted };
}

/** Today's verification: each form filled and submitted in Chromium, then the pages loaded again. */
async function plantInBrowser(
  context: CheckContext,
  forms: SiteForm[],
): Promise<{ plants: BrowserPlant[]; failures: BrowserFailures; submitted: SiteForm[] }> {
  const browser = context.browser;
  const plants: BrowserPlant[] = [];
  const failures: BrowserFailures = new Map();
  const submitted: SiteForm[] = [];
  if (!browser) return { plants, failures, submitted };
  const shownAt = new Map<string, string>();
  const revisit = new Set<string>();
  for (const form of forms) {
    const values: Record<string, string> = {};
    const planted: BrowserPlant[] = [];
    for (const field of form.fields) {
      if (!TEXT_TYPES.has(field.type)) {
        const fallback = DEFAULTS[field.type];
        if (!field.value && fallback) values[field.name] = fallback;
        continue;
      }
      const marker = probeToken();
      values[field.name] = xssElementPayload(marker);
      planted.push({ marker, form, field: field.name, payload: values[field.name] as string });
    }
    const visit = await browser.submitForm(form.pageUrl, { action: form.action, values });
    if (!visit.ok) {
      failures.set(form.action, `Chromium could not submit the form: ${visit.detail}`);
      context.notChecked(`POST ${form.action}`, `stored-xss (Chromium): ${visit.detail}`);
      continue;
    }
    plants.push(...planted);
    submitted.push(form);
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
  for (const plant of plants) {
    const page = shownAt.get(plant.marker);
    if (page) plant.shownAt = page;
  }
  return { plants, failures, submitted };
}

/** A stored probe seen as markup; `verification` is null without the browser, else why it did not run. */
function reportStoredMarkup(context: CheckContext, plant: HttpPlant, verification: string | null): void {
  const shown = plant.shown;
  if (!shown) return;
  const action = new URL(plant.form.action);
  const page = new URL(shown.page.url);
  const proof = `the probe ${JSON.stringify(plant.payload)} posted in ${plant.field} to ${action.pathname} (HTTP ${plant.posted.status}) came back as a new HTML ${shown.how} when ${page.pathname} was fetched again`;
  context.report({
    checkId: 'stored-xss',
    attackClass: 'xss',
    title: `Stored markup injection in ${plant.field} of ${action.pathname}, shown on ${page.pathname}`,
    cvssVector: CVSS,
    cwe: 'CWE-79',
    url: plant.form.action,
    method: 'POST',
    parameter: plant.field,
    description:
      `What is posted in ${plant.field} to ${action.pathname} is stored and written unescaped into ${page.pathname}: the probe created a new HTML ${shown.how} in the page as a browser parses it. A script posted once would run in the browser of everyone who opens that page.` +
      (verification === null
        ? ' Not verified by execution (scan with --browser to verify).'
        : ` Stored, but not executed in Chromium: ${verification}.`),
    evidence: evidenceOf(shown.page, proof, plant.token),
    reproduce: `Open ${plant.form.pageUrl}, post <img src=x onerror=alert(document.domain)> in ${plant.field}, then open ${shown.page.url}.`,
    remediation: REMEDIATION,
    data: {
      payload: plant.payload,
      context: shown.how,
      shownAt: shown.page.url,
      verified: verification === null ? 'not-run' : 'not-executed',
    },
  });
}

async function reportExecuted(context: CheckContext, plant: BrowserPlant, page: string): Promise<void> {
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
    cvssVector: CVSS,
    cwe: 'CWE-79',
    url: plant.form.action,
    method: 'POST',
    parameter: plant.field,
    description: `What is posted in ${plant.field} to ${action.pathname} is stored and written unescaped into ${shown.pathname}: a script posted once runs in the browser of everyone who opens that page. Verified by execution in Chromium.`,
    evidence,
    reproduce: `Open ${plant.form.pageUrl}, post <img src=x onerror=alert(document.domain)> in ${plant.field}, then open ${page}.`,
    remediation: REMEDIATION,
    data: { payload: plant.payload, shownAt: page, verified: 'executed-in-chromium' },
  });
}
