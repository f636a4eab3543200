/**
 * `ensuresec ledger checkpoint`: prints the log's latest signed checkpoint (a C2SP note, with
 * the witnesses' cosignatures) exactly as served, so it can be saved as a file for
 * `ledger verify-proof`. With `--key FILE` it first checks the log's signature; `--sign` (admin)
 * signs a new checkpoint first.
 */
import type { Command } from 'commander';
import { encodeBase64 } from '../../../ledger/index.js';
import { action } from '../../action.js';
import { readVerifierKeys, verifyWithAnyKey, witnessTrustOf } from './files.js';

interface CheckpointFlags {
  key?: string;
  witnessKey?: string;
  minCosignatures?: string;
  sign?: boolean;
}

export function register(parent: Command): void {
  parent
    .command('checkpoint')
    .description("print the log's latest signed checkpoint (with cosignatures)")
    .option(
      '--key <file>',
      "the log's verifier key(s), e.g. a copy of <dataDir>/ledger-log.pub: verify first",
    )
    .option('--witness-key <file>', "witnesses' verifier keys: check their cosignatures too")
    .option('--min-cosignatures <n>', 'with --key: refuse unless this many of those witnesses cosigned')
    .option('--sign', 'sign a new checkpoint first (admin)')
    .action(
      action(async (context, flags: CheckpointFlags) => {
        const client = context.client();
        if (flags.sign) await client.ledger.signCheckpoint();
        const note = await client.ledger.checkpoint();
        const verified = flags.key
          ? verifyWithAnyKey(note, readVerifierKeys(flags.key), witnessTrustOf(flags)).checkpoint
          : undefined;
        if (!context.output.json) {
          process.stdout.write(note);
          return;
        }
        context.output.result({
          note,
          verified: verified !== undefined,
          ...(verified
            ? {
                origin: verified.checkpoint.origin,
                treeSize: verified.checkpoint.treeSize,
                rootHash: encodeBase64(verified.checkpoint.rootHash),
                cosignatures: verified.cosignatures.map((c) => ({
                  name: c.name,
                  timestampSeconds: c.timestampSeconds,
                })),
              }
            : {}),
        });
      }),
    );
}
