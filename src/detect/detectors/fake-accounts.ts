/**
 * Fake account creation (detect, built-in detector): accounts made in bulk for coupon
 * farming, reviews, scalping or spam. Bursts of registrations from one address or network
 * (`ecommerce.fake-accounts.burst`), repeated registrations with disposable e-mail domains
 * from one address or network (`ecommerce.fake-accounts.disposable`), and many new accounts
 * whose e-mail addresses follow one pattern, wherever they come from
 * (`ecommerce.fake-accounts.similar-names`: `deals1@…`, `deals2@…`). Reads the shop's
 * `registration` events. ATT&CK T1585. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createFakeAccountsDetector({ disposableDomains: ['mailinator.com'] });
 *   const detections = detector.observe(registrationEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram } from './kit/detection.js';
import type { EventWindow } from './kit/event-window.js';
import { EventClock } from './kit/event-clock.js';
import { businessOf, clientIpOf, emailDomainOf, networkOf, normalisedEmail } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

/** A starting list of well-known disposable-mail domains; extend it in the configuration. */
export const DEFAULT_DISPOSABLE_DOMAINS = [
  '10minutemail.com',
  'burnermail.io',
  'discard.email',
  'dispostable.com',
  'emailondeck.com',
  'fakeinbox.com',
  'getairmail.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'maildrop.cc',
  'mailinator.com',
  'mailnesia.com',
  'mintemail.com',
  'mohmal.com',
  'moakt.com',
  'sharklasers.com',
  'spamgourmet.com',
  'temp-mail.org',
  'tempmail.com',
  'tempmail.net',
  'tempr.email',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
];

export const fakeAccountsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    registrationTypes: z.array(z.string().min(1).max(64)).min(1).default(['registration']),
    burst: z
      .object({
        window: durationMs.prefault('1h'),
        minPerAddress: count.default(5),
        minPerNetwork: count.default(10),
      })
      .strict()
      .prefault({}),
    disposable: z
      .object({
        window: durationMs.prefault('24h'),
        minPerAddress: count.default(3),
        minPerNetwork: count.default(5),
      })
      .strict()
      .prefault({}),
    /** Domains (and their subdomains) of disposable mail services. */
    disposableDomains: z.array(z.string().min(3).max(253)).max(100_000).default(DEFAULT_DISPOSABLE_DOMAINS),
    similarNames: z
      .object({
        window: durationMs.prefault('1h'),
        /** New accounts whose e-mails share a stem (letters before a number) and a domain. */
        minAccounts: count.default(5),
        minStemLength: count.default(4),
      })
      .strict()
      .prefault({}),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(500),
  })
  .strict();

export type FakeAccountsConfig = z.output<typeof fakeAccountsConfigSchema>;
export type FakeAccountsConfigInput = z.input<typeof fakeAccountsConfigSchema>;

const RULE_BURST = 'ecommerce.fake-accounts.burst';
const RULE_DISPOSABLE = 'ecommerce.fake-accounts.disposable';
const RULE_SIMILAR = 'ecommerce.fake-accounts.similar-names';

/** `deals12-x9@mail.example` → `deals#@mail.example`; undefined when no letters-then-digits stem. */
export function emailStemOf(email: string, minStemLength: number): string | undefined {
  const domain = emailDomainOf(email);
  const local = email.slice(0, email.lastIndexOf('@'));
  const match = /^([a-z]+(?:[._-][a-z]+)*)[._-]?\d/.exec(local);
  if (domain === undefined || !match) return undefined;
  const stem = (match[1] as string).replace(/[._-]/g, '');
  return stem.length >= minStemLength ? `${stem}#@${domain}` : undefined;
}

export function createFakeAccountsDetector(
  input: FakeAccountsConfigInput = {},
  where = 'detectors.fake-accounts',
): Detector {
  const config = parseDetectorConfig(fakeAccountsConfigSchema, input, where);
  const registrationTypes = new Set(config.registrationTypes);
  const disposableDomains = new Set(config.disposableDomains.map((d) => d.toLowerCase()));
  const bounds = { maxKeys: config.maxKeys, maxEntriesPerKey: config.maxEventsPerKey };
  const bursts = new WindowTable({ ...bounds, windowMs: config.burst.window });
  const disposables = new WindowTable({ ...bounds, windowMs: config.disposable.window });
  const stems = new WindowTable({ ...bounds, windowMs: config.similarNames.window });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function isDisposable(domain: string): boolean {
    for (let at = 0; at >= 0; at = domain.indexOf('.', at) + 1 || -1) {
      if (disposableDomains.has(domain.slice(at))) return true;
    }
    return false;
  }

  function fire(
    rule: string,
    entity: DetectionEntity,
    window: EventWindow,
    nowMs: number,
    title: string,
    description: string,
  ): Detection[] {
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    const entries = [...window.live()];
    return [
      detection({
        ruleId: rule,
        title,
        description,
        severity: 'medium',
        eventIds: window.eventIds(),
        entity,
        attack: ['T1585'],
        tags: ['ecommerce', 'fake-accounts', 'registration'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          registrations: window.size,
          failed: window.failures,
          distinctEmails: window.distinctA,
          distinctAddresses: window.distinctB,
          domains: histogram(
            entries.map((e) => (e.a === undefined ? undefined : emailDomainOf(e.a))),
            5,
          ),
        },
      }),
    ];
  }

  return {
    name: 'fake-accounts',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event, registrationTypes);
      const ip = clientIpOf(event);
      if (!config.enabled || business === undefined || ip === undefined) return [];
      const email = normalisedEmail(business);
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      for (const table of [bursts, disposables, stems]) table.sweep(nowMs);
      cooldown.sweep(nowMs);
      const entry = {
        t: nowMs,
        id: event.id,
        failed: business.outcome === 'failure',
        a: email,
        b: ip,
        amount: 0,
      };
      const found: Detection[] = [];
      const places: [DetectionEntity, 'Address' | 'Network'][] = [
        [{ type: 'ip', value: ip }, 'Address'],
        [{ type: 'ip', value: networkOf(ip) }, 'Network'],
      ];
      const domain = email === undefined ? undefined : emailDomainOf(email);
      const disposable = domain !== undefined && isDisposable(domain);
      for (const [entity, kind] of places) {
        const window = bursts.add(`${kind}|${entity.value}`, entry);
        const min = kind === 'Address' ? config.burst.minPerAddress : config.burst.minPerNetwork;
        // A network burst needs several addresses; one address is the address rule's.
        if (window.size >= min && (kind === 'Address' || window.distinctB > 1)) {
          const hours = Math.round((config.burst.window / 3_600_000) * 10) / 10;
          found.push(
            ...fire(
              RULE_BURST,
              entity,
              window,
              nowMs,
              `Burst of registrations from one ${kind === 'Address' ? 'address' : 'network'}`,
              `${window.size} registrations (${window.distinctA} e-mail addresses) from one ${kind === 'Address' ? 'address' : 'network'} in ${hours} h.`,
            ),
          );
        }
        if (disposable) {
          const dWindow = disposables.add(`${kind}|${entity.value}`, entry);
          const dMin = kind === 'Address' ? config.disposable.minPerAddress : config.disposable.minPerNetwork;
          if (dWindow.size >= dMin && (kind === 'Address' || dWindow.distinctB > 1)) {
            found.push(
              ...fire(
                RULE_DISPOSABLE,
                entity,
                dWindow,
                nowMs,
                `Registrations with disposable e-mail from one ${kind === 'Address' ? 'address' : 'network'}`,
                `${dWindow.size} registrations with disposable e-mail domains from one ${kind === 'Address' ? 'address' : 'network'}.`,
              ),
            );
          }
        }
      }
      const stem = email === undefined ? undefined : emailStemOf(email, config.similarNames.minStemLength);
      if (stem !== undefined && business.outcome !== 'failure') {
        const window = stems.add(stem, entry);
        if (window.distinctA >= config.similarNames.minAccounts) {
          const entity = { type: 'account', value: stem } as const;
          found.push(
            ...fire(
              RULE_SIMILAR,
              entity,
              window,
              nowMs,
              `${window.distinctA} new accounts with e-mail addresses of one pattern`,
              `${window.distinctA} accounts registered with e-mail addresses of one pattern (the entity) from ${window.distinctB} address(es).`,
            ),
          );
        }
      }
      return found;
    },
    stateSize: () => bursts.size + disposables.size + stems.size + cooldown.size,
  };
}
