/**
 * The composition of a remote gateway (cluster deployments): a gateway with no local store,
 * bus or API, whose decisions come from another Ensuresec server's decision feed through a
 * `DecisionFollower`, and whose fail-safe modes come from its mode feed (long-polled, so a
 * switch is in force here within a round trip) through a `ModeFollower`. `ensuresec start --follow URL --token-file F` (or `gateway.follow` in
 * ensuresec.yaml) starts this instead of the full runtime.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ApiClient } from '../api/client.js';
import { systemClock, type Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { createGateway, type Gateway } from '../gateway/index.js';
import { DecisionFollower } from '../gateway/remote/follower.js';
import { EventShipper } from '../gateway/remote/event-shipper.js';
import { ModeFollower } from '../gateway/remote/mode-follower.js';
import type { EnsuresecConfig } from './config/schema.js';
import { gatewayOptionsOf } from './gateway-options.js';
import { createWafForGateway } from './waf.js';

export interface FollowSettings {
  url: string;
  tokenFile: string;
  /** Poll interval in ms. */
  interval: number;
}

export interface FollowingGatewayOptions {
  config: EnsuresecConfig;
  follow: FollowSettings;
  dataDir: string;
  logger: Logger;
  /** Overrides gateway.upstream. */
  upstream?: string;
  /** Overrides gateway.port (0: ephemeral). */
  gatewayPort?: number;
  clock?: Clock;
}

export interface FollowingGateway {
  gateway: Gateway;
  follower: DecisionFollower;
  modes: ModeFollower;
  /** Sends the gateway's events to the server (`POST /api/v1/events`). */
  events: EventShipper;
  gatewayUrl: string;
  reloadWaf(): Promise<void>;
  close(): Promise<void>;
}

async function readToken(tokenFile: string): Promise<string> {
  let token: string;
  try {
    token = (await readFile(tokenFile, 'utf8')).trim();
  } catch (error) {
    throw new EnsuresecError('config_invalid', {
      detail: `gateway.follow.tokenFile ${tokenFile} cannot be read (${String(error)}); write into it an API token of a user with the gateway role (see docs/gateway.md).`,
      cause: error,
    });
  }
  if (token === '') {
    throw new EnsuresecError('config_invalid', { detail: `gateway.follow.tokenFile ${tokenFile} is empty.` });
  }
  return token;
}

/**
 * The deployment's challenge key, so this gateway serves the proof-of-work page and accepts
 * every gateway's passes. Without it (an older server, a token without
 * `read:gateway-secrets`) challenged clients pass with the marker header only, as before.
 */
async function fetchChallengeKey(api: ApiClient, logger: Logger): Promise<Buffer | undefined> {
  try {
    const { key } = await api.gateway.challengeKey();
    return Buffer.from(key, 'base64url');
  } catch (error) {
    logger.warn(
      { code: error instanceof EnsuresecError ? error.code : undefined },
      'no challenge key from the server: challenged clients get the marker header, not the challenge page',
    );
    return undefined;
  }
}

export async function startFollowingGateway(options: FollowingGatewayOptions): Promise<FollowingGateway> {
  const { config, follow, logger } = options;
  const clock = options.clock ?? systemClock;
  const api = new ApiClient({ baseUrl: follow.url, token: await readToken(follow.tokenFile) });
  const follower = new DecisionFollower({
    feed: (since) => api.decisions.feed(since),
    intervalMs: follow.interval,
    logger: logger.child({ component: 'decision-follower' }),
    clock,
  });
  const modes = new ModeFollower({
    feed: (query, signal) => api.modes.feed(query, signal),
    logger: logger.child({ component: 'mode-follower' }),
    clock,
  });
  await Promise.all([follower.start(), modes.start()]);
  const events = new EventShipper({
    send: async (batch) => {
      const result = await api.events.send(batch);
      if (result.rejected > 0) logger.warn({ rejected: result.rejected }, 'the server rejected events');
    },
    intervalMs: follow.interval,
    logger: logger.child({ component: 'event-shipper' }),
  });
  events.start();
  const challengeSecret = await fetchChallengeKey(api, logger);
  const wafLogger = logger.child({ component: 'waf' });
  const waf = await createWafForGateway(config.waf, options.dataDir, wafLogger, {
    onMatchLine: (line, requestId) => wafLogger.warn({ requestId }, line),
  });
  const base = gatewayOptionsOf(config, options);
  const gateway = createGateway({
    ...base,
    decisions: follower,
    modes: { ...base.modes, provider: modes },
    eventSampleRate: config.gateway.events.sampleRate,
    publishEvent: (event) => events.push(event),
    ...(challengeSecret
      ? {
          challenge: {
            secret: challengeSecret,
            difficultyBits: config.modes.challenge.difficultyBits,
            passTtlMs: config.modes.challenge.passTtl,
          },
        }
      : {}),
    ...(waf ? { inspection: waf.inspector } : {}),
    logger: logger.child({ component: 'gateway' }),
    clock,
  });
  let port: number;
  try {
    ({ port } = await gateway.listen());
  } catch (error) {
    follower.stop();
    modes.stop();
    await events.close();
    await waf?.close();
    throw error;
  }
  return {
    gateway,
    follower,
    modes,
    events,
    gatewayUrl: `${config.gateway.tls ? 'https' : 'http'}://${config.gateway.host}:${port}`,
    async reloadWaf() {
      await waf?.reload();
    },
    async close() {
      follower.stop();
      modes.stop();
      await gateway.close();
      await events.close();
      await waf?.close();
    },
  };
}
