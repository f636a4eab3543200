/**
 * First start and local CLI access (auth), called by the composition root: create the
 * first administrator with a one-time password, and issue the API token the local CLI
 * keeps in the data directory.
 *
 * @example const { created, password } = await bootstrapAdmin(store, ledger); if (created) console.log(password);
 */
import { isoNow, systemClock, type Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { LedgerWriter } from '../../ledger/index.js';
import type { Store, TokenRecord } from '../../store/store.js';
import { createUser } from './new-user.js';
import { generateApiToken, sha256Hex } from './secrets.js';

export interface BootstrapResult {
  created: boolean;
  username: 'admin';
  /** The one-time password, only when it was generated here. */
  password?: string;
}

/** Creates user 'admin' when no user exists yet; a generated password must be changed at first sign-in. */
export async function bootstrapAdmin(
  store: Store,
  ledger: LedgerWriter,
  options: { password?: string; clock?: Clock } = {},
): Promise<BootstrapResult> {
  if ((await store.users.count()) > 0) return { created: false, username: 'admin' };
  // A password the operator chose (ENSURESEC_ADMIN_PASSWORD) is kept; a generated one is one-time.
  const { generatedPassword } = await createUser(ledger, {
    name: 'admin',
    role: 'admin',
    ...(options.password === undefined ? {} : { password: options.password }),
    mustChangePassword: options.password === undefined,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return generatedPassword === undefined
    ? { created: true, username: 'admin' }
    : { created: true, username: 'admin', password: generatedPassword };
}

/** Stores a new token's hash (and its `token.created` ledger entry); returns the token itself (shown once) with its record. */
export async function issueApiToken(
  ledger: LedgerWriter,
  input: { userId: string; name: string; expiresAt: string | null; actor?: string },
  clock: Clock = systemClock,
): Promise<{ token: string; record: TokenRecord }> {
  const token = generateApiToken();
  const record: TokenRecord = {
    id: newId('tok'),
    userId: input.userId,
    name: input.name,
    tokenHash: sha256Hex(token),
    createdAt: isoNow(clock),
    expiresAt: input.expiresAt,
    revokedAt: null,
    lastUsedAt: null,
  };
  await ledger.commit({
    kind: 'token.created',
    actor: input.actor ?? 'system',
    write: async (tx) => {
      await tx.tokens.insert(record);
      return record;
    },
  });
  return { token, record };
}

/** A non-expiring token named 'local-cli' for the CLI on this machine. */
export async function createLocalAdminToken(ledger: LedgerWriter, userId: string): Promise<string> {
  const { token } = await issueApiToken(ledger, { userId, name: 'local-cli', expiresAt: null });
  return token;
}
