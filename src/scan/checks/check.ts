/**
 * What a check is: a small module with an id, its kind (passive checks only read and probe
 * fixed paths; active ones send attack payloads), the attack class it speaks for, and a run
 * function that reports findings through the context and says how much it could test.
 */
import type { ScanAccount } from '../auth/login.js';
import type { RecipeCheckout } from '../auth/recipe.js';
import type { ScanBrowser } from '../browser/browser.js';
import type { SiteMap } from '../crawl/crawler.js';
import type { ScanHttpClient } from '../http/client.js';
import type { AttackClass, CheckStatus, FindingDraft } from '../types.js';

export interface CheckContext {
  target: URL;
  http: ScanHttpClient;
  site: SiteMap;
  report(draft: FindingDraft): void;
  /** Records something this check could not test, with why. */
  notChecked(what: string, reason: string): void;
  /** Facts for the report that are not findings (the script inventory). */
  record(key: string, value: unknown): void;
  /** Authenticated scanning: the test accounts the login recipe logged in (empty without one). */
  auth: ScanAuth;
  /** Headless Chromium (`--browser`): absent in a plain scan. */
  browser?: ScanBrowser;
}

export interface ScanAuth {
  accounts: ScanAccount[];
  /** Pages listing an account's resources (the recipe's `idor.lists`), null for the defaults. */
  resourceLists: string[] | null;
  /** Accounts that could not log in, with why. */
  failed: { name: string; reason: string }[];
  /** The recipe's checkout section (test cards, coupons), null when absent. */
  checkout: RecipeCheckout | null;
  /** Logs the named account in again with a fresh session (an empty cart); null when it cannot. */
  freshSession(name: string): Promise<ScanAccount | null>;
}

export interface CheckOutcome {
  status: CheckStatus;
  /** Pages, parameters or paths looked at. */
  tested: number;
  reason?: string;
}

export interface Check {
  id: string;
  kind: 'passive' | 'active';
  attackClass: AttackClass;
  title: string;
  run(context: CheckContext): Promise<CheckOutcome>;
}

/** The HTML pages the crawl fetched with a success status (what a visitor sees). */
export function successfulHtmlPages(site: SiteMap): SiteMap['pages'] {
  return site.pages.filter(
    (page) => page.html !== null && page.response.status >= 200 && page.response.status < 300,
  );
}

export function isLoopbackHost(hostname: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === 'localhost' || hostname === '[::1]';
}

/** A random token the target cannot have produced by itself. */
export function probeToken(): string {
  return `ens${Math.random().toString(36).slice(2, 10)}`;
}
