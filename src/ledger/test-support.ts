/**
 * Test helpers for the ledger suites (tests only): fixture paths and the shared RFC 6962 vectors,
 * which live outside the repository in ../shared and are read by tests, never by the product.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import {
  postgresAvailability,
  selectedDialects,
  sqliteHarness,
  type DialectHarness,
} from '../store/fixtures/dialects.js';

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const MERKLE_VECTORS_DIR = fileURLToPath(
  new URL('../../../shared/reference/merkle-vectors/', import.meta.url),
);

export function readFixture(relativePath: string): string {
  return readFileSync(join(FIXTURES_DIR, relativePath), 'utf8');
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** Lenient on purpose: the vectors hold deliberately odd values the verifier must judge. */
export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export interface ReferenceTree {
  hasher_vectors: { fn: string; want: string; leaf_hex?: string; left_hex?: string; right_hex?: string }[];
  leaf_inputs_hex: string[];
  root_hashes_by_tree_size: string[];
  inclusion_proofs: {
    leaf_index: number;
    tree_size: number;
    leaf_hash: string;
    root: string;
    proof: string[];
  }[];
  consistency_proofs: { size1: number; size2: number; root1: string; root2: string; proof: string[] }[];
}

export function readReferenceTree(): ReferenceTree {
  return JSON.parse(readFileSync(join(MERKLE_VECTORS_DIR, 'reference-tree.json'), 'utf8')) as ReferenceTree;
}

/**
 * The store dialects a ledger suite runs on: SQLite always, PostgreSQL when reachable (a failing
 * test in its place when CI is set and it is not), as the store's contract suite does.
 */
export async function ledgerDialects(suite: string): Promise<DialectHarness[]> {
  const harnesses: DialectHarness[] = [];
  const dialects = selectedDialects();
  if (dialects.includes('sqlite')) harnesses.push(sqliteHarness());
  if (!dialects.includes('postgres')) return harnesses;
  const availability = await postgresAvailability();
  if ('harness' in availability) harnesses.push(availability.harness);
  else if (process.env['CI']) {
    describe(`${suite} on postgres`, () => {
      it('reaches PostgreSQL (required in CI)', () => {
        throw new Error(availability.unavailableReason);
      });
    });
  } else {
    console.warn(`skipping ${suite} on PostgreSQL: ${availability.unavailableReason}`);
  }
  return harnesses;
}
