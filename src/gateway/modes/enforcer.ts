/**
 * Fail-safe modes at the gateway (enforcement, hot path). `ModeEnforcer` keeps the modes in
 * force, loaded from a provider on a poll and on every change notification (as decisions
 * are, see ../decisions.ts), and judges each request before it is proxied. With no mode in
 * force `check` is one length test. A mode's end time is enforced here too, so a mode ends
 * on time even when the expiry event never arrives.
 */
import { BlockList, isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { TokenBuckets } from '../token-bucket.js';
import { groupsMatch, type CompiledMode } from './definitions.js';
import { normaliseModePath } from './paths.js';

/** A mode in force as the store (or the API) lists it. */
export interface ActiveModeState {
  name: string;
  /** ISO time; null: no end time. */
  until: string | null;
}

export interface ModeProvider {
  listActive(): Promise<ActiveModeState[]>;
  /** Optional push: call `onChange` when modes change; returns an unsubscribe function. */
  subscribe?(onChange: () => void): () => void;
}

export type ModeVerdict =
  | { kind: 'refuse'; mode: string; code: 'mode_in_force' | 'mode_lockdown'; retryAfterSec: number }
  | { kind: 'rate_limited'; mode: string; retryAfterSec: number }
  | { kind: 'challenge'; mode: string };

interface ActiveMode {
  mode: CompiledMode;
  untilMs: number;
  allow: BlockList | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const VERDICT_RANK = { refuse: 3, rate_limited: 2, challenge: 1 } as const;

export class ModeEnforcer {
  private active: ActiveMode[] = [];
  private readonly buckets = new TokenBuckets(50_000);
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  refreshes = 0;
  refreshErrors = 0;

  constructor(
    readonly modes: ReadonlyMap<string, CompiledMode>,
    private readonly provider: ModeProvider | null,
    private readonly refreshMs: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The names of the modes in force now (for status and tests). */
  activeNames(nowMs = this.clock.nowMs()): string[] {
    return this.active.filter((entry) => entry.untilMs > nowMs).map((entry) => entry.mode.name);
  }

  async start(): Promise<void> {
    if (this.provider === null) return;
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
    this.unsubscribe = this.provider.subscribe?.(() => void this.refresh()) ?? null;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** One refresh at a time; a notification during a refresh triggers one more afterwards. */
  refresh(): Promise<void> {
    if (this.inFlight !== null) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  /** Replaces the modes in force (the provider's answer, or a test's). */
  apply(states: readonly ActiveModeState[]): void {
    const next: ActiveMode[] = [];
    for (const state of states) {
      const mode = this.modes.get(state.name);
      const untilMs = state.until === null ? Infinity : Date.parse(state.until);
      if (mode === undefined || Number.isNaN(untilMs)) {
        // Fail safe the other way round would be guessing: log loudly and enforce the rest.
        this.logger.warn({ mode: state.name }, 'gateway does not know a mode in force; check ensuresec.yaml');
        continue;
      }
      next.push({ mode, untilMs, allow: mode.effect === 'allowlist' ? blockListOf(mode.allowCidrs) : null });
    }
    this.active = next;
  }

  private async load(): Promise<void> {
    if (this.provider === null) return;
    try {
      this.apply(await this.provider.listActive());
      this.refreshes++;
    } catch (err) {
      // Keep the last known modes: a store outage must not lift a checkout freeze.
      this.refreshErrors++;
      this.logger.warn({ err }, 'gateway could not refresh fail-safe modes; keeping the previous ones');
    }
  }

  /** The strongest verdict of the modes in force on a request; null: no mode concerns it. */
  check(clientIp: string, method: string, url: string, nowMs: number): ModeVerdict | null {
    const active = this.active;
    if (active.length === 0) return null;
    const path = normaliseModePath(url);
    let best: ModeVerdict | null = null;
    for (const entry of active) {
      if (entry.untilMs <= nowMs) continue;
      const mode = entry.mode;
      if (mode.routes !== null && !groupsMatch(mode.routes, path, method)) continue;
      if (mode.except.length > 0 && groupsMatch(mode.except, path, method)) continue;
      const verdict = this.judge(entry, clientIp, method, nowMs);
      if (verdict !== null && (best === null || VERDICT_RANK[verdict.kind] > VERDICT_RANK[best.kind]))
        best = verdict;
    }
    return best;
  }

  private judge(entry: ActiveMode, clientIp: string, method: string, nowMs: number): ModeVerdict | null {
    const mode = entry.mode;
    switch (mode.effect) {
      case 'unavailable':
        return { kind: 'refuse', mode: mode.name, code: 'mode_in_force', retryAfterSec: mode.retryAfterSec };
      case 'read_only':
        return SAFE_METHODS.has(method)
          ? null
          : { kind: 'refuse', mode: mode.name, code: 'mode_in_force', retryAfterSec: mode.retryAfterSec };
      case 'allowlist': {
        const family = isIP(clientIp);
        const allowed = family !== 0 && entry.allow?.check(clientIp, family === 4 ? 'ipv4' : 'ipv6') === true;
        return allowed ? null : { kind: 'refuse', mode: mode.name, code: 'mode_lockdown', retryAfterSec: 0 };
      }
      case 'challenge': {
        const ratePerMs = mode.ratePerMinute / 60_000;
        const waitMs = this.buckets.take(`${mode.name}|${clientIp}`, ratePerMs, mode.ratePerMinute, nowMs);
        if (waitMs > 0)
          return {
            kind: 'rate_limited',
            mode: mode.name,
            retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)),
          };
        return { kind: 'challenge', mode: mode.name };
      }
    }
  }
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits = '0'] = cidr.split('/');
    list.addSubnet(address, Number(bits), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
