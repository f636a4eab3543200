/**
 * Ledger routes (api/v1): what partners and witnesses need to check the audit ledger without
 * trusting this server: the latest signed checkpoint (a C2SP note, with the witnesses'
 * cosignatures), entries, inclusion and consistency proofs, and the door through which a
 * configured witness hands back its cosignature. Reads are open to the partner role and every
 * reader; signing a checkpoint on demand is for admins.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import {
  checkCosignedCheckpoint,
  checkpointOfNote,
  consistencyProofSchema,
  encodeBase64,
  encodeHashes,
  inclusionProofSchema,
  withCosignatures,
  type ConsistencyProofDocument,
  type InclusionProofDocument,
} from '../../../ledger/index.js';
import type { LedgerCheckpointRow, Store } from '../../../store/store.js';
import { defineRoute } from '../../route.js';
import { pageOf } from '../../schemas.js';

const MAX_NOTE_CHARS = 64 * 1024;
const DEFAULT_PAGE = 50;
const position = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const checkpointSchema = z.object({
  treeSize: z.number(),
  rootHash: z.string().describe('base64'),
  createdAt: z.string(),
  /** The signed note with every kept cosignature. */
  note: z.string(),
  cosignatures: z.number().describe('how many witness cosignatures the note carries'),
});

const entrySchema = z.object({
  index: z.number(),
  kind: z.string(),
  recordId: z.string(),
  createdAt: z.string(),
  entry: z.string().describe('RFC 8785 canonical JSON: exactly the bytes the leaf hash covers'),
  leafHash: z.string().describe('base64'),
});

export type LedgerCheckpointView = z.infer<typeof checkpointSchema>;
export type LedgerEntryView = z.infer<typeof entrySchema>;

async function withStoredCosignatures(
  store: Store,
  rows: readonly LedgerCheckpointRow[],
): Promise<LedgerCheckpointView[]> {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return [];
  const cosignatures = await store.ledger.listCosignatures(first.treeSize, last.treeSize);
  return rows.map((row) => {
    const lines = cosignatures.filter((c) => c.treeSize === row.treeSize).map((c) => c.signatureLine);
    return {
      treeSize: row.treeSize,
      rootHash: encodeBase64(row.rootHash),
      createdAt: new Date(row.createdMs).toISOString(),
      note: withCosignatures(row.note, lines),
      cosignatures: lines.length,
    };
  });
}

async function latestCheckpoint(store: Store): Promise<LedgerCheckpointRow> {
  const latest = await store.ledger.latestCheckpoint();
  if (!latest) {
    throw new EnsuresecError('ledger_checkpoint_unknown', {
      detail:
        'The log has signed no checkpoint yet; an admin can sign one with POST /api/v1/ledger/checkpoints.',
    });
  }
  return latest;
}

function outOfRange(detail: string): EnsuresecError {
  return new EnsuresecError('ledger_proof_invalid_range', { detail });
}

const latest = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/checkpoint',
  summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note) with its witness cosignatures',
  access: 'read:partner',
  response: { contentType: 'text/plain', description: 'The signed note' },
  async handler({ deps, reply }) {
    const [checkpoint] = await withStoredCosignatures(deps.store, [await latestCheckpoint(deps.store)]);
    return reply.type('text/plain; charset=utf-8').send(checkpoint?.note);
  },
});

const sign = defineRoute('ledger', {
  method: 'POST',
  url: '/ledger/checkpoints',
  summary: 'Sign a checkpoint of the log now (the latest one when the log did not grow)',
  access: 'write:admin',
  response: { status: 201, schema: checkpointSchema },
  async handler({ deps }) {
    const row = await deps.ledger.issueCheckpoint();
    if (!row) {
      throw new EnsuresecError('ledger_checkpoint_unknown', {
        detail: 'This server signs no checkpoints: it has no ledger log key.',
      });
    }
    const [checkpoint] = await withStoredCosignatures(deps.store, [row]);
    return checkpoint;
  },
});

const list = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/checkpoints',
  summary: 'Signed checkpoints, oldest first; the cursor is the next tree size',
  access: 'read:partner',
  query: z.strictObject({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.string().min(1).max(20).optional(),
  }),
  response: { schema: pageOf(checkpointSchema) },
  async handler({ query, deps }) {
    const fromSize = query.cursor === undefined ? 0 : Number(query.cursor);
    if (query.cursor !== undefined && !/^(?:0|[1-9][0-9]*)$/.test(query.cursor)) {
      throw new EnsuresecError('invalid_cursor');
    }
    if (!Number.isSafeInteger(fromSize)) throw new EnsuresecError('invalid_cursor');
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await deps.store.ledger.listCheckpoints(fromSize, limit + 1);
    const next = rows.length > limit ? rows[limit] : undefined;
    return {
      items: await withStoredCosignatures(deps.store, rows.slice(0, limit)),
      nextCursor: next ? String(next.treeSize) : null,
    };
  },
});

const entry = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/entries/:index',
  summary: 'One ledger entry as logged (its canonical text) and its leaf hash',
  access: 'read:partner',
  params: z.strictObject({ index: position }),
  response: { schema: entrySchema },
  async handler({ params, deps }) {
    const [row] = await deps.store.ledger.listEntries(params.index, 1);
    if (!row || row.index !== params.index) {
      throw new EnsuresecError('not_found', { detail: `The ledger has no entry ${params.index}.` });
    }
    return {
      index: row.index,
      kind: row.kind,
      recordId: row.recordId,
      createdAt: new Date(row.createdMs).toISOString(),
      entry: row.entry,
      leafHash: encodeBase64(row.leafHash),
    };
  },
});

const inclusion = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/proofs/inclusion',
  summary: 'Inclusion proof of entry `index` in the tree of `size` leaves (default: the latest checkpoint)',
  access: 'read:partner',
  query: z.strictObject({ index: position, size: position.optional() }),
  response: { schema: inclusionProofSchema },
  async handler({ query, deps }): Promise<InclusionProofDocument> {
    const tree = await deps.ledger.tree();
    const size = query.size ?? (await latestCheckpoint(deps.store)).treeSize;
    if (size > tree.size) throw outOfRange(`size ${size} is beyond the log's ${tree.size} entries.`);
    if (query.index >= size) {
      throw outOfRange(
        `Entry ${query.index} is not in the tree of ${size} entries${query.size === undefined ? ' of the latest checkpoint; wait for the next checkpoint or pass size' : ''}.`,
      );
    }
    const [row] = await deps.store.ledger.listEntries(query.index, 1);
    if (!row || row.index !== query.index) {
      throw new EnsuresecError('internal', {
        detail: `Ledger entry ${query.index} is missing from the store.`,
      });
    }
    const hashes = await tree.inclusionProof(query.index, size);
    return {
      type: 'inclusion',
      index: query.index,
      treeSize: size,
      leafHash: encodeBase64(row.leafHash),
      hashes: encodeHashes(hashes),
      entry: row.entry,
    };
  },
});

const consistency = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/proofs/consistency',
  summary:
    'Consistency proof that the tree of `from` leaves is a prefix of the tree of `to` (default: latest checkpoint)',
  access: 'read:partner',
  query: z.strictObject({ from: position, to: position.optional() }),
  response: { schema: consistencyProofSchema },
  async handler({ query, deps }): Promise<ConsistencyProofDocument> {
    const tree = await deps.ledger.tree();
    const to = query.to ?? (await latestCheckpoint(deps.store)).treeSize;
    if (to > tree.size) throw outOfRange(`to ${to} is beyond the log's ${tree.size} entries.`);
    if (query.from < 1 || query.from > to) {
      throw outOfRange(`A consistency proof needs 1 ≤ from ≤ to; got from ${query.from}, to ${to}.`);
    }
    const hashes = await tree.consistencyProof(query.from, to);
    return { type: 'consistency', from: query.from, to, hashes: encodeHashes(hashes) };
  },
});

const cosign = defineRoute('ledger', {
  method: 'POST',
  url: '/ledger/cosignatures',
  summary:
    "A witness hands back the log's checkpoint with its cosignature/v1; kept when the key is in ledger.witnesses",
  // A partner's token is enough: what is accepted is decided by the witness key, not the caller.
  access: 'read:partner',
  body: z.strictObject({ note: z.string().min(1).max(MAX_NOTE_CHARS) }),
  response: { schema: checkpointSchema },
  async handler({ body, deps }) {
    const invalid = (detail: string) => new EnsuresecError('ledger_cosignature_invalid', { detail });
    const submitted = checkpointOfNote(body.note);
    if (!submitted.ok) throw invalid(`The note is not a checkpoint: ${submitted.reason}.`);
    const [stored] = await deps.store.ledger.listCheckpoints(submitted.value.treeSize, 1);
    if (!stored || stored.treeSize !== submitted.value.treeSize) {
      throw new EnsuresecError('ledger_checkpoint_unknown', {
        detail: `This log signed no checkpoint of size ${submitted.value.treeSize}.`,
      });
    }
    const checked = checkCosignedCheckpoint(body.note, stored.note, {
      logKeys: deps.ledger.verifierKeys,
      witnessKeys: deps.ledger.witnessKeys,
    });
    if (!checked.ok) throw invalid(`Refused: ${checked.reason}.`);
    const createdMs = deps.clock.nowMs();
    for (const cosignature of checked.value.cosignatures) {
      await deps.store.ledger.insertCosignature({ treeSize: stored.treeSize, createdMs, ...cosignature });
    }
    const [checkpoint] = await withStoredCosignatures(deps.store, [stored]);
    return checkpoint;
  },
});

export const ledgerRoutes = [latest, sign, list, entry, inclusion, consistency, cosign];
