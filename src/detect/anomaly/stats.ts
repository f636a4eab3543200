/**
 * Small streaming statistics for anomaly detection (detect/anomaly), no dependencies:
 * - `RobustEw`: exponentially-weighted mean and variance that starts as an exact running
 *   mean (so the first samples count fully), then forgets with a half-life, and clips each new
 *   sample to mean ± 4 sd before learning from it (winsorising), so one outlier cannot drag
 *   the baseline towards itself.
 * - `DecayingLogHistogram`: a histogram on a log scale (about 9 % wide buckets) whose old
 *   samples fade with a half-life; any quantile in one pass over ~160 buckets. Used for
 *   population baselines with heavy tails (requests per client per minute).
 * - `fnv1a`: a 32-bit string hash for sets of fingerprints kept as numbers.
 */

export class RobustEw {
  mean = 0;
  variance = 0;
  count = 0;

  /** `minAlpha`: the weight of a new sample once warmed up (ln 2 / half-life in samples). */
  constructor(private readonly minAlpha: number) {}

  static forHalfLife(samples: number): RobustEw {
    return new RobustEw(Math.LN2 / Math.max(1, samples));
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }

  update(value: number, clipSdFloor = 0): void {
    let x = value;
    if (this.count >= 30) {
      const spread = 4 * Math.max(this.sd, clipSdFloor);
      x = Math.min(this.mean + spread, Math.max(this.mean - spread, x));
    }
    this.count++;
    const alpha = Math.max(1 / this.count, this.minAlpha);
    const delta = x - this.mean;
    this.mean += alpha * delta;
    this.variance = (1 - alpha) * (this.variance + alpha * delta * delta);
  }

  /** How many (floored) standard deviations `value` lies above the mean. */
  z(value: number, sdFloor: number): number {
    return (value - this.mean) / Math.max(this.sd, sdFloor);
  }
}

const BUCKETS_PER_OCTAVE = 8;
const BUCKETS = 24 * BUCKETS_PER_OCTAVE;

export class DecayingLogHistogram {
  private readonly weights = new Float64Array(BUCKETS);
  private total = 0;
  /** Weight given to the next sample; grows instead of shrinking every old one. */
  private weight = 1;
  /** Samples seen (not decayed): the support of the quantiles. */
  samples = 0;

  private static bucketOf(value: number): number {
    return Math.min(BUCKETS - 1, Math.max(0, Math.floor(Math.log2(1 + value) * BUCKETS_PER_OCTAVE)));
  }

  /** The value at the upper edge of a bucket. */
  private static valueOf(bucket: number): number {
    return 2 ** ((bucket + 1) / BUCKETS_PER_OCTAVE) - 1;
  }

  add(value: number): void {
    const bucket = DecayingLogHistogram.bucketOf(value);
    this.weights[bucket] = (this.weights[bucket] ?? 0) + this.weight;
    this.total += this.weight;
    this.samples++;
  }

  /** Ages every sample by `factor` (0..1), e.g. 2^(-windowMs / halfLifeMs) once per window. */
  decay(factor: number): void {
    this.weight /= factor;
    if (this.weight > 1e100) {
      for (let i = 0; i < BUCKETS; i++) this.weights[i] = (this.weights[i] ?? 0) / this.weight;
      this.total /= this.weight;
      this.weight = 1;
    }
  }

  /** The (upper-edge) value below which a share `q` of the weight lies. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let running = 0;
    for (let i = 0; i < BUCKETS; i++) {
      running += this.weights[i] ?? 0;
      if (running >= target) return DecayingLogHistogram.valueOf(i);
    }
    return DecayingLogHistogram.valueOf(BUCKETS - 1);
  }
}

/** FNV-1a, 32 bits; a different `seed` gives an independent hash of the same text. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const charCounts = new Int32Array(65536);

/** Shannon entropy of a string's characters, in bits per character (no allocation). */
export function shannonEntropy(text: string): number {
  const n = text.length;
  if (n < 2) return 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    charCounts[c] = (charCounts[c] ?? 0) + 1;
  }
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = charCounts[c] ?? 0;
    if (k === 0) continue; // already counted
    const p = k / n;
    bits -= p * Math.log2(p);
    charCounts[c] = 0;
  }
  return bits;
}

/** The bit a hash sets in a 64-bit bitmap held as two 32-bit words: [word 0 or 1, mask]. */
export function bitmapBit(hash: number): [0 | 1, number] {
  const bit = hash & 63;
  return bit < 32 ? [0, (1 << bit) >>> 0] : [1, (1 << (bit - 32)) >>> 0];
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Linear-counting estimate of the distinct values whose hashes set bits in a 64-bit bitmap
 * (two words): good to about 100 distinct values, saturating near 270.
 */
export function bitmapEstimate(low: number, high: number): number {
  const empty = 64 - popcount(low) - popcount(high);
  if (empty === 0) return Math.round(64 * Math.log(64));
  return Math.round(-64 * Math.log(empty / 64));
}

/** ln(n!) by Stirling's series (exact enough from n = 10; a table below). */
function logFactorial(n: number): number {
  if (n < 10) {
    let f = 1;
    for (let i = 2; i <= n; i++) f *= i;
    return Math.log(f);
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/**
 * P(X >= k) for X ~ Binomial(n, p), exact (summed in log space until the terms vanish). Small
 * counts are where a normal approximation cries wolf: 5 errors among 46 requests is not 6 sd
 * away from 1 %, it is a 1-in-10,000 event.
 */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  const lnN = logFactorial(n);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const term = Math.exp(lnN - logFactorial(i) - logFactorial(n - i) + i * lnP + (n - i) * lnQ);
    sum += term;
    if (i > n * p && term < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}

/** The z of a normal upper tail of probability `tail` (inverse of Q for small tails). */
export function zOfTail(tail: number): number {
  if (tail >= 0.5) return 0;
  if (tail <= 1e-300) return 37;
  const l = -2 * Math.log(tail);
  return Math.sqrt(Math.max(0, l - Math.log(l) - Math.log(2 * Math.PI)));
}
