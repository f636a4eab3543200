/**
 * The audit ledger's tables (store layer): leaves with their canonical entry text, the Merkle
 * tree's interior nodes, signed checkpoints and the per-subject salts of personal values.
 * Only the Ledger service appends (inside a write transaction, after `lockForAppend`); proofs
 * and the audit read. Hashes are raw bytes; bigint columns come back as strings on
 * PostgreSQL, hence the `Number(…)` on every index read.
 */
import { sql, type CompiledQuery, type Expression, type SqlBool } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type {
  LedgerCheckpointRow,
  LedgerCollection,
  LedgerCosignatureRow,
  LedgerEntryRow,
  LedgerNodeRow,
} from '../store.js';

/** A view on the hash bytes drivers accept (a Buffer), without copying. */
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface EntryColumns {
  index: number | string;
  kind: string;
  record_id: string;
  created_ms: number | string;
  entry: string;
  leaf_hash: Uint8Array;
}

function entryOf(row: EntryColumns): LedgerEntryRow {
  return {
    index: Number(row.index),
    kind: row.kind,
    recordId: row.record_id,
    createdMs: Number(row.created_ms),
    entry: row.entry,
    leafHash: row.leaf_hash,
  };
}

function checkpointOf(row: {
  tree_size: number | string;
  root_hash: Uint8Array;
  note: string;
  created_ms: number | string;
}): LedgerCheckpointRow {
  return {
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    note: row.note,
    createdMs: Number(row.created_ms),
  };
}

const ENTRY_COLUMNS = ['index', 'kind', 'record_id', 'created_ms', 'entry', 'leaf_hash'] as const;
/** Bound parameters per row of the widest insert (entries). */
const ENTRY_PARAMS = ENTRY_COLUMNS.length;
/** Addresses per node read: keeps the OR list and the parameter count small. */
const MAX_NODE_READ = 200;

/**
 * Proof reads are a handful of small queries whose shape depends only on how many nodes are
 * asked; building such a query costs more than running it, so each shape is compiled once per
 * dialect and run again with new parameters.
 */
const compiledShapes = new WeakMap<DialectAdapter, Map<string, CompiledQuery>>();

function compiledOnce(adapter: DialectAdapter, shape: string, compile: () => CompiledQuery): CompiledQuery {
  let shapes = compiledShapes.get(adapter);
  if (!shapes) compiledShapes.set(adapter, (shapes = new Map()));
  let query = shapes.get(shape);
  if (!query) shapes.set(shape, (query = compile()));
  return query;
}

export function ledgerCollection(ctx: StoreContext): LedgerCollection {
  const { db, adapter } = ctx;
  const rowsPerInsert = Math.max(1, Math.floor((adapter.maxRowsPerInsert * 5) / ENTRY_PARAMS));

  async function readLeaves(indexes: number[]): Promise<Map<number, Uint8Array>> {
    const found = new Map<number, Uint8Array>();
    for (const part of chunks(indexes, MAX_NODE_READ)) {
      const query = compiledOnce(adapter, `leaves/${part.length}`, () =>
        db.selectFrom('ledger_entries').select(['index', 'leaf_hash']).where('index', 'in', part).compile(),
      );
      const { rows } = await db.executeQuery<{ index: number | string; leaf_hash: Uint8Array }>({
        ...query,
        parameters: part,
      });
      for (const row of rows) found.set(Number(row.index), row.leaf_hash);
    }
    return found;
  }

  async function readInterior(
    addresses: { level: number; index: number }[],
  ): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    // SQLite has no `(a, b) IN (list)`; an OR of primary-key equalities is planned as index lookups on both.
    for (const part of chunks(addresses, MAX_NODE_READ)) {
      const query = compiledOnce(adapter, `nodes/${part.length}`, () =>
        db
          .selectFrom('ledger_nodes')
          .select(['level', 'index', 'hash'])
          .where((eb) =>
            eb.or(
              part.map(({ level, index }): Expression<SqlBool> =>
                eb.and([eb('level', '=', level), eb('index', '=', index)]),
              ),
            ),
          )
          .compile(),
      );
      const { rows } = await db.executeQuery<{ level: number; index: number | string; hash: Uint8Array }>({
        ...query,
        parameters: part.flatMap(({ level, index }) => [level, index]),
      });
      for (const row of rows) found.set(`${row.level}/${Number(row.index)}`, row.hash);
    }
    return found;
  }

  return {
    async size() {
      const row = await db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.max('index').as('last'))
        .executeTakeFirst();
      return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
    },

    async lockForAppend() {
      for (const statement of adapter.ledgerAppendLock) await sql.raw(statement).execute(db);
    },

    async append(entries, nodes) {
      const detail = `Ledger index ${entries[0]?.index ?? '?'} is taken: another writer appended first; retry.`;
      await runWrite(ctx, { unique: detail }, async () => {
        for (const part of chunks(entries, rowsPerInsert)) {
          await db
            .insertInto('ledger_entries')
            .values(
              part.map((entry) => ({
                index: entry.index,
                kind: entry.kind,
                record_id: entry.recordId,
                created_ms: entry.createdMs,
                entry: entry.entry,
                leaf_hash: toBuffer(entry.leafHash),
              })),
            )
            .execute();
        }
        for (const part of chunks(nodes, rowsPerInsert)) {
          await db
            .insertInto('ledger_nodes')
            .values(part.map((node) => ({ level: node.level, index: node.index, hash: toBuffer(node.hash) })))
            .execute();
        }
      });
    },

    async readNodes(addresses) {
      const leafIndexes = addresses.filter((a) => a.level === 0).map((a) => a.index);
      const interior = addresses.filter((a) => a.level > 0);
      const [leaves, nodes] = await Promise.all([
        leafIndexes.length > 0 ? readLeaves(leafIndexes) : new Map<number, Uint8Array>(),
        interior.length > 0 ? readInterior(interior) : new Map<string, Uint8Array>(),
      ]);
      return addresses.map(({ level, index }) =>
        level === 0 ? leaves.get(index) : nodes.get(`${level}/${index}`),
      );
    },

    async readLeafHashes(firstIndex, count) {
      if (count <= 0) return [];
      const rows = await db
        .selectFrom('ledger_entries')
        .select('leaf_hash')
        .where('index', '>=', firstIndex)
        .where('index', '<', firstIndex + count)
        .orderBy('index')
        .execute();
      return rows.map((row) => row.leaf_hash);
    },

    async listEntries(fromIndex, limit) {
      const rows = await db
        .selectFrom('ledger_entries')
        .select(ENTRY_COLUMNS)
        .where('index', '>=', fromIndex)
        .orderBy('index')
        .limit(limit)
        .execute();
      return rows.map(entryOf);
    },

    async listNodes(level, fromIndex, limit) {
      const rows = await db
        .selectFrom('ledger_nodes')
        .select(['level', 'index', 'hash'])
        .where('level', '=', level)
        .where('index', '>=', fromIndex)
        .orderBy('index')
        .limit(limit)
        .execute();
      return rows.map((row): LedgerNodeRow => ({
        level: row.level,
        index: Number(row.index),
        hash: row.hash,
      }));
    },

    async countNodesFrom(level, fromIndex) {
      const row = await db
        .selectFrom('ledger_nodes')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('level', '=', level)
        .where('index', '>=', fromIndex)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async maxNodeLevel() {
      const row = await db
        .selectFrom('ledger_nodes')
        .select((eb) => eb.fn.max('level').as('top'))
        .executeTakeFirst();
      return row?.top === null || row?.top === undefined ? -1 : Number(row.top);
    },

    async entriesForRecord(recordId) {
      const rows = await db
        .selectFrom('ledger_entries')
        .select(ENTRY_COLUMNS)
        .where('record_id', '=', recordId)
        .orderBy('index')
        .execute();
      return rows.map(entryOf);
    },

    async insertCheckpoint(checkpoint) {
      const result = await db
        .insertInto('ledger_checkpoints')
        .values({
          tree_size: checkpoint.treeSize,
          root_hash: toBuffer(checkpoint.rootHash),
          note: checkpoint.note,
          created_ms: checkpoint.createdMs,
        })
        .onConflict((conflict) => conflict.column('tree_size').doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async latestCheckpoint() {
      const row = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .orderBy('tree_size', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : checkpointOf(row);
    },

    async listCheckpoints(fromSize, limit) {
      const rows = await db
        .selectFrom('ledger_checkpoints')
        .selectAll()
        .where('tree_size', '>=', fromSize)
        .orderBy('tree_size')
        .limit(limit)
        .execute();
      return rows.map(checkpointOf);
    },

    async insertCosignature(cosignature) {
      const result = await db
        .insertInto('ledger_cosignatures')
        .values({
          tree_size: cosignature.treeSize,
          witness: cosignature.witness,
          signature_line: cosignature.signatureLine,
          timestamp_s: cosignature.timestampSeconds,
          created_ms: cosignature.createdMs,
        })
        .onConflict((conflict) => conflict.columns(['tree_size', 'witness']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async listCosignatures(fromSize, toSize) {
      const rows = await db
        .selectFrom('ledger_cosignatures')
        .selectAll()
        .where('tree_size', '>=', fromSize)
        .where('tree_size', '<=', toSize)
        .orderBy('tree_size')
        .orderBy('witness')
        .execute();
      return rows.map((row): LedgerCosignatureRow => ({
        treeSize: Number(row.tree_size),
        witness: row.witness,
        signatureLine: row.signature_line,
        timestampSeconds: Number(row.timestamp_s),
        createdMs: Number(row.created_ms),
      }));
    },

    async saltsFor(subjects) {
      const found = new Map<string, Uint8Array>();
      for (const part of chunks([...new Set(subjects)], MAX_NODE_READ)) {
        const rows = await db
          .selectFrom('ledger_salts')
          .select(['subject', 'salt'])
          .where('subject', 'in', part)
          .execute();
        for (const row of rows) found.set(row.subject, row.salt);
      }
      return found;
    },

    async insertSalts(salts) {
      for (const part of chunks(salts, rowsPerInsert)) {
        await db
          .insertInto('ledger_salts')
          .values(
            part.map((salt) => ({
              subject: salt.subject,
              salt: toBuffer(salt.salt),
              created_ms: salt.createdMs,
            })),
          )
          .execute();
      }
    },

    async deleteSalt(subject) {
      const result = await db.deleteFrom('ledger_salts').where('subject', '=', subject).executeTakeFirst();
      return (result.numDeletedRows ?? 0n) > 0n;
    },
  };
}
