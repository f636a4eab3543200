/**
 * What a check is: a small module with an id, its kind (passive checks only read and probe
 * fixed paths; active ones send attack payloads), the attack class it speaks for, and a run
 * function that reports findings through the context and says how much it could test.
 */
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
