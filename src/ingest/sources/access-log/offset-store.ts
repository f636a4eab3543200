/**
 * Where a file tailer remembers how far it has read (ingest): per source and file, the file's
 * identity (device and inode), the byte offset after the last line the pipeline accepted, and
 * a fingerprint of the file's first bytes (to tell a truncated-and-rewritten file from the
 * one it was). `kvOffsetStore` keeps it in the Store's `kv` table, so it survives restarts.
 *
 * @example const offsets = kvOffsetStore(store.kv); await offsets.save('nginx:/var/log/x.log', position);
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../../../store/store.js';

export const fileOffsetSchema = z.object({
  dev: z.number(),
  ino: z.number(),
  offset: z.number().int().min(0),
  /** How many leading bytes `headHash` covers (0 for an empty file). */
  headBytes: z.number().int().min(0),
  headHash: z.string().max(128),
});
export type FileOffset = z.infer<typeof fileOffsetSchema>;

export interface OffsetStore {
  load(key: string): Promise<FileOffset | undefined>;
  save(key: string, offset: FileOffset): Promise<void>;
}

export class MemoryOffsetStore implements OffsetStore {
  readonly offsets = new Map<string, FileOffset>();

  async load(key: string): Promise<FileOffset | undefined> {
    return this.offsets.get(key);
  }

  async save(key: string, offset: FileOffset): Promise<void> {
    this.offsets.set(key, { ...offset });
  }
}

const MAX_KEY_CHARS = 200;

/** Keys longer than the kv limit (deep paths) are hashed; short ones stay readable. */
function kvKey(prefix: string, key: string): string {
  const full = `${prefix}${key}`;
  if (full.length <= MAX_KEY_CHARS) return full;
  return `${prefix}sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export function kvOffsetStore(kv: Store['kv'], prefix = 'ingest.offset.'): OffsetStore {
  return {
    async load(key) {
      const parsed = fileOffsetSchema.safeParse(await kv.get(kvKey(prefix, key)));
      // A value this version cannot read is treated as no offset: the file is read again.
      return parsed.success ? parsed.data : undefined;
    },
    save: (key, offset) => kv.set(kvKey(prefix, key), offset),
  };
}
