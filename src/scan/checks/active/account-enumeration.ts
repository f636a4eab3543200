/**
 * Account enumeration on login, password reset and registration: the same wrong password is
 * sent for a known account (the login recipe's first account) and for a made-up one, three
 * times each in interleaved pairs. A finding when the answers differ every time in status, in
 * redirect target, in content (echoes of the emails removed; two answers for the same account
 * must agree, so changing tokens do not count) or in time (the known account slower in every
 * pair by more than 100 ms and four times the made-up account's own spread, see timing.ts).
 * Password-reset forms (a POST form with one email field, action like reset/forgot) are
 * compared the same way. Registration forms (a POST form with an email and a password field,
 * action like register/sign-up) are compared in two pairs by answer only, each attempt in a
 * fresh session: the known email against a new made-up one each time, so the scan creates at
 * most two accounts named ens…@example.invalid (a shop that says "already registered" is found
 * by that very answer; registration time depends on the password hash either way).
 * The known account gets three wrong passwords: below common lockout limits (5).
 */
import { parseHtmlPage, type PageForm } from '../../crawl/html.js';
import type { SiteForm } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import { CookieJar, type ScanResponse } from '../../http/client.js';
import { probeToken, type Check, type CheckContext } from '../check.js';
import { similarity } from './injection-points.js';
import { decideDelay, type TimedPair } from './timing.js';

export const ENUMERATION_PAIRS = 3;
export const REGISTRATION_PAIRS = 2;
const SAME = 0.97;
const MIN_TIMING_GAP_MS = 100;
const LOGIN_ACTION = /log-?in|sign-?in|session|auth/i;
const RESET_ACTION = /reset|forgot|lost|recover/i;
const REGISTER_ACTION = /regist|sign-?up|join|create|new/i;
const EMAIL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const EMAIL_FIELD = /e-?mail|user|login/i;

type Flow = 'login' | 'password reset' | 'registration';

export const accountEnumerationCheck: Check = {
  id: 'account-enumeration',
  kind: 'active',
  attackClass: 'authentication',
  title: 'Account enumeration on login, password reset and registration (answers and timings)',
  async run(context) {
    const known = context.auth.accounts.find((a) => a.username)?.username;
    if (!known)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'needs a known account: a login recipe with a username',
      };
    const forms = context.site.forms.filter(
      (f) => f.method === 'POST' && new URL(f.action).origin === context.target.origin,
    );
    const login =
      forms.find(
        (f) =>
          f.fields.filter((x) => x.type === 'password').length === 1 &&
          LOGIN_ACTION.test(new URL(f.action).pathname),
      ) ?? forms.find((f) => f.fields.filter((x) => x.type === 'password').length === 1);
    const reset = forms.find(
      (f) => RESET_ACTION.test(new URL(f.action).pathname) && !f.fields.some((x) => x.type === 'password'),
    );
    // Registering a user name that is not an email would fail for that reason alone.
    const registration = forms.find(
      (f) =>
        EMAIL_ADDRESS.test(known) &&
        f !== login &&
        REGISTER_ACTION.test(new URL(f.action).pathname) &&
        [1, 2].includes(f.fields.filter((x) => x.type === 'password').length) &&
        f.fields.some((x) => x.type === 'email' || EMAIL_FIELD.test(x.name)),
    );
    if (!login && !reset && !registration)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'the crawl found no login, password-reset or registration form',
      };
    let tested = 0;
    for (const [flow, form] of [
      ['login', login],
      ['password reset', reset],
      ['registration', registration],
    ] as [Flow, SiteForm | undefined][]) {
      if (!form) continue;
      const outcome =
        flow === 'registration'
          ? await compareRegistration(context, form, known)
          : await compare(context, flow, form, known);
      if (typeof outcome === 'string') return { status: 'not-tested', tested, reason: outcome };
      tested++;
    }
    return { status: 'tested', tested };
  },
};

async function compare(
  context: CheckContext,
  flow: Flow,
  form: SiteForm,
  known: string,
): Promise<true | string> {
  const unknown = `${probeToken()}@example.invalid`;
  const jar = new CookieJar();
  const page = await context.http.send({ url: form.pageUrl, jar });
  if (!page.ok) return `the ${flow} page did not load: ${page.detail}`;
  const fresh = parseHtmlPage(page.body, page.url).forms.find((f) => f.action === form.action) ?? form;
  const knownAnswers: ScanResponse[] = [];
  const unknownAnswers: ScanResponse[] = [];
  const pairs: TimedPair[] = [];
  for (let i = 0; i < ENUMERATION_PAIRS; i++) {
    const order = i % 2 === 0 ? [known, unknown] : [unknown, known];
    const answers: Record<string, ScanResponse> = {};
    for (const email of order) {
      const res = await context.http.send({
        url: fresh.action,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: bodyFor(fresh, email),
        jar,
      });
      if (!res.ok) return `${flow} attempt: ${res.detail}`;
      if (res.status === 429 || res.status === 423)
        return `the ${flow} form is rate limited (${res.status}) before the comparison ended`;
      answers[email] = res;
    }
    knownAnswers.push(answers[known] as ScanResponse);
    unknownAnswers.push(answers[unknown] as ScanResponse);
    pairs.push({
      delayedMs: (answers[known] as ScanResponse).elapsedMs,
      controlMs: (answers[unknown] as ScanResponse).elapsedMs,
    });
  }
  const strip = (res: ScanResponse) => res.body.split(known).join('').split(unknown).join('');
  const differences = answerDifferences(
    knownAnswers,
    unknownAnswers,
    knownAnswers.map(strip),
    unknownAnswers.map(strip),
  );
  const timing = decideDelay(
    unknownAnswers.map((r) => r.elapsedMs),
    pairs,
    MIN_TIMING_GAP_MS,
  );
  const how = [...differences, ...(timing.delayed ? [`timing: ${timing.reason}`] : [])];
  if (how.length > 0) report(context, flow, fresh, unknownAnswers[0] as ScanResponse, how);
  return true;
}

/**
 * How the known account's answers differ from the unknown ones' in every pair: status,
 * redirect target, content (`k` and `u`: the bodies with the emails' echoes removed).
 */
function answerDifferences(
  knownAnswers: ScanResponse[],
  unknownAnswers: ScanResponse[],
  k: string[],
  u: string[],
): string[] {
  const statusDiffers = knownAnswers.every((k, i) => k.status !== unknownAnswers[i]?.status);
  const target = (res: ScanResponse | undefined) =>
    res && res.status >= 300 && res.status < 400 ? String(res.headers['location'] ?? '') : '';
  const redirectDiffers =
    !statusDiffers && knownAnswers.every((k, i) => target(k) !== target(unknownAnswers[i]));
  // Pages that repeat themselves exactly are compared exactly (one changed sentence is enough);
  // pages with changing parts (nonces, times) by the share of lines in common.
  const exact = k.every((x) => x === k[0]) && u.every((x) => x === u[0]);
  const stable = similarity(k[0] ?? '', k[1] ?? '') >= SAME && similarity(u[0] ?? '', u[1] ?? '') >= SAME;
  const contentDiffers = exact
    ? k[0] !== u[0]
    : stable && k.every((x, i) => similarity(x, u[i] ?? '') < SAME);
  return [
    ...(statusDiffers
      ? [
          `status ${knownAnswers[0]?.status} for the known account, ${unknownAnswers[0]?.status} for an unknown one`,
        ]
      : []),
    ...(redirectDiffers
      ? [
          `redirect to ${target(knownAnswers[0])} for the known account, ${target(unknownAnswers[0])} for an unknown one`,
        ]
      : []),
    ...(contentDiffers ? [`different answers: "${told(k[0] ?? '', u[0] ?? '')}"`] : []),
  ];
}

/**
 * Registration: the known email and a new made-up one, in REGISTRATION_PAIRS interleaved
 * pairs, each attempt from a fresh session (a successful registration logs that session in).
 */
async function compareRegistration(
  context: CheckContext,
  form: SiteForm,
  known: string,
): Promise<true | string> {
  const password = `Ens9-${probeToken()}-${probeToken()}`; // upper, lower, digit, symbol, 25 characters
  const knownAnswers: ScanResponse[] = [];
  const unknownAnswers: ScanResponse[] = [];
  const unknowns: string[] = [];
  let last: PageForm = form;
  for (let i = 0; i < REGISTRATION_PAIRS; i++) {
    const unknown = `${probeToken()}@example.invalid`;
    unknowns.push(unknown);
    for (const email of i % 2 === 0 ? [known, unknown] : [unknown, known]) {
      const jar = new CookieJar();
      const page = await context.http.send({ url: form.pageUrl, jar });
      if (!page.ok) return `the registration page did not load: ${page.detail}`;
      last = parseHtmlPage(page.body, page.url).forms.find((f) => f.action === form.action) ?? form;
      const res = await context.http.send({
        url: last.action,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: registrationBody(last, email, password),
        jar,
      });
      if (!res.ok) return `registration attempt: ${res.detail}`;
      if (res.status === 429 || res.status === 423)
        return `the registration form is rate limited (${res.status}) before the comparison ended`;
      (email === known ? knownAnswers : unknownAnswers).push(res);
    }
  }
  const how = answerDifferences(
    knownAnswers,
    unknownAnswers,
    knownAnswers.map((res) => res.body.split(known).join('')),
    unknownAnswers.map((res, i) => res.body.split(unknowns[i] ?? known).join('')),
  );
  if (how.length > 0) report(context, 'registration', last, knownAnswers[0] as ScanResponse, how);
  return true;
}

/** A registration form filled in: the email, one strong password in every password field, a name, terms ticked. */
function registrationBody(form: PageForm, email: string, password: string): string {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'password') body.set(field.name, password);
    else if (field.type === 'hidden') body.set(field.name, field.value);
    else if (field.type === 'checkbox') body.set(field.name, field.value || 'on');
    else if (field.type === 'radio' || field.type === 'submit') continue;
    else if (field.type === 'email' || EMAIL_FIELD.test(field.name)) body.set(field.name, email);
    else body.set(field.name, field.value || 'Ensuresec Scan');
  }
  return body.toString();
}

function bodyFor(form: PageForm, email: string): string {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'password') body.set(field.name, `wrong-${probeToken()}`);
    else if (field.type === 'hidden') body.set(field.name, field.value);
    else if (field.type === 'checkbox' || field.type === 'radio' || field.type === 'submit') continue;
    else if (field.type === 'email' || EMAIL_FIELD.test(field.name)) body.set(field.name, email);
    else body.set(field.name, field.value);
  }
  return body.toString();
}

const MESSAGE_ELEMENT =
  /<[a-z][^>]*(?:class|id|role)="[^"]*(?:notice|error|alert|message|flash|invalid)[^"]*"[^>]*>([^<]{3,200})</i;

/**
 * What the unknown account was told that the known one was not, else the other way round;
 * when one answer is empty (a redirect), the other's message element (class notice, error,
 * alert…) if it has one. Head elements (titles) are left out.
 */
function told(known: string, unknown: string): string {
  const body = (html: string) => html.replace(/<head[\s\S]*?<\/head>/i, '');
  const [k, u] = [body(known), body(unknown)];
  const lone = !k.trim() ? u : !u.trim() ? k : null;
  const message = lone === null ? undefined : MESSAGE_ELEMENT.exec(lone)?.[1]?.trim();
  return message ?? (difference(k, u) || difference(u, k));
}

/** The first line of `b` with text that `a` does not have (what the unknown account was told). */
function difference(a: string, b: string): string {
  const text = (line: string) => line.replace(/<[^>]*>/g, '').trim();
  const lines = new Set(a.split(/\n|(?<=>)/).map((l) => l.trim()));
  const line = b
    .split(/\n|(?<=>)/)
    .map((l) => l.trim())
    .find((l) => text(l) && !lines.has(l));
  return text(line ?? '').slice(0, 160);
}

function report(context: CheckContext, flow: Flow, form: PageForm, res: ScanResponse, how: string[]): void {
  const path = new URL(form.action).pathname;
  context.report({
    checkId: 'account-enumeration',
    attackClass: 'authentication',
    title: `Account enumeration on ${flow}: POST ${path}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N',
    cwe: 'CWE-204',
    url: form.action,
    method: 'POST',
    detailKey: flow,
    description: `The ${flow} form tells existing accounts from unknown ones (${how.join('; ')}): an attacker learns which emails are customers, then targets them with credential stuffing and phishing.`,
    evidence: evidenceOf(res, how.join(' | ')),
    reproduce:
      flow === 'registration'
        ? `Post the registration form at ${path} with a known email and with a new one, and compare the two answers (status, redirect, text).`
        : `Post the ${flow} form at ${path} with a wrong password for a known email and for a made-up one, and compare the two answers (status, text, time).`,
    remediation:
      flow === 'registration'
        ? 'Answer a taken email exactly like a new one (same status, redirect, text and time) and tell the owner by email instead ("someone tried to register with your address"); or confirm every new address by email before the account exists.'
        : 'Answer every failure the same way (same status, text and headers) and take the same time: verify a dummy password hash for unknown accounts; for password reset always say "if an account exists, we sent an email".',
    data: { flow, differences: how },
  });
}
