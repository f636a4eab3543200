/**
 * Decisions at the gateway (respond -> gateway enforcement): a `DecisionProvider` lists the
 * active decisions; `DecisionIndex` holds them for the hot path (exact IPs in a Map, CIDRs in
 * a v4 and a v6 prefix trie, JA4 fingerprints in a Map; user/session kept for later), and `DecisionSync` rebuilds the
 * index on a poll and on every change notification, so a decision is in force within one
 * refresh interval of its creation.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Decision, DecisionAction } from '../core/records/decision.js';
import { normaliseIp, parseIp, scratchWords } from './ip.js';
import { PrefixTrie } from './prefix-trie.js';

export interface DecisionProvider {
  listActive(): Promise<Decision[]>;
  /** Optional push: call `onChange` when decisions change; returns an unsubscribe function. */
  subscribe?(onChange: () => void): () => void;
}

export interface IndexedDecision {
  id: string;
  action: DecisionAction;
  /** ban 4 > throttle 3 > challenge 2 > allow 1: the strongest matching decision wins. */
  rank: number;
  /** Token bucket rate for throttle, per ms. */
  ratePerMs: number;
  burst: number;
  expiresAtMs: number;
}

const RANK: Record<DecisionAction, number> = { ban: 4, throttle: 3, challenge: 2, allow: 1 };

export class DecisionIndex {
  readonly exact = new Map<string, IndexedDecision[]>();
  readonly v4 = new PrefixTrie<IndexedDecision>();
  readonly v6 = new PrefixTrie<IndexedDecision>();
  /** JA4 fingerprints of TLS clients (scope `ja4`). */
  readonly ja4 = new Map<string, IndexedDecision[]>();
  /** Not enforced yet; kept so a later issue can match users and sessions. */
  readonly other = new Map<string, IndexedDecision[]>();
  /** Decisions that could not be indexed (unknown action, bad address or date). */
  skipped = 0;

  private best: IndexedDecision | undefined;
  private nowMs = 0;
  private readonly consider = (entry: IndexedDecision): void => {
    if (entry.expiresAtMs > this.nowMs && (this.best === undefined || entry.rank > this.best.rank)) {
      this.best = entry;
    }
  };

  static build(decisions: readonly Decision[], nowMs: number): DecisionIndex {
    const index = new DecisionIndex();
    for (const decision of decisions) index.add(decision, nowMs);
    return index;
  }

  get size(): number {
    return this.exact.size + this.v4.size + this.v6.size + this.ja4.size + this.other.size;
  }

  private add(decision: Decision, nowMs: number): void {
    const expiresAtMs = decision.expiresAt === null ? Infinity : Date.parse(decision.expiresAt);
    const rank = RANK[decision.action];
    if (rank === undefined || Number.isNaN(expiresAtMs)) return void this.skipped++;
    if (expiresAtMs <= nowMs) return;
    const ratePerMinute = decision.ratePerMinute ?? 60;
    const entry: IndexedDecision = {
      id: decision.id,
      action: decision.action,
      rank,
      ratePerMs: ratePerMinute / 60_000,
      burst: Math.max(1, ratePerMinute),
      expiresAtMs,
    };
    if (decision.scope === 'ip') {
      const ip = normaliseIp(decision.value);
      if (parseIp(ip) === 0) return void this.skipped++;
      pushTo(this.exact, ip, entry);
    } else if (decision.scope === 'cidr') {
      const [address = '', bitsText = ''] = decision.value.split('/');
      const family = parseIp(normaliseIp(address));
      const bits = Number(bitsText);
      if (family === 0 || !/^\d{1,3}$/.test(bitsText) || bits > family) return void this.skipped++;
      (family === 32 ? this.v4 : this.v6).insert(scratchWords, bits, entry);
    } else if (decision.scope === 'ja4') {
      pushTo(this.ja4, decision.value, entry);
    } else {
      pushTo(this.other, `${decision.scope}:${decision.value}`, entry);
    }
  }

  /** The strongest unexpired decision for a (normalised) client ip, or its TLS fingerprint, if any. */
  match(ip: string, nowMs: number, ja4?: string): IndexedDecision | undefined {
    this.best = undefined;
    this.nowMs = nowMs;
    const exact = this.exact.get(ip);
    if (exact !== undefined) for (const entry of exact) this.consider(entry);
    if (ja4 !== undefined && this.ja4.size > 0) {
      const byFingerprint = this.ja4.get(ja4);
      if (byFingerprint !== undefined) for (const entry of byFingerprint) this.consider(entry);
    }
    const trie = ip.includes(':') ? this.v6 : this.v4;
    if (trie.size > 0) {
      const bits = parseIp(ip);
      if (bits !== 0) trie.forEachMatch(scratchWords, bits, this.consider);
    }
    const found = this.best;
    this.best = undefined;
    return found;
  }
}

function pushTo(map: Map<string, IndexedDecision[]>, key: string, entry: IndexedDecision): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else list.push(entry);
}

/**
 * The indexed fields of the decisions an index was built from, copied (a provider may hand
 * back the same objects, changed in place), so a refresh can tell "nothing changed" without
 * allocating.
 */
class DecisionSnapshot {
  private static readonly FIELDS = 6;

  private constructor(private readonly values: ReadonlyArray<string | number | null | undefined>) {}

  static readonly empty = new DecisionSnapshot([]);

  static of(decisions: readonly Decision[]): DecisionSnapshot {
    const values: Array<string | number | null | undefined> = [];
    for (const d of decisions) values.push(d.id, d.action, d.scope, d.value, d.expiresAt, d.ratePerMinute);
    return new DecisionSnapshot(values);
  }

  matches(decisions: readonly Decision[]): boolean {
    const values = this.values;
    if (values.length !== decisions.length * DecisionSnapshot.FIELDS || values.length === 0) return false;
    for (let i = 0, v = 0; i < decisions.length; i++, v += DecisionSnapshot.FIELDS) {
      const d = decisions[i] as Decision;
      if (
        values[v] !== d.id ||
        values[v + 1] !== d.action ||
        values[v + 2] !== d.scope ||
        values[v + 3] !== d.value ||
        values[v + 4] !== d.expiresAt ||
        values[v + 5] !== d.ratePerMinute
      )
        return false;
    }
    return true;
  }
}

/** Keeps a `DecisionIndex` fresh from a provider: polling plus push notifications. */
export class DecisionSync {
  index = new DecisionIndex();
  private snapshot = DecisionSnapshot.empty;
  refreshes = 0;
  refreshErrors = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly provider: DecisionProvider | null,
    private readonly refreshMs: number,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Loads once (so the first request already sees the decisions), then keeps refreshing. */
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

  private async load(): Promise<void> {
    if (this.provider === null) return;
    try {
      const decisions = await this.provider.listActive();
      // Most polls return what the last one did: rebuilding thousands of entries twice a
      // second is CPU and garbage on the proxy's own event loop, for nothing.
      if (!this.snapshot.matches(decisions)) {
        this.index = DecisionIndex.build(decisions, this.clock.nowMs());
        this.snapshot = DecisionSnapshot.of(decisions);
        if (this.index.skipped > 0)
          this.logger.warn({ skipped: this.index.skipped }, 'gateway skipped invalid decisions');
      }
      this.refreshes++;
    } catch (err) {
      // Keep enforcing the last good index: a provider outage must not lift the bans.
      this.refreshErrors++;
      this.logger.warn({ err }, 'gateway could not refresh decisions; keeping the previous ones');
    }
  }
}
