/**
 * Scan progress on stderr: a live bar redrawn in place on a terminal (phase, requests
 * against the budget, findings so far, time left), plain lines at phase changes and every
 * few seconds when stderr is a file or a pipe (CI logs).
 */
import type { ScanPhase, ScanProgress } from './scanner.js';

export interface ProgressReporter {
  update(progress: ScanProgress): void;
  finish(): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

export function formatSeconds(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function progressBarLine(p: ScanProgress): string {
  const ratio = p.maxRequests > 0 ? Math.min(1, p.requestsSent / p.maxRequests) : 0;
  const filled = p.phase === 'done' ? BAR_WIDTH : Math.round(ratio * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const left = p.phase === 'done' ? 'done' : `~${formatSeconds(p.remainingMs)} left`;
  return `${p.phase.padEnd(7)} ${bar} ${p.requestsSent}/${p.maxRequests} requests · ${p.findings} findings · ${formatSeconds(p.elapsedMs)} elapsed · ${left}`;
}

export function createProgressReporter(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
): ProgressReporter {
  let lastDraw = 0;
  let lastPhase: ScanPhase | null = null;
  let latest: ScanProgress | null = null;
  if (stream.isTTY) {
    return {
      update(p) {
        latest = p;
        const now = Date.now();
        if (now - lastDraw < REDRAW_MS && p.phase === lastPhase) return;
        lastDraw = now;
        lastPhase = p.phase;
        const line = progressBarLine(p).slice(0, Math.max(20, (stream.columns ?? 120) - 1));
        stream.write(`\r\x1b[2K${line}`);
      },
      finish() {
        if (latest) stream.write(`\r\x1b[2K${progressBarLine(latest)}\n`);
      },
    };
  }
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === lastPhase && now - lastDraw < PLAIN_EVERY_MS) return;
      lastDraw = now;
      lastPhase = p.phase;
      stream.write(
        `scan: phase=${p.phase} requests=${p.requestsSent}/${p.maxRequests} findings=${p.findings} elapsed=${formatSeconds(p.elapsedMs)} left~${formatSeconds(p.remainingMs)}\n`,
      );
    },
    finish() {},
  };
}
