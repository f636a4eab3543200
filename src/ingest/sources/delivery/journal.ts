/**
 * The delivery source's journal (ingest): every accepted event is appended to a segment file
 * before the device's message is acknowledged, then written to the store in batches. The
 * append is a plain write into the file (no fsync per message): it survives a crash of the
 * process, as the SQLite store's WAL does, and costs microseconds where a store transaction
 * per MQTT message costs a millisecond. A segment whose events are all stored is deleted; at
 * start the segments left by a crash are read back and stored again (event ids are
 * deterministic, so what was already stored stays one copy).
 *
 * @example
 * const journal = EventJournal.open(join(dataDir, 'delivery-journal'));
 * const leftOver = journal.recover(); // events to store again after a crash
 * const ticket = journal.append(event); // durable against a process crash from here
 * journal.committed(ticket); // once the store has it
 *
 * Group commit: `append(event, { deferred: true })` only buffers the line; `sync()` writes every
 * buffered line in one write. The MQTT subscription uses it to write the journal once per turn
 * of the event loop and sends that turn's PUBACKs only after `sync()` (one write per message
 * was a tenth of the source's CPU). Anything else that reads or rotates the file syncs first.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';

const SEGMENT = /^segment-(\d{12})\.ndjson$/;
const MAX_BUFFERED_CHARS = 1_048_576;

export interface JournalOptions {
  /** A segment is closed past this size; default 8 MiB. */
  maxSegmentBytes?: number;
}

/** Which segment holds an appended event, to mark it stored. */
export type JournalTicket = number;

interface Segment {
  number: number;
  path: string;
  /** Events appended and not yet stored. */
  pending: number;
  bytes: number;
}

export class EventJournal {
  private readonly segments = new Map<number, Segment>();
  private active: Segment | null = null;
  private fd: number | null = null;
  private nextNumber: number;
  private readonly maxSegmentBytes: number;
  private recovered: Segment[] = [];
  /** Lines (without their newline) appended with `deferred` and not yet written (all for the active segment). */
  private buffered: string[] = [];
  /** Above this many buffered characters a deferred append writes at once (bounded memory). */
  private bufferedChars = 0;

  private constructor(
    private readonly dir: string,
    options: JournalOptions,
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 8 * 1_048_576;
    const numbers = readdirSync(dir)
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    this.recovered = numbers.map((number) => ({ number, path: this.pathOf(number), pending: 0, bytes: 0 }));
    this.nextNumber = (numbers.at(-1) ?? 0) + 1;
  }

  static open(dir: string, options: JournalOptions = {}): EventJournal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new EventJournal(dir, options);
  }

  private pathOf(number: number): string {
    return join(this.dir, `segment-${String(number).padStart(12, '0')}.ndjson`);
  }

  /**
   * The events of the segments a previous run left, each with its ticket; a torn last line
   * (the crash came mid-write) and lines that are not events are skipped.
   */
  recover(): { event: SecurityEvent; ticket: JournalTicket }[] {
    const out: { event: SecurityEvent; ticket: JournalTicket }[] = [];
    for (const segment of this.recovered) {
      const text = readFileSync(segment.path, 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        const event = securityEventSchema.safeParse(parsed);
        if (!event.success) continue;
        out.push({ event: event.data, ticket: segment.number });
        segment.pending++;
      }
      this.segments.set(segment.number, segment);
      if (segment.pending === 0) this.remove(segment);
    }
    this.recovered = [];
    return out;
  }

  /**
   * Appends one event; returns once the bytes are in the file, or, with `deferred`, once they
   * are buffered: then the event is durable only after the next `sync()`. `record` is the
   * event's `JSON.stringify` text when the caller has it already (it stores the same text).
   */
  append(event: SecurityEvent, options: { deferred?: boolean; record?: string } = {}): JournalTicket {
    const record = options.record ?? JSON.stringify(event);
    if (options.deferred) {
      const segment = this.activeSegment();
      this.buffered.push(record);
      segment.pending++;
      // Characters, not bytes (counting UTF-8 bytes per line cost more than the write): the
      // buffer holds at most MAX_BUFFERED_CHARS characters, so at most three times as many bytes.
      this.bufferedChars += record.length + 1;
      if (this.bufferedChars >= MAX_BUFFERED_CHARS) this.sync();
      return segment.number;
    }
    // Earlier deferred lines first (which may close the segment they filled).
    this.sync();
    const segment = this.activeSegment();
    // Counted first: a write that fills the segment closes it, and a closed segment with
    // nothing pending is deleted.
    segment.pending++;
    try {
      this.write(`${record}\n`);
    } catch (error) {
      segment.pending--;
      throw error;
    }
    return segment.number;
  }

  /** Writes the lines of deferred appends (one write); they are durable when this returns. */
  sync(): void {
    if (this.buffered.length === 0) return;
    const text = `${this.buffered.join('\n')}\n`;
    this.buffered = [];
    this.bufferedChars = 0;
    this.write(text);
  }

  /** Writes whole lines to the active segment, then closes it if it has grown past its size. */
  private write(text: string): void {
    const data = Buffer.from(text);
    // A regular file takes the whole write; the loop covers a short write all the same.
    for (let offset = 0; offset < data.length;) {
      offset += writeSync(this.fd as number, data, offset);
    }
    const segment = this.active as Segment;
    segment.bytes += data.length;
    if (segment.bytes >= this.maxSegmentBytes) this.closeActive();
  }

  /** Marks one event of that segment as stored; a closed segment with nothing pending is deleted. */
  committed(ticket: JournalTicket, count = 1): void {
    const segment = this.segments.get(ticket);
    if (!segment) return;
    segment.pending -= count;
    if (segment.pending > 0) return;
    if (segment === this.active) {
      // Everything in the active segment is stored: start afresh rather than let it grow.
      if (segment.bytes >= this.maxSegmentBytes / 8) this.closeActive();
      return;
    }
    this.remove(segment);
  }

  /** Segments on disk (the active one included). */
  segmentCount(): number {
    return this.segments.size;
  }

  close(): void {
    this.sync();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const active = this.active;
    this.active = null;
    if (active && active.pending === 0) this.remove(active);
  }

  private activeSegment(): Segment {
    if (this.active && this.fd !== null) return this.active;
    const number = this.nextNumber++;
    const segment: Segment = { number, path: this.pathOf(number), pending: 0, bytes: 0 };
    this.fd = openSync(segment.path, 'a', 0o600);
    this.active = segment;
    this.segments.set(number, segment);
    return segment;
  }

  private closeActive(): void {
    this.sync();
    const active = this.active;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.active = null;
    if (active && active.pending === 0) this.remove(active);
  }

  private remove(segment: Segment): void {
    this.segments.delete(segment.number);
    try {
      unlinkSync(segment.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
