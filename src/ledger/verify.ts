/**
 * Proof verifiers (ledger, no I/O, no storage): what a partner runs with nothing but a proof,
 * the tree sizes and the hashes from signed checkpoints. Algorithms of RFC 9162 §2.1.3.2
 * (inclusion) and §2.1.4.2 (consistency). Every input is untrusted: a malformed one comes back
 * as `{ ok: false, reason }`, never as an exception.
 *
 * @example
 *   const verdict = verifyInclusion(leafHash, 5, 8, proof, checkpoint.rootHash);
 *   if (!verdict.ok) console.error(verdict.reason);
 */
import { bytesEqual } from './encoding.js';
import { emptyTreeHash, hashChildren, HASH_SIZE_BYTES } from './hash.js';
import { accepted, rejected, type Verdict } from './result.js';

/** A proof for a tree of 2^53 leaves has at most ~2·53 hashes; anything longer is garbage. */
export const MAX_PROOF_HASHES = 128;

export function verifyInclusion(
  leafHash: unknown,
  index: unknown,
  treeSize: unknown,
  proof: unknown,
  root: unknown,
): Verdict {
  const problem =
    checkHash(leafHash, 'leaf hash') ??
    checkSize(index, 'leaf index') ??
    checkSize(treeSize, 'tree size') ??
    checkProof(proof) ??
    checkHash(root, 'root hash');
  if (problem) return rejected(problem);
  const leaf = leafHash as Uint8Array;
  const path = proof as Uint8Array[];
  if ((index as number) >= (treeSize as number)) {
    return rejected(`leaf index ${String(index)} is not below tree size ${String(treeSize)}`);
  }
  let fn = index as number;
  let sn = (treeSize as number) - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return rejected('the proof has more hashes than the tree has levels');
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return rejected('the proof has fewer hashes than the tree has levels');
  if (!bytesEqual(r, root as Uint8Array)) return rejected('the proof does not lead to the root hash');
  return accepted;
}

export function verifyConsistency(
  size1: unknown,
  size2: unknown,
  proof: unknown,
  root1: unknown,
  root2: unknown,
): Verdict {
  const problem =
    checkSize(size1, 'first tree size') ?? checkSize(size2, 'second tree size') ?? checkProof(proof);
  if (problem) return rejected(problem);
  const first = size1 as number;
  const second = size2 as number;
  const path = proof as Uint8Array[];
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array))
    return rejected('a root hash is not bytes');
  if (first > second) return rejected(`the first tree (${first}) is larger than the second (${second})`);
  if (first === second) {
    if (path.length > 0) return rejected('equal tree sizes need an empty proof');
    if (first === 0 && !bytesEqual(root1, emptyTreeHash()))
      return rejected('the root of an empty tree is wrong');
    return bytesEqual(root1, root2) ? accepted : rejected('equal tree sizes but different root hashes');
  }
  if (first === 0) return rejected('every tree extends the empty tree; a proof from size 0 proves nothing');
  const rootProblem = checkHash(root1, 'first root hash') ?? checkHash(root2, 'second root hash');
  if (rootProblem) return rejected(rootProblem);
  if (path.length === 0) return rejected('the proof is empty');

  // RFC 9162 §2.1.4.2: a power-of-two first tree is a node of the second, so its root starts the path.
  const steps = isPowerOfTwo(first) ? [root1, ...path] : path;
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = steps[0] as Uint8Array;
  let sr = fr;
  for (const c of steps.slice(1)) {
    if (sn === 0) return rejected('the proof has more hashes than the trees need');
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return rejected('the proof has fewer hashes than the trees need');
  if (!bytesEqual(fr, root1)) return rejected('the proof does not lead to the first root hash');
  if (!bytesEqual(sr, root2)) return rejected('the proof does not lead to the second root hash');
  return accepted;
}

function checkHash(value: unknown, name: string): string | undefined {
  if (!(value instanceof Uint8Array)) return `the ${name} is not bytes`;
  if (value.byteLength !== HASH_SIZE_BYTES)
    return `the ${name} is ${value.byteLength} bytes, not ${HASH_SIZE_BYTES}`;
  return undefined;
}

function checkSize(value: unknown, name: string): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return `the ${name} is not a non-negative integer`;
  }
  return undefined;
}

function checkProof(proof: unknown): string | undefined {
  if (!Array.isArray(proof)) return 'the proof is not a list of hashes';
  if (proof.length > MAX_PROOF_HASHES) return `the proof has more than ${MAX_PROOF_HASHES} hashes`;
  for (let i = 0; i < proof.length; i++) {
    const problem = checkHash(proof[i], `proof hash #${i}`);
    if (problem) return problem;
  }
  return undefined;
}

// Arithmetic instead of bit operators: JS bit operators truncate to 32 bits and trees may be larger.
function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}
