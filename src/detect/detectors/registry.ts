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
import { atoRedirectChainConfigSchema, createAtoRedirectChainDetector } from './ato-redirect-chain.js';
import { beaconingConfigSchema, createBeaconingDetector } from './beaconing.js';
import { bruteForceConfigSchema, createBruteForceDetector } from './brute-force.js';
import { cardTestingConfigSchema, createCardTestingDetector } from './card-testing.js';
import { coldChainConfigSchema, createColdChainDetector } from './cold-chain.js';
import { couponAbuseConfigSchema, createCouponAbuseDetector } from './coupon-abuse.js';
import { createCredentialStuffingDetector, credentialStuffingConfigSchema } from './credential-stuffing.js';
import { createDataExfiltrationDetector, dataExfiltrationConfigSchema } from './data-exfiltration.js';
import { createDeliveryInsiderDetector, deliveryInsiderConfigSchema } from './delivery-insider.js';
import { createDeliveryLocationDetector, deliveryLocationConfigSchema } from './delivery-location.js';
import { createFakeAccountsDetector, fakeAccountsConfigSchema } from './fake-accounts.js';
import { createFloodDetector, floodConfigSchema } from './flood.js';
import { createForbiddenPathsDetector, forbiddenPathsConfigSchema } from './forbidden-paths.js';
import { createInrClaimsDetector, inrClaimsConfigSchema } from './inr-claims.js';
import { createLockerSecurityDetector, lockerSecurityConfigSchema } from './locker-security.js';
import { createPortScanDetector, portScanConfigSchema } from './port-scan.js';
import { createRouteDeviationDetector, routeDeviationConfigSchema } from './route-deviation.js';
import { createScalpingDetector, scalpingConfigSchema } from './scalping.js';
import { createScrapingDetector, scrapingConfigSchema } from './scraping.js';
import { createSlowAttackDetector, slowAttackConfigSchema } from './slow-attack.js';
import { createUnusualEgressDetector, unusualEgressConfigSchema } from './unusual-egress.js';
import { createWebAttacksDetector, webAttacksConfigSchema } from './web-attacks.js';

export const DETECTORS = {
  'account-takeover': { configSchema: accountTakeoverConfigSchema, create: createAccountTakeoverDetector },
  'ato-redirect-chain': {
    configSchema: atoRedirectChainConfigSchema,
    create: createAtoRedirectChainDetector,
  },
  beaconing: { configSchema: beaconingConfigSchema, create: createBeaconingDetector },
  'brute-force': { configSchema: bruteForceConfigSchema, create: createBruteForceDetector },
  'card-testing': { configSchema: cardTestingConfigSchema, create: createCardTestingDetector },
  'cold-chain': { configSchema: coldChainConfigSchema, create: createColdChainDetector },
  'coupon-abuse': { configSchema: couponAbuseConfigSchema, create: createCouponAbuseDetector },
  'credential-stuffing': {
    configSchema: credentialStuffingConfigSchema,
    create: createCredentialStuffingDetector,
  },
  'data-exfiltration': {
    configSchema: dataExfiltrationConfigSchema,
    create: createDataExfiltrationDetector,
  },
  'delivery-insider': { configSchema: deliveryInsiderConfigSchema, create: createDeliveryInsiderDetector },
  'delivery-location': { configSchema: deliveryLocationConfigSchema, create: createDeliveryLocationDetector },
  'fake-accounts': { configSchema: fakeAccountsConfigSchema, create: createFakeAccountsDetector },
  flood: { configSchema: floodConfigSchema, create: createFloodDetector },
  'forbidden-paths': { configSchema: forbiddenPathsConfigSchema, create: createForbiddenPathsDetector },
  'inr-claims': { configSchema: inrClaimsConfigSchema, create: createInrClaimsDetector },
  'locker-security': { configSchema: lockerSecurityConfigSchema, create: createLockerSecurityDetector },
  'port-scan': { configSchema: portScanConfigSchema, create: createPortScanDetector },
  'route-deviation': { configSchema: routeDeviationConfigSchema, create: createRouteDeviationDetector },
  scalping: { configSchema: scalpingConfigSchema, create: createScalpingDetector },
  scraping: { configSchema: scrapingConfigSchema, create: createScrapingDetector },
  'slow-attack': { configSchema: slowAttackConfigSchema, create: createSlowAttackDetector },
  'unusual-egress': { configSchema: unusualEgressConfigSchema, create: createUnusualEgressDetector },
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
