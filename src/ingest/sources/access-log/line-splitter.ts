/**
 * Splits a byte stream into lines (ingest): LF ends a line, a CR before it is dropped, bytes
 * are read as UTF-8 (invalid sequences become U+FFFD, never an error). A line longer than
 * `maxLineBytes` is not kept whole: it comes out once, marked `tooLong`, with its first
 * bytes as a sample, and memory stays bounded however long it is. Each line carries the
 * byte offset after it, which is what a tailer may remember once the line is handled.
 *
 * @example
 * const splitter = new LineSplitter({ maxLineBytes: 65536 });
 * splitter.push(Buffer.from('a\nb')); // [{ text: 'a', offset: 0, endOffset: 2 }]
 * splitter.end(); // { text: 'b', offset: 2, endOffset: 3 }
 */

export interface SplitLine {
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just after the line (and its newline). */
  endOffset: number;
  /** The line was longer than the limit; `text` is only its beginning. */
  tooLong?: true;
}

const SAMPLE_BYTES = 2048;
const LF = 10;
const CR = 13;

export class LineSplitter {
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Absolute offset of the first byte not yet emitted in a line. */
  private lineStart: number;
  private discarding: { sample: string } | null = null;

  constructor(options: { maxLineBytes: number; startOffset?: number }) {
    this.maxLineBytes = options.maxLineBytes;
    this.lineStart = options.startOffset ?? 0;
  }

  /** Bytes held for a line not yet ended. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(LF, start); newline !== -1; newline = chunk.indexOf(LF, start)) {
      const endOffset = this.lineStart + this.pendingBytes + (newline - start) + 1;
      if (this.discarding) {
        lines.push({ text: this.discarding.sample, offset: this.lineStart, endOffset, tooLong: true });
        this.discarding = null;
      } else if (this.pendingBytes + (newline - start) > this.maxLineBytes) {
        const whole = Buffer.concat([
          ...this.pending,
          chunk.subarray(start, Math.min(newline, start + SAMPLE_BYTES)),
        ]);
        lines.push({
          text: decode(whole, 0, Math.min(whole.length, SAMPLE_BYTES)),
          offset: this.lineStart,
          endOffset,
          tooLong: true,
        });
      } else if (this.pendingBytes > 0) {
        const whole = Buffer.concat([...this.pending, chunk.subarray(start, newline)]);
        lines.push({ text: decode(whole, 0, whole.length), offset: this.lineStart, endOffset });
      } else {
        lines.push({ text: decode(chunk, start, newline), offset: this.lineStart, endOffset });
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.lineStart = endOffset;
      start = newline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
    return lines;
  }

  /** The last line when the input ended without a newline; null when nothing is left. */
  end(): SplitLine | null {
    const endOffset = this.lineStart + this.pendingBytes;
    let line: SplitLine | null = null;
    if (this.discarding) {
      line = { text: this.discarding.sample, offset: this.lineStart, endOffset, tooLong: true };
    } else if (this.pendingBytes > 0) {
      const whole = Buffer.concat(this.pending);
      line = { text: decode(whole, 0, whole.length), offset: this.lineStart, endOffset };
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = null;
    this.lineStart = endOffset;
    return line;
  }

  /** Forgets any partial line and restarts counting at `offset` (a truncated or new file). */
  reset(offset: number): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = null;
    this.lineStart = offset;
  }

  private hold(rest: Buffer): void {
    if (this.discarding) {
      this.pendingBytes += rest.length;
      return;
    }
    // Copy: the reader may reuse its buffer for the next chunk.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
    if (this.pendingBytes > this.maxLineBytes) {
      const whole = Buffer.concat(this.pending);
      this.discarding = { sample: decode(whole, 0, Math.min(whole.length, SAMPLE_BYTES)) };
      this.pending = [];
    }
  }
}

function decode(buffer: Buffer, start: number, end: number): string {
  const stop = end > start && buffer[end - 1] === CR ? end - 1 : end;
  return buffer.toString('utf8', start, stop);
}
