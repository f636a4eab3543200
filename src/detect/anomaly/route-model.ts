/**
 * The per-route model (detect/anomaly): for each `METHOD /route`, baselines of its requests
 * per window (with an hour-of-day profile), its 4xx and 5xx mix, the sizes and URL entropy of
 * its requests, and the JA4 and user-agent families it usually sees. `observe` learns from an
 * event and returns the findings it completes: window features once per window, when the
 * count crosses the bar (not at the window's end), request features per request.
 */
import type { AnomalyConfig } from './config.js';
import { finding, type AnomalyFeature, type Finding } from './findings.js';
import { binomialTail, fnv1a, RobustEw, zOfTail } from './stats.js';

export interface RouteRequest {
  windowIndex: number;
  hour: number;
  client: string;
  status: 0 | 4 | 5;
  requestBytes: number;
  responseBytes: number;
  urlBits: number;
  ja4: string | undefined;
  uaFamily: string | undefined;
}

interface Candidate {
  windowIndex: number;
  windowCount: number;
  total: number;
  clients: Set<string>;
}

const MAX_CANDIDATES = 32;
const MAX_CANDIDATE_CLIENTS = 64;
/** Clients counted per window for attribution (Misra-Gries heavy hitters). */
const HEAVY_HITTERS = 4;
/** Floors that keep a calm baseline from making noise look significant. */
const LOG_SD_FLOOR = 0.35;
const STATUS_RATIO_FLOOR = 0.01;
const JA4_SEED = 0x811c9dc5;
const USER_AGENT_SEED = 0x050c5d1f;

export interface RouteFindings {
  findings: Finding[];
  /** For new clusters: the family or fingerprint, and how many clients used it. */
  cluster?: { feature: 'new_ja4' | 'new_user_agent'; value: string; clients: number };
}

/** The list with `f` added (made on the first finding); null while there is none. */
function withFinding(findings: Finding[] | null, f: Finding | null): Finding[] | null {
  if (f === null) return findings;
  if (findings === null) return [f];
  findings.push(f);
  return findings;
}

function flagged(findings: Finding[] | null, feature: AnomalyFeature): boolean {
  if (findings === null) return false;
  for (const f of findings) if (f.feature === feature) return true;
  return false;
}

export class RouteState {
  requests = 0;
  windowIndex = -1;
  windowCount = 0;
  window4xx = 0;
  window5xx = 0;
  private windowHour = 0;
  /** Features already reported in this window. */
  private reported = new Set<AnomalyFeature>();
  readonly rate: RobustEw;
  readonly rate4xx: RobustEw;
  readonly rate5xx: RobustEw;
  readonly hourMean = new Float64Array(24);
  readonly hourWindows = new Uint32Array(24);
  readonly requestBytes: RobustEw;
  readonly responseBytes: RobustEw;
  readonly urlBits: RobustEw;
  readonly known = new Set<number>();
  private readonly candidates = new Map<string, Candidate>();
  heavy = new Map<string, number>();

  constructor(
    readonly key: string,
    private readonly config: AnomalyConfig,
  ) {
    const halfLifeWindows = config.halfLifeMs / config.windowMs;
    this.rate = RobustEw.forHalfLife(halfLifeWindows);
    this.rate4xx = RobustEw.forHalfLife(halfLifeWindows);
    this.rate5xx = RobustEw.forHalfLife(halfLifeWindows);
    this.requestBytes = RobustEw.forHalfLife(config.halfLifeRequests);
    this.responseBytes = RobustEw.forHalfLife(config.halfLifeRequests);
    this.urlBits = RobustEw.forHalfLife(config.halfLifeRequests);
  }

  /** Learns from the request; returns findings only when `judge` (learning over). */
  observe(request: RouteRequest, learning: boolean): RouteFindings | null {
    this.roll(request.windowIndex, request.hour);
    this.windowCount++;
    if (request.status === 4) this.window4xx++;
    else if (request.status === 5) this.window5xx++;
    this.countHeavy(request.client);
    const judge = !learning && this.requests >= this.config.minRouteRequests;
    this.requests++;

    // plain calls, no closures: this runs for every request
    let findings: Finding[] | null = null;
    if (judge) {
      findings = withFinding(
        findings,
        this.sizeFinding('request_bytes', this.requestBytes, request.requestBytes),
      );
      findings = withFinding(
        findings,
        this.sizeFinding('response_bytes', this.responseBytes, request.responseBytes),
      );
      findings = withFinding(findings, this.entropyFinding(request.urlBits));
    }
    this.learnRequest(request, findings);
    if (judge) findings = this.windowFindings(request.hour, findings);
    const cluster =
      this.clusterFinding('new_ja4', request.ja4, request, judge) ??
      this.clusterFinding('new_user_agent', request.uaFamily, request, judge);
    if (cluster) findings = withFinding(findings, cluster.finding);
    if (findings === null) return null;
    return cluster ? { findings, cluster: cluster.cluster } : { findings };
  }

  /** The client that sent at least half of this window's requests, if one did. */
  dominantClient(): { client: string; share: number } | undefined {
    let best: string | undefined;
    let bestCount = 0;
    for (const [client, n] of this.heavy) if (n > bestCount) [best, bestCount] = [client, n];
    const share = this.windowCount > 0 ? bestCount / this.windowCount : 0;
    return best !== undefined && share >= 0.5 ? { client: best, share } : undefined;
  }

  private roll(windowIndex: number, hour: number): void {
    if (windowIndex <= this.windowIndex) return;
    if (this.windowIndex >= 0) {
      this.learnWindow(this.windowCount, this.window4xx, this.window5xx, this.windowHour);
      // Empty windows in between count as zero traffic (at most a few half-lives of them).
      const gap = Math.min(
        windowIndex - this.windowIndex - 1,
        Math.ceil((4 * this.config.halfLifeMs) / this.config.windowMs),
      );
      for (let i = 0; i < gap; i++) this.learnWindow(0, 0, 0, -1);
    }
    this.windowIndex = windowIndex;
    this.windowHour = hour;
    this.windowCount = 0;
    this.window4xx = 0;
    this.window5xx = 0;
    this.reported.clear();
    this.heavy.clear();
  }

  private learnWindow(count: number, n4xx: number, n5xx: number, hour: number): void {
    if (!this.reported.has('rate')) {
      this.rate.update(count, Math.sqrt(Math.max(1, this.rate.mean)));
      if (hour >= 0) {
        const n = ++this.hourWindows[hour]!;
        this.hourMean[hour]! += (count - this.hourMean[hour]!) / Math.min(n, 60 * 7);
      }
    }
    if (!this.reported.has('status_4xx_ratio')) this.rate4xx.update(n4xx);
    if (!this.reported.has('status_5xx_ratio')) this.rate5xx.update(n5xx);
  }

  private learnRequest(request: RouteRequest, findings: Finding[] | null): void {
    if (!flagged(findings, 'request_bytes'))
      this.requestBytes.update(Math.log1p(request.requestBytes), LOG_SD_FLOOR);
    if (!flagged(findings, 'response_bytes'))
      this.responseBytes.update(Math.log1p(request.responseBytes), LOG_SD_FLOOR);
    if (!flagged(findings, 'url_entropy_bits'))
      this.urlBits.update(Math.log1p(request.urlBits), LOG_SD_FLOOR);
  }

  private sizeFinding(
    feature: 'request_bytes' | 'response_bytes',
    baseline: RobustEw,
    bytes: number,
  ): Finding | null {
    if (bytes < this.config.minOutlierBytes) return null;
    const z = baseline.z(Math.log1p(bytes), LOG_SD_FLOOR);
    const typical = Math.expm1(baseline.mean);
    if (z < this.config.zThreshold || bytes < this.config.requestRatioThreshold * Math.max(typical, 1))
      return null;
    return finding(feature, bytes, typical, z);
  }

  private entropyFinding(bits: number): Finding | null {
    const z = this.urlBits.z(Math.log1p(bits), LOG_SD_FLOOR);
    const typical = Math.expm1(this.urlBits.mean);
    if (z < this.config.zThreshold || bits < this.config.ratioThreshold * Math.max(typical, 16)) return null;
    return finding('url_entropy_bits', bits, typical, z);
  }

  private windowFindings(hour: number, found: Finding[] | null): Finding[] | null {
    let findings = found;
    const n = this.windowCount;
    const { config } = this;
    if (!this.reported.has('rate') && n >= config.minWindowRequests) {
      const profiled = this.hourWindows[hour]! >= 30 ? this.hourMean[hour]! : 0;
      const expected = Math.max(this.rate.mean, profiled, 1);
      const z = (n - expected) / Math.sqrt(Math.max(this.rate.variance, expected) + 1);
      if (n >= config.ratioThreshold * expected && z >= config.zThreshold) {
        findings = withFinding(findings, finding('rate', n, expected, z));
        this.reported.add('rate');
      }
    }
    if (this.window4xx >= config.minStatusEvents)
      findings = withFinding(findings, this.statusFinding('status_4xx_ratio', this.window4xx, this.rate4xx));
    if (this.window5xx >= config.minStatusEvents)
      findings = withFinding(findings, this.statusFinding('status_5xx_ratio', this.window5xx, this.rate5xx));
    return findings;
  }

  private statusFinding(
    feature: 'status_4xx_ratio' | 'status_5xx_ratio',
    k: number,
    baseline: RobustEw,
  ): Finding | null {
    if (this.reported.has(feature)) return null;
    const n = this.windowCount;
    const p0 = Math.min(Math.max(baseline.mean / Math.max(this.rate.mean, 1e-9), STATUS_RATIO_FLOOR), 0.99);
    const observed = k / n;
    if (observed < this.config.ratioThreshold * p0) return null;
    // The exact binomial tail, expressed as the z of a normal tail as small.
    const z = zOfTail(binomialTail(n, k, p0));
    if (z < this.config.zThreshold) return null;
    this.reported.add(feature);
    return finding(feature, observed, p0, z);
  }

  /** A JA4 or user-agent family the route does not know, once it is a burst (a new cluster). */
  private clusterFinding(
    feature: 'new_ja4' | 'new_user_agent',
    value: string | undefined,
    request: RouteRequest,
    judge: boolean,
  ): { finding: Finding; cluster: NonNullable<RouteFindings['cluster']> } | null {
    if (value === undefined) return null;
    const hash = fnv1a(value, feature === 'new_ja4' ? JA4_SEED : USER_AGENT_SEED);
    if (this.known.has(hash)) return null;
    if (!judge) {
      this.remember(hash);
      return null;
    }
    const id = `${feature}|${value}`;
    let candidate = this.candidates.get(id);
    if (candidate === undefined) {
      if (this.candidates.size >= MAX_CANDIDATES) return null;
      candidate = { windowIndex: request.windowIndex, windowCount: 0, total: 0, clients: new Set() };
      this.candidates.set(id, candidate);
    }
    if (candidate.windowIndex !== request.windowIndex) {
      candidate.windowIndex = request.windowIndex;
      candidate.windowCount = 0;
    }
    candidate.windowCount++;
    candidate.total++;
    if (candidate.clients.size < MAX_CANDIDATE_CLIENTS) candidate.clients.add(request.client);
    const share = candidate.windowCount / this.windowCount;
    if (candidate.windowCount >= this.config.minClusterRequests && share >= this.config.minClusterShare) {
      const expected = this.config.minClusterShare;
      const z = (share - expected) / Math.sqrt((expected * (1 - expected)) / this.windowCount);
      this.remember(hash);
      this.candidates.delete(id);
      return {
        finding: finding(feature, share, expected, Math.max(z, this.config.zThreshold)),
        cluster: { feature, value, clients: candidate.clients.size },
      };
    }
    if (candidate.total >= 5 * this.config.minClusterRequests) {
      // Seen often, never in a burst: a new browser release, not an attack tool.
      this.remember(hash);
      this.candidates.delete(id);
    }
    return null;
  }

  private remember(hash: number): void {
    if (this.known.size < this.config.maxClustersPerRoute) this.known.add(hash);
  }

  private countHeavy(client: string): void {
    const n = this.heavy.get(client);
    if (n !== undefined) this.heavy.set(client, n + 1);
    else if (this.heavy.size < HEAVY_HITTERS) this.heavy.set(client, 1);
    else {
      for (const [other, count] of this.heavy) {
        if (count <= 1) this.heavy.delete(other);
        else this.heavy.set(other, count - 1);
      }
    }
  }
}
