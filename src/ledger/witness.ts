/**
 * The witness (ledger; `ensuresec ledger witness`): a partner's process that fetches the log's
 * latest checkpoint, checks the log's signature, checks that the new tree extends the last one
 * it cosigned (a consistency proof), and only then cosigns (`cosignature/v1`) and submits the
 * cosignature. It remembers the last checkpoint it verified in a small state file. A smaller
 * tree, the same size with another root, or a failing proof is a refusal: the log showed a
 * history that does not extend the one this witness saw (a split view, or a rewrite).
 *
 * @example
 *   const outcome = await witnessOnce({ log, logKeys: [logKey], signer, state, saveState });
 *   if (outcome.status === 'refused') alert(outcome.reason);
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { EnsuresecError } from '../core/errors.js';
import { cosignCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { bytesEqual, decodeBase64Strict, encodeBase64 } from './encoding.js';
import { HASH_SIZE_BYTES } from './hash.js';
import type { NoteSigner, NoteVerifier } from './note-keys.js';
import { verifyConsistency } from './verify.js';

/** How the witness reaches the log: over the API in production, directly in tests. */
export interface WitnessLog {
  /** The latest signed checkpoint note. */
  latestCheckpoint(): Promise<string>;
  /** The consistency proof between two sizes, as the log sent it: untrusted, checked here. */
  consistencyProof(fromSize: number, toSize: number): Promise<unknown>;
  /** Hands the cosigned note back to the log. */
  submitCosignature(note: string): Promise<void>;
}

export const witnessStateSchema = z.strictObject({
  origin: z.string().min(1),
  treeSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** base64 */
  rootHash: z.string(),
  /** The whole note as verified: evidence if the log later shows something else. */
  checkpoint: z.string(),
  /** False when the cosignature of this checkpoint has not reached the log yet. */
  submitted: z.boolean(),
  updatedAt: z.string(),
});
export type WitnessState = z.infer<typeof witnessStateSchema>;

export type WitnessOutcome =
  | { status: 'cosigned'; state: WitnessState; note: string }
  | { status: 'unchanged'; state: WitnessState }
  /** `checkpoint` is the refused note: keep it with the state as evidence. */
  | { status: 'refused'; reason: string; checkpoint: string; previous: WitnessState | undefined };

export interface WitnessRun {
  log: WitnessLog;
  /** The log's verifier keys (a checkpoint signed by any of them is the log's). */
  logKeys: readonly (string | NoteVerifier)[];
  signer: NoteSigner;
  state: WitnessState | undefined;
  /** Called with the new state once verified (submitted: false) and again once submitted. */
  saveState(state: WitnessState): void;
  nowMs?: () => number;
}

/** One round: fetch, verify, cosign, submit. Network faults throw; refusals are outcomes. */
export async function witnessOnce(run: WitnessRun): Promise<WitnessOutcome> {
  const { log, state } = run;
  const note = await log.latestCheckpoint();
  const refuse = (reason: string): WitnessOutcome => ({
    status: 'refused',
    reason,
    checkpoint: note,
    previous: state,
  });
  const attempts = run.logKeys.map((logKey) => verifyCheckpoint(note, { logKey }));
  const verified = attempts.find((attempt) => attempt.ok);
  if (!verified?.ok) {
    const reasons = attempts.map((attempt) => (attempt.ok ? '' : attempt.reason)).join('; ');
    return refuse(`the checkpoint does not verify with the log key: ${reasons || 'no log key given'}`);
  }
  const { origin, treeSize, rootHash } = verified.value.checkpoint;
  if (state) {
    const previousRoot = decodeBase64Strict(state.rootHash, HASH_SIZE_BYTES);
    if (!previousRoot) return refuse('the state file holds a malformed root hash');
    if (state.origin !== origin)
      return refuse(`the log is now "${origin}", the state is for "${state.origin}"`);
    if (treeSize < state.treeSize) {
      return refuse(`the log shrank: it shows ${treeSize} entries after ${state.treeSize} were cosigned`);
    }
    if (treeSize === state.treeSize) {
      if (!bytesEqual(previousRoot, rootHash)) {
        return refuse(
          `split view: size ${treeSize} with root ${encodeBase64(rootHash)}, but this witness cosigned root ${state.rootHash} at that size`,
        );
      }
      if (state.submitted) return { status: 'unchanged', state };
    } else if (state.treeSize > 0) {
      const proof = await log.consistencyProof(state.treeSize, treeSize);
      const verdict = verifyConsistency(state.treeSize, treeSize, proof, previousRoot, rootHash);
      if (!verdict.ok) {
        return refuse(
          `the log of size ${treeSize} does not extend the one of size ${state.treeSize} this witness cosigned: ${verdict.reason}`,
        );
      }
    }
  }
  const cosigned = cosignCheckpoint(note, run.signer);
  if (!cosigned.ok) return refuse(`the checkpoint cannot be cosigned: ${cosigned.reason}`);
  const nowMs = run.nowMs ?? Date.now;
  const next: WitnessState = {
    origin,
    treeSize,
    rootHash: encodeBase64(rootHash),
    checkpoint: note,
    submitted: false,
    updatedAt: new Date(nowMs()).toISOString(),
  };
  // Remembered before it is submitted: what this witness verified binds it even if the POST fails.
  run.saveState(next);
  await log.submitCosignature(cosigned.value);
  const submitted = { ...next, submitted: true };
  run.saveState(submitted);
  return { status: 'cosigned', state: submitted, note: cosigned.value };
}

/** The state in `path`, undefined when there is none yet; `config_invalid` when it is damaged. */
export function readWitnessState(path: string): WitnessState | undefined {
  if (!existsSync(path)) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EnsuresecError('config_invalid', {
      detail: `The witness state ${path} is not JSON; restore it from a backup (never delete it to get past a refusal).`,
      cause: error,
    });
  }
  const result = witnessStateSchema.safeParse(state);
  if (!result.success) {
    throw new EnsuresecError('config_invalid', {
      detail: `The witness state ${path} is damaged (${result.error.issues[0]?.message ?? 'bad shape'}).`,
    });
  }
  return result.data;
}

/** Writes the state atomically (a temp file renamed over the old one). */
export function writeWitnessState(path: string, state: WitnessState): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(temporary, path);
}
