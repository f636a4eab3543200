/**
 * Event time for a detector (detect, built-in detectors): the time of the events, never the
 * wall clock, kept monotonic so windows stay ordered when a source delivers a line a little
 * late (such an event counts at the latest time seen, not in the past). Times are counted in
 * ms from the first event the detector saw: small integers that V8 stores in place, where
 * epoch milliseconds would each take a heap number, in every window entry of every key.
 */
import type { SecurityEvent } from '../../../core/records/index.js';

// The detectors see the same event one after the other: remember the last parse.
let lastText = '';
let lastParsedMs = Number.NaN;

function parseTime(text: string): number {
  if (text !== lastText) {
    lastText = text;
    lastParsedMs = Date.parse(text);
  }
  return lastParsedMs;
}

export class EventClock {
  private epochMs: number | undefined;
  private latestMs = Number.NEGATIVE_INFINITY;

  /** The event's time in ms since the first event, never earlier than a previous event's; undefined when unreadable. */
  advance(event: SecurityEvent): number | undefined {
    const ms = parseTime(event.time);
    if (!Number.isFinite(ms)) return undefined;
    this.epochMs ??= ms;
    const relative = ms - this.epochMs;
    if (relative > this.latestMs) this.latestMs = relative;
    return this.latestMs;
  }

  /** Epoch ms of a time `advance` returned. */
  absolute(relativeMs: number): number {
    return (this.epochMs ?? 0) + relativeMs;
  }
}
