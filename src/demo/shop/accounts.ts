/**
 * Customer accounts: registration and login with argon2id (@node-rs/argon2), the seeded
 * admin, and postal-address changes. Callers emit the business events.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { ShopContext } from './context.js';

// OWASP's minimum argon2id profile: 19 MiB, 2 passes, 1 lane. Algorithm 2 = Argon2id.
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const EMAIL_PATTERN = /^[^\s@<>"']{1,64}@[A-Za-z0-9.-]{1,185}\.[A-Za-z]{2,24}$/;

export const ADMIN_EMAIL = 'admin@demo-shop.test';

let dummyHash: Promise<string> | null = null;
/** Verifying against a throwaway hash keeps unknown-email logins as slow as wrong-password ones. */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash(randomBytes(16).toString('hex'), ARGON2);
  return dummyHash;
}

export type RegisterResult =
  | { ok: true; customerId: number }
  | { ok: false; reason: 'invalid_email' | 'weak_password' | 'invalid_name' | 'email_taken' };

export async function registerCustomer(
  ctx: ShopContext,
  input: { email: string; password: string; name: string },
): Promise<RegisterResult> {
  const email = input.email.toLowerCase();
  if (!EMAIL_PATTERN.test(email) || email.length > 254) return { ok: false, reason: 'invalid_email' };
  if (input.password.length < 8 || input.password.length > 128) return { ok: false, reason: 'weak_password' };
  if (input.name.length < 1 || input.name.length > 100) return { ok: false, reason: 'invalid_name' };
  const existing = ctx.db.prepare('SELECT id FROM customers WHERE email = ?').get(email);
  if (existing) {
    // Safe mode spends the same hashing time on a taken email, so the time does not tell it either.
    if (!ctx.vulnerable) await hash(input.password, ARGON2);
    return { ok: false, reason: 'email_taken' };
  }
  const passwordHash = await hash(input.password, ARGON2);
  try {
    const info = ctx.db
      .prepare('INSERT INTO customers (email, password_hash, name, created_at) VALUES (?, ?, ?, ?)')
      .run(email, passwordHash, input.name, ctx.clock.nowMs());
    return { ok: true, customerId: Number(info.lastInsertRowid) };
  } catch {
    return { ok: false, reason: 'email_taken' }; // lost a race with a parallel registration
  }
}

export type LoginResult =
  { ok: true; customerId: number } | { ok: false; reason: 'unknown_account' | 'wrong_password' };

export async function authenticate(
  ctx: ShopContext,
  emailInput: string,
  password: string,
): Promise<LoginResult> {
  const email = emailInput.toLowerCase();
  const row = ctx.db.prepare('SELECT id, password_hash FROM customers WHERE email = ?').get(email) as
    { id: number; password_hash: string } | undefined;
  if (!row) {
    // Vulnerable mode skips the dummy verification, so unknown accounts also answer faster.
    if (!ctx.vulnerable) await verify(await dummyPasswordHash(), password || 'x').catch(() => false);
    return { ok: false, reason: 'unknown_account' };
  }
  const matches = await verify(row.password_hash, password).catch(() => false);
  return matches ? { ok: true, customerId: row.id } : { ok: false, reason: 'wrong_password' };
}

/** Creates (or resets the password of) the admin account. */
export async function seedAdmin(ctx: ShopContext, password: string): Promise<void> {
  const passwordHash = await hash(password, ARGON2);
  ctx.db
    .prepare(
      `INSERT INTO customers (email, password_hash, name, is_admin, created_at) VALUES (?, ?, 'Shop admin', 1, ?)
       ON CONFLICT(email) DO UPDATE SET password_hash = excluded.password_hash, is_admin = 1`,
    )
    .run(ADMIN_EMAIL, passwordHash, ctx.clock.nowMs());
}

export function updatePostalAddress(ctx: ShopContext, customerId: number, address: string): void {
  ctx.db.prepare('UPDATE customers SET postal_address = ? WHERE id = ?').run(address, customerId);
}

export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
