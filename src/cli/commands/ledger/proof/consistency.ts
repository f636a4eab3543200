/**
 * `ensuresec ledger proof consistency --from A [--to B]`: the proof that the log of A entries is
 * a prefix of the log of B entries (default: the latest checkpoint). `--json` prints the proof
 * document; with `--key FILE` it is first verified against the signed checkpoints of both sizes.
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

interface ConsistencyFlags {
  from: string;
  to?: string;
  key?: string;
}

export function register(parent: Command): void {
  parent
    .command('consistency')
    .description('prove that an older state of the log is a prefix of a newer one')
    .requiredOption('--from <n>', 'the older tree size')
    .option('--to <n>', 'the newer tree size (default: that of the latest checkpoint)')
    .option('--key <file>', "the log's verifier key(s): verify the proof before printing it")
    .action(
      action(async (context, flags: ConsistencyFlags) => {
        const client = context.client();
        const from = wholeNumber(flags.from, '--from') as number;
        const proof = await client.ledger.consistencyProof(from, wholeNumber(flags.to, '--to'));
        let verifiedRoot: string | undefined;
        if (flags.key) {
          const keys = readVerifierKeys(flags.key);
          const newer = await checkpointOfSize(client, proof.to);
          const older = await checkpointOfSize(client, proof.from);
          const { logKey } = verifyWithAnyKey(newer, keys);
          const verified = verifyProofDocument(proof, { checkpoint: newer, fromCheckpoint: older, logKey });
          if (!verified.ok)
            throw verificationFailed(`The consistency proof does not verify: ${verified.reason}`);
          verifiedRoot = verified.value.rootHash;
        }
        if (context.output.json) return context.output.result({ ...proof });
        context.output.result({
          from: proof.from,
          to: proof.to,
          hashes: proof.hashes.length,
          verified: verifiedRoot ? `yes, root ${verifiedRoot}` : 'no (pass --key)',
        });
      }),
    );
}
