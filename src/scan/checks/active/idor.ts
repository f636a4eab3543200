/**
 * Broken access control on objects (IDOR), with two test accounts from the login recipe:
 * the resources the victim account (the second) can list (links with an id in the path,
 * ids in JSON lists, on `/orders`, `/api/orders`, `/account`… or the recipe's `idor.lists`)
 * are fetched with the attacker account's (the first) session. It is a finding when the
 * attacker gets the victim's page: a success status and the victim's own view (the
 * victim's user name in it, or the same content), unlike the answer for an id that does
 * not exist. Then the roles swap, so one-sided checks are caught too.
 */
import type { ScanAccount } from '../../auth/login.js';
import { sendAs } from '../../auth/login.js';
import { parseHtmlPage } from '../../crawl/html.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';
import { similarity } from './injection-points.js';

export const DEFAULT_RESOURCE_LISTS = [
  '/orders',
  '/api/orders',
  '/account',
  '/api/account',
  '/my-account',
  '/profile',
  '/api/me',
  '/addresses',
  '/invoices',
];
const MAX_RESOURCES_PER_ACCOUNT = 10;
const SAME_VIEW = 0.9;
const ID_SEGMENT = /^(\d{1,12}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const MISSING_ID = '999999999';

export const idorCheck: Check = {
  id: 'idor',
  kind: 'active',
  attackClass: 'access-control',
  title: "IDOR: one test account fetches the other's orders and account resources",
  async run(context) {
    const [first, second] = context.auth.accounts;
    if (!first || !second)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'needs two logged-in test accounts (--login-recipe with two accounts)',
      };
    let tested = 0;
    for (const [attacker, victim] of [
      [first, second],
      [second, first],
    ] as const) {
      const resources = await resourcesOf(context, victim);
      for (const url of resources) if (await tryAs(context, attacker, victim, url)) tested++;
    }
    if (tested === 0)
      return {
        status: 'not-tested',
        tested: 0,
        reason:
          'neither account could list a resource with an id (give idor.lists in the recipe, and give the accounts an order)',
      };
    return { status: 'tested', tested };
  },
};

/** URLs of the account's own resources that carry an id, from its list pages. */
async function resourcesOf(context: CheckContext, account: ScanAccount): Promise<string[]> {
  const found = new Set<string>();
  for (const list of context.auth.resourceLists ?? DEFAULT_RESOURCE_LISTS) {
    const listUrl = new URL(list, context.target);
    if (!context.http.scope.allows(listUrl)) continue;
    const res = await sendAs(context.http, account, { url: listUrl.href });
    if (!res.ok || res.status !== 200) continue;
    const candidates = /json/i.test(res.headers['content-type'] ?? '')
      ? idsInJson(res.body).map((id) => `${listUrl.href.replace(/\/$/, '')}/${encodeURIComponent(id)}`)
      : parseHtmlPage(res.body, res.url).links;
    for (const href of candidates) {
      const url = new URL(href);
      if (url.origin !== context.target.origin) continue;
      const last = url.pathname.split('/').pop() ?? '';
      if (ID_SEGMENT.test(last)) found.add(url.origin + url.pathname);
      if (found.size >= MAX_RESOURCES_PER_ACCOUNT) return [...found];
    }
  }
  return [...found];
}

function idsInJson(text: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const ids: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const id = (value as Record<string, unknown>)['id'];
      if (typeof id === 'number' || typeof id === 'string') ids.push(String(id));
      Object.values(value).forEach(walk);
    }
  };
  walk(data);
  return ids;
}

async function tryAs(
  context: CheckContext,
  attacker: ScanAccount,
  victim: ScanAccount,
  url: string,
): Promise<boolean> {
  const own = await sendAs(context.http, victim, { url });
  if (!own.ok || own.status !== 200) return false;
  const stolen = await sendAs(context.http, attacker, { url });
  const missingUrl = url.replace(/[^/]+$/, MISSING_ID);
  const missing = await sendAs(context.http, attacker, { url: missingUrl });
  if (!stolen.ok || !missing.ok) {
    context.notChecked(url, 'idor: a request failed');
    return false;
  }
  if (stolen.status < 200 || stolen.status >= 300) return true;
  const marker = victim.username && own.body.includes(victim.username) ? victim.username : null;
  const sameAsVictim = marker ? stolen.body.includes(marker) : similarity(stolen.body, own.body) >= SAME_VIEW;
  const likeMissing = missing.status === stolen.status && similarity(missing.body, stolen.body) >= SAME_VIEW;
  if (sameAsVictim && !likeMissing) report(context, attacker, victim, url, stolen, marker);
  return true;
}

function report(
  context: CheckContext,
  attacker: ScanAccount,
  victim: ScanAccount,
  url: string,
  res: ScanResponse,
  marker: string | null,
): void {
  const pattern = new URL(url).pathname.replace(/[^/]+$/, ':id');
  context.report({
    checkId: 'idor',
    attackClass: 'access-control',
    title: `Another account's resource is readable: GET ${pattern}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
    cwe: 'CWE-639',
    url: `${context.target.origin}${pattern}`,
    method: 'GET',
    detailKey: 'read',
    description: `Logged in as test account "${attacker.name}", the scanner read ${url}, which belongs to test account "${victim.name}" (HTTP ${res.status}${marker ? `, the page shows ${victim.name}'s user name` : ', the same content the owner sees'}). Any customer can read other customers' data by changing the id (orders hold addresses, card digits, purchases).`,
    evidence: evidenceOf(
      res,
      `account ${attacker.name} got ${victim.name}'s resource with HTTP ${res.status}`,
      marker ?? undefined,
    ),
    reproduce: `Log in as ${attacker.name} and open ${url} (an id learnt as ${victim.name}).`,
    remediation:
      'Check on every request that the logged-in account owns (or may see) the object, in the query itself (WHERE id = ? AND customer_id = ?); answer 404 otherwise. Random ids only hide the flaw.',
    data: { resource: url, attacker: attacker.name, victim: victim.name },
  });
}
