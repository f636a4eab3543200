/**
 * Creating a user (api/auth): one place for the first admin and for `POST /users`.
 * Without a password, a one-time one is generated and returned so it can be shown once.
 */
import { systemClock, isoNow, type Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Role } from '../../core/roles.js';
import type { LedgerWriter } from '../../ledger/index.js';
import type { UserRecord } from '../../store/store.js';
import { generatePassword, hashPassword } from './passwords.js';

export interface NewUserInput {
  name: string;
  role: Role;
  password?: string;
  /** Whether the user must replace the password at first sign-in (someone else knows it). */
  mustChangePassword: boolean;
  clock?: Clock;
  /** Who adds the user (a user id, or `system`), for the ledger. */
  actor?: string;
}

/** Stores the user and its `user.created` ledger entry together. */
export async function createUser(
  ledger: LedgerWriter,
  input: NewUserInput,
): Promise<{ user: UserRecord; generatedPassword?: string }> {
  const password = input.password ?? generatePassword(20);
  const now = isoNow(input.clock ?? systemClock);
  const user: UserRecord = {
    id: newId('usr'),
    name: input.name,
    role: input.role,
    passwordHash: await hashPassword(password),
    totpSecret: null,
    totpEnabled: false,
    mustChangePassword: input.mustChangePassword,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await ledger.commit({
    kind: 'user.created',
    actor: input.actor ?? 'system',
    write: async (tx) => {
      await tx.users.insert(user);
      return user;
    },
  });
  return input.password === undefined ? { user, generatedPassword: password } : { user };
}
