/**
 * The audit's judgments (ledger, no I/O): what is wrong with one stored entry (changed,
 * deleted, inserted, reordered) and with one stored checkpoint.
 */
import type { LedgerCheckpointRow, LedgerEntryRow } from '../store/store.js';
import { verifyCheckpoint, parseCheckpoint } from './checkpoint.js';
import { same } from './audit-scan.js';
import { parseNote } from './signed-note.js';

export type EntryProblemKind = 'changed' | 'deleted' | 'inserted' | 'reordered';

export interface EntryProblem {
  index: number;
  problem: EntryProblemKind;
  detail: string;
}

export interface NodeProblem {
  level: number;
  index: number;
  problem: 'changed' | 'missing' | 'unexpected';
  detail: string;
}

export interface CheckpointProblem {
  treeSize: number;
  detail: string;
}

/**
 * The head of a canonical entry: its keys are sorted, so actor, at, id, index and kind come
 * first, in this order, before the record. Reading them here spares a JSON parse per entry.
 */
const ENTRY_HEAD =
  /^\{"actor":(?:null|"(?:[^"\\]|\\.)*"),"at":"[^"\\]*","id":"((?:[^"\\]|\\.)*)","index":(0|[1-9]\d*),"kind":"([a-z_.]*)","record":/;

/** The index an entry's text claims, or a reason it cannot be read. */
function claimsOf(row: LedgerEntryRow): { index: number; kind: unknown; id: unknown } | string {
  const head = ENTRY_HEAD.exec(row.entry);
  if (head && !(head[1] as string).includes('\\')) {
    return { index: Number(head[2]), kind: head[3], id: head[1] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.entry);
  } catch {
    return 'its text is not JSON';
  }
  const entry = parsed as { index?: unknown; kind?: unknown; id?: unknown } | null;
  if (entry === null || typeof entry !== 'object' || !Number.isSafeInteger(entry.index)) {
    return 'its text has no index';
  }
  return { index: entry.index as number, kind: entry.kind, id: entry.id };
}

function classifyMove(stored: number, claimed: number, next: LedgerEntryRow | undefined): EntryProblem {
  const nextClaim = next ? claimsOf(next) : undefined;
  const shifted = typeof nextClaim === 'object' && nextClaim.index === claimed + 1;
  if (claimed > stored && (shifted || next === undefined)) {
    return {
      index: stored,
      problem: 'deleted',
      detail: `entries ${stored}..${claimed - 1} were deleted and the later ones renumbered (entry ${claimed} is stored at ${stored})`,
    };
  }
  if (claimed < stored && (shifted || next === undefined)) {
    return {
      index: claimed,
      problem: 'inserted',
      detail: `${stored - claimed} entr${stored - claimed === 1 ? 'y was' : 'ies were'} inserted at ${claimed} (entry ${claimed} is stored at ${stored})`,
    };
  }
  return { index: stored, problem: 'reordered', detail: `entry ${claimed} is stored at ${stored}` };
}

/** What is wrong with one stored entry, judged alone (plus its neighbour for moves). */
export function entryProblem(
  row: LedgerEntryRow,
  expectedIndex: number,
  leaf: Uint8Array,
  next: LedgerEntryRow | undefined,
): EntryProblem | undefined {
  if (row.index > expectedIndex) {
    return {
      index: expectedIndex,
      problem: 'deleted',
      detail: `entries ${expectedIndex}..${row.index - 1} are missing`,
    };
  }
  const claims = claimsOf(row);
  if (typeof claims === 'string') return { index: row.index, problem: 'changed', detail: claims };
  if (!same(leaf, row.leafHash)) {
    return { index: row.index, problem: 'changed', detail: 'its text does not match its stored leaf hash' };
  }
  if (claims.index !== row.index) return classifyMove(row.index, claims.index, next);
  if (claims.kind !== row.kind || claims.id !== row.recordId) {
    return {
      index: row.index,
      problem: 'changed',
      detail: `its columns (kind ${row.kind}, record ${row.recordId}) contradict its text`,
    };
  }
  return undefined;
}

export function checkpointProblem(
  checkpoint: LedgerCheckpointRow,
  recomputedRoot: Uint8Array,
  logKeys: readonly string[],
): string | undefined {
  let body: { treeSize: number; rootHash: Uint8Array } | undefined;
  if (logKeys.length > 0) {
    const reasons: string[] = [];
    for (const logKey of logKeys) {
      const verified = verifyCheckpoint(checkpoint.note, { logKey });
      if (verified.ok) {
        body = verified.value.checkpoint;
        break;
      }
      reasons.push(verified.reason);
    }
    if (!body) return `its note does not verify with the log key: ${reasons.join('; ')}`;
  } else {
    const note = parseNote(checkpoint.note);
    const parsed = note.ok ? parseCheckpoint(note.value.text) : note;
    if (!parsed.ok) return `its note is malformed: ${parsed.reason}`;
    body = parsed.value;
  }
  if (body.treeSize !== checkpoint.treeSize) return `its note is for size ${body.treeSize}`;
  if (!same(body.rootHash, checkpoint.rootHash)) return 'its note and its stored root differ';
  if (!same(recomputedRoot, checkpoint.rootHash)) return 'its root differs from the recomputed log';
  return undefined;
}
