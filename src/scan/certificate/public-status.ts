/**
 * Registered certificates and what the public sees of them (prevention stage, no I/O): the
 * record the server keeps for a certificate it was given (the JWS, the issuer's public key,
 * its revocation), its status now (valid, revoked, expired), the SVG badge a shop embeds and
 * the small verification page anyone can open. Everything shown comes from the signed claims
 * or the server's own record, and is escaped.
 *
 * @example statusOf(record, new Date()) // 'valid'
 */
import type { JWK } from 'jose';
import type { CertificateClaims } from './certificate.js';

export interface CertificateRevocation {
  reason: string;
  revokedAt: string;
  /** A user id, or `system` (monitoring confirmed an exploitable flaw, auto-revoke.ts). */
  revokedBy: string;
  /** What confirmed the flaw (a stored scan and its findings, an incident or alert id); never shown publicly. */
  evidence?: string;
}

export interface RegisteredCertificate {
  /** The certificate's `jti`. */
  id: string;
  jws: string;
  /** The issuer's public key (Ed25519 JWK) the signature was checked with. */
  publicKey: JWK;
  target: string;
  mode: CertificateClaims['mode'];
  issuedAt: string;
  expiresAt: string;
  classes: { class: string; result: string }[];
  registeredAt: string;
  registeredBy: string;
  revocation: CertificateRevocation | null;
}

export type CertificateStatus = 'valid' | 'revoked' | 'expired';

export const certificateKey = (id: string): string => `certificate:${id}`;
export const CERTIFICATE_KEYS_KEY = 'certificate-keys';
/** The id of the certificate registered last (the dashboard's overview shows its status). */
export const LATEST_CERTIFICATE_KEY = 'certificate-latest';
/** Every registered certificate's id and origin, so a confirmed flaw finds the certificates of its origin. */
export const CERTIFICATE_INDEX_KEY = 'certificate-index';
export interface CertificateIndexEntry {
  id: string;
  target: string;
}
/** A certificate id as `claimsOf` makes it (a UUID). */
export const CERTIFICATE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function statusOf(certificate: RegisteredCertificate, now: Date): CertificateStatus {
  if (certificate.revocation) return 'revoked';
  return Date.parse(certificate.expiresAt) <= now.getTime() ? 'expired' : 'valid';
}

export interface PublicCertificateView {
  id: string;
  status: CertificateStatus;
  target: string;
  mode: CertificateClaims['mode'];
  issuedAt: string;
  expiresAt: string;
  classes: { class: string; result: string }[];
  revocation: { reason: string; revokedAt: string } | null;
  kid: string | null;
  jws: string;
}

/** The public view: status and what the certificate states, with the JWS to check independently. */
export function publicViewOf(certificate: RegisteredCertificate, now: Date): PublicCertificateView {
  return {
    id: certificate.id,
    status: statusOf(certificate, now),
    target: certificate.target,
    mode: certificate.mode,
    issuedAt: certificate.issuedAt,
    expiresAt: certificate.expiresAt,
    classes: certificate.classes,
    revocation: certificate.revocation
      ? { reason: certificate.revocation.reason, revokedAt: certificate.revocation.revokedAt }
      : null,
    kid: certificate.publicKey.kid ?? null,
    jws: certificate.jws,
  };
}

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const BADGE_COLOURS: Record<CertificateStatus, string> = {
  valid: '#1b7f3b',
  revoked: '#b42318',
  expired: '#6b7280',
};

/** A shields-style badge: "ensuresec | tested 2026-11-27" (valid), "revoked", or "expired". */
export function badgeSvg(certificate: RegisteredCertificate | null, now: Date): string {
  const status = certificate ? statusOf(certificate, now) : null;
  const label = 'ensuresec scan';
  const value =
    status === null
      ? 'unknown'
      : status === 'valid'
        ? `passed ${certificate?.issuedAt.slice(0, 10)}`
        : status;
  const colour = status === null ? '#6b7280' : BADGE_COLOURS[status];
  const labelWidth = 6 * label.length + 12;
  const valueWidth = 6 * value.length + 12;
  const width = labelWidth + valueWidth;
  const title = certificate
    ? `Ensuresec scan certificate for ${certificate.target}: ${status}`
    : 'Unknown Ensuresec scan certificate';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${escapeXml(title)}">
  <title>${escapeXml(title)}</title>
  <rect width="${labelWidth}" height="20" fill="#374151"/>
  <rect x="${labelWidth}" width="${valueWidth}" height="20" fill="${colour}"/>
  <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
    <text x="6" y="14">${escapeXml(label)}</text>
    <text x="${labelWidth + 6}" y="14">${escapeXml(value)}</text>
  </g>
</svg>
`;
}

/** The verification page: status, target, dates, the classes and their results, and how to check the JWS yourself. */
export function verificationPage(certificate: RegisteredCertificate | null, id: string, now: Date): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Ensuresec certificate ${escapeXml(id)}</title><style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#111}.valid{color:#1b7f3b}.revoked{color:#b42318}.expired{color:#6b7280}td,th{text-align:left;padding:.2rem .6rem .2rem 0}code{word-break:break-all}</style></head><body>`;
  if (!certificate)
    return `${head}<h1>Unknown certificate</h1><p>No certificate <code>${escapeXml(id)}</code> is registered here. Do not trust a badge that links to this page.</p></body></html>\n`;
  const status = statusOf(certificate, now);
  const rows = certificate.classes
    .map((c) => `<tr><td>${escapeXml(c.class)}</td><td>${escapeXml(c.result)}</td></tr>`)
    .join('');
  const revoked = certificate.revocation
    ? `<p class="revoked">Revoked ${escapeXml(certificate.revocation.revokedAt)}: ${escapeXml(certificate.revocation.reason)}</p>`
    : '';
  return `${head}<h1>Ensuresec scan certificate: <span class="${status}">${status}</span></h1>
${revoked}<table><tr><th>Shop</th><td>${escapeXml(certificate.target)}</td></tr><tr><th>Scan</th><td>${escapeXml(certificate.mode)}</td></tr><tr><th>Issued</th><td>${escapeXml(certificate.issuedAt)}</td></tr><tr><th>Expires</th><td>${escapeXml(certificate.expiresAt)}</td></tr></table>
<h2>Attack classes tested</h2><table><tr><th>Class</th><th>Result</th></tr>${rows}</table>
<h2>Check it yourself</h2><p>The signed statement (JWS, Ed25519) and the issuer's key: <a href="../${escapeXml(encodeURIComponent(id))}">JSON</a>, <a href="/.well-known/ensuresec/jwks.json">JWKS</a>. Save the <code>jws</code> to a file and run <code>ensuresec cert verify FILE --key KEY.pub</code>.</p>
</body></html>
`;
}
