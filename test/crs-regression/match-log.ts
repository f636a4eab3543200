/**
 * The WAF's match lines as the CRS regression runner reads them, the way go-ftw reads
 * ModSecurity's error log: before and after each stage a marker request carries
 * `X-CRS-Test: <uuid>`; the marker rule (id 999999, see crs-test.conf) logs a line holding the
 * uuid; the stage's lines are those between the two marker lines, and the rule ids fired are
 * every `[id "NNNNNN"]` in them.
 *
 * The engine hands lines over through `onMatchLine(line, requestId)` (see engine-link.ts);
 * `MatchLogRouter` files each line under the worker whose gateway handled that request, so
 * workers running in parallel each read a log of their own requests, in order.
 */

/** The part of a log the runner reads. */
export interface MatchLog {
  lines(): string[];
}

/** One worker's log: an append-only list of lines, trimmed after each stage. */
export class WorkerMatchLog implements MatchLog {
  private buffer: string[] = [];

  append(line: string): void {
    this.buffer.push(line);
  }

  lines(): string[] {
    return this.buffer;
  }

  /** Forgets everything up to and including index `end` (a consumed end marker). */
  dropThrough(end: number): void {
    this.buffer = this.buffer.slice(end + 1);
  }
}

/** Index of the last line at or after `from` that holds `uuid`, or -1. */
export function findMarker(log: MatchLog, uuid: string, from = 0): number {
  const lines = log.lines();
  for (let i = lines.length - 1; i >= from; i--) if (lines[i]!.includes(uuid)) return i;
  return -1;
}

/** The lines strictly between the start marker at `start` and the end marker at `end`. */
export function linesBetween(log: MatchLog, start: number, end: number): string[] {
  return log.lines().slice(start + 1, end);
}

/** Rule ids named by `[id "NNN"]` in the lines, in order of first appearance. */
export function ruleIdsIn(lines: readonly string[]): string[] {
  const ids: string[] = [];
  for (const line of lines) {
    for (const match of line.matchAll(/\[id "(\d+)"\]/g)) if (!ids.includes(match[1]!)) ids.push(match[1]!);
  }
  return ids;
}

/**
 * Convenience for one finished log: the ids fired between the start and end markers of
 * `uuid` (go-ftw uses one uuid for both). Null when either marker is missing.
 */
export function idsBetweenMarkers(log: MatchLog, uuid: string): string[] | null {
  const lines = log.lines();
  const start = lines.findIndex((line) => line.includes(uuid));
  if (start === -1) return null;
  const end = findMarker(log, uuid, start + 1);
  if (end === -1) return null;
  return ruleIdsIn(linesBetween(log, start, end));
}

/**
 * Files match lines under the worker whose gateway saw the request. Lines of requests no
 * worker claimed (or given without a request id while several workers run) are kept apart
 * and counted in the report.
 */
export class MatchLogRouter {
  readonly workers: WorkerMatchLog[];
  readonly unattributed: string[] = [];
  private readonly owner = new Map<string, number>();
  /** Whether any line arrived without a request id (the runner then falls back to one worker). */
  sawLineWithoutRequestId = false;

  constructor(workerCount: number) {
    this.workers = Array.from({ length: workerCount }, () => new WorkerMatchLog());
  }

  claim(requestId: string, worker: number): void {
    this.owner.set(requestId, worker);
  }

  readonly onMatchLine = (line: string, requestId?: string): void => {
    if (typeof line !== 'string') return;
    if (requestId === undefined) {
      this.sawLineWithoutRequestId = true;
      if (this.workers.length === 1) this.workers[0]!.append(line);
      else this.unattributed.push(line);
      return;
    }
    const worker = this.owner.get(requestId);
    if (worker === undefined) this.unattributed.push(line);
    else this.workers[worker]!.append(line);
  };
}
