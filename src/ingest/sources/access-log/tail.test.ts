import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../store/index.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { CollectingWriter } from '../event-writer.js';
import { parseAccessLogConfig } from './config.js';
import type { SplitLine } from './line-splitter.js';
import { kvOffsetStore, MemoryOffsetStore } from './offset-store.js';
import { startAccessLogSource } from './run.js';
import { FileTailer, type TailOptions } from './tail.js';

const line = (n: number) =>
  `203.0.113.${n % 250} - - [26/Nov/2026:10:00:${String(n % 60).padStart(2, '0')} +0000] "GET /item/${n} HTTP/1.1" 200 ${n} "-" "test"\n`;
const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join('');

describe('file tailer', () => {
  let dir: string;
  let path: string;
  let offsets: MemoryOffsetStore;
  let seen: string[];
  const tailers: FileTailer[] = [];

  function tailer(overrides: Partial<TailOptions> = {}): FileTailer {
    const created = new FileTailer({
      path,
      key: `test:${path}`,
      offsets,
      onLines: async (batch: SplitLine[]) => void seen.push(...batch.map((l) => l.text)),
      startAt: 'beginning',
      pollIntervalMs: 0,
      watch: false,
      ...overrides,
    });
    tailers.push(created);
    return created;
  }
  const items = () => seen.map((text) => Number(/\/item\/(\d+)/.exec(text)?.[1] ?? -1));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-tail-'));
    path = join(dir, 'access.log');
    offsets = new MemoryOffsetStore();
    seen = [];
  });
  afterEach(async () => {
    for (const t of tailers.splice(0)) await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads appended lines and holds a last line until its newline arrives', async () => {
    writeFileSync(path, lines(1, 2));
    const t = tailer();
    await t.start();
    await t.poll();
    expect(items()).toEqual([1, 2]);
    appendFileSync(path, line(3).slice(0, 20));
    await t.poll();
    expect(items()).toEqual([1, 2]);
    appendFileSync(path, line(3).slice(20) + line(4));
    await t.poll();
    expect(items()).toEqual([1, 2, 3, 4]);
  });

  it('starts at the end of an existing file when told to, and reads what comes after', async () => {
    writeFileSync(path, lines(1, 3));
    const t = tailer({ startAt: 'end' });
    await t.start();
    appendFileSync(path, line(4));
    await t.poll();
    expect(items()).toEqual([4]);
  });

  it('follows a rename-and-create rotation without losing the old file’s last lines', async () => {
    writeFileSync(path, lines(1, 2));
    const t = tailer();
    await t.start();
    await t.poll();
    appendFileSync(path, line(3));
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, line(4)); // the server writes on until it reopens
    writeFileSync(path, lines(5, 6));
    await t.poll();
    expect(items()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.counters.rotations).toBe(1);
    appendFileSync(path, line(7));
    await t.poll();
    expect(items()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('waits while the file is renamed away and reads the new one from its start when it appears', async () => {
    writeFileSync(path, lines(1, 1));
    const t = tailer();
    await t.start();
    renameSync(path, `${path}.1`);
    await t.poll();
    writeFileSync(path, lines(2, 2));
    await t.poll();
    expect(items()).toEqual([1, 2]);
  });

  it('reads again from the start after copytruncate', async () => {
    writeFileSync(path, lines(1, 3));
    const t = tailer();
    await t.start();
    await t.poll();
    truncateSync(path, 0);
    appendFileSync(path, line(4));
    await t.poll();
    expect(items()).toEqual([1, 2, 3, 4]);
    expect(t.counters.truncations).toBe(1);
  });

  it('notices copytruncate even when the new content already outgrew the old offset', async () => {
    writeFileSync(path, lines(1, 1));
    const t = tailer();
    await t.start();
    await t.poll();
    truncateSync(path, 0);
    appendFileSync(path, lines(10, 14));
    await t.poll();
    expect(items()).toEqual([1, 10, 11, 12, 13, 14]);
  });

  it('resumes at the remembered offset after a restart', async () => {
    writeFileSync(path, lines(1, 2));
    const first = tailer();
    await first.start();
    await first.stop();
    appendFileSync(path, lines(3, 4));
    const second = tailer({ startAt: 'end' });
    await second.start();
    await second.poll();
    expect(items()).toEqual([1, 2, 3, 4]);
  });

  it('after a rotation during downtime, finishes the rotated file first, then reads the new one', async () => {
    writeFileSync(path, lines(1, 2));
    const first = tailer();
    await first.start();
    await first.stop();
    appendFileSync(path, line(3));
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(4, 5));
    const second = tailer();
    await second.start();
    await second.poll();
    expect(items()).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not re-read a partial line it never delivered, and delivers it once ended', async () => {
    writeFileSync(path, line(1) + line(2).slice(0, 10));
    const first = tailer();
    await first.start();
    await first.stop();
    appendFileSync(path, line(2).slice(10));
    const second = tailer();
    await second.start();
    await second.poll();
    expect(items()).toEqual([1, 2]);
  });

  it('reads a file once, last line without newline included', async () => {
    writeFileSync(path, lines(1, 2) + line(3).trimEnd());
    await tailer().readOnce();
    expect(items()).toEqual([1, 2, 3]);
  });

  it('reads a file that appears after the start from its beginning', async () => {
    const t = tailer({ startAt: 'end' });
    await t.start();
    await t.poll();
    writeFileSync(path, lines(1, 2));
    await t.poll();
    expect(items()).toEqual([1, 2]);
  });

  it('does not read further while the consumer has not taken the last lines (backpressure)', async () => {
    writeFileSync(path, lines(1, 200));
    let release: () => void = () => undefined;
    let calls = 0;
    const t = tailer({
      readChunkBytes: 256,
      onLines: async (batch) => {
        calls++;
        seen.push(...batch.map((l) => l.text));
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    const started = t.start();
    await vi.waitFor(() => expect(calls).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(1);
    expect(t.counters.bytesRead).toBe(256);
    release();
    await started;
    await t.poll();
    expect(items()).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('saves an offset only after the consumer flushed, and rewinds when the consumer fails', async () => {
    writeFileSync(path, lines(1, 3));
    const order: string[] = [];
    let fail = true;
    const t = tailer({
      onLines: async (batch) => {
        if (fail) {
          fail = false;
          throw new Error('store down');
        }
        seen.push(...batch.map((l) => l.text));
      },
      onFlush: async () => void order.push(`flush@${seen.length}`),
    });
    const save = offsets.save.bind(offsets);
    offsets.save = async (key, offset) => {
      order.push(`save@${offset.offset}`);
      await save(key, offset);
    };
    await t.start();
    await t.poll();
    expect(items()).toEqual([1, 2, 3]);
    expect(order).toEqual(['flush@3', `save@${Buffer.byteLength(lines(1, 3))}`]);
  });

  it('wakes on fs.watch events without a polling timer', async () => {
    writeFileSync(path, '');
    const t = tailer({ watch: true });
    await t.start();
    appendFileSync(path, line(1));
    await vi.waitFor(() => expect(items()).toEqual([1]), { timeout: 3000, interval: 10 });
  });
});

describe('access-log source with a SQLite store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-tail-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function runOnce(logPath: string, dbPath: string, writer: CollectingWriter) {
    const store = await openStore({ dialect: 'sqlite', path: dbPath });
    await store.migrate();
    const config = parseAccessLogConfig({
      name: 'shop-nginx',
      format: 'nginx',
      paths: [logPath],
      startAt: 'beginning',
      pollInterval: 0,
      watch: false,
    });
    const source = await startAccessLogSource(config, {
      writer,
      offsets: kvOffsetStore(store.kv),
      deadLetters: new MemoryDeadLetterSink(),
    });
    await source.poll();
    await source.stop();
    await store.close();
    return source.counters;
  }

  it('remembers the offset across a restart of the whole source and store', async () => {
    const logPath = join(dir, 'access.log');
    const dbPath = join(dir, 'ensuresec.db');
    writeFileSync(logPath, lines(1, 3) + 'garbage line\n');
    const first = new CollectingWriter();
    const counters = await runOnce(logPath, dbPath, first);
    expect(first.events.map((event) => event.http?.path)).toEqual(['/item/1', '/item/2', '/item/3']);
    expect(counters.malformed).toEqual({ bad_prefix: 1 });

    appendFileSync(logPath, lines(4, 5));
    const second = new CollectingWriter();
    await runOnce(logPath, dbPath, second);
    expect(second.events.map((event) => event.http?.path)).toEqual(['/item/4', '/item/5']);
  });
});
