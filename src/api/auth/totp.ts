/**
 * TOTP second factor (auth): RFC 6238, 6 digits, 30 s steps, ±1 step accepted for clock
 * drift. The last accepted step per user is kept in the store's kv, so a code seen once
 * (shoulder-surfed, replayed from a proxy log) is refused the second time.
 */
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../../core/clock.js';
import type { Store, UserRecord } from '../../store/store.js';

const PERIOD_SECONDS = 30;
const ISSUER = 'Ensuresec';

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(userName: string): { secret: string; otpauthUri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, otpauthUri: totpFor(secret, userName).toString() };
}

/** The current code for a secret (tests and the CLI's enrolment check). */
export function totpCode(secretBase32: string, timestampMs: number): string {
  return totpFor(secretBase32, 'code').generate({ timestamp: timestampMs });
}

const lastStepKey = (userId: string) => `auth.totp.lastStep.${userId}`;

/**
 * True when `code` is valid now for the user's (possibly pending) secret and was not used
 * before; records the step so the same code cannot be used again.
 */
export async function checkTotp(
  store: Store,
  user: UserRecord,
  code: string,
  clock: Clock,
): Promise<boolean> {
  if (!user.totpSecret || !/^\d{6}$/.test(code)) return false;
  const nowMs = clock.nowMs();
  const delta = totpFor(user.totpSecret, user.name).validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return false;
  const step = Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
  const lastStep = await store.kv.get<number>(lastStepKey(user.id));
  if (lastStep !== undefined && step <= lastStep) return false;
  await store.kv.set(lastStepKey(user.id), step);
  return true;
}
