/**
 * The ledger's public API (ledger): canonical encoding, RFC 9162 hashing, the append-only tree
 * over a LeafStorage, proof verifiers, C2SP checkpoints, the Ledger service every
 * security-relevant write goes through, and the audit. Other stages and the composition root
 * import from here only.
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
