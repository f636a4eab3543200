/**
 * `ensuresec ledger verify-proof --proof FILE --checkpoint FILE --key FILE`: the offline
 * verifier. It needs no server and no store: only a proof document (from `ledger proof … --json`
 * or the API), the signed checkpoint it leads to (and, for a consistency proof, the older one
 * with `--from-checkpoint`) and the log's public key. Exit 0 when it verifies, 1 otherwise.
 */
import type { Command } from 'commander';
import { verifyProofDocument } from '../../../ledger/index.js';
import { action } from '../../action.js';
import {
  readJsonFile,
  readTextFile,
  readVerifierKeys,
  verificationFailed,
  verifyWithAnyKey,
  witnessTrustOf,
} from './files.js';

interface VerifyProofFlags {
  proof: string;
  checkpoint: string;
  fromCheckpoint?: string;
  key: string;
  witnessKey?: string;
  minCosignatures?: string;
}

export function register(parent: Command): void {
  parent
    .command('verify-proof')
    .description('verify a saved proof against a signed checkpoint and the log key, offline')
    .requiredOption('--proof <file>', 'the proof document (JSON)')
    .requiredOption('--checkpoint <file>', 'the signed checkpoint note the proof leads to')
    .option('--from-checkpoint <file>', 'consistency proofs: the older signed checkpoint')
    .requiredOption('--key <file>', "the log's verifier key(s)")
    .option('--witness-key <file>', "witnesses' verifier keys: check their cosignatures too")
    .option('--min-cosignatures <n>', 'refuse unless this many of those witnesses cosigned the checkpoint')
    .action(
      action(async (context, flags: VerifyProofFlags) => {
        const proof = readJsonFile(flags.proof, 'proof');
        const checkpoint = readTextFile(flags.checkpoint, 'checkpoint');
        const witnesses = witnessTrustOf(flags);
        const { logKey } = verifyWithAnyKey(checkpoint, readVerifierKeys(flags.key), witnesses);
        const verified = verifyProofDocument(proof, {
          checkpoint,
          logKey,
          ...witnesses,
          ...(flags.fromCheckpoint
            ? { fromCheckpoint: readTextFile(flags.fromCheckpoint, 'older checkpoint') }
            : {}),
        });
        if (!verified.ok) throw verificationFailed(`The proof does not verify: ${verified.reason}`);
        const result = verified.value;
        if (context.output.json) return context.output.result({ ok: true, ...result });
        context.output.line(
          result.type === 'inclusion'
            ? `verified: entry ${result.index} is in ${result.origin} at size ${result.treeSize} (root ${result.rootHash}${result.entryChecked ? ', entry text checked' : ''}, ${result.cosignatures} cosignatures checked)`
            : `verified: ${result.origin} at size ${result.fromSize} is a prefix of size ${result.treeSize} (root ${result.rootHash})`,
        );
      }),
    );
}
