/**
 * Proofs as they travel (ledger, no I/O): the JSON the API answers and the CLI saves, and the
 * offline verifier that needs nothing but such a proof, the signed checkpoint(s) and the log's
 * public key. Hashes are base64. An inclusion proof may carry the entry's canonical text; then
 * the verifier also recomputes the leaf hash from it, so the proof shows what was logged.
 *
 * @example
 *   const result = verifyProofDocument(JSON.parse(proofJson), { checkpoint: note, logKey });
 *   if (!result.ok) console.error(result.reason);
 */
import { z } from 'zod';
import { verifyCheckpoint, type VerifiedCheckpoint } from './checkpoint.js';
import { bytesEqual, decodeBase64Strict, encodeBase64 } from './encoding.js';
import { hashLeaf, HASH_SIZE_BYTES } from './hash.js';
import type { NoteVerifier } from './note-keys.js';
import { parsed, rejected, type Parsed } from './result.js';
import { MAX_PROOF_HASHES, verifyConsistency, verifyInclusion } from './verify.js';

const treeSize = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const hashText = z.string().max(64);

export const inclusionProofSchema = z.object({
  type: z.literal('inclusion'),
  index: treeSize,
  treeSize,
  leafHash: hashText,
  hashes: z.array(hashText).max(MAX_PROOF_HASHES),
  /** The entry's RFC 8785 canonical JSON: exactly the bytes the leaf hash covers. */
  entry: z.string().optional(),
});
export type InclusionProofDocument = z.infer<typeof inclusionProofSchema>;

export const consistencyProofSchema = z.object({
  type: z.literal('consistency'),
  from: treeSize,
  to: treeSize,
  hashes: z.array(hashText).max(MAX_PROOF_HASHES),
});
export type ConsistencyProofDocument = z.infer<typeof consistencyProofSchema>;

export const proofDocumentSchema = z.discriminatedUnion('type', [
  inclusionProofSchema,
  consistencyProofSchema,
]);
export type ProofDocument = z.infer<typeof proofDocumentSchema>;

export function encodeHashes(hashes: readonly Uint8Array[]): string[] {
  return hashes.map(encodeBase64);
}

/** Base64 hashes to bytes; undefined when any is not a canonical base64 32-byte hash. */
export function decodeHashes(hashes: readonly string[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const text of hashes) {
    const hash = decodeBase64Strict(text, HASH_SIZE_BYTES);
    if (!hash || hash.byteLength !== HASH_SIZE_BYTES) return undefined;
    out.push(hash);
  }
  return out;
}

export interface ProofTrust {
  /** The signed checkpoint the proof leads to (for consistency: the newer one). */
  checkpoint: unknown;
  /** Consistency proofs only: the older signed checkpoint. */
  fromCheckpoint?: unknown;
  logKey: string | NoteVerifier;
  witnessKeys?: readonly (string | NoteVerifier)[];
  minCosignatures?: number;
}

export interface VerifiedProof {
  type: 'inclusion' | 'consistency';
  origin: string;
  treeSize: number;
  rootHash: string;
  /** Inclusion: the leaf index; consistency: the older size. */
  index?: number;
  fromSize?: number;
  /** Whether the entry text was given and matched the leaf hash. */
  entryChecked?: boolean;
  cosignatures: number;
}

/** Verify a proof document (untrusted JSON) against signed checkpoints; never throws. */
export function verifyProofDocument(document: unknown, trust: ProofTrust): Parsed<VerifiedProof> {
  const proof = proofDocumentSchema.safeParse(document);
  if (!proof.success) {
    const issue = proof.error.issues[0];
    return rejected(
      `the proof is malformed: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? ''}`,
    );
  }
  const checkpointTrust = {
    logKey: trust.logKey,
    ...(trust.witnessKeys ? { witnessKeys: trust.witnessKeys } : {}),
    ...(trust.minCosignatures ? { minCosignatures: trust.minCosignatures } : {}),
  };
  const checkpoint = verifyCheckpoint(trust.checkpoint, checkpointTrust);
  if (!checkpoint.ok) return rejected(`the checkpoint does not verify: ${checkpoint.reason}`);
  const hashes = decodeHashes(proof.data.hashes);
  if (!hashes) return rejected('a proof hash is not a base64 32-byte hash');
  return proof.data.type === 'inclusion'
    ? verifyInclusionDocument(proof.data, hashes, checkpoint.value)
    : verifyConsistencyDocument(proof.data, hashes, checkpoint.value, trust);
}

function verifyInclusionDocument(
  proof: InclusionProofDocument,
  hashes: Uint8Array[],
  verified: VerifiedCheckpoint,
): Parsed<VerifiedProof> {
  const { checkpoint } = verified;
  if (proof.treeSize !== checkpoint.treeSize) {
    return rejected(
      `the proof is for tree size ${proof.treeSize}, the checkpoint for ${checkpoint.treeSize}`,
    );
  }
  const leafHash = decodeHashes([proof.leafHash])?.[0];
  if (!leafHash) return rejected('the leaf hash is not a base64 32-byte hash');
  if (proof.entry !== undefined) {
    if (!bytesEqual(hashLeaf(new TextEncoder().encode(proof.entry)), leafHash)) {
      return rejected('the entry text does not hash to the leaf hash');
    }
    if (entryIndex(proof.entry) !== proof.index) {
      return rejected(`the entry does not name index ${proof.index} as its own`);
    }
  }
  const verdict = verifyInclusion(leafHash, proof.index, proof.treeSize, hashes, checkpoint.rootHash);
  if (!verdict.ok) return verdict;
  return parsed({
    type: 'inclusion',
    origin: checkpoint.origin,
    treeSize: checkpoint.treeSize,
    rootHash: encodeBase64(checkpoint.rootHash),
    index: proof.index,
    entryChecked: proof.entry !== undefined,
    cosignatures: verified.cosignatures.length,
  });
}

function verifyConsistencyDocument(
  proof: ConsistencyProofDocument,
  hashes: Uint8Array[],
  verified: VerifiedCheckpoint,
  trust: ProofTrust,
): Parsed<VerifiedProof> {
  if (trust.fromCheckpoint === undefined) {
    return rejected('a consistency proof needs the older checkpoint too');
  }
  const older = verifyCheckpoint(trust.fromCheckpoint, { logKey: trust.logKey });
  if (!older.ok) return rejected(`the older checkpoint does not verify: ${older.reason}`);
  const from = older.value.checkpoint;
  const to = verified.checkpoint;
  if (from.origin !== to.origin) return rejected('the two checkpoints are of different logs');
  if (proof.from !== from.treeSize || proof.to !== to.treeSize) {
    return rejected(
      `the proof is from ${proof.from} to ${proof.to}, the checkpoints are of sizes ${from.treeSize} and ${to.treeSize}`,
    );
  }
  const verdict = verifyConsistency(from.treeSize, to.treeSize, hashes, from.rootHash, to.rootHash);
  if (!verdict.ok) return verdict;
  return parsed({
    type: 'consistency',
    origin: to.origin,
    treeSize: to.treeSize,
    rootHash: encodeBase64(to.rootHash),
    fromSize: from.treeSize,
    cosignatures: verified.cosignatures.length,
  });
}

function entryIndex(entry: string): unknown {
  try {
    return (JSON.parse(entry) as { index?: unknown }).index;
  } catch {
    return undefined;
  }
}
