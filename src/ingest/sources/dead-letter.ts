/**
 * Dead letters (ingest): a sample of the lines and messages a source could not turn into a
 * SecurityEvent, each with the reason, so a person can see why a log does not parse. Sources
 * count every malformed input (metrics) and hand a *sample* here; a flood of junk never
 * fills memory or the store. The store-backed table implements `DeadLetterSink`; the
 * in-memory ring below serves tests, `ensuresec ingest` and embedded use.
 *
 * @example
 * const sink = new MemoryDeadLetterSink(100);
 * const sampler = createDeadLetterSampler(sink, { maxPerMinute: 60 });
 * sampler.report({ source: 'nginx', reason: 'bad_time', input: line, location: 'access.log:1042' });
 */
import { systemClock, type Clock } from '../../core/clock.js';

/** Why an input was refused; stable words, shown to users and used as metric labels. */
export type MalformedReason =
  | 'line_too_long'
  | 'bad_prefix'
  | 'bad_time'
  | 'bad_quoted_field'
  | 'bad_status'
  | 'bad_bytes'
  | 'not_json'
  | 'json_not_object'
  | 'missing_client'
  | 'missing_request'
  | 'unknown_format'
  | 'syslog_bad_priority'
  | 'syslog_bad_header'
  | 'syslog_bad_structured_data'
  | 'message_too_large'
  | 'bad_frame'
  | 'delivery_bad_topic'
  | 'delivery_bad_payload'
  | 'bad_field'
  | 'zeek_no_header'
  | 'zeek_bad_fields';

export interface DeadLetter {
  /** The source's name (its configuration `name`). */
  source: string;
  reason: MalformedReason;
  /** The input as read, cut to `MAX_DEAD_LETTER_CHARS`. */
  input: string;
  /** Where it came from: `file:offset`, `udp 10.0.0.5:514`, … */
  location?: string;
  /** When it was refused (ISO 8601). */
  time: string;
}

export interface DeadLetterSink {
  put(letter: DeadLetter): void;
}

export const MAX_DEAD_LETTER_CHARS = 2048;

/** The newest `capacity` dead letters, in memory. */
export class MemoryDeadLetterSink implements DeadLetterSink {
  private readonly letters: DeadLetter[] = [];

  constructor(private readonly capacity = 1000) {}

  put(letter: DeadLetter): void {
    this.letters.push(letter);
    if (this.letters.length > this.capacity) this.letters.shift();
  }

  list(): DeadLetter[] {
    return [...this.letters];
  }
}

export interface DeadLetterSampler {
  report(letter: Omit<DeadLetter, 'time' | 'input'> & { input: string }): void;
}

/**
 * Passes at most `maxPerMinute` dead letters a minute per reason to the sink; the rest are
 * only counted by the source's metrics.
 */
export function createDeadLetterSampler(
  sink: DeadLetterSink,
  options: { maxPerMinute?: number; clock?: Clock } = {},
): DeadLetterSampler {
  const maxPerMinute = options.maxPerMinute ?? 60;
  const clock = options.clock ?? systemClock;
  let windowStartMs = Number.NEGATIVE_INFINITY;
  const passed = new Map<MalformedReason, number>();
  return {
    report(letter) {
      const nowMs = clock.nowMs();
      if (nowMs - windowStartMs >= 60_000) {
        windowStartMs = nowMs;
        passed.clear();
      }
      const count = passed.get(letter.reason) ?? 0;
      if (count >= maxPerMinute) return;
      passed.set(letter.reason, count + 1);
      const input =
        letter.input.length > MAX_DEAD_LETTER_CHARS
          ? letter.input.slice(0, MAX_DEAD_LETTER_CHARS)
          : letter.input;
      sink.put({ ...letter, input, time: new Date(nowMs).toISOString() });
    },
  };
}
