/**
 * The attack scenario registry: one line per scenario, alphabetical. Adding one is a
 * file in this folder plus a line here.
 */
import { cardTesting } from './card-testing.js';
import { couponAbuse } from './coupon-abuse.js';
import { credentialStuffing } from './credential-stuffing.js';
import { dataExfiltration } from './data-exfiltration.js';
import { pathProbing } from './path-probing.js';
import { portScan } from './port-scan.js';
import { scraping } from './scraping.js';
import { sqlInjection } from './sql-injection.js';
import type { AttackScenario } from './types.js';
import { xss } from './xss.js';

export const ATTACK_SCENARIOS = {
  'card-testing': cardTesting,
  'coupon-abuse': couponAbuse,
  'credential-stuffing': credentialStuffing,
  'data-exfiltration': dataExfiltration,
  'path-probing': pathProbing,
  'port-scan': portScan,
  scraping: scraping,
  'sql-injection': sqlInjection,
  xss: xss,
} as const satisfies Record<string, AttackScenario>;

export type AttackScenarioName = keyof typeof ATTACK_SCENARIOS;
export const ATTACK_SCENARIO_NAMES = Object.keys(ATTACK_SCENARIOS) as AttackScenarioName[];
export type { AttackScenario, ScenarioContext } from './types.js';
