/**
 * `ensuresec/client`: the small, dependency-free library a Node shop uses to send its business
 * events to Ensuresec (see docs/sources.md).
 *
 * @example
 * import { createShopEventsClient } from 'ensuresec/client';
 * const ensuresec = createShopEventsClient({ url, secret });
 * await ensuresec.send({ type: 'login', outcome: 'failure', accountId, clientIp });
 */
export {
  createShopEventsClient,
  SHOP_EVENT_TYPES,
  ShopEventsError,
  type SendOptions,
  type SendResult,
  type ShopEvent,
  type ShopEventsClient,
  type ShopEventsClientOptions,
  type ShopEventType,
} from './shop-events-client.js';
