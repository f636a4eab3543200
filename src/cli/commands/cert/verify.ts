/**
 * `ensuresec cert verify FILE --key PUBKEY`: checks a scan certificate's signature, type and
 * expiry, then prints what it states. Exit status 1 (with `certificate_invalid` or
 * `certificate_expired`) when it must not be trusted.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { verifyCertificate } from '../../../scan/certificate/certificate.js';
import { readJwkFile } from '../../../scan/certificate/key-files.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('verify <file>')
    .description("verify a scan certificate's signature and expiry, and print what it states")
    .requiredOption('--key <pubkey>', "the issuer's public key (the .pub file from `cert keygen`)")
    .option('--origin <url>', 'refuse a certificate for another origin')
    .option('--require-proof-of-control', 'refuse a certificate whose origin did not prove control')
    .action(
      action(
        async (
          context,
          file: string,
          flags: { key: string; origin?: string; requireProofOfControl?: boolean },
        ) => {
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (cause) {
            throw new EnsuresecError('not_found', { detail: `Cannot read ${file}.`, cause });
          }
          const claims = await verifyCertificate(text, readJwkFile(flags.key), new Date(), {
            ...(flags.origin ? { origin: flags.origin } : {}),
            requireProofOfControl: Boolean(flags.requireProofOfControl),
          });
          if (context.output.json) return context.output.result({ valid: true, ...claims });
          context.output.line(
            `certificate valid: signature verified, expires ${new Date(claims.exp * 1000).toISOString()}`,
          );
          context.output.line(
            `target: ${claims.target} (${claims.mode} scan, issued ${new Date(claims.iat * 1000).toISOString()}; proof of control: ${claims.proofOfControl}${claims.proofOfControlDetail ? `, ${claims.proofOfControlDetail}` : ''})`,
          );
          for (const c of claims.classes)
            context.output.line(`  ${c.result.padEnd(10)} ${c.class}${c.reason ? ` (${c.reason})` : ''}`);
        },
      ),
    );
}
