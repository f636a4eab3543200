/**
 * Source addresses for the traffic simulator: every shopper household and every attacker gets
 * its own loopback address (127.10.x.y for shoppers, 127.66.s.n for scenario s), bound as the
 * TCP source address of its connections. The gateway then sees distinct clients, as on a real
 * shop, without any forged header. Linux routes all of 127.0.0.0/8 to the loopback interface;
 * where only 127.0.0.1 is assignable (macOS), `probe` says so and every client uses 127.0.0.1.
 *
 * @example
 * const addresses = await SourceAddresses.probe();
 * const client = new ShopClient(url, { dispatcher: addresses.dispatcherFor(shopperAddress(7)) });
 * await addresses.close();
 */
import { createServer } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

/** Households the shoppers come from; a visit picks one, so addresses recur as in real traffic. */
export const SHOPPER_HOUSEHOLDS = 250;
/** Addresses each attack scenario rotates through (one per `client()` it asks for). */
export const ADDRESSES_PER_SCENARIO = 8;

/** Each household in a network of its own (127.10.n.1), as homes behind different providers are. */
export function shopperAddress(household: number): string {
  const n = household % SHOPPER_HOUSEHOLDS;
  return `127.10.${n % 250}.${Math.floor(n / 250) + 1}`;
}

export function attackerAddress(scenarioIndex: number, client: number): string {
  return `127.66.${(scenarioIndex % 250) + 1}.${(client % ADDRESSES_PER_SCENARIO) + 1}`;
}

export class SourceAddresses {
  private readonly agents = new Map<string, Agent>();

  private constructor(readonly enabled: boolean) {}

  /** Checks that a loopback address other than 127.0.0.1 can be bound here. */
  static async probe(): Promise<SourceAddresses> {
    const enabled = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(0, shopperAddress(0), () => server.close(() => resolve(true)));
    });
    return new SourceAddresses(enabled);
  }

  /** A connection pool whose sockets leave from `address`; undefined when addresses are off. */
  dispatcherFor(address: string): Dispatcher | undefined {
    if (!this.enabled) return undefined;
    let agent = this.agents.get(address);
    if (!agent) {
      agent = new Agent({ localAddress: address, keepAliveTimeout: 4_000 });
      this.agents.set(address, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close().catch(() => undefined)));
  }
}
