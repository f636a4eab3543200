/**
 * Brute force (detect, built-in detector): many failed logins on one account, from one
 * address or many (`ecommerce.brute-force`), and a success on an account right after such a
 * run of failures (`ecommerce.brute-force.succeeded`): the password was probably guessed.
 * Reads the shop's `login` events. ATT&CK T1110.001 (and T1078 once it succeeded).
 * docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createBruteForceDetector({ minFailures: 8 });
 *   const detections = detector.observe(loginFailedEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { loginKeyOf, businessOf, clientIpOf, stringAttribute } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const bruteForceConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    loginTypes: z.array(z.string().min(1).max(64)).min(1).default(['login']),
    window: durationMs.prefault('15m'),
    cooldown: durationMs.prefault('30m'),
    /** Failed logins on one account within the window that make a brute force. */
    minFailures: count.default(10),
    /** Failures before a success that make the success suspect. */
    minFailuresBeforeSuccess: count.default(6),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(1000),
  })
  .strict();

export type BruteForceConfig = z.output<typeof bruteForceConfigSchema>;
export type BruteForceConfigInput = z.input<typeof bruteForceConfigSchema>;

const RULE = 'ecommerce.brute-force';
const RULE_SUCCEEDED = 'ecommerce.brute-force.succeeded';

export function createBruteForceDetector(
  input: BruteForceConfigInput = {},
  where = 'detectors.brute-force',
): Detector {
  const config = parseDetectorConfig(bruteForceConfigSchema, input, where);
  const loginTypes = new Set(config.loginTypes);
  const byAccount = new WindowTable({
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  const windowSeconds = Math.round(config.window / 1000);

  return {
    name: 'brute-force',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event, loginTypes);
      if (!config.enabled || business === undefined || business.outcome === undefined) return [];
      const account = loginKeyOf(business);
      const nowMs = clock.advance(event);
      if (account === undefined || nowMs === undefined) return [];
      byAccount.sweep(nowMs);
      cooldown.sweep(nowMs);
      const entity = { type: 'account', value: account } as const;
      const failed = business.outcome === 'failure';
      const ip = clientIpOf(event);

      if (!failed) {
        const window = byAccount.peek(account, nowMs);
        const failures = window?.failures ?? 0;
        if (window === undefined || failures < config.minFailuresBeforeSuccess) return [];
        const ids = window.eventIds();
        const addresses = window.distinctA;
        byAccount.add(account, { t: nowMs, id: event.id, failed, a: ip, b: undefined, amount: 0 });
        if (!cooldown.allow(RULE_SUCCEEDED, entity, nowMs)) return [];
        return [
          detection({
            ruleId: RULE_SUCCEEDED,
            title: `Login succeeded after ${failures} failures on one account`,
            description: `A login succeeded after ${failures} failed attempts in ${windowSeconds} s: the password may have been guessed. Check the account's recent activity and force a password reset.`,
            severity: 'high',
            eventIds: [event.id, ...ids],
            entity,
            attack: ['T1110.001', 'T1078'],
            tags: ['ecommerce', 'brute-force', 'login'],
            timeMs: clock.absolute(nowMs),
            evidence: {
              failuresBefore: failures,
              distinctAddresses: addresses,
              windowSeconds,
              successAddress: ip ?? '',
            },
          }),
        ];
      }

      const reason = stringAttribute(business, 'reason');
      const window = byAccount.add(account, { t: nowMs, id: event.id, failed, a: ip, b: reason, amount: 0 });
      if (window.failures < config.minFailures || !cooldown.allow(RULE, entity, nowMs)) return [];
      return [
        detection({
          ruleId: RULE,
          title: 'Brute force on one account',
          description: `${window.failures} failed logins on the account in ${windowSeconds} s from ${window.distinctA} address(es).`,
          severity: 'medium',
          eventIds: window.eventIds(),
          entity,
          attack: ['T1110.001'],
          tags: ['ecommerce', 'brute-force', 'login'],
          timeMs: clock.absolute(nowMs),
          evidence: {
            failures: window.failures,
            distinctAddresses: window.distinctA,
            reasons: histogram([...window.live()].map((e) => e.b)),
            windowSeconds,
          },
        }),
      ];
    },
    stateSize: () => byAccount.size + cooldown.size,
  };
}
