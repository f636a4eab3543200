/**
 * `ensuresec cert token --origin URL --key KEYFILE`: prints the line the shop serves at
 * `/.well-known/ensuresec-scan.txt` to prove it controls the origin and authorises this key
 * to certify it. Scans with `--certificate` check it and record the result.
 */
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { readJwkFile } from '../../../scan/certificate/key-files.js';
import {
  keyThumbprintOf,
  PROOF_OF_CONTROL_PATH,
  proofOfControlLine,
} from '../../../scan/certificate/proof-of-control.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('token')
    .description(`print the proof-of-control line the shop serves at ${PROOF_OF_CONTROL_PATH}`)
    .requiredOption('--origin <url>', "the shop's origin, e.g. https://shop.example")
    .requiredOption('--key <keyfile>', 'the certificate key (private or .pub)')
    .action(
      action(async (context, flags: { origin: string; key: string }) => {
        let origin: string;
        try {
          origin = new URL(flags.origin).origin;
        } catch (cause) {
          throw new EnsuresecError('scan_target_invalid', {
            detail: `Got ${JSON.stringify(flags.origin)}.`,
            cause,
          });
        }
        const line = proofOfControlLine(origin, await keyThumbprintOf(readJwkFile(flags.key)));
        if (context.output.json) return context.output.result({ url: origin + PROOF_OF_CONTROL_PATH, line });
        context.output.line(line);
        process.stderr.write(
          `serve this line at ${origin}${PROOF_OF_CONTROL_PATH} (text/plain), then scan with --certificate\n`,
        );
      }),
    );
}
