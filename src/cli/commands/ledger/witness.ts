/**
 * `ensuresec ledger witness --log URL --key FILE --log-key FILE`: runs a witness (the logic is
 * in src/ledger/witness.ts). Each round fetches the log's latest checkpoint, verifies it and its
 * consistency with the last one this witness cosigned, then cosigns and submits. A refusal (a
 * possible split view) stops with exit status 1 and prints the evidence; network faults in
 * `--interval` mode are reported and retried at the next round.
 */
import { EnsuresecError } from '../../../core/errors.js';
import { parseDurationMs } from '../../../core/duration.js';
import type { Command } from 'commander';
import { ApiClient } from '../../../api/client.js';
import {
  decodeHashes,
  parseSignerKey,
  readWitnessState,
  witnessOnce,
  writeWitnessState,
  type WitnessLog,
  type WitnessOutcome,
} from '../../../ledger/index.js';
import { action } from '../../action.js';
import { reportError, type Output } from '../../output.js';
import { readTextFile, readVerifierKeys } from './files.js';

interface WitnessFlags {
  log: string;
  key: string;
  logKey: string;
  state: string;
  token?: string;
  interval?: string;
}

/** The witness's view of a log through its API (exported for the split-view test). */
export function logOverApi(client: ApiClient): WitnessLog {
  return {
    latestCheckpoint: () => client.ledger.checkpoint(),
    async consistencyProof(fromSize, toSize) {
      const proof = await client.ledger.consistencyProof(fromSize, toSize);
      if (proof.from !== fromSize || proof.to !== toSize) return 'a proof for other sizes';
      return decodeHashes(proof.hashes) ?? proof.hashes;
    },
    async submitCosignature(note) {
      await client.ledger.submitCosignature(note);
    },
  };
}

function report(output: Output, outcome: WitnessOutcome): void {
  if (outcome.status === 'refused') {
    throw new EnsuresecError('ledger_witness_refused', {
      detail: `${outcome.reason}. Refused checkpoint:\n${outcome.checkpoint}`,
      details: { checkpoint: outcome.checkpoint, previous: outcome.previous ?? null },
    });
  }
  const { origin, treeSize, rootHash } = outcome.state;
  if (output.json) return output.result({ status: outcome.status, origin, treeSize, rootHash });
  output.line(`${outcome.status}: ${origin} at size ${treeSize}, root ${rootHash}`);
}

export function register(parent: Command): void {
  parent
    .command('witness')
    .description("witness a log: check each new checkpoint's consistency, then cosign it")
    .requiredOption('--log <url>', "the log's API, e.g. https://shop.example:8700")
    .requiredOption('--key <file>', "this witness's private key (from ledger witness-keygen)")
    .requiredOption('--log-key <file>', "the log's verifier key(s), obtained from the operator out of band")
    .option('--state <file>', 'the last checkpoint this witness cosigned', 'ensuresec-witness-state.json')
    .option('--token <token>', 'a partner API token of the log (default: $ENSURESEC_TOKEN)')
    .option('--once', 'one round, then exit (the default)')
    .option('--interval <duration>', 'keep witnessing, one round per interval, e.g. 60s')
    .action(
      action(async (context, flags: WitnessFlags) => {
        const token = flags.token ?? process.env['ENSURESEC_TOKEN'];
        if (!token) {
          throw new EnsuresecError('unauthenticated', { detail: 'Pass --token or set ENSURESEC_TOKEN.' });
        }
        const intervalMs = flags.interval === undefined ? undefined : parseDurationMs(flags.interval);
        if (flags.interval !== undefined && !intervalMs) {
          throw new EnsuresecError('bad_request', {
            detail: `--interval "${flags.interval}" is not a duration such as 60s.`,
          });
        }
        const signer = parseSignerKey(readTextFile(flags.key, 'witness key').trim());
        if (signer.type !== 'cosignature/v1') {
          throw new EnsuresecError('bad_request', {
            detail: `${flags.key} is not a witness key; make one with ensuresec ledger witness-keygen.`,
          });
        }
        const logKeys = readVerifierKeys(flags.logKey);
        const log = logOverApi(new ApiClient({ baseUrl: flags.log, token }));
        const round = async () =>
          witnessOnce({
            log,
            logKeys,
            signer,
            state: readWitnessState(flags.state),
            saveState: (state) => writeWitnessState(flags.state, state),
          });
        if (!intervalMs) return report(context.output, await round());
        await runEvery(intervalMs, async () => {
          let outcome: WitnessOutcome;
          try {
            outcome = await round();
          } catch (error) {
            reportError(error, context.output.json);
            return;
          }
          report(context.output, outcome);
        });
      }),
    );
}

/** Runs `work` now and then every `intervalMs` until SIGINT/SIGTERM or until it throws. */
function runEvery(intervalMs: number, work: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const finish = (error?: unknown) => {
      stopped = true;
      if (timer) clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (error === undefined) resolve();
      else reject(error);
    };
    const stop = () => finish();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const tick = () => {
      work().then(
        () => {
          if (!stopped) timer = setTimeout(tick, intervalMs);
        },
        (error: unknown) => finish(error),
      );
    };
    tick();
  });
}
