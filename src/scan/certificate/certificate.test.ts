import { describe, expect, it } from 'vitest';
import { isEnsuresecError } from '../../core/errors.js';
import { sampleReport } from '../testing/sample-report.js';
import { generateCertificateKeys, issueCertificate, verifyCertificate } from './certificate.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return isEnsuresecError(error) ? error.code : `unexpected ${String(error)}`;
  }
}

describe('scan certificate (JWS, EdDSA/Ed25519)', () => {
  const now = new Date('2026-11-27T10:00:00Z');

  it('states the origin, each class with pass/fail/not-tested, coverage, issue time and expiry', async () => {
    const { privateJwk, publicJwk } = await generateCertificateKeys();
    const jws = await issueCertificate(sampleReport(), privateJwk, { now, validityDays: 7 });
    const claims = await verifyCertificate(jws + '\n', publicJwk, now);
    expect(claims.target).toBe('http://shop.test');
    expect(claims.exp - claims.iat).toBe(7 * 86_400);
    const result = (name: string) => claims.classes.find((c) => c.class === name)?.result;
    expect(result('xss')).toBe('fail');
    expect(result('security-headers')).toBe('pass');
    // exposed-files ran only partly: never "pass".
    expect(result('exposed-data')).toBe('not-tested');
    expect(result('injection')).toBe('not-tested');
    expect(claims.coverage).toMatchObject({ pagesCrawled: 5, requestsSent: 42, notChecked: 1 });
    expect(claims.proofOfControl).toBe('not-verified');
  });

  it('rejects the file once any single byte is changed', async () => {
    const { privateJwk, publicJwk } = await generateCertificateKeys();
    const file = (await issueCertificate(sampleReport(), privateJwk, { now })) + '\n';
    const accepted: number[] = [];
    for (let i = 0; i < file.length; i++) {
      const bytes = Buffer.from(file);
      bytes[i] = bytes[i] === 0x41 ? 0x42 : 0x41; // 'A' ↔ 'B', anything else becomes 'A'
      const code = await codeOf(verifyCertificate(bytes.toString('latin1'), publicJwk, now));
      if (code === 'accepted') accepted.push(i);
      else expect(code).toBe('certificate_invalid');
    }
    expect(accepted).toEqual([]);
  });

  it('rejects an expired certificate, another key, and a non-certificate', async () => {
    const { privateJwk, publicJwk } = await generateCertificateKeys();
    const other = await generateCertificateKeys();
    const jws = await issueCertificate(sampleReport(), privateJwk, { now, validityDays: 1 });
    expect(await codeOf(verifyCertificate(jws, publicJwk, new Date('2026-11-28T10:00:01Z')))).toBe(
      'certificate_expired',
    );
    expect(await codeOf(verifyCertificate(jws, other.publicJwk, now))).toBe('certificate_invalid');
    expect(await codeOf(verifyCertificate('hello', publicJwk, now))).toBe('certificate_invalid');
    expect(await codeOf(issueCertificate(sampleReport(), publicJwk))).toBe('scan_key_invalid');
  });
});
