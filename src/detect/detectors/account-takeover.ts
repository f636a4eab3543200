/**
 * Account takeover (detect, built-in detector): the sequence a thief follows once in an
 * account. A successful login from a device or network the account has not used before,
 * then a change of delivery address or payment method, then a high-value order, all within
 * the window: one detection on the account (`ecommerce.account-takeover`). Learns each
 * account's devices (ja4, device id or user agent) and networks (/24, /48) from its logins
 * and registration. ATT&CK T1078. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createAccountTakeoverDetector({ highValueMinor: 50_000 });
 *   for (const event of [login, addressChange, order]) detector.observe(event);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { accountKeyOf, businessOf, clientIpOf, deviceOf, networkOf, type Business } from './kit/fields.js';
import { rememberRecent } from './kit/recent-values.js';

export const accountTakeoverConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    loginTypes: z.array(z.string().min(1).max(64)).min(1).default(['login']),
    /** Types whose success teaches the account's device and network without being judged. */
    enrolTypes: z.array(z.string().min(1).max(64)).default(['registration']),
    changeTypes: z
      .array(z.string().min(1).max(64))
      .min(1)
      .default(['address_change', 'payment_method_added', 'email_change', 'password_change']),
    orderTypes: z.array(z.string().min(1).max(64)).min(1).default(['order']),
    /** An order at or above this amount (minor units, any currency) completes the sequence. */
    highValueMinor: z.number().int().min(0).default(20_000),
    /** What makes a login new: an unseen device or network (either), or both unseen. */
    novelty: z.enum(['device-or-network', 'device-and-network']).default('device-or-network'),
    /** Judge an account's first login too; off by default, so a new install does not flag every account. */
    firstLoginIsNew: z.boolean().default(false),
    /** From the new login to the order. */
    window: durationMs.prefault('24h'),
    /** How long an account's devices and networks are remembered after its last login. */
    historyTtl: durationMs.prefault('90d'),
    cooldown: durationMs.prefault('24h'),
    maxKeys: maxKeys.default(200_000),
    maxKnownPerAccount: count.default(8),
  })
  .strict();

export type AccountTakeoverConfig = z.output<typeof accountTakeoverConfigSchema>;
export type AccountTakeoverConfigInput = z.input<typeof accountTakeoverConfigSchema>;

const RULE = 'ecommerce.account-takeover';
const MAX_CHANGES = 10;

interface Pending {
  loginMs: number;
  loginId: string;
  network: string;
  newDevice: boolean;
  newNetwork: boolean;
  changes: { type: string; id: string }[];
}

interface AccountHistory extends Stamped {
  devices: string[];
  networks: string[];
  pending: Pending | undefined;
}

export function createAccountTakeoverDetector(
  input: AccountTakeoverConfigInput = {},
  where = 'detectors.account-takeover',
): Detector {
  const config = parseDetectorConfig(accountTakeoverConfigSchema, input, where);
  const loginTypes = new Set(config.loginTypes);
  const enrolTypes = new Set(config.enrolTypes);
  const changeTypes = new Set(config.changeTypes);
  const orderTypes = new Set(config.orderTypes);
  const accounts = new BoundedMap<AccountHistory>(config.maxKeys, config.historyTtl);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function learn(event: SecurityEvent, account: string, nowMs: number, judge: boolean): void {
    const ip = clientIpOf(event);
    const network = ip === undefined ? undefined : networkOf(ip);
    const device = deviceOf(event);
    const history = accounts.upsert(account, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      devices: [],
      networks: [],
      pending: undefined,
    }));
    const known = history.devices.length + history.networks.length > 0;
    if (judge && (known || config.firstLoginIsNew) && network !== undefined) {
      const newNetwork = !history.networks.includes(network);
      const newDevice = device !== undefined && !history.devices.includes(device);
      const isNew =
        config.novelty === 'device-or-network' ? newNetwork || newDevice : newNetwork && newDevice;
      const active = history.pending !== undefined && nowMs - history.pending.loginMs <= config.window;
      if (isNew && !active) {
        history.pending = { loginMs: nowMs, loginId: event.id, network, newDevice, newNetwork, changes: [] };
      }
    }
    rememberRecent(history.devices, device, config.maxKnownPerAccount);
    rememberRecent(history.networks, network, config.maxKnownPerAccount);
  }

  function activePending(
    account: string,
    nowMs: number,
  ): { history: AccountHistory; pending: Pending } | undefined {
    const history = accounts.peek(account, nowMs);
    const pending = history?.pending;
    if (history === undefined || pending === undefined) return undefined;
    if (nowMs - pending.loginMs > config.window) {
      history.pending = undefined;
      return undefined;
    }
    return { history, pending };
  }

  function order(event: SecurityEvent, business: Business, account: string, nowMs: number): Detection[] {
    if ((business.amountMinor ?? 0) < config.highValueMinor) return [];
    const found = activePending(account, nowMs);
    if (found === undefined || found.pending.changes.length === 0) return [];
    const { history, pending } = found;
    history.pending = undefined;
    const entity = { type: 'account', value: account } as const;
    if (!cooldown.allow(RULE, entity, nowMs)) return [];
    const minutes = Math.round((nowMs - pending.loginMs) / 60_000);
    const changes = [...new Set(pending.changes.map((c) => c.type))].join(', ');
    const novelty = [pending.newDevice ? 'a new device' : '', pending.newNetwork ? 'a new network' : '']
      .filter(Boolean)
      .join(' and ');
    return [
      detection({
        ruleId: RULE,
        title: 'Possible account takeover',
        description: `Login from ${novelty}, then ${changes}, then an order of ${business.amountMinor} ${business.currency ?? ''} ${minutes} min later. Hold the order and confirm with the customer through a known channel.`,
        severity: 'high',
        eventIds: [pending.loginId, ...pending.changes.map((c) => c.id), event.id],
        entity,
        attack: ['T1078'],
        tags: ['ecommerce', 'account-takeover'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          newDevice: pending.newDevice,
          newNetwork: pending.newNetwork,
          loginNetwork: pending.network,
          changes,
          orderAmountMinor: business.amountMinor ?? 0,
          currency: business.currency ?? '',
          minutesLoginToOrder: minutes,
        },
      }),
    ];
  }

  return {
    name: 'account-takeover',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event);
      if (!config.enabled || business === undefined || business.outcome === 'failure') return [];
      const account = accountKeyOf(business);
      const type = business.type;
      const relevant =
        loginTypes.has(type) || enrolTypes.has(type) || changeTypes.has(type) || orderTypes.has(type);
      if (account === undefined || !relevant) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      accounts.sweep(nowMs);
      cooldown.sweep(nowMs);
      if (loginTypes.has(type)) {
        if (business.outcome === 'success') learn(event, account, nowMs, true);
      } else if (enrolTypes.has(type)) {
        learn(event, account, nowMs, false);
      } else if (changeTypes.has(type)) {
        const found = activePending(account, nowMs);
        if (found && found.pending.changes.length < MAX_CHANGES)
          found.pending.changes.push({ type, id: event.id });
      } else {
        return order(event, business, account, nowMs);
      }
      return [];
    },
    stateSize: () => accounts.size + cooldown.size,
  };
}
