/**
 * The Ledger service (ledger; made by the composition root): the one function every
 * security-relevant write goes through, `commit({ kind, write })`. It runs the write and the
 * ledger append in one store transaction, so a record is never stored without its entry nor
 * logged without being stored; a write that fails logs nothing. Concurrent commits are grouped
 * into one transaction (group commit: one fsync for many), in call order. It also signs
 * checkpoints (at an interval and on demand) and answers proofs over the committed log.
 *
 * @example
 *   const ledger = await Ledger.open({ store, pseudonymisationKey, signers: [logSigner] });
 *   const decision = await ledger.commit({
 *     kind: 'decision.created',
 *     actor: user.id,
 *     write: async (tx) => { await tx.decisions.insert(d); return d; },
 *   });
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import type { PersonalDataKind } from '../core/personal-data.js';
import { pseudonymise } from '../core/pseudonymise.js';
import type { LedgerCheckpointRow, LedgerSaltRow, Store, StoreTransaction } from '../store/store.js';
import { formatCheckpoint } from './checkpoint.js';
import { finishEntry, prepareEntry, type PreparedEntry } from './entry.js';
import { ulid } from '../core/ids.js';
import type { LedgerKind, LedgerRecordTypes } from './kinds.js';
import { formatVerifierKey, type NoteSigner } from './note-keys.js';
import { signNote } from './signed-note.js';
import { StoreLeafStorage } from './store-storage.js';
import { LedgerTree } from './tree.js';

export interface LedgerChange<K extends LedgerKind> {
  kind: K;
  /** Who made the change: a user id, or `system`. */
  actor?: string | null;
  /**
   * Writes the change through `tx` only (never through the store itself, never anything
   * outside the store: it may run again if another change of the same batch fails) and returns
   * the record as written, or undefined when nothing was written (then nothing is logged).
   */
  write(tx: StoreTransaction): Promise<LedgerRecordTypes[K] | undefined>;
}

/** What stages and routes depend on: the one function. */
export interface LedgerWriter {
  commit<K extends LedgerKind>(change: LedgerChange<K>): Promise<LedgerRecordTypes[K] | undefined>;
}

export interface LedgerLogger {
  warn(object: object, message: string): void;
}

export interface LedgerOptions {
  store: Store;
  /** The shop's pseudonymisation key: turns a personal value into its subject key. */
  pseudonymisationKey: Buffer;
  clock?: Clock;
  /**
   * The log keys; the first is current and names the origin. During a rotation the previous
   * key signs too, so verifiers that know either accept the checkpoint.
   */
  signers?: readonly NoteSigner[];
  /** Verifier keys (`cosignature/v1`) of the witnesses whose cosignatures the log accepts and serves. */
  witnessKeys?: readonly string[];
  /** Sign a checkpoint this often when the log grew; 0 or absent: only on demand. */
  checkpointIntervalMs?: number;
  logger?: LedgerLogger;
  /** Changes per transaction at most (default 1000). */
  maxBatch?: number;
}

interface Pending {
  change: LedgerChange<LedgerKind>;
  atMs: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A change's own write failed: only that change is refused. */
class ChangeFailed {
  constructor(
    readonly pending: Pending,
    readonly error: unknown,
  ) {}
}

const DEFAULT_MAX_BATCH = 1000;
const SALT_BYTES = 32;
const LOG_KEY_SETTING = 'ledger.logKey';

export class Ledger implements LedgerWriter {
  readonly origin: string | undefined;
  /** The verifier keys partners need, current first. */
  readonly verifierKeys: readonly string[];
  /** The trusted witnesses' verifier keys. */
  readonly witnessKeys: readonly string[];

  private readonly store: Store;
  private readonly clock: Clock;
  private readonly key: Buffer;
  private readonly signers: readonly NoteSigner[];
  private readonly maxBatch: number;
  private readonly logger: LedgerLogger | undefined;
  private readonly storage: StoreLeafStorage;
  /** The appending tree's right edge; undefined when it must be reloaded (after a failure). */
  private writer: LedgerTree | undefined;
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(options: LedgerOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.key = options.pseudonymisationKey;
    this.signers = options.signers ?? [];
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.logger = options.logger;
    this.storage = new StoreLeafStorage(options.store.ledger);
    this.origin = this.signers[0]?.name;
    this.verifierKeys = this.signers.map((signer) => formatVerifierKey(signer));
    this.witnessKeys = options.witnessKeys ?? [];
  }

  /** Starts the service; with signers, logs the log key when it is new and starts the checkpoint timer. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    const ledger = new Ledger(options);
    await ledger.recordLogKey();
    const interval = options.checkpointIntervalMs ?? 0;
    if (interval > 0 && ledger.signers.length > 0) {
      ledger.timer = setInterval(() => {
        ledger.issueCheckpoint().catch((error: unknown) => {
          ledger.logger?.warn({ err: error }, 'issuing a ledger checkpoint failed');
        });
      }, interval);
      ledger.timer.unref();
    }
    return ledger;
  }

  commit<K extends LedgerKind>(change: LedgerChange<K>): Promise<LedgerRecordTypes[K] | undefined> {
    if (this.closing) {
      return Promise.reject(new EnsuresecError('not_ready', { detail: 'The ledger is shutting down.' }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        // The queue holds changes of every kind; each one's record type stays with its own kind.
        change: change as unknown as LedgerChange<LedgerKind>,
        atMs: this.clock.nowMs(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      // Wait one turn so changes made in the same turn share a transaction.
      this.draining ??= new Promise((started) => setImmediate(started)).then(() => this.drain());
    });
  }

  /** Resolves once every change committed so far is durable (or refused). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Signs and stores a checkpoint of the committed log, unless the latest one already has its
   * size (then that one is returned). Undefined without a log key.
   */
  async issueCheckpoint(): Promise<LedgerCheckpointRow | undefined> {
    if (this.signers.length === 0 || this.origin === undefined) return undefined;
    const tree = await this.tree();
    const latest = await this.store.ledger.latestCheckpoint();
    if (latest && latest.treeSize === tree.size) return latest;
    const rootHash = await tree.root();
    const note = signNote(
      formatCheckpoint({ origin: this.origin, treeSize: tree.size, rootHash }),
      this.signers,
    );
    const row: LedgerCheckpointRow = { treeSize: tree.size, rootHash, note, createdMs: this.clock.nowMs() };
    // Another process may have signed the same size a moment ago; its checkpoint stands.
    if (await this.store.ledger.insertCheckpoint(row)) return row;
    return (await this.store.ledger.listCheckpoints(tree.size, 1))[0];
  }

  latestCheckpoint(): Promise<LedgerCheckpointRow | undefined> {
    return this.store.ledger.latestCheckpoint();
  }

  /** The committed log as a tree, for roots and proofs (O(log n) reads to open). */
  tree(): Promise<LedgerTree> {
    return LedgerTree.open(new StoreLeafStorage(this.store.ledger));
  }

  /**
   * Erasure of a data subject: forgets the salt of the personal value, so the values logged for
   * it can no longer be linked to it by anyone. Entries, leaf hashes and proofs are unchanged.
   * Returns false when the ledger holds nothing about the value.
   */
  eraseSubject(kind: PersonalDataKind, value: string): Promise<boolean> {
    return this.store.ledger.deleteSalt(pseudonymise(value, kind, this.key));
  }

  /** Stops the timer, lets queued changes finish, and signs a last checkpoint. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      await this.flush();
      await this.issueCheckpoint().catch((error: unknown) => {
        this.logger?.warn({ err: error }, 'issuing the last ledger checkpoint failed');
      });
    })();
    return this.closing;
  }

  private async recordLogKey(): Promise<void> {
    const currentKey = this.verifierKeys[0];
    if (currentKey === undefined) return;
    const previousKey = (await this.store.kv.get<string>(LOG_KEY_SETTING)) ?? null;
    if (previousKey === currentKey) return;
    await this.commit({
      kind: 'ledger.key_changed',
      actor: 'system',
      write: async (tx) => {
        await tx.kv.set(LOG_KEY_SETTING, currentKey);
        return { id: `key_${ulid(this.clock.nowMs())}`, previousKey, currentKey };
      },
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.runBatch(batch);
    }
    this.draining = undefined;
  }

  /**
   * One transaction for the batch. Fast path without savepoints; when one change's write
   * fails, that change is refused and the others run again with a savepoint each.
   */
  private async runBatch(batch: Pending[]): Promise<void> {
    let remaining = batch;
    let isolate = false;
    while (remaining.length > 0) {
      const results = new Map<Pending, unknown>();
      const failures = new Map<Pending, unknown>();
      try {
        await this.store.transaction((tx) => this.applyBatch(tx, remaining, isolate, results, failures));
      } catch (error) {
        this.writer = undefined;
        if (error instanceof ChangeFailed) {
          error.pending.reject(error.error);
          remaining = remaining.filter((pending) => pending !== error.pending);
          isolate = true;
          continue;
        }
        for (const pending of remaining) pending.reject(error);
        return;
      }
      for (const pending of remaining) {
        if (failures.has(pending)) pending.reject(failures.get(pending));
        else pending.resolve(results.get(pending));
      }
      return;
    }
  }

  private async applyBatch(
    tx: StoreTransaction,
    batch: Pending[],
    isolate: boolean,
    results: Map<Pending, unknown>,
    failures: Map<Pending, unknown>,
  ): Promise<void> {
    await tx.ledger.lockForAppend();
    const prepared: PreparedEntry[] = [];
    for (const pending of batch) {
      const run = async () => {
        const { kind, actor, write } = pending.change;
        const record = await write(tx);
        const entry =
          record === undefined
            ? undefined
            : prepareEntry(kind, record, {
                pseudonymisationKey: this.key,
                actor: actor ?? null,
                atMs: pending.atMs,
              });
        return { record, entry };
      };
      let outcome: Awaited<ReturnType<typeof run>>;
      try {
        outcome = isolate ? await tx.savepoint(run) : await run();
      } catch (error) {
        if (!isolate) throw new ChangeFailed(pending, error);
        failures.set(pending, error);
        continue;
      }
      results.set(pending, outcome.record);
      if (outcome.entry) prepared.push(outcome.entry);
    }
    if (prepared.length > 0) await this.append(tx, prepared);
  }

  private async append(tx: StoreTransaction, prepared: PreparedEntry[]): Promise<void> {
    this.storage.bind(tx.ledger);
    const size = await tx.ledger.size();
    // Another process appended (PostgreSQL), or the last batch failed: reload the right edge.
    if (!this.writer || this.writer.size !== size) this.writer = await LedgerTree.open(this.storage);
    const salts = await this.saltsFor(tx, prepared);
    const entries = prepared.map((entry, i) => finishEntry(entry, size + i, salts));
    this.storage.stage(entries);
    await this.writer.append(entries.map((entry) => entry.leafHash));
  }

  /** The salt of every subject in the batch; new subjects get a new random salt, stored with the entries. */
  private async saltsFor(tx: StoreTransaction, prepared: PreparedEntry[]): Promise<Map<string, Uint8Array>> {
    const subjects = [...new Set(prepared.flatMap((entry) => entry.subjects))];
    if (subjects.length === 0) return new Map();
    const salts = await tx.ledger.saltsFor(subjects);
    const created: LedgerSaltRow[] = subjects
      .filter((subject) => !salts.has(subject))
      .map((subject) => ({
        subject,
        salt: new Uint8Array(randomBytes(SALT_BYTES)),
        createdMs: this.clock.nowMs(),
      }));
    if (created.length > 0) await tx.ledger.insertSalts(created);
    for (const row of created) salts.set(row.subject, row.salt);
    return salts;
  }
}
