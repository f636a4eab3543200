/**
 * The scanner's headless browser (prevention stage): the system Chromium driven by
 * playwright-core, for what a plain HTTP client cannot do: run a page's scripts to see the
 * routes and API calls they make (the browser crawl), and tell whether an injected payload
 * actually executes (XSS verified by execution, not by reflection alone). Every request the
 * page makes passes the scan's own scope, budget and rate (ScanHttpClient.admit); anything out
 * of scope is aborted before it leaves, so a page cannot make the scanner reach other hosts.
 * Payloads call `__ensuresecXss(marker)`, a function exposed to every page; a dialog
 * (`alert(…)`) counts too. One browser context for the scan: cookies (a session, a CSRF token)
 * carry from page to page as they would for a visitor. Visits are one at a time.
 *
 * @example
 *   const browser = await launchScanBrowser(http);
 *   const visit = await browser.visit(`${origin}/search?q=${encodeURIComponent(xssPayload('ens1'))}`);
 *   visit.ok && visit.executed.includes('ens1'); // the payload ran
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { ScanHttpClient } from '../http/client.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
/** The function payloads call with their marker when they run. */
export const XSS_MARKER_FUNCTION = '__ensuresecXss';
/** After `load`, how long scripts (timers, fetches, focus handlers) get to run. */
const SETTLE_MS = 300;

/** A payload that calls the marker function when it runs in an element context; quote-free. */
export const xssElementPayload = (marker: string): string =>
  `<img src=x onerror=${XSS_MARKER_FUNCTION}(/${marker}/.source)>`;
/** Payloads for a quoted attribute context: break out, add an event handler that fires by itself. */
export const xssAttributePayloads = (marker: string): string[] => [
  `" autofocus onfocus="${XSS_MARKER_FUNCTION}(/${marker}/.source)" x="`,
  `' autofocus onfocus='${XSS_MARKER_FUNCTION}(/${marker}/.source)' x='`,
];

/** In the page: every link and form action, absolute (the tsconfig has no DOM types, so scripts are text). */
const LINKS_SCRIPT = `[...document.querySelectorAll('a[href], form[action]')].map((e) =>
  e instanceof HTMLFormElement ? e.action : e.href)`;

/**
 * In the page: fills the POST form whose action is `action` and submits it. `submit()` skips
 * validation and submit handlers, so the values reach the server as given. False without such a form.
 */
const SUBMIT_SCRIPT = `({ action, values }) => {
  const form = [...document.forms].find((f) => f.action === action && f.method.toLowerCase() === 'post');
  if (!form) return false;
  for (const element of form.elements) {
    if (element.name && Object.hasOwn(values, element.name)) element.value = values[element.name];
  }
  HTMLFormElement.prototype.submit.call(form);
  return true;
}`;

export interface BrowserRequest {
  method: string;
  url: string;
  /** Chromium's resource type: document, script, fetch, xhr, … */
  resourceType: string;
}

export type BrowserVisit =
  | {
      ok: true;
      /** Where the page ended up (after redirects or a form's answer). */
      url: string;
      status: number | null;
      /** Markers whose payload ran during the visit (and dialog texts as `dialog:<text>`). */
      executed: string[];
      /** Requests the page made that the scope allowed (sent). */
      requests: BrowserRequest[];
      /** Requests the page wanted to make that were refused (out of scope, budget), with why. */
      refused: { url: string; reason: string }[];
      /** Links and form actions in the page as the scripts left it (absolute URLs). */
      links: string[];
    }
  | { ok: false; detail: string };

export interface FormFill {
  /** The form's action as the crawl recorded it (absolute URL). */
  action: string;
  /** The value for each named field; fields not named keep what the page put there. */
  values: Record<string, string>;
}

export interface ScanBrowser {
  /** Loads a page and lets its scripts run. */
  visit(url: string): Promise<BrowserVisit>;
  /** Loads `pageUrl`, fills the POST form with `fill.action` and submits it as a visitor would. */
  submitForm(pageUrl: string, fill: FormFill): Promise<BrowserVisit>;
  /** Loads a page, then clicks each in-page button (not submit buttons) and records what it requested. */
  explore(url: string, maxClicks: number): Promise<BrowserVisit>;
  close(): Promise<void>;
}

export interface ScanBrowserOptions {
  executablePath?: string;
  /** For one page load. */
  timeoutMs?: number;
}

export async function launchScanBrowser(
  http: ScanHttpClient,
  options: ScanBrowserOptions = {},
): Promise<ScanBrowser> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  // Loaded only when a scan asks for the browser: a plain scan never needs it.
  const { chromium } = await import('playwright-core');
  const browser: Browser = await chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
  });
  const { 'user-agent': userAgent, ...headers } = http.extraHeaders;
  let context: BrowserContext;
  try {
    context = await browser.newContext({
      ...(userAgent ? { userAgent } : {}),
      extraHTTPHeaders: headers,
      // The transport check reports certificate problems; the browser still looks at the pages.
      ignoreHTTPSErrors: true,
      serviceWorkers: 'block',
    });
  } catch (error) {
    await browser.close();
    throw error;
  }
  let executed: string[] = [];
  let requests: BrowserRequest[] = [];
  let refused: { url: string; reason: string }[] = [];
  await context.exposeFunction(XSS_MARKER_FUNCTION, (marker: unknown) => {
    executed.push(String(marker).slice(0, 200));
  });
  await context.route('**/*', async (route) => {
    const request: Request = route.request();
    const reason = await http.admit(request.url());
    if (reason !== null) {
      refused.push({ url: request.url(), reason });
      return route.abort('blockedbyclient');
    }
    requests.push({ method: request.method(), url: request.url(), resourceType: request.resourceType() });
    return route.continue();
  });

  let queue: Promise<unknown> = Promise.resolve();
  let current: Page | null = null;
  /** One page for the whole scan (a new page per visit costs more than the visit); a new one after a failure. */
  async function pageForVisit(): Promise<Page> {
    if (current && !current.isClosed()) return current;
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    page.on('dialog', (dialog) => {
      executed.push(`dialog:${dialog.message().slice(0, 200)}`);
      void dialog.dismiss().catch(() => undefined);
    });
    current = page;
    return page;
  }
  /** One visit at a time. */
  function session(
    work: (page: Page) => Promise<{ url: string; status: number | null }>,
  ): Promise<BrowserVisit> {
    const run = queue.then(async (): Promise<BrowserVisit> => {
      executed = [];
      requests = [];
      refused = [];
      let page: Page | null = null;
      try {
        page = await pageForVisit();
        const where = await work(page);
        await page.waitForTimeout(SETTLE_MS);
        const links = await page.evaluate<string[]>(LINKS_SCRIPT).catch(() => [] as string[]);
        const visit: BrowserVisit = {
          ok: true,
          url: page.url() || where.url,
          status: where.status,
          executed: [...executed],
          requests: [...requests],
          refused: [...refused],
          links,
        };
        // Leave the page so nothing it still runs is counted in the next visit.
        await page.goto('about:blank').catch(() => undefined);
        return visit;
      } catch (error) {
        await page?.close().catch(() => undefined);
        current = null;
        return {
          ok: false,
          detail: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
        };
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  async function load(page: Page, url: string): Promise<{ url: string; status: number | null }> {
    const response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    return { url, status: response?.status() ?? null };
  }

  return {
    visit: (url) => session((page) => load(page, url)),

    submitForm: (pageUrl, fill) =>
      session(async (page) => {
        await load(page, pageUrl);
        const loaded = page.waitForEvent('load', { timeout: timeoutMs });
        const found = await page.evaluate<boolean>(
          `(${SUBMIT_SCRIPT})(${JSON.stringify({ action: fill.action, values: fill.values })})`,
        );
        if (!found) {
          void loaded.catch(() => undefined);
          throw new Error(`the page has no POST form to ${fill.action}`);
        }
        await loaded;
        return { url: page.url(), status: null };
      }),

    explore: (url, maxClicks) =>
      session(async (page) => {
        const where = await load(page, url);
        const buttons = page.locator('button:not([type=submit]):not(form button), [role=button]');
        const count = Math.min(await buttons.count(), maxClicks);
        for (let i = 0; i < count; i++) {
          await buttons
            .nth(i)
            .click({ timeout: 2_000, noWaitAfter: true })
            .catch(() => undefined);
          await page.waitForTimeout(SETTLE_MS);
          // A click that navigated away ends the exploration of this page.
          if (page.url() !== url) break;
        }
        return where;
      }),

    async close() {
      await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
