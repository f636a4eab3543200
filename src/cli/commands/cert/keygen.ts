/**
 * `ensuresec cert keygen --out FILE`: makes the Ed25519 key pair that signs scan
 * certificates. The private JWK goes to FILE (mode 0600), the public one to FILE.pub, which
 * is what anyone verifying a certificate needs.
 */
import type { Command } from 'commander';
import { generateCertificateKeys } from '../../../scan/certificate/certificate.js';
import { writeNewFile } from '../../../scan/certificate/key-files.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('keygen')
    .description('make the Ed25519 key pair that signs scan certificates')
    .requiredOption('--out <file>', 'where to write the private key (the public one goes to <file>.pub)')
    .action(
      action(async (context, flags: { out: string }) => {
        const { privateJwk, publicJwk } = await generateCertificateKeys();
        writeNewFile(flags.out, JSON.stringify(privateJwk, null, 2) + '\n', 0o600);
        writeNewFile(`${flags.out}.pub`, JSON.stringify(publicJwk, null, 2) + '\n', 0o644);
        if (context.output.json)
          return context.output.result({
            kid: publicJwk.kid,
            keyFile: flags.out,
            publicKeyFile: `${flags.out}.pub`,
          });
        context.output.line(`private key: ${flags.out} (keep it secret)`);
        context.output.line(`public key:  ${flags.out}.pub (kid ${publicJwk.kid})`);
      }),
    );
}
