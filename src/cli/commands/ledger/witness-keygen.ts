/**
 * `ensuresec ledger witness-keygen --out FILE [--name NAME]`: makes a witness's Ed25519
 * `cosignature/v1` key pair. The signer key goes to FILE (mode 0600, never printed); the
 * verifier key goes to FILE.pub and is printed: the log operator adds it to `ledger.witnesses`.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { generateNoteKeyPair } from '../../../ledger/index.js';
import { action } from '../../action.js';

function writeNew(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
    chmodSync(path, mode);
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new EnsuresecError('bad_request', {
      detail: exists ? `${path} exists already; a key is never overwritten.` : `Cannot write ${path}.`,
      cause: error,
    });
  }
}

export function register(parent: Command): void {
  parent
    .command('witness-keygen')
    .description('make a witness key pair (cosignature/v1)')
    .requiredOption('--out <file>', 'where to write the private key (the public one goes to <file>.pub)')
    .option('--name <name>', 'the key name shown in cosignatures (default: witness.<host name>)')
    .action(
      action(async (context, flags: { out: string; name?: string }) => {
        const name = flags.name ?? `witness.${hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost'}`;
        const { signerKey, verifierKey } = generateNoteKeyPair(name, 'cosignature/v1');
        writeNew(flags.out, signerKey + '\n', 0o600);
        writeNew(`${flags.out}.pub`, verifierKey + '\n', 0o644);
        if (context.output.json) return context.output.result({ name, verifierKey, keyFile: flags.out });
        context.output.line(verifierKey);
      }),
    );
}
