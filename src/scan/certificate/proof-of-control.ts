/**
 * Proof of control of the scanned origin: the operator serves one line at
 * `/.well-known/ensuresec-scan.txt` naming the origin and the thumbprint (RFC 7638) of the
 * key that may sign certificates for it. Only someone who controls the origin can put it
 * there, so a certificate that records it as verified is bound to that origin; removing
 * the line withdraws the authorisation for later scans.
 *
 * @example proofOfControlLine('https://shop.example', 'NzbLsXh8…') // 'ensuresec-scan-authorisation v1 origin=https://shop.example key=NzbLsXh8…'
 */
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { ScanHttpClient } from '../http/client.js';

export const PROOF_OF_CONTROL_PATH = '/.well-known/ensuresec-scan.txt';

export type ProofOfControl =
  | { status: 'verified'; url: string; keyThumbprint: string }
  | { status: 'not-verified'; url: string; keyThumbprint: string; reason: string };

export function proofOfControlLine(origin: string, keyThumbprint: string): string {
  return `ensuresec-scan-authorisation v1 origin=${origin} key=${keyThumbprint}`;
}

/** The thumbprint of the public part of a key (so a private JWK gives the same value). */
export async function keyThumbprintOf(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK);
}

export async function checkProofOfControl(
  http: ScanHttpClient,
  origin: string,
  jwk: JWK,
): Promise<ProofOfControl> {
  const keyThumbprint = await keyThumbprintOf(jwk);
  const url = origin + PROOF_OF_CONTROL_PATH;
  const res = await http.send({ url });
  if (!res.ok) return { status: 'not-verified', url, keyThumbprint, reason: `${res.reason}: ${res.detail}` };
  if (res.status !== 200) return { status: 'not-verified', url, keyThumbprint, reason: `HTTP ${res.status}` };
  const expected = proofOfControlLine(origin, keyThumbprint);
  const found = res.body.split(/\r?\n/).some((line) => line.trim() === expected);
  return found
    ? { status: 'verified', url, keyThumbprint }
    : {
        status: 'not-verified',
        url,
        keyThumbprint,
        reason: 'the file does not hold the line for this origin and key',
      };
}
