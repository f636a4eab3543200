/**
 * Follows one log file as `tail -F` does (ingest, access-log source):
 * - reads new lines as they are appended, waking on fs.watch events on the file's folder
 *   and, because watch events are unreliable (network file systems, editors, inotify
 *   limits), on a polling timer too;
 * - survives rotation: when the path names a new file (logrotate's rename + create), the
 *   old file is read to its end, then the new one from its start; when the file shrinks or
 *   its first bytes change (copytruncate), it is read again from the start;
 * - remembers how far it got through an OffsetStore, after the pipeline accepted the lines
 *   (`onFlush` resolves), so a restart resumes there; if the file was rotated while
 *   Ensuresec was down, the rest of the old file is read first when it is still next to it
 *   (`access.log.1`, same inode), then the new file;
 * - holds a last line without its newline until the line is ended (or, in `once` mode, the
 *   file is), and cuts lines over `maxLineBytes`;
 * - backpressure: it awaits `onLines` before it reads the next chunk.
 * Tests drive it with `poll()` and no timer, so nothing depends on how fast a watch fires.
 *
 * @example
 * const tailer = new FileTailer({ path, key: `nginx:${path}`, offsets, onLines, startAt: 'end' });
 * await tailer.start(); … await tailer.stop();
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { newSourceCounters, type SourceCounters } from './metrics.js';
import type { FileOffset, OffsetStore } from './offset-store.js';

export interface TailOptions {
  path: string;
  /** The OffsetStore key, e.g. `<source name>:<path>`. */
  key: string;
  offsets: OffsetStore;
  /** Called with each run of complete lines; the tailer reads no further until it resolves. */
  onLines: (lines: SplitLine[]) => Promise<void>;
  /** Resolves when what `onLines` took is durable; awaited before an offset is saved. */
  onFlush?: () => Promise<void>;
  /** Where to start in a file with no remembered offset; default `end` (as `tail -f`). */
  startAt?: 'beginning' | 'end';
  maxLineBytes?: number;
  readChunkBytes?: number;
  /** 0 for no timer (tests call `poll()`); default 1000. */
  pollIntervalMs?: number;
  /** Wake on fs.watch events; default true. */
  watch?: boolean;
  /** Longest time between offset saves while lines keep coming; default 1000. */
  commitIntervalMs?: number;
  counters?: SourceCounters;
  logger?: Logger;
}

const HEAD_BYTES = 1024;

interface OpenFile {
  handle: FileHandle;
  dev: number;
  ino: number;
  /** Next byte to read. */
  position: number;
  headBytes: number;
  headHash: string;
}

export class FileTailer {
  readonly counters: SourceCounters;
  private readonly splitter: LineSplitter;
  private file: OpenFile | null = null;
  /** Offset after the last line `onLines` accepted. */
  private deliveredOffset = 0;
  private savedOffset = -1;
  private lastCommitMs = 0;
  private started = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private rerun = false;
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private readonly chunk: Buffer;

  constructor(private readonly options: TailOptions) {
    this.counters = options.counters ?? newSourceCounters(options.key, 'access-log');
    this.splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes ?? 65_536 });
    this.chunk = Buffer.allocUnsafe(options.readChunkBytes ?? 65_536);
  }

  /** Opens the file (if it exists), resumes at the remembered offset and starts following. */
  async start(): Promise<void> {
    this.started = true;
    await this.serialised(() => this.resume());
    const interval = this.options.pollIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.poll(), interval);
      this.timer.unref();
    }
    if (this.options.watch ?? true) this.startWatching();
    void this.poll();
  }

  /** Reads whatever is new (and follows a rotation or truncation); resolves when done. */
  poll(): Promise<void> {
    return this.serialised(() => this.cycle());
  }

  /** Reads the file from the remembered offset (or the start) to its end, last line included, and saves the offset. */
  async readOnce(): Promise<void> {
    if (this.started) throw new Error('readOnce() is for a tailer that was not started');
    try {
      await this.resume('beginning');
      await this.readToEnd();
      await this.deliverPartial();
      await this.commit(true);
    } finally {
      await this.closeFile();
    }
  }

  /** Stops following; the offset of the last accepted line is saved. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
    await this.running?.catch(() => undefined);
    await this.commit(true).catch((error: unknown) =>
      this.options.logger?.warn({ err: error }, 'offset save failed'),
    );
    await this.closeFile();
  }

  private startWatching(): void {
    const name = basename(this.options.path);
    try {
      this.watcher = watch(dirname(this.options.path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) void this.poll();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch (error) {
      // Polling alone still follows the file, only less promptly.
      this.options.logger?.debug({ err: error, path: this.options.path }, 'fs.watch unavailable; polling');
    }
  }

  private serialised(task: () => Promise<void>): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      try {
        await task();
      } catch (error) {
        this.options.logger?.warn({ err: error, path: this.options.path }, 'reading the log file failed');
        await this.rewindToDelivered();
      }
      while (this.rerun && !this.stopped) {
        this.rerun = false;
        try {
          await this.cycle();
        } catch (error) {
          this.options.logger?.warn({ err: error, path: this.options.path }, 'reading the log file failed');
          await this.rewindToDelivered();
        }
      }
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async resume(startAtDefault?: 'beginning' | 'end'): Promise<void> {
    const saved = await this.options.offsets.load(this.options.key);
    if (!(await this.openCurrent())) return;
    const file = this.file as OpenFile;
    const size = (await file.handle.stat()).size;
    if (
      saved &&
      saved.dev === file.dev &&
      saved.ino === file.ino &&
      saved.offset <= size &&
      (await this.sameHead(file, saved))
    ) {
      this.seek(saved.offset);
      return;
    }
    if (saved) {
      // The file changed while we were away: finish the old one if it sits beside it, then read this one whole.
      if (saved.dev !== file.dev || saved.ino !== file.ino) {
        this.counters.rotations++;
        await this.readRotatedRemainder(saved);
      } else {
        this.counters.truncations++;
      }
      this.seek(0);
      return;
    }
    const startAt = startAtDefault ?? this.options.startAt ?? 'end';
    this.seek(startAt === 'end' ? size : 0);
  }

  private async cycle(): Promise<void> {
    if (this.stopped || !this.started) return;
    if (!this.file) {
      // The file appeared after start (or after a rename without a new file): read it whole.
      if (!(await this.openCurrent())) return;
      this.seek(0);
    }
    await this.followTruncation();
    await this.readToEnd();
    const file = this.file as OpenFile;
    const current = await stat(this.options.path).catch(() => null);
    if (current && (current.ino !== file.ino || current.dev !== file.dev)) {
      await this.readToEnd();
      await this.deliverPartial();
      await this.commit(true);
      await this.closeFile();
      this.counters.rotations++;
      if (await this.openCurrent()) {
        this.seek(0);
        await this.readToEnd();
      }
    } else if (await this.followTruncation()) {
      await this.readToEnd();
    }
    await this.commit(true);
  }

  /** Copytruncate: the file shrank below what was read, or its first bytes changed; read it again from the start. */
  private async followTruncation(): Promise<boolean> {
    const file = this.file;
    if (!file) return false;
    const { size } = await file.handle.stat();
    if (size >= file.position && (await this.sameHead(file, file))) return false;
    this.counters.truncations++;
    await this.deliverPartial();
    this.seek(0);
    file.headBytes = 0;
    return true;
  }

  private async openCurrent(): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.options.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const stats = await handle.stat();
    this.file = { handle, dev: stats.dev, ino: stats.ino, position: 0, headBytes: 0, headHash: '' };
    return true;
  }

  private seek(offset: number): void {
    if (!this.file) return;
    this.file.position = offset;
    this.deliveredOffset = offset;
    this.splitter.reset(offset);
  }

  private async readToEnd(): Promise<void> {
    const file = this.file;
    if (!file) return;
    for (;;) {
      const { bytesRead } = await file.handle.read(this.chunk, 0, this.chunk.length, file.position);
      if (bytesRead === 0) return;
      file.position += bytesRead;
      this.counters.bytesRead += bytesRead;
      await this.deliver(this.splitter.push(this.chunk.subarray(0, bytesRead)));
      if (file.headBytes < HEAD_BYTES) await this.refreshHead(file);
      await this.commit(false);
      if (this.stopped) return;
    }
  }

  private async deliver(lines: SplitLine[]): Promise<void> {
    if (lines.length === 0) return;
    this.counters.linesRead += lines.length;
    await this.options.onLines(lines);
    this.deliveredOffset = (lines[lines.length - 1] as SplitLine).endOffset;
  }

  private async deliverPartial(): Promise<void> {
    const last = this.splitter.end();
    if (last) await this.deliver([last]);
  }

  private async commit(force: boolean): Promise<void> {
    const file = this.file;
    if (!file || this.deliveredOffset === this.savedOffset) return;
    const nowMs = Date.now();
    if (!force && nowMs - this.lastCommitMs < (this.options.commitIntervalMs ?? 1000)) return;
    await this.options.onFlush?.();
    const offset: FileOffset = {
      dev: file.dev,
      ino: file.ino,
      offset: this.deliveredOffset,
      headBytes: file.headBytes,
      headHash: file.headHash,
    };
    await this.options.offsets.save(this.options.key, offset);
    this.savedOffset = this.deliveredOffset;
    this.lastCommitMs = nowMs;
  }

  private async rewindToDelivered(): Promise<void> {
    if (this.file) {
      this.file.position = this.deliveredOffset;
      this.splitter.reset(this.deliveredOffset);
    }
  }

  private async readHead(handle: FileHandle, bytes: number): Promise<{ length: number; hash: string }> {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return {
      length: bytesRead,
      hash: createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex'),
    };
  }

  private async refreshHead(file: OpenFile): Promise<void> {
    const head = await this.readHead(file.handle, HEAD_BYTES);
    file.headBytes = head.length;
    file.headHash = head.hash;
  }

  /** Whether the first `reference.headBytes` bytes of the open file still hash to `reference.headHash`. */
  private async sameHead(
    file: OpenFile,
    reference: { headBytes: number; headHash: string },
  ): Promise<boolean> {
    if (reference.headBytes === 0) return true;
    const head = await this.readHead(file.handle, reference.headBytes);
    return head.length === reference.headBytes && head.hash === reference.headHash;
  }

  /** After a rotation during downtime: the rest of the old file, found by its inode beside the new one. */
  private async readRotatedRemainder(saved: FileOffset): Promise<void> {
    const folder = dirname(this.options.path);
    const prefix = basename(this.options.path);
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(prefix) || name === prefix) continue;
      const candidate = join(folder, name);
      const stats = await stat(candidate).catch(() => null);
      if (!stats || stats.ino !== saved.ino || stats.dev !== saved.dev || stats.size < saved.offset) continue;
      const current = this.file;
      const handle = await open(candidate, 'r');
      this.file = { handle, dev: stats.dev, ino: stats.ino, position: 0, headBytes: 0, headHash: '' };
      try {
        this.seek(saved.offset);
        await this.readToEnd();
        await this.deliverPartial();
      } finally {
        await handle.close();
        this.file = current;
      }
      return;
    }
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.handle.close().catch(() => undefined);
  }
}
