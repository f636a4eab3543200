/**
 * Logs the recipe's test accounts in (authenticated scanning): fetch the login page with a
 * fresh cookie jar, fill the login form (its own hidden fields, such as a CSRF token, plus
 * the recipe's fields), post it and check the recipe's success conditions. Accounts with a
 * cookie or a bearer token are used as given. Each logged-in account is a `ScanAccount`
 * the checks send requests as; a failed login is a value with the reason, never a throw.
 */
import { parseHtmlPage } from '../crawl/html.js';
import { CookieJar, type ScanHttpClient, type ScanRequest, type ScanResult } from '../http/client.js';
import { passwordOf, type LoginRecipe, type RecipeAccount } from './recipe.js';

export interface ScanAccount {
  name: string;
  username: string | null;
  jar: CookieJar;
  headers: Record<string, string>;
}

export type LoginOutcome = { ok: true; account: ScanAccount } | { ok: false; name: string; reason: string };

const LOGIN_PATH = /log-?in|sign-?in/i;

/** Sends a request as `account` (its cookies and headers). */
export function sendAs(http: ScanHttpClient, account: ScanAccount, req: ScanRequest): Promise<ScanResult> {
  return http.send({ ...req, jar: account.jar, headers: { ...account.headers, ...req.headers } });
}

export async function logInAll(
  http: ScanHttpClient,
  recipe: LoginRecipe,
  target: URL,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoginOutcome[]> {
  const outcomes: LoginOutcome[] = [];
  for (const account of recipe.accounts) outcomes.push(await logIn(http, recipe, account, target, env));
  return outcomes;
}

export async function logIn(
  http: ScanHttpClient,
  recipe: LoginRecipe,
  account: RecipeAccount,
  target: URL,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoginOutcome> {
  const jar = new CookieJar();
  const headers: Record<string, string> = {};
  if (account.cookie) jar.store(account.cookie.split(';').map((pair) => pair.trim()));
  if (account.bearer) headers['authorization'] = `Bearer ${account.bearer}`;
  const ready: ScanAccount = { name: account.name, username: account.username ?? null, jar, headers };
  if (account.cookie || account.bearer) return { ok: true, account: ready };
  const login = recipe.login;
  const password = passwordOf(account, env);
  if (!login || !account.username || password === null)
    return {
      ok: false,
      name: account.name,
      reason: account.passwordEnv
        ? `environment variable ${account.passwordEnv} is not set`
        : 'no login section',
    };
  const fill = (value: string) =>
    value.replace(/\{username\}/g, account.username ?? '').replace(/\{password\}/g, password);
  const pageUrl = new URL(login.url, target).href;
  const page = await http.send({ url: pageUrl, jar });
  if (!page.ok)
    return { ok: false, name: account.name, reason: `the login page did not load: ${page.detail}` };
  let action = login.action ? new URL(login.action, target).href : null;
  let body: string;
  let contentType: string;
  if (login.type === 'json') {
    action ??= pageUrl;
    body = JSON.stringify(Object.fromEntries(Object.entries(login.fields).map(([k, v]) => [k, fill(v)])));
    contentType = 'application/json';
  } else {
    const forms = parseHtmlPage(page.body, page.url).forms.filter((f) => f.method === 'POST');
    const form =
      forms.find((f) => action !== null && f.action === action) ??
      forms.find((f) => f.fields.some((x) => x.type === 'password')) ??
      forms[0];
    if (!form && !action)
      return { ok: false, name: account.name, reason: `no POST form on ${pageUrl} and no login.action` };
    action ??= form?.action ?? pageUrl;
    const fields = new URLSearchParams();
    for (const field of form?.fields ?? []) if (field.type === 'hidden') fields.set(field.name, field.value);
    for (const [name, value] of Object.entries(login.fields)) fields.set(name, fill(value));
    body = fields.toString();
    contentType = 'application/x-www-form-urlencoded';
  }
  const res = await http.send({
    url: action,
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
    jar,
  });
  if (!res.ok) return { ok: false, name: account.name, reason: `the login request failed: ${res.detail}` };
  const why = failedCondition(login.success, res);
  if (why)
    return { ok: false, name: account.name, reason: `login did not succeed (HTTP ${res.status}): ${why}` };
  return { ok: true, account: ready };
}

function failedCondition(
  success: NonNullable<LoginRecipe['login']>['success'],
  res: Extract<ScanResult, { ok: true }>,
): string | null {
  const location = res.headers['location'] ?? '';
  const setNames = res.setCookies.map((line) => (line.split('=', 1)[0] ?? '').trim());
  if (success.status && !success.status.includes(res.status))
    return `status not in ${success.status.join(', ')}`;
  if (!success.status && res.status >= 400) return 'an error status';
  if (success.cookie && !setNames.includes(success.cookie)) return `cookie ${success.cookie} was not set`;
  if (success.bodyContains && !res.body.includes(success.bodyContains))
    return `the answer lacks ${JSON.stringify(success.bodyContains)}`;
  if (success.bodyNotContains && res.body.includes(success.bodyNotContains))
    return `the answer holds ${JSON.stringify(success.bodyNotContains)}`;
  if (success.locationNotContains && location.includes(success.locationNotContains))
    return `redirected to ${location}`;
  if (!success.locationNotContains && location && LOGIN_PATH.test(new URL(location, res.url).pathname))
    return `redirected back to ${location}`;
  return null;
}
