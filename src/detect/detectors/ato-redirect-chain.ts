/**
 * The cross-domain chain (detect, built-in detector, delivery chain): an account takeover
 * signal, a shipping address change, a high-value order and a delivery redirect of that
 * order, all within `window` from the signal, raised as ONE detection on the account
 * (`delivery.ato-redirect-chain`, critical) when the last link arrives. The links after the
 * signal may arrive in any order (shop and carrier clocks and queues differ).
 * - signal: a successful login from a device or network the account has not used (learnt from
 *   its logins, as the account-takeover detector does), a business event of a `signalTypes`
 *   type, or any business event with `attributes.atoSignal: true`;
 * - address change: a business event of a `changeTypes` type, or the delivery API's
 *   `order.address_changed` of the order (or naming the account as `customerId`);
 * - order: a business event of an `orderTypes` type at or above `highValueMinor`; its
 *   `attributes.orderId` ties the carrier's events to the account;
 * - redirect: a `carrier.redirected` delivery event of that order (or with the account as
 *   `customerId`).
 * ATT&CK T1078.
 *
 * @example
 *   const detector = createAtoRedirectChainDetector({ highValueMinor: 30_000, window: '3d' });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { deliveryOf, textOf } from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { accountKeyOf, businessOf, clientIpOf, deviceOf, networkOf, type Business } from './kit/fields.js';
import { rememberRecent } from './kit/recent-values.js';

const types = (defaults: string[]) => z.array(z.string().min(1).max(64)).min(1).default(defaults);

export const atoRedirectChainConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    loginTypes: types(['login']),
    signalTypes: types(['account_takeover_signal', 'ato_signal', 'session_hijack', 'mfa_disabled']),
    changeTypes: types(['address_change', 'shipping_address_change', 'order.address_changed']),
    orderTypes: types(['order']),
    redirectTypes: types(['carrier.redirected']),
    highValueMinor: z.number().int().min(0).default(20_000),
    window: durationMs.prefault('72h'),
    historyTtl: durationMs.prefault('90d'),
    maxKnownPerAccount: count.default(8),
    cooldown: durationMs.prefault('24h'),
    maxKeys: maxKeys.default(200_000),
  })
  .strict();

export type AtoRedirectChainConfigInput = z.input<typeof atoRedirectChainConfigSchema>;

const RULE = 'delivery.ato-redirect-chain';

interface Link {
  id: string;
  ms: number;
  what: string;
}

interface Account extends Stamped {
  devices: string[];
  networks: string[];
  signal: Link | undefined;
  change: Link | undefined;
  order: (Link & { amountMinor: number; currency: string; orderId: string | undefined }) | undefined;
  redirect: Link | undefined;
}

interface OrderOwner extends Stamped {
  account: string;
}

export function createAtoRedirectChainDetector(
  input: AtoRedirectChainConfigInput = {},
  where = 'detectors.ato-redirect-chain',
): Detector {
  const config = parseDetectorConfig(atoRedirectChainConfigSchema, input, where);
  const loginTypes = new Set(config.loginTypes);
  const signalTypes = new Set(config.signalTypes);
  const changeTypes = new Set(config.changeTypes);
  const orderTypes = new Set(config.orderTypes);
  const redirectTypes = new Set(config.redirectTypes);
  const accounts = new BoundedMap<Account>(config.maxKeys, config.historyTtl);
  const orders = new BoundedMap<OrderOwner>(config.maxKeys, config.window);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  const accountOf = (key: string, nowMs: number): Account =>
    accounts.upsert(key, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      devices: [],
      networks: [],
      signal: undefined,
      change: undefined,
      order: undefined,
      redirect: undefined,
    }));

  function startChain(state: Account, link: Link): void {
    if (state.signal !== undefined && link.ms - state.signal.ms <= config.window) return;
    state.signal = link;
    state.change = undefined;
    state.order = undefined;
    state.redirect = undefined;
  }

  function login(event: SecurityEvent, state: Account, nowMs: number): void {
    const ip = clientIpOf(event);
    const network = ip === undefined ? undefined : networkOf(ip);
    const device = deviceOf(event);
    const known = state.devices.length + state.networks.length > 0;
    const newNetwork = network !== undefined && !state.networks.includes(network);
    const newDevice = device !== undefined && !state.devices.includes(device);
    if (known && (newNetwork || newDevice)) {
      startChain(state, {
        id: event.id,
        ms: nowMs,
        what: newDevice ? 'login from a new device' : 'login from a new network',
      });
    }
    rememberRecent(state.devices, device, config.maxKnownPerAccount);
    rememberRecent(state.networks, network, config.maxKnownPerAccount);
  }

  function business(event: SecurityEvent, b: Business, nowMs: number): Detection[] {
    const key = accountKeyOf(b);
    if (key === undefined || b.outcome === 'failure') return [];
    const isLogin = loginTypes.has(b.type);
    const isSignal = signalTypes.has(b.type) || b.attributes['atoSignal'] === true;
    const isChange = changeTypes.has(b.type);
    const isOrder = orderTypes.has(b.type) && (b.amountMinor ?? 0) >= config.highValueMinor;
    if (!isLogin && !isSignal && !isChange && !isOrder) return [];
    const state = accountOf(key, nowMs);
    if (isSignal) startChain(state, { id: event.id, ms: nowMs, what: b.type });
    else if (isLogin) login(event, state, nowMs);
    if (!active(state, nowMs)) return [];
    if (isChange) state.change ??= { id: event.id, ms: nowMs, what: b.type };
    if (isOrder && state.order === undefined) {
      const orderId = textOf(b.attributes['orderId']);
      state.order = {
        id: event.id,
        ms: nowMs,
        what: b.type,
        amountMinor: b.amountMinor ?? 0,
        currency: b.currency ?? '',
        orderId,
      };
      if (orderId !== undefined)
        orders.upsert(orderId, nowMs, () => ({ lastMs: nowMs, positionMs: nowMs, account: key })).account =
          key;
    }
    return complete(key, state, nowMs);
  }

  function active(state: Account, nowMs: number): boolean {
    if (state.signal === undefined) return false;
    if (nowMs - state.signal.ms > config.window) {
      state.signal = undefined;
      return false;
    }
    return true;
  }

  function redirect(event: SecurityEvent, nowMs: number): Detection[] {
    const delivery = event.delivery as NonNullable<SecurityEvent['delivery']>;
    const { owner, key } = accountOfDelivery(delivery, nowMs);
    if (key === undefined) return [];
    const state = accounts.peek(key, nowMs);
    if (state === undefined || !active(state, nowMs)) return [];
    if (
      owner === undefined &&
      state.order?.orderId !== undefined &&
      delivery.orderId !== undefined &&
      delivery.orderId !== state.order.orderId
    )
      return [];
    state.redirect ??= { id: event.id, ms: nowMs, what: 'delivery redirect' };
    return complete(key, state, nowMs);
  }

  /** The account a delivery event is about: the owner of its order, else its customer. */
  function accountOfDelivery(delivery: NonNullable<SecurityEvent['delivery']>, nowMs: number) {
    const owner = delivery.orderId === undefined ? undefined : orders.peek(delivery.orderId, nowMs)?.account;
    return { owner, key: owner ?? delivery.customerId };
  }

  /** An address change the carrier or the delivery API reports (`order.address_changed`). */
  function deliveryChange(event: SecurityEvent, nowMs: number): Detection[] {
    const { key } = accountOfDelivery(event.delivery as NonNullable<SecurityEvent['delivery']>, nowMs);
    const state = key === undefined ? undefined : accounts.peek(key, nowMs);
    if (key === undefined || state === undefined || !active(state, nowMs)) return [];
    state.change ??= { id: event.id, ms: nowMs, what: 'order address change' };
    return complete(key, state, nowMs);
  }

  function complete(key: string, state: Account, nowMs: number): Detection[] {
    const { signal, change, order, redirect: moved } = state;
    if (signal === undefined || change === undefined || order === undefined || moved === undefined) return [];
    state.signal = undefined;
    const entity = { type: 'account', value: key } as const;
    if (!cooldown.allow(RULE, entity, nowMs)) return [];
    const hours = Math.round(((nowMs - signal.ms) / 3_600_000) * 10) / 10;
    return [
      detection({
        ruleId: RULE,
        title: 'Account takeover diverted a high-value delivery',
        description: `${signal.what}, then a shipping address change, an order of ${order.amountMinor} ${order.currency} and a delivery redirect, within ${hours} h. Hold the parcel, flag the order and contact the customer through a known channel.`,
        severity: 'critical',
        eventIds: [signal.id, change.id, order.id, moved.id],
        entity,
        attack: ['T1078'],
        tags: ['delivery', 'ato-redirect-chain', 'account-takeover', 'cyber-physical'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          signal: signal.what,
          orderAmountMinor: order.amountMinor,
          currency: order.currency,
          orderId: order.orderId ?? '',
          hoursSignalToRedirect: hours,
        },
      }),
    ];
  }

  return {
    name: 'ato-redirect-chain',
    kinds: ['business', 'delivery'],
    observe(event: SecurityEvent): Detection[] {
      if (!config.enabled) return [];
      const b = businessOf(event);
      const found = b === undefined ? deliveryOf(event) : undefined;
      const isRedirect = found !== undefined && redirectTypes.has(found.type);
      const isChange = found !== undefined && changeTypes.has(found.type);
      if (b === undefined && !isRedirect && !isChange) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      accounts.sweep(nowMs);
      orders.sweep(nowMs);
      cooldown.sweep(nowMs);
      if (b !== undefined) return business(event, b, nowMs);
      return isRedirect ? redirect(event, nowMs) : deliveryChange(event, nowMs);
    },
    stateSize: () => accounts.size + orders.size + cooldown.size,
  };
}
