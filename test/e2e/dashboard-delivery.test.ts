/**
 * The Delivery page in real headless Chromium (Debian's `chromium`, playwright-core) against
 * `ensuresec demo` started in-process with the delivery simulator playing two named incidents
 * (a locker break-in, an insider) without a broker: the map shows parcels, lockers, vans and
 * the alerts, and a click on a parcel opens its timeline. Screenshots go to
 * `test-artifacts/dashboard/` and `docs/images/`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { parseConfig } from '../../src/server/config/load.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { startDemo, type Demo } from '../../src/server/demo.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'dashboard');
const DOC_IMAGES = join(ROOT, 'docs', 'images');
const PASSWORD = 'dashboard-delivery-password-1';

/** Builds the dashboard when the built one predates the Delivery page. */
async function ensureDashboardBuilt(): Promise<void> {
  const assets = join(ROOT, 'dist', 'dashboard', 'assets');
  const built =
    existsSync(assets) &&
    readdirSync(assets).some(
      (name) => name.endsWith('.js') && readFileSync(join(assets, name), 'utf8').includes('delivery-map'),
    );
  if (built) return;
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'dashboard', 'vite.config.ts'), logLevel: 'warn' });
}

async function until<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env['CI'])(
  'the Delivery page in Chromium',
  { timeout: 90_000 },
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-dashboard-delivery-'));
    let demo: Demo;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      mkdirSync(DOC_IMAGES, { recursive: true });
      await ensureDashboardBuilt();
      const config = parseConfig(
        'demo:\n  simulator: { shoppers: 0, ratePerSecond: 1, scenarios: [locker-break-in, insider-fraud] }\n',
      );
      demo = await startDemo({
        config,
        dataDir,
        logger: pino({ level: 'silent' }),
        ports: { api: 0, gateway: 0, shop: 0 },
      });
      const client = new ApiClient({ baseUrl: demo.runtime.apiUrl, token: readCliToken(dataDir) as string });
      // The benign day then the two incidents play in real time (about a minute on a quiet machine).
      await until(async () => {
        const page = await client.alerts.list({ limit: 100 });
        const rules = new Set(page.items.map((alert) => alert.ruleId));
        return rules.has('delivery.locker-forced-open') && rules.has('delivery.insider-same-spot')
          ? true
          : undefined;
      }, 80_000);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await (
        await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' })
      ).newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(demo.dashboardUrl);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(demo.runtime.admin.oneTimePassword as string);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('New password again').fill(PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByTestId('whoami').waitFor();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('draws parcels, lockers, vans and the alerts on the map, and opens a parcel timeline', async () => {
      await page.getByRole('link', { name: 'Delivery' }).click();
      await page.getByTestId('delivery-map').waitFor();
      await page.getByTestId('map-alert').first().waitFor();
      expect(await page.getByTestId('parcel').count()).toBeGreaterThan(5);
      expect(await page.locator('[data-testid="delivery-map"] rect').count()).toBeGreaterThanOrEqual(2);
      const alerts = await page.getByTestId('delivery-alerts').innerText();
      expect(alerts).toContain('Locker opened without a valid code');
      expect(alerts).toContain('Many parcels marked delivered at one spot');

      // The map refreshes every 10 s; a dispatched click does not wait for the element to sit still.
      await page.getByTestId('parcel').first().dispatchEvent('click');
      const timeline = page.getByTestId('parcel-timeline');
      await timeline.getByText('carrier.', { exact: false }).first().waitFor();
      await page.screenshot({ path: join(SHOTS, 'delivery.png'), fullPage: true });
      await page.screenshot({ path: join(DOC_IMAGES, 'dashboard-delivery.png'), fullPage: true });
    });
  },
);
