/**
 * The wait before the next attempt after `failures` consecutive failures (gateway, remote
 * followers and the event shipper): `firstMs` after the first, doubled per further failure,
 * at most `maxMs`; 0 when nothing failed.
 *
 * @example backoffMs(3, 1000, 30_000) // 4000
 */
export function backoffMs(failures: number, firstMs: number, maxMs: number): number {
  return failures === 0 ? 0 : Math.min(maxMs, firstMs * 2 ** (failures - 1));
}
