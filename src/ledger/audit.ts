/**
 * The ledger audit (ledger; `ensuresec ledger verify`): recomputes the log from what the
 * store holds, in pages (memory stays bounded whatever the size), and reports
 * - the first entry that was changed (its text no longer matches its leaf hash, or its columns
 *   contradict it), deleted, inserted or reordered (every entry names its own index);
 * - the first stored tree node that is wrong, missing or should not exist, and how many;
 * - every checkpoint whose signature, size or root does not match the recomputed log.
 * Roots are recomputed from the entries' text, so a rewrite that also rewrote the leaf hashes
 * and nodes still fails at the signed checkpoints.
 *
 * @example
 *   const report = await auditLedger(store.ledger, { logKeys: [verifierKey] });
 *   if (!report.ok) console.log(report.firstEntryProblem, report.checkpointProblems);
 */
import type { LedgerCheckpointRow, LedgerCollection, LedgerEntryRow } from '../store/store.js';
import {
  checkpointProblem,
  entryProblem,
  type CheckpointProblem,
  type EntryProblem,
  type NodeProblem,
} from './audit-checks.js';
import { Edge, leafHashOf, NEXT_PAGE, NodeCursor, same } from './audit-scan.js';
import { encodeHex } from './encoding.js';
import { emptyTreeHash } from './hash.js';

export type { CheckpointProblem, EntryProblem, EntryProblemKind, NodeProblem } from './audit-checks.js';

export interface AuditReport {
  ok: boolean;
  /** Entries read from the store. */
  entries: number;
  /** Root (hex) of the tree recomputed from the entries' text. */
  rootHash: string;
  firstEntryProblem: EntryProblem | null;
  firstNodeProblem: NodeProblem | null;
  nodeProblems: number;
  checkpointsChecked: number;
  /** Whether checkpoint signatures were checked (a log key was given). */
  signaturesChecked: boolean;
  checkpointProblems: CheckpointProblem[];
}

export interface AuditOptions {
  /** Verifier keys of the log (current and retired); a checkpoint must verify with one of them. */
  logKeys?: readonly string[];
  /** Rows per read (default 5000). */
  pageSize?: number;
  /** Called after each page: entries done, entries in the log. */
  onProgress?(done: number, total: number): void;
}

const DEFAULT_PAGE = 5000;

export async function auditLedger(
  ledger: LedgerCollection,
  options: AuditOptions = {},
): Promise<AuditReport> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE;
  const logKeys = options.logKeys ?? [];
  const total = await ledger.size();
  const checkpointProblems: CheckpointProblem[] = [];
  let checkpointsChecked = 0;
  let firstEntryProblem: EntryProblem | null = null;
  let firstNodeProblem: NodeProblem | null = null;
  let nodeProblems = 0;
  const nodeProblem = (problem: NodeProblem, count = 1) => {
    nodeProblems += count;
    firstNodeProblem ??= problem;
  };

  // Nodes are checked against the stored leaf hashes; roots come from the entries' text. They
  // are one tree until the first entry whose text and leaf hash disagree.
  const stored = new Edge();
  let recomputed: Edge | undefined;
  const cursors: NodeCursor[] = [];
  const pendingNodes: { level: number; index: number; hash: Uint8Array }[] = [];
  const cursorFor = (level: number) => (cursors[level] ??= new NodeCursor(ledger, level, pageSize));

  let checkpoints = await ledger.listCheckpoints(0, pageSize);
  let checkpointAt = 0;
  /** Judges every checkpoint of size ≤ `size` not judged yet, in size order. */
  const checkCheckpointsUpTo = async (
    size: number,
    judge: (checkpoint: LedgerCheckpointRow) => string | undefined,
  ) => {
    for (;;) {
      if (checkpointAt >= checkpoints.length) {
        if (checkpoints.length < pageSize) return;
        const last = checkpoints[checkpoints.length - 1] as LedgerCheckpointRow;
        checkpoints = await ledger.listCheckpoints(last.treeSize + 1, pageSize);
        checkpointAt = 0;
        if (checkpoints.length === 0) return;
      }
      const checkpoint = checkpoints[checkpointAt] as LedgerCheckpointRow;
      if (checkpoint.treeSize > size) return;
      checkpointAt++;
      checkpointsChecked++;
      const problem = judge(checkpoint);
      if (problem) checkpointProblems.push({ treeSize: checkpoint.treeSize, detail: problem });
    }
  };

  await checkCheckpointsUpTo(0, (checkpoint) => checkpointProblem(checkpoint, emptyTreeHash(), logKeys));
  const nextCheckpointSize = () => checkpoints[checkpointAt]?.treeSize ?? Number.MAX_SAFE_INTEGER;

  type ClosedNode = { level: number; index: number; hash: Uint8Array };
  const judgeNode = (node: ClosedNode, found: Uint8Array | undefined) => {
    if (!found) nodeProblem({ ...node, problem: 'missing', detail: 'the node is not stored' });
    else if (!same(found, node.hash)) {
      const first = node.index * 2 ** node.level;
      const last = first + 2 ** node.level - 1;
      nodeProblem({
        ...node,
        problem: 'changed',
        detail: `the stored hash differs from the one recomputed from the leaf hashes of entries ${first}..${last}`,
      });
    }
  };
  /** Compares a node the tree just closed with the stored one; awaits only at a page boundary. */
  const checkNode = async (node: ClosedNode) => {
    const cursor = cursorFor(node.level);
    let found = cursor.take(node.index);
    while (found === NEXT_PAGE) {
      await cursor.nextPage(node.index);
      found = cursor.take(node.index);
    }
    judgeNode(node, found);
  };

  let position = 0;
  let page = await ledger.listEntries(0, pageSize);
  while (page.length > 0) {
    const lastRow = page[page.length - 1] as LedgerEntryRow;
    const following = page.length < pageSize ? [] : await ledger.listEntries(lastRow.index + 1, pageSize);
    for (let i = 0; i < page.length; i++) {
      const row = page[i] as LedgerEntryRow;
      const leaf = leafHashOf(row.entry);
      if (firstEntryProblem === null) {
        firstEntryProblem = entryProblem(row, position, leaf, page[i + 1] ?? following[0]) ?? null;
      }
      if (!recomputed && !same(leaf, row.leafHash)) recomputed = stored.clone();
      stored.push(row.leafHash, (level, index, hash) => pendingNodes.push({ level, index, hash }));
      recomputed?.push(leaf);
      position++;
      // Only a page boundary of a node level needs a round trip; everything else stays synchronous.
      for (const node of pendingNodes) {
        const found = cursorFor(node.level).take(node.index);
        if (found === NEXT_PAGE) await checkNode(node);
        else judgeNode(node, found);
      }
      pendingNodes.length = 0;
      if (nextCheckpointSize() <= position) {
        const tree = recomputed ?? stored;
        await checkCheckpointsUpTo(position, (checkpoint) =>
          checkpointProblem(checkpoint, tree.root(), logKeys),
        );
      }
    }
    options.onProgress?.(position, total);
    page = following;
  }
  options.onProgress?.(position, total);

  // Checkpoints past the end mean the log lost its tail.
  await checkCheckpointsUpTo(Number.MAX_SAFE_INTEGER, (checkpoint) => {
    return `it covers ${checkpoint.treeSize} entries, the log has ${position}`;
  });
  await findUnexpectedNodes(ledger, position, nodeProblem);

  const root = (recomputed ?? stored).root();
  return {
    ok: firstEntryProblem === null && nodeProblems === 0 && checkpointProblems.length === 0,
    entries: position,
    rootHash: encodeHex(root),
    firstEntryProblem,
    firstNodeProblem,
    nodeProblems,
    checkpointsChecked,
    signaturesChecked: logKeys.length > 0,
    checkpointProblems,
  };
}

/** Stored nodes the tree of `size` leaves does not have (forged, or left behind by a deletion). */
async function findUnexpectedNodes(
  ledger: LedgerCollection,
  size: number,
  report: (problem: NodeProblem, count: number) => void,
): Promise<void> {
  const top = await ledger.maxNodeLevel();
  for (let level = 1; level <= top; level++) {
    const expected = Math.floor(size / 2 ** level);
    const extra = await ledger.countNodesFrom(level, expected);
    const [first] = extra > 0 ? await ledger.listNodes(level, expected, 1) : [];
    if (!first) continue;
    report(
      {
        level,
        index: first.index,
        problem: 'unexpected',
        detail: `a tree of ${size} leaves has only ${expected} nodes at level ${level}`,
      },
      extra,
    );
  }
}
