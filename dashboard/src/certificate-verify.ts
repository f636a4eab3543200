/**
 * Verifying a scan certificate in the browser (standard web APIs only): the compact JWS
 * `ensuresec-scan-cert+jws`, EdDSA over Ed25519, checked with WebCrypto against the public key
 * (a JWK) the certificate's issuer published; then its claims: the attack classes passed,
 * issue and expiry. The same checks as `ensuresec cert verify` (src/scan/certificate).
 */

export interface CertificateClaims {
  target: string;
  mode: string;
  iat: number;
  exp: number;
  format: string;
  classes: { class: string; result: string; reason?: string }[];
  findings: Record<string, number>;
  proofOfControl: string;
}

export type CertificateCheck =
  | { ok: true; claims: CertificateClaims; expired: boolean }
  | { ok: false; reason: string; claims?: CertificateClaims };

const CERTIFICATE_TYPE = 'ensuresec-scan-cert+jws';
const CERTIFICATE_FORMAT = 'ensuresec-scan-certificate/v1';

function fromBase64Url(part: string): Uint8Array<ArrayBuffer> {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function decodeJson<T>(part: string): T {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(part))) as T;
}

export async function verifyCertificate(
  text: string,
  publicKeyJson: string,
  nowMs: number,
): Promise<CertificateCheck> {
  const parts = text.trim().split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
    return { ok: false, reason: 'This is not a compact JWS (three base64url parts).' };
  }
  const [header, payload, signature] = parts as [string, string, string];
  let claims: CertificateClaims;
  let protectedHeader: { alg?: string; typ?: string };
  try {
    protectedHeader = decodeJson(header);
    claims = decodeJson(payload);
  } catch {
    return { ok: false, reason: 'The header or the payload is not JSON.' };
  }
  if (protectedHeader.alg !== 'EdDSA' || protectedHeader.typ !== CERTIFICATE_TYPE) {
    return {
      ok: false,
      reason: `The JWS is ${String(protectedHeader.typ)} signed with ${String(protectedHeader.alg)}, not an EdDSA ${CERTIFICATE_TYPE}.`,
    };
  }
  let key: CryptoKey;
  try {
    const jwk = JSON.parse(publicKeyJson) as JsonWebKey;
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.d !== undefined)
      throw new Error('not a public Ed25519 key');
    key = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return {
      ok: false,
      reason: 'The public key is not an Ed25519 public JWK ({"kty":"OKP","crv":"Ed25519","x":"…"}).',
    };
  }
  const valid = await crypto.subtle.verify(
    'Ed25519',
    key,
    fromBase64Url(signature),
    new TextEncoder().encode(`${header}.${payload}`),
  );
  if (!valid)
    return {
      ok: false,
      reason: 'The signature does not verify with this key: changed, or signed by another key.',
      claims,
    };
  if (claims.format !== CERTIFICATE_FORMAT)
    return { ok: false, reason: `The payload is not an ${CERTIFICATE_FORMAT} statement.` };
  return { ok: true, claims, expired: claims.exp * 1000 <= nowMs };
}
