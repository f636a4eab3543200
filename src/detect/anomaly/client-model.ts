/**
 * The per-client model (detect/anomaly): what one client (address) does in a window —
 * requests, distinct paths (a 64-bit linear-counting sketch), 4xx answers — compared with
 * the population of all clients' windows, held in decaying log histograms. Most clients are
 * new, so their own history says little; what a scraper or an enumerator does stands out
 * against everyone else. A client's window is folded into the population when the window is
 * over (a queue, so each window is folded once), and only when it was not anomalous.
 */
import type { AnomalyConfig } from './config.js';
import { finding, type AnomalyFeature, type Finding } from './findings.js';
import { bitmapEstimate, DecayingLogHistogram } from './stats.js';

/** Kept small on purpose: one per client, up to maxClients of them. */
export class ClientState {
  windowIndex = -1;
  count = 0;
  n4xx = 0;
  pathsLow = 0;
  pathsHigh = 0;
  /** Bit per feature already reported in this window. */
  reported = 0;
  queued = false;
}

const FEATURE_BITS: Partial<Record<AnomalyFeature, number>> = { rate: 1, distinct_paths: 2, status_4xx: 4 };
/** The population quantile a client is measured against. */
const REFERENCE_QUANTILE = 0.999;

export class ClientPopulation {
  readonly requests = new DecayingLogHistogram();
  readonly paths = new DecayingLogHistogram();
  readonly errors4xx = new DecayingLogHistogram();
  private queue: ClientState[] = [];
  private readonly decayPerWindow: number;

  constructor(private readonly config: AnomalyConfig) {
    this.decayPerWindow = 2 ** (-config.windowMs / config.halfLifeMs);
  }

  get windows(): number {
    return this.requests.samples;
  }

  /** Folds every queued client window (called when event time enters a new window). */
  closeWindows(): void {
    for (const state of this.queue) {
      state.queued = false;
      if ((state.reported & FEATURE_BITS.rate!) === 0) this.requests.add(state.count);
      if ((state.reported & FEATURE_BITS.distinct_paths!) === 0)
        this.paths.add(bitmapEstimate(state.pathsLow, state.pathsHigh));
      if ((state.reported & FEATURE_BITS.status_4xx!) === 0) this.errors4xx.add(state.n4xx);
    }
    this.queue = [];
    this.requests.decay(this.decayPerWindow);
    this.paths.decay(this.decayPerWindow);
    this.errors4xx.decay(this.decayPerWindow);
  }

  /** Counts one request of a client; returns the findings it completes (none while learning). */
  observe(
    state: ClientState,
    windowIndex: number,
    pathHash: number,
    is4xx: boolean,
    learning: boolean,
  ): Finding[] | null {
    if (state.windowIndex !== windowIndex) {
      state.windowIndex = windowIndex;
      state.count = 0;
      state.n4xx = 0;
      state.pathsLow = 0;
      state.pathsHigh = 0;
      state.reported = 0;
    }
    if (!state.queued) {
      state.queued = true;
      this.queue.push(state);
    }
    state.count++;
    if (is4xx) state.n4xx++;
    const bit = pathHash & 63;
    if (bit < 32) state.pathsLow = (state.pathsLow | (1 << bit)) >>> 0;
    else state.pathsHigh = (state.pathsHigh | (1 << (bit - 32))) >>> 0;
    if (learning || this.windows < this.config.minPopulationWindows) return null;

    const { config } = this;
    const candidates = [
      this.measure('rate', state.count, config.minClientRequests, this.requests),
      this.measure(
        'distinct_paths',
        bitmapEstimate(state.pathsLow, state.pathsHigh),
        config.minClientPaths,
        this.paths,
      ),
      this.measure('status_4xx', state.n4xx, config.minStatusEvents, this.errors4xx),
    ];
    // One feature over every bar fires; the others above the population's reference join it.
    const fires = candidates.some(
      (c) => c !== null && c.strong && (state.reported & FEATURE_BITS[c.finding.feature]!) === 0,
    );
    if (!fires) return null;
    const findings: Finding[] = [];
    for (const c of candidates) {
      if (c === null) continue;
      findings.push(c.finding);
      state.reported |= FEATURE_BITS[c.finding.feature]!;
    }
    return findings;
  }

  /** A feature's finding when the value is above the population's reference; strong when over every bar (minimum support, ratio, z). */
  private measure(
    feature: AnomalyFeature,
    value: number,
    min: number,
    histogram: DecayingLogHistogram,
  ): { finding: Finding; strong: boolean } | null {
    const reference = Math.max(histogram.quantile(REFERENCE_QUANTILE), 1);
    if (value <= reference) return null;
    const median = histogram.quantile(0.5);
    // A robust z on the log scale: the reference quantile sits at 3.09 sd of a normal.
    const scale = Math.max((Math.log1p(reference) - Math.log1p(median)) / 3.09, 0.1);
    const z = (Math.log1p(value) - Math.log1p(median)) / scale;
    const strong =
      value >= min && value >= this.config.ratioThreshold * reference && z >= this.config.zThreshold;
    // Below the bars, a feature only joins another's alert when it is clearly unusual too.
    if (!strong && z < this.config.zThreshold / 2) return null;
    return { finding: finding(feature, value, reference, z), strong };
  }
}
