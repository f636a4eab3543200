/**
 * Challenge and pass tokens (gateway enforcement): both are HMAC-SHA-256 signed with the
 * gateway's secret and bound to the client (its IP and a hash of its User-Agent) and an
 * expiry. A challenge is answered once (a solved challenge is remembered until it expires,
 * so its answer cannot be replayed); a pass is a cookie good until its expiry for the client
 * it was issued to. Every comparison of a MAC is constant-time.
 *
 * @example
 *   const tokens = new ChallengeTokens(secret, { difficultyBits: 16, passTtlMs: 1_800_000 });
 *   const challenge = tokens.issueChallenge('203.0.113.9', 'Mozilla/5.0', Date.now());
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ChallengeSettings {
  /** Leading zero bits SHA-256(challenge || nonce) must have. */
  difficultyBits: number;
  passTtlMs: number;
  /** Time to solve a challenge; default 5 minutes. */
  challengeTtlMs?: number;
}

export type SolutionCheck =
  { ok: true } | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'replayed' | 'wrong' };

const MAX_REMEMBERED = 100_000;

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function hashUserAgent(userAgent: string | undefined): string {
  return createHash('sha256')
    .update(userAgent ?? '')
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The challenge key of a deployment, derived from its pseudonymisation key: every gateway of
 * the deployment (the server's own, and remote ones that fetch it) signs and accepts the
 * same passes.
 */
export function deriveChallengeSecret(pseudonymisationKey: Uint8Array): Buffer {
  return createHmac('sha256', pseudonymisationKey).update('ensuresec challenge pass v1').digest();
}

/** Number of leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export class ChallengeTokens {
  private readonly solved = new Map<string, number>();
  private readonly challengeTtlMs: number;

  constructor(
    private readonly secret: Buffer,
    readonly settings: ChallengeSettings,
  ) {
    if (secret.length < 16) throw new RangeError('the challenge secret must be at least 16 bytes');
    this.challengeTtlMs = settings.challengeTtlMs ?? 300_000;
  }

  private mac(purpose: string, fields: string): string {
    return base64url(createHmac('sha256', this.secret).update(`${purpose}|${fields}`).digest());
  }

  /** `c1.<expiresMs>.<random>.<mac>`: what the page hashes with its nonce. */
  issueChallenge(clientIp: string, userAgent: string | undefined, nowMs: number): string {
    const expiresMs = nowMs + this.challengeTtlMs;
    const random = base64url(randomBytes(12));
    const fields = `${expiresMs}.${random}.${this.settings.difficultyBits}.${clientIp}.${hashUserAgent(userAgent)}`;
    return `c1.${expiresMs}.${random}.${this.mac('challenge', fields)}`;
  }

  /** Checks a solution once: right client, unexpired, enough zero bits, never seen before. */
  checkSolution(
    challenge: string,
    nonce: string,
    clientIp: string,
    userAgent: string | undefined,
    nowMs: number,
  ): SolutionCheck {
    const parts = challenge.split('.');
    if (
      parts.length !== 4 ||
      parts[0] !== 'c1' ||
      !/^\d{1,15}$/.test(parts[1] ?? '') ||
      !/^\d{1,20}$/.test(nonce)
    )
      return { ok: false, reason: 'malformed' };
    const [, expiresText = '', random = '', mac = ''] = parts;
    const fields = `${expiresText}.${random}.${this.settings.difficultyBits}.${clientIp}.${hashUserAgent(userAgent)}`;
    if (!safeEqual(mac, this.mac('challenge', fields))) return { ok: false, reason: 'forged' };
    const expiresMs = Number(expiresText);
    if (expiresMs <= nowMs) return { ok: false, reason: 'expired' };
    if (this.solved.has(random)) return { ok: false, reason: 'replayed' };
    const digest = createHash('sha256').update(challenge).update(nonce).digest();
    if (leadingZeroBits(digest) < this.settings.difficultyBits) return { ok: false, reason: 'wrong' };
    this.remember(random, expiresMs, nowMs);
    return { ok: true };
  }

  private remember(random: string, expiresMs: number, nowMs: number): void {
    if (this.solved.size >= MAX_REMEMBERED) {
      for (const [key, until] of this.solved) if (until <= nowMs) this.solved.delete(key);
      // Still full of live entries: refusing new solutions would lock everyone out, so the
      // oldest go; their challenges expire within challengeTtlMs anyway.
      for (const key of this.solved.keys()) {
        if (this.solved.size < MAX_REMEMBERED) break;
        this.solved.delete(key);
      }
    }
    this.solved.set(random, expiresMs);
  }

  /** `p1.<expiresMs>.<mac>`: the pass cookie's value. */
  issuePass(clientIp: string, userAgent: string | undefined, nowMs: number): string {
    const expiresMs = nowMs + this.settings.passTtlMs;
    return `p1.${expiresMs}.${this.mac('pass', `${expiresMs}.${clientIp}.${hashUserAgent(userAgent)}`)}`;
  }

  verifyPass(value: string, clientIp: string, userAgent: string | undefined, nowMs: number): boolean {
    const parts = value.split('.');
    if (parts.length !== 3 || parts[0] !== 'p1' || !/^\d{1,15}$/.test(parts[1] ?? '')) return false;
    const expiresText = parts[1] as string;
    const expected = this.mac('pass', `${expiresText}.${clientIp}.${hashUserAgent(userAgent)}`);
    return safeEqual(parts[2] as string, expected) && Number(expiresText) > nowMs;
  }
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
