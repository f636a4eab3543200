/**
 * `ensuresec cert verify FILE --key PUBKEY [--server URL]`: checks a scan certificate's
 * signature, type and expiry and, with `--server`, asks that Ensuresec server's public
 * verification endpoint whether it was revoked; then prints what it states. Exit status 1
 * (with `certificate_invalid`, `certificate_expired` or `certificate_revoked`) when it must
 * not be trusted.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { request } from 'undici';
import type { PublicCertificateView } from '../../../scan/certificate/public-status.js';
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
    .option('--server <url>', 'also ask this Ensuresec server whether the certificate was revoked')
    .action(
      action(
        async (
          context,
          file: string,
          flags: { key: string; origin?: string; requireProofOfControl?: boolean; server?: string },
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
          if (flags.server) await checkRevocation(flags.server, claims.jti, text.trim());
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

/** Asks the server's public endpoint; throws unless it knows this very certificate and has not revoked it. */
export async function checkRevocation(server: string, id: string, jws: string): Promise<void> {
  const url = new URL(`/api/v1/public/certificates/${encodeURIComponent(id)}`, server);
  let response;
  try {
    response = await request(url, {
      headers: { accept: 'application/json' },
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
  } catch (cause) {
    throw new EnsuresecError('server_unreachable', { detail: `${url.origin}: ${String(cause)}`, cause });
  }
  if (response.statusCode === 404) {
    await response.body.dump();
    throw new EnsuresecError('certificate_invalid', {
      detail: `${url.origin} has no certificate ${id}: its revocation cannot be checked there.`,
    });
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new EnsuresecError('server_unreachable', {
      detail: `${url.href} answered ${response.statusCode}.`,
    });
  }
  const view = (await response.body.json()) as PublicCertificateView;
  if (view.jws !== jws)
    throw new EnsuresecError('certificate_invalid', {
      detail: `${url.origin} holds another certificate under the id ${id}.`,
    });
  if (view.status === 'revoked')
    throw new EnsuresecError('certificate_revoked', {
      detail: `Revoked ${view.revocation?.revokedAt ?? ''}: ${view.revocation?.reason ?? 'no reason given'}.`,
    });
}
