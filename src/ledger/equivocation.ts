/**
 * Equivocation evidence (ledger, no I/O): two checkpoints of the same log, of the same size,
 * with different root hashes, both validly signed by the log key, prove that the log showed two
 * histories (a split view). Anyone holding both notes can show it to anyone else: the notes are
 * the proof, no trust in the reporter is needed.
 *
 * @example
 *   const report = detectEquivocation([noteFromWitnessA, noteFromWitnessB], logVerifierKey);
 *   if (report.equivocations.length > 0) alert(report.equivocations[0]);
 */
import { verifyCheckpoint } from './checkpoint.js';
import { bytesEqual, encodeBase64 } from './encoding.js';
import type { NoteVerifier } from './note-keys.js';

export interface Equivocation {
  origin: string;
  treeSize: number;
  /** The two different roots (base64), each with the signed note that claims it. */
  first: { rootHash: string; note: string };
  second: { rootHash: string; note: string };
}

export interface EquivocationReport {
  equivocations: Equivocation[];
  /** Notes that do not verify with the log key: no evidence either way. */
  unverified: { position: number; reason: string }[];
}

/** Compare every validly signed checkpoint with the others of the same size. */
export function detectEquivocation(
  notes: readonly string[],
  logKey: string | NoteVerifier,
): EquivocationReport {
  const firstBySize = new Map<number, { rootHash: Uint8Array; note: string }>();
  const seen = new Set<string>();
  const report: EquivocationReport = { equivocations: [], unverified: [] };
  notes.forEach((note, position) => {
    const verified = verifyCheckpoint(note, { logKey });
    if (!verified.ok) {
      report.unverified.push({ position, reason: verified.reason });
      return;
    }
    const { origin, treeSize, rootHash } = verified.value.checkpoint;
    const first = firstBySize.get(treeSize);
    if (!first) {
      firstBySize.set(treeSize, { rootHash, note });
      return;
    }
    const key = `${treeSize}/${encodeBase64(rootHash)}`;
    if (bytesEqual(first.rootHash, rootHash) || seen.has(key)) return;
    seen.add(key);
    report.equivocations.push({
      origin,
      treeSize,
      first: { rootHash: encodeBase64(first.rootHash), note: first.note },
      second: { rootHash: encodeBase64(rootHash), note },
    });
  });
  return report;
}
