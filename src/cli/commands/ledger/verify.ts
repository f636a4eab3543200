/**
 * `ensuresec ledger verify`: recomputes the audit ledger from the store (read only, in pages)
 * and reports the first entry that was changed, deleted, inserted or reordered, the stored
 * tree nodes that are wrong, and every checkpoint that does not match. Exit status 0 when the
 * log is intact, 1 otherwise. Reads the store directly (like `start`), so it also works while
 * no server runs; on SQLite it may run beside a running server.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import type { AuditReport } from '../../../ledger/index.js';
import type { Store } from '../../../store/store.js';
import { action } from '../../action.js';
import type { Output } from '../../output.js';

async function openExistingStore(store: Promise<Store>): Promise<Store> {
  const opened = await store;
  try {
    await opened.ledger.size();
    return opened;
  } catch (error) {
    await opened.close();
    throw new EnsuresecError('not_ready', {
      detail: `The store (${opened.description}) has no ledger yet: start Ensuresec once so it migrates, then retry.`,
      cause: error,
    });
  }
}

/** `\r`-rewritten progress on a terminal; nothing when stderr is a file or pipe. */
function progressLine(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    process.stderr.write(`\rverifying the ledger: ${done} / ${total} entries (${percent} %)`);
  };
}

function printReport(output: Output, report: AuditReport): void {
  if (output.json) return output.result({ ...report });
  const signatures = report.signaturesChecked ? 'signatures checked' : 'signatures NOT checked: no log key';
  output.line(
    `ledger ${report.ok ? 'intact' : 'TAMPERED'}: ${report.entries} entries, ${report.checkpointsChecked} checkpoint${report.checkpointsChecked === 1 ? '' : 's'} (${signatures}), root ${report.rootHash}`,
  );
  const entry = report.firstEntryProblem;
  if (entry) output.line(`first bad entry: ${entry.index} ${entry.problem}: ${entry.detail}`);
  const node = report.firstNodeProblem;
  if (node) {
    output.line(
      `tree nodes: ${report.nodeProblems} wrong; first: level ${node.level} index ${node.index} ${node.problem}: ${node.detail}`,
    );
  }
  for (const checkpoint of report.checkpointProblems) {
    output.line(`checkpoint ${checkpoint.treeSize}: ${checkpoint.detail}`);
  }
}

export function register(parent: Command): void {
  parent
    .command('verify')
    .description('recompute the audit ledger from the store; exit 1 if anything in it was tampered with')
    .option(
      '--key <verifierKey...>',
      'verifier key(s) of the log (default: those in <dataDir>/ledger-log.pub)',
    )
    .action(
      action(async (context, flags: { key?: string[] }) => {
        // Loaded here, not at the top: every other command starts without the store's modules.
        const { auditLedger } = await import('../../../ledger/index.js');
        const { readLedgerVerifierKeys } = await import('../../../server/ledger.js');
        const { storeConfigOf } = await import('../../../server/runtime.js');
        const { openStore } = await import('../../../store/index.js');
        const { config } = context.loadConfig();
        const dataDir = context.dataDir();
        const storeConfig = storeConfigOf(config, dataDir);
        if (storeConfig.dialect === 'sqlite' && !existsSync(storeConfig.path)) {
          throw new EnsuresecError('not_found', {
            detail: `There is no Ensuresec database at ${storeConfig.path}; pass the server's --data-dir.`,
          });
        }
        const store = await openExistingStore(openStore(storeConfig));
        try {
          const onProgress = context.output.json ? undefined : progressLine();
          const report = await auditLedger(store.ledger, {
            logKeys: flags.key ?? readLedgerVerifierKeys(dataDir),
            ...(onProgress ? { onProgress } : {}),
          });
          if (onProgress) process.stderr.write('\n');
          printReport(context.output, report);
          if (!report.ok) process.exitCode = 1;
        } finally {
          await store.close();
        }
      }),
    );
}
