/**
 * Syslog over TCP: splits a connection's byte stream into messages (ingest, syslog source).
 * RFC 6587 allows two framings and senders do not announce which; as rsyslog and
 * syslog-ng do, each frame is judged by its first byte: a digit starts octet counting
 * (`LEN SP MSG`), anything else is non-transparent framing ending at LF (or NUL). Blank
 * bytes between frames are skipped. A message over `maxMessageBytes` is reported once and
 * skipped without being held in memory (by its count, or up to its newline).
 *
 * @example
 * const decoder = new SyslogFrameDecoder({ maxMessageBytes: 65536 });
 * decoder.push(Buffer.from('11 <13>1 - - -23 <13>Oct 11 22:14:15 a b\n'));
 */
import type { MalformedReason } from '../dead-letter.js';

export type Frame = { message: Buffer } | { error: MalformedReason; sample: string };

const LF = 10;
const NUL = 0;
const SPACE = 32;
const SAMPLE_BYTES = 256;
const MAX_LENGTH_DIGITS = 10;

type State =
  | { mode: 'frame-start' }
  | { mode: 'octets'; remaining: number; parts: Buffer[] }
  | { mode: 'skip-octets'; remaining: number }
  | { mode: 'line'; parts: Buffer[]; bytes: number }
  | { mode: 'skip-line' };

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

export class SyslogFrameDecoder {
  private state: State = { mode: 'frame-start' };
  /** Digits of an octet count split across chunks. */
  private lengthPrefix = '';

  constructor(private readonly options: { maxMessageBytes: number }) {}

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let index = 0;
    while (index < chunk.length) index = this.step(chunk, index, frames);
    return frames;
  }

  /** At the end of the connection: a last line without its newline is still a message. */
  end(): Frame[] {
    const state = this.state;
    this.state = { mode: 'frame-start' };
    if (state.mode === 'line' && state.bytes > 0) return [{ message: Buffer.concat(state.parts) }];
    if (state.mode === 'octets' || this.lengthPrefix !== '') {
      const sample =
        state.mode === 'octets'
          ? Buffer.concat(state.parts).toString('utf8', 0, SAMPLE_BYTES)
          : this.lengthPrefix;
      this.lengthPrefix = '';
      return [{ error: 'bad_frame', sample }];
    }
    return [];
  }

  private step(chunk: Buffer, index: number, frames: Frame[]): number {
    const state = this.state;
    switch (state.mode) {
      case 'frame-start':
        return this.startFrame(chunk, index, frames);
      case 'octets': {
        const take = Math.min(state.remaining, chunk.length - index);
        state.parts.push(Buffer.from(chunk.subarray(index, index + take)));
        state.remaining -= take;
        if (state.remaining === 0) {
          frames.push({ message: Buffer.concat(state.parts) });
          this.state = { mode: 'frame-start' };
        }
        return index + take;
      }
      case 'skip-octets': {
        const take = Math.min(state.remaining, chunk.length - index);
        state.remaining -= take;
        if (state.remaining === 0) this.state = { mode: 'frame-start' };
        return index + take;
      }
      case 'line':
        return this.readLine(chunk, index, frames, state);
      case 'skip-line': {
        const end = this.lineEnd(chunk, index);
        if (end === -1) return chunk.length;
        this.state = { mode: 'frame-start' };
        return end + 1;
      }
    }
  }

  private startFrame(chunk: Buffer, index: number, frames: Frame[]): number {
    const byte = chunk[index] as number;
    if (this.lengthPrefix === '' && (byte === LF || byte === NUL || byte === 13 || byte === SPACE))
      return index + 1;
    if (this.lengthPrefix === '' && !isDigit(byte)) {
      this.state = { mode: 'line', parts: [], bytes: 0 };
      return index;
    }
    let cursor = index;
    while (cursor < chunk.length && isDigit(chunk[cursor] as number)) {
      this.lengthPrefix += String.fromCharCode(chunk[cursor] as number);
      cursor++;
    }
    if (this.lengthPrefix.length > MAX_LENGTH_DIGITS) {
      frames.push({ error: 'bad_frame', sample: this.lengthPrefix });
      this.lengthPrefix = '';
      this.state = { mode: 'skip-line' };
      return cursor;
    }
    if (cursor === chunk.length) return cursor;
    const length = Number(this.lengthPrefix);
    this.lengthPrefix = '';
    if (chunk[cursor] !== SPACE || length === 0) {
      // Not `LEN SP`: the stream is not octet-counted here; drop up to the next newline.
      frames.push({
        error: 'bad_frame',
        sample: chunk.toString('utf8', index, Math.min(chunk.length, index + SAMPLE_BYTES)),
      });
      this.state = { mode: 'skip-line' };
      return cursor;
    }
    if (length > this.options.maxMessageBytes) {
      frames.push({
        error: 'message_too_large',
        sample: chunk.toString('utf8', cursor + 1, Math.min(chunk.length, cursor + 1 + SAMPLE_BYTES)),
      });
      this.state = { mode: 'skip-octets', remaining: length };
    } else {
      this.state = { mode: 'octets', remaining: length, parts: [] };
    }
    return cursor + 1;
  }

  private lineEnd(chunk: Buffer, index: number): number {
    for (let i = index; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === LF || byte === NUL) return i;
    }
    return -1;
  }

  private readLine(chunk: Buffer, index: number, frames: Frame[], state: State & { mode: 'line' }): number {
    const end = this.lineEnd(chunk, index);
    const stop = end === -1 ? chunk.length : end;
    state.parts.push(Buffer.from(chunk.subarray(index, stop)));
    state.bytes += stop - index;
    if (state.bytes > this.options.maxMessageBytes) {
      const sample = Buffer.concat(state.parts).toString('utf8', 0, SAMPLE_BYTES);
      frames.push({ error: 'message_too_large', sample });
      this.state = end === -1 ? { mode: 'skip-line' } : { mode: 'frame-start' };
      return end === -1 ? chunk.length : end + 1;
    }
    if (end === -1) return chunk.length;
    frames.push({ message: Buffer.concat(state.parts) });
    this.state = { mode: 'frame-start' };
    return end + 1;
  }
}
