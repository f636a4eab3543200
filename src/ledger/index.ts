/**
 * The ledger's public API (ledger): canonical encoding, RFC 9162 hashing, the append-only tree
 * over a LeafStorage, proof verifiers, C2SP checkpoints, the Ledger service every
 * security-relevant write goes through, the audit, proofs as they travel, witnesses and
 * split-view evidence. Other stages and the composition root import from here only.
 */
export {
  auditLedger,
  type AuditOptions,
  type AuditReport,
  type CheckpointProblem,
  type EntryProblem,
  type NodeProblem,
} from './audit.js';
export { type LedgerEntry } from './entry.js';
export {
  isLedgerKind,
  LEDGER_KINDS,
  type ConfigChange,
  type LedgerKind,
  type LedgerRecordTypes,
  type LogKeyChange,
  type WafReload,
} from './kinds.js';
export {
  Ledger,
  type LedgerChange,
  type LedgerLogger,
  type LedgerOptions,
  type LedgerWriter,
} from './service.js';
export { StoreLeafStorage } from './store-storage.js';
export { canonicalJson, canonicalJsonBytes, MAX_CANONICAL_DEPTH } from './canonical-json.js';
export {
  cosignCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type CheckpointTrust,
  type VerifiedCheckpoint,
} from './checkpoint.js';
export { decodeBase64Strict, encodeBase64 } from './encoding.js';
export { emptyTreeHash, hashChildren, hashLeaf, HASH_SIZE_BYTES, merkleTreeHash } from './hash.js';
export {
  formatVerifierKey,
  generateNoteKeyPair,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
  type NoteSignatureType,
  type NoteSigner,
  type NoteVerifier,
} from './note-keys.js';
export type { Parsed, Verdict } from './result.js';
export {
  addNoteSignatures,
  parseNote,
  signNote,
  verifyNote,
  type NoteSignature,
  type ParsedNote,
  type VerifiedNote,
  type VerifiedSignature,
} from './signed-note.js';
export { MemoryLeafStorage, type LeafStorage, type NodeAddress, type StoredNode } from './storage.js';
export { LedgerTree, type AppendResult } from './tree.js';
export { MAX_PROOF_HASHES, verifyConsistency, verifyInclusion } from './verify.js';
export {
  checkCosignedCheckpoint,
  checkpointOfNote,
  withCosignatures,
  witnessId,
  type AcceptedCosignature,
  type CosignatureTrust,
} from './cosignatures.js';
export { detectEquivocation, type Equivocation, type EquivocationReport } from './equivocation.js';
export {
  consistencyProofSchema,
  decodeHashes,
  encodeHashes,
  inclusionProofSchema,
  proofDocumentSchema,
  verifyProofDocument,
  type ConsistencyProofDocument,
  type InclusionProofDocument,
  type ProofDocument,
  type ProofTrust,
  type VerifiedProof,
} from './proofs.js';
export {
  readWitnessState,
  witnessOnce,
  witnessStateSchema,
  writeWitnessState,
  type WitnessLog,
  type WitnessOutcome,
  type WitnessRun,
  type WitnessState,
} from './witness.js';
