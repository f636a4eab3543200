/**
 * Bearer tokens and session ids (auth): random values shown to their owner once and
 * stored only as SHA-256 hashes, so a copy of the database grants nothing.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'ens_';
/** `ens_` + 32 random bytes in base64url (43 characters). */
export const TOKEN_PATTERN = /^ens_[A-Za-z0-9_-]{43}$/;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function generateCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}
