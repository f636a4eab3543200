/**
 * `ensuresec ledger proof inclusion --index N [--size S]`: the proof that entry N is in the log
 * (in the tree of the latest checkpoint unless `--size`). `--json` prints the proof document to
 * save for `ledger verify-proof`; with `--key FILE` it is verified against the signed checkpoint
 * of that size first, and nothing is printed when it does not verify.
 */
import type { Command } from 'commander';
import { verifyProofDocument } from '../../../../ledger/index.js';
import { action } from '../../../action.js';
import {
  checkpointOfSize,
  readVerifierKeys,
  verificationFailed,
  verifyWithAnyKey,
  wholeNumber,
} from '../files.js';

interface InclusionFlags {
  index: string;
  size?: string;
  key?: string;
}

export function register(parent: Command): void {
  parent
    .command('inclusion')
    .description('prove that a ledger entry is in the log')
    .requiredOption('--index <n>', 'the entry index')
    .option('--size <n>', 'the tree size (default: that of the latest checkpoint)')
    .option('--key <file>', "the log's verifier key(s): verify the proof before printing it")
    .action(
      action(async (context, flags: InclusionFlags) => {
        const client = context.client();
        const index = wholeNumber(flags.index, '--index') as number;
        const size = wholeNumber(flags.size, '--size');
        const proof = await client.ledger.inclusionProof(index, size);
        let verifiedRoot: string | undefined;
        if (flags.key) {
          const note = await checkpointOfSize(client, proof.treeSize);
          const { logKey } = verifyWithAnyKey(note, readVerifierKeys(flags.key));
          const verified = verifyProofDocument(proof, { checkpoint: note, logKey });
          if (!verified.ok)
            throw verificationFailed(`The inclusion proof does not verify: ${verified.reason}`);
          verifiedRoot = verified.value.rootHash;
        }
        if (context.output.json) return context.output.result({ ...proof });
        context.output.result({
          index: proof.index,
          treeSize: proof.treeSize,
          leafHash: proof.leafHash,
          hashes: proof.hashes.length,
          verified: verifiedRoot ? `yes, root ${verifiedRoot}` : 'no (pass --key)',
          entry: proof.entry,
        });
      }),
    );
}
