/** The scanner's default limits (a light module: the CLI shows them in its help without loading the scanner). */
export const SCAN_DEFAULTS = {
  maxRequests: 1500,
  ratePerSecond: 20,
  concurrency: 4,
  timeoutMs: 10_000,
  maxResponseBytes: 2 * 1024 * 1024,
  maxPages: 100,
  maxDepth: 4,
  maxDurationMs: 10 * 60_000,
} as const;
