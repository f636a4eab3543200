/**
 * Credential stuffing (detect, built-in detector): leaked e-mail/password pairs replayed
 * against the login. It shows as many accounts with few attempts each and mostly failures:
 * from one address (`ecommerce.credential-stuffing`), or spread over many addresses that
 * share a network, a TLS fingerprint or a user agent, or over the whole shop
 * (`ecommerce.credential-stuffing.distributed`). Reads the shop's `login` events.
 * ATT&CK T1110.004. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createCredentialStuffingDetector({ perAddress: { minDistinctAccounts: 5 } });
 *   const detections = detector.observe(loginFailedEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { count, durationMs, fraction, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, entityNoun, ratio } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import type { EventWindow } from './kit/event-window.js';
import { loginKeyOf, businessOf, clientIpOf, ja4Of, networkOf, userAgentOf } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

const thresholds = (defaults: {
  minAttempts: number;
  minDistinctAccounts: number;
  minDistinctAddresses: number;
  minFailureRatio: number;
  maxAttemptsPerAccount: number;
}) =>
  z
    .object({
      minAttempts: count.default(defaults.minAttempts),
      minDistinctAccounts: count.default(defaults.minDistinctAccounts),
      minDistinctAddresses: count.default(defaults.minDistinctAddresses),
      minFailureRatio: fraction.default(defaults.minFailureRatio),
      /** Above this many attempts per account on average it is brute force, not stuffing. */
      maxAttemptsPerAccount: z.number().min(1).max(1000).default(defaults.maxAttemptsPerAccount),
    })
    .strict()
    .prefault({});

export const credentialStuffingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Business event types that are login attempts (outcome success or failure). */
    loginTypes: z.array(z.string().min(1).max(64)).min(1).default(['login']),
    window: durationMs.prefault('10m'),
    cooldown: durationMs.prefault('30m'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(2000),
    perAddress: thresholds({
      minAttempts: 10,
      minDistinctAccounts: 8,
      minDistinctAddresses: 1,
      minFailureRatio: 0.8,
      maxAttemptsPerAccount: 3,
    }),
    /** Per /24 or /48 network, per TLS fingerprint (ja4) and per user agent. */
    distributed: thresholds({
      minAttempts: 20,
      minDistinctAccounts: 15,
      minDistinctAddresses: 5,
      minFailureRatio: 0.8,
      maxAttemptsPerAccount: 3,
    }),
    /** Over all logins of the shop: an attack spread so thin that no shared trait is left. */
    shopWide: thresholds({
      minAttempts: 60,
      minDistinctAccounts: 50,
      minDistinctAddresses: 20,
      minFailureRatio: 0.7,
      maxAttemptsPerAccount: 2,
    }),
  })
  .strict();

export type CredentialStuffingConfig = z.output<typeof credentialStuffingConfigSchema>;
export type CredentialStuffingConfigInput = z.input<typeof credentialStuffingConfigSchema>;
type Thresholds = CredentialStuffingConfig['perAddress'];

const RULE_PER_ADDRESS = 'ecommerce.credential-stuffing';
const RULE_DISTRIBUTED = 'ecommerce.credential-stuffing.distributed';

export function createCredentialStuffingDetector(
  input: CredentialStuffingConfigInput = {},
  where = 'detectors.credential-stuffing',
): Detector {
  const config = parseDetectorConfig(credentialStuffingConfigSchema, input, where);
  const loginTypes = new Set(config.loginTypes);
  const options = {
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  };
  const byAddress = new WindowTable(options);
  const byTrait = new WindowTable(options);
  const shop = new WindowTable({
    ...options,
    maxKeys: 1,
    maxEntriesPerKey: Math.max(config.maxEventsPerKey, 10_000),
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function judge(
    window: EventWindow,
    limits: Thresholds,
    rule: string,
    entity: DetectionEntity,
    nowMs: number,
  ): Detection | undefined {
    const attempts = window.size;
    if (attempts < limits.minAttempts || window.distinctA < limits.minDistinctAccounts) return undefined;
    if (window.failures / attempts < limits.minFailureRatio) return undefined;
    if (attempts / window.distinctA > limits.maxAttemptsPerAccount) return undefined;
    const addresses = rule === RULE_PER_ADDRESS ? 1 : window.distinctB;
    if (addresses < limits.minDistinctAddresses) return undefined;
    if (!cooldown.allow(rule, entity, nowMs)) return undefined;
    const successes = attempts - window.failures;
    return detection({
      ruleId: rule,
      title:
        rule === RULE_PER_ADDRESS
          ? 'Credential stuffing from one address'
          : `Distributed credential stuffing (one ${entityNoun(entity)})`,
      description:
        `${attempts} login attempts on ${window.distinctA} accounts in ${Math.round(config.window / 1000)} s, ` +
        `${Math.round((window.failures / attempts) * 100)} % failed` +
        (successes > 0 ? `; ${successes} succeeded: those accounts may be taken over.` : '.'),
      // Only one address's successes are surely the attacker's; a wide view mixes in honest logins.
      severity: successes > 0 && rule === RULE_PER_ADDRESS ? 'critical' : 'high',
      eventIds: window.eventIds(1000, (entry) => !entry.failed),
      entity,
      attack: ['T1110.004'],
      tags: ['ecommerce', 'credential-stuffing', 'login'],
      timeMs: clock.absolute(nowMs),
      evidence: {
        attempts,
        failures: window.failures,
        successes,
        failureRatio: ratio(window.failures, attempts),
        distinctAccounts: window.distinctA,
        distinctAddresses: addresses,
        attemptsPerAccount: ratio(attempts, window.distinctA),
        windowSeconds: Math.round(config.window / 1000),
      },
    });
  }

  return {
    name: 'credential-stuffing',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event, loginTypes);
      const ip = clientIpOf(event);
      if (!config.enabled || business === undefined || ip === undefined || business.outcome === undefined)
        return [];
      const account = loginKeyOf(business);
      const nowMs = clock.advance(event);
      if (account === undefined || nowMs === undefined) return [];
      for (const table of [byAddress, byTrait, shop]) table.sweep(nowMs);
      cooldown.sweep(nowMs);

      const entry = {
        t: nowMs,
        id: event.id,
        failed: business.outcome === 'failure',
        a: account,
        b: ip,
        amount: 0,
      };
      const found: Detection[] = [];
      const push = (d: Detection | undefined) => d && found.push(d);
      push(
        judge(
          byAddress.add(ip, { ...entry, b: undefined }),
          config.perAddress,
          RULE_PER_ADDRESS,
          { type: 'ip', value: ip },
          nowMs,
        ),
      );
      const traits: DetectionEntity[] = [{ type: 'ip', value: networkOf(ip) }];
      const ja4 = ja4Of(event);
      if (ja4) traits.push({ type: 'ja4', value: ja4 });
      const userAgent = userAgentOf(event);
      if (userAgent) traits.push({ type: 'device', value: userAgent });
      for (const trait of traits) {
        const window = byTrait.add(`${trait.type}|${trait.value}`, { ...entry });
        push(judge(window, config.distributed, RULE_DISTRIBUTED, trait, nowMs));
      }
      push(
        judge(
          shop.add('*', { ...entry }),
          config.shopWide,
          RULE_DISTRIBUTED,
          { type: 'ip', value: '*' },
          nowMs,
        ),
      );
      return found;
    },
    stateSize: () => byAddress.size + byTrait.size + shop.size + cooldown.size,
  };
}
