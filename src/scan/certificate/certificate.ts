/**
 * The scan certificate: a JWS (compact serialization, EdDSA over Ed25519, through `jose`)
 * stating the target's origin, each attack class with pass / fail / not-tested, the scan's
 * coverage, when it was issued and when it expires. A class is only ever `pass` when the
 * scan tested it completely (classes.ts). `proofOfControl` records whether the origin
 * served the authorisation line for the signing key (proof-of-control.ts). Revocation, by
 * hand or when a flaw is confirmed in a certified class: auto-revoke.ts.
 *
 * @example const jws = await issueCertificate(report, privateJwk); await verifyCertificate(jws, publicJwk)
 */
import { randomUUID } from 'node:crypto';
import {
  CompactSign,
  compactVerify,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose';
import { EnsuresecError } from '../../core/errors.js';
import type { ScanReport } from '../scanner.js';
import type { ClassVerdict } from '../classes.js';
import type { ProofOfControl } from './proof-of-control.js';

export const CERTIFICATE_TYPE = 'ensuresec-scan-cert+jws';
export const CERTIFICATE_FORMAT = 'ensuresec-scan-certificate/v1';
export const DEFAULT_VALIDITY_DAYS = 30;
const CLOCK_SKEW_SECONDS = 300;

export interface CertificateClaims {
  iss: 'ensuresec-scan';
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  format: typeof CERTIFICATE_FORMAT;
  target: string;
  mode: 'passive' | 'active';
  scan: { startedAt: string; finishedAt: string; tool: string };
  classes: {
    class: string;
    result: ClassVerdict;
    checks: { checkId: string; status: string }[];
    reason?: string;
  }[];
  coverage: {
    pagesCrawled: number;
    formsFound: number;
    parametersFound: number;
    requestsSent: number;
    notChecked: number;
  };
  findings: Record<'critical' | 'high' | 'medium' | 'low' | 'info', number>;
  proofOfControl: ProofOfControl['status'];
  proofOfControlDetail?: string;
}

export async function generateCertificateKeys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' },
    publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
  };
}

export function claimsOf(
  report: ScanReport,
  now: Date,
  validityDays: number,
  proof?: ProofOfControl,
): CertificateClaims {
  const iat = Math.floor(now.getTime() / 1000);
  const count = (severity: string) => report.findings.filter((f) => f.severity === severity).length;
  return {
    iss: 'ensuresec-scan',
    sub: report.origin,
    jti: randomUUID(),
    iat,
    exp: iat + validityDays * 86_400,
    format: CERTIFICATE_FORMAT,
    target: report.origin,
    mode: report.mode,
    scan: {
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      tool: `ensuresec ${report.tool.version}`,
    },
    classes: report.classes.map((c) => ({
      class: c.attackClass,
      result: c.result,
      checks: c.checks,
      ...(c.reason ? { reason: c.reason } : {}),
    })),
    coverage: {
      pagesCrawled: report.coverage.pagesCrawled,
      formsFound: report.coverage.formsFound,
      parametersFound: report.coverage.parametersFound,
      requestsSent: report.requests.sent,
      notChecked: report.notChecked.length,
    },
    findings: {
      critical: count('critical'),
      high: count('high'),
      medium: count('medium'),
      low: count('low'),
      info: count('info'),
    },
    proofOfControl: proof?.status ?? 'not-verified',
    proofOfControlDetail: !proof ? 'not checked' : proof.status === 'verified' ? proof.url : proof.reason,
  };
}

export async function issueCertificate(
  report: ScanReport,
  privateJwk: JWK,
  options: { now?: Date; validityDays?: number; proof?: ProofOfControl } = {},
): Promise<string> {
  const claims = claimsOf(
    report,
    options.now ?? new Date(),
    options.validityDays ?? DEFAULT_VALIDITY_DAYS,
    options.proof,
  );
  const key = await importKey(privateJwk, 'private');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({
      alg: 'EdDSA',
      typ: CERTIFICATE_TYPE,
      ...(privateJwk.kid ? { kid: privateJwk.kid } : {}),
    })
    .sign(key);
}

/** Checks signature, type, format and validity period; throws `certificate_invalid` or `certificate_expired`. */
export interface VerifyOptions {
  /** The origin the certificate must be for. */
  origin?: string;
  /** Refuse a certificate whose origin did not prove control for the signing key. */
  requireProofOfControl?: boolean;
}

export async function verifyCertificate(
  text: string,
  publicJwk: JWK,
  now: Date = new Date(),
  options: VerifyOptions = {},
): Promise<CertificateClaims> {
  // One trailing newline is how the file is written; anything else is part of the JWS.
  const jws = text.endsWith('\n') ? text.slice(0, -1) : text;
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((part) => !isCanonicalBase64Url(part))) {
    throw new EnsuresecError('certificate_invalid', {
      detail: 'The file is not a compact JWS (three canonical base64url parts).',
    });
  }
  const key = await importKey(publicJwk, 'public');
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
  } catch (cause) {
    throw new EnsuresecError('certificate_invalid', {
      detail: 'The signature does not verify with this key: the file was changed or signed by another key.',
      cause,
    });
  }
  if (verified.protectedHeader.typ !== CERTIFICATE_TYPE) {
    throw new EnsuresecError('certificate_invalid', {
      detail: `The JWS type is ${String(verified.protectedHeader.typ)}, not ${CERTIFICATE_TYPE}.`,
    });
  }
  let claims: CertificateClaims;
  try {
    claims = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(verified.payload),
    ) as CertificateClaims;
  } catch (cause) {
    throw new EnsuresecError('certificate_invalid', { detail: 'The signed payload is not JSON.', cause });
  }
  if (
    claims.format !== CERTIFICATE_FORMAT ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number'
  ) {
    throw new EnsuresecError('certificate_invalid', {
      detail: `The payload is not an ${CERTIFICATE_FORMAT} statement.`,
    });
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (claims.exp <= nowSeconds) {
    throw new EnsuresecError('certificate_expired', {
      detail: `It expired at ${new Date(claims.exp * 1000).toISOString()}.`,
    });
  }
  if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw new EnsuresecError('certificate_invalid', { detail: 'It claims to be issued in the future.' });
  }
  if (options.origin !== undefined && claims.target !== new URL(options.origin).origin) {
    throw new EnsuresecError('certificate_invalid', {
      detail: `It is for ${claims.target}, not ${new URL(options.origin).origin}.`,
    });
  }
  if (options.requireProofOfControl && claims.proofOfControl !== 'verified') {
    throw new EnsuresecError('certificate_invalid', {
      detail: `The origin did not prove control (${claims.proofOfControlDetail ?? 'not checked'}).`,
    });
  }
  return claims;
}

/** jose (like most decoders) ignores the unused low bits of the last character: refuse them, so no changed byte passes. */
function isCanonicalBase64Url(part: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return false;
  return Buffer.from(part, 'base64url').toString('base64url') === part;
}

async function importKey(jwk: JWK, kind: 'private' | 'public') {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || (kind === 'private' && !jwk.d)) {
    throw new EnsuresecError('scan_key_invalid', {
      detail: `Expected an Ed25519 ${kind} key as a JWK (make one with \`ensuresec cert keygen\`).`,
    });
  }
  const { d: _secret, ...publicPart } = jwk;
  try {
    return await importJWK(kind === 'private' ? jwk : publicPart, 'EdDSA');
  } catch (cause) {
    throw new EnsuresecError('scan_key_invalid', { detail: `The ${kind} key cannot be imported.`, cause });
  }
}
