/**
 * `ensuresec cert register FILE --key PUBKEY`: gives a scan certificate to the running server
 * (admin), which checks its signature with the key and publishes it for verification: its
 * status at GET /api/v1/public/certificates/ID, a page and a badge for the shop to embed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { readJwkFile } from '../../../scan/certificate/key-files.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('register <file>')
    .description('publish a scan certificate on the server for public verification (admin)')
    .requiredOption('--key <pubkey>', "the issuer's public key (the .pub file from `cert keygen`)")
    .action(
      action(async (context, file: string, flags: { key: string }) => {
        let jws: string;
        try {
          jws = readFileSync(file, 'utf8').trim();
        } catch (cause) {
          throw new EnsuresecError('not_found', { detail: `Cannot read ${file}.`, cause });
        }
        const view = await context.client().certificates.register(jws, readJwkFile(flags.key));
        context.output.result({
          id: view.id,
          status: view.status,
          target: view.target,
          expiresAt: view.expiresAt,
          badge: `/api/v1/public/certificates/${view.id}/badge.svg`,
          page: `/api/v1/public/certificates/${view.id}/page`,
        });
      }),
    );
}
