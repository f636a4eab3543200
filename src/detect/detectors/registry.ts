/**
 * The built-in e-commerce detectors (detect), in alphabetical order: adding one is one file
 * and one line here. `createDetectors` builds the enabled ones from the `detectors` section
 * of the configuration (each key optional; every setting has a default).
 *
 * @example
 *   const detectors = createDetectors({ 'card-testing': { smallAmountMinor: 500 }, scraping: { enabled: false } });
 */
import { EnsuresecError } from '../../core/errors.js';
import type { Detector } from '../detector.js';
import { accountTakeoverConfigSchema, createAccountTakeoverDetector } from './account-takeover.js';
import { bruteForceConfigSchema, createBruteForceDetector } from './brute-force.js';
import { cardTestingConfigSchema, createCardTestingDetector } from './card-testing.js';
import { couponAbuseConfigSchema, createCouponAbuseDetector } from './coupon-abuse.js';
import { createCredentialStuffingDetector, credentialStuffingConfigSchema } from './credential-stuffing.js';
import { createDataExfiltrationDetector, dataExfiltrationConfigSchema } from './data-exfiltration.js';
import { createFakeAccountsDetector, fakeAccountsConfigSchema } from './fake-accounts.js';
import { createScalpingDetector, scalpingConfigSchema } from './scalping.js';
import { createScrapingDetector, scrapingConfigSchema } from './scraping.js';
import { createWebAttacksDetector, webAttacksConfigSchema } from './web-attacks.js';

export const DETECTORS = {
  'account-takeover': { configSchema: accountTakeoverConfigSchema, create: createAccountTakeoverDetector },
  'brute-force': { configSchema: bruteForceConfigSchema, create: createBruteForceDetector },
  'card-testing': { configSchema: cardTestingConfigSchema, create: createCardTestingDetector },
  'coupon-abuse': { configSchema: couponAbuseConfigSchema, create: createCouponAbuseDetector },
  'credential-stuffing': {
    configSchema: credentialStuffingConfigSchema,
    create: createCredentialStuffingDetector,
  },
  'data-exfiltration': {
    configSchema: dataExfiltrationConfigSchema,
    create: createDataExfiltrationDetector,
  },
  'fake-accounts': { configSchema: fakeAccountsConfigSchema, create: createFakeAccountsDetector },
  scalping: { configSchema: scalpingConfigSchema, create: createScalpingDetector },
  scraping: { configSchema: scrapingConfigSchema, create: createScrapingDetector },
  'web-attacks': { configSchema: webAttacksConfigSchema, create: createWebAttacksDetector },
} as const;

export type DetectorName = keyof typeof DETECTORS;
export const DETECTOR_NAMES = Object.keys(DETECTORS) as DetectorName[];

/** The `detectors` section of the configuration: per detector, its settings (all optional). */
export type DetectorsConfig = Partial<Record<DetectorName, unknown>>;

function isEnabled(settings: unknown): boolean {
  return !(
    typeof settings === 'object' &&
    settings !== null &&
    (settings as { enabled?: unknown }).enabled === false
  );
}

/** The enabled detectors, each with its validated settings; `config_invalid` names a bad key. */
export function createDetectors(config: DetectorsConfig = {}, where = 'detectors'): Detector[] {
  if (typeof config !== 'object' || config === null) {
    throw new EnsuresecError('config_invalid', {
      detail: `${where}: must be a mapping of detector names to settings.`,
    });
  }
  for (const name of Object.keys(config)) {
    if (!(name in DETECTORS)) {
      throw new EnsuresecError('config_invalid', {
        detail: `${where}.${name}: no such detector; the detectors are ${DETECTOR_NAMES.join(', ')}.`,
      });
    }
  }
  return DETECTOR_NAMES.filter((name) => isEnabled(config[name])).map((name) =>
    // Each factory validates its own settings; the union of their input types is what `unknown` stands for here.
    (DETECTORS[name].create as (input: unknown, where: string) => Detector)(
      config[name] ?? {},
      `${where}.${name}`,
    ),
  );
}
