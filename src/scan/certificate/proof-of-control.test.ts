import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEnsuresecError } from '../../core/errors.js';
import { runScan } from '../scanner.js';
import { generateCertificateKeys, issueCertificate, verifyCertificate } from './certificate.js';
import { keyThumbprintOf, proofOfControlLine } from './proof-of-control.js';

describe('proof of control (/.well-known/ensuresec-scan.txt)', () => {
  let server: Server;
  let origin = '';
  let served = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/.well-known/ensuresec-scan.txt') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(served);
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>shop</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is verified when the origin serves the line for the signing key, and recorded in the certificate', async () => {
    const { privateJwk, publicJwk } = await generateCertificateKeys();
    served = `# ensuresec\n${proofOfControlLine(origin, await keyThumbprintOf(publicJwk))}\n`;
    const report = await runScan({
      target: `${origin}/`,
      active: false,
      checks: [],
      proofOfControlKey: privateJwk,
      ratePerSecond: 0,
    });
    expect(report.proofOfControl?.status).toBe('verified');
    const jws = await issueCertificate(report, privateJwk, { proof: report.proofOfControl! });
    const claims = await verifyCertificate(jws, publicJwk, new Date(), {
      origin,
      requireProofOfControl: true,
    });
    expect(claims.proofOfControl).toBe('verified');
  });

  it('is not verified for another key, and a verifier can insist on it or on the origin', async () => {
    const mine = await generateCertificateKeys();
    const theirs = await generateCertificateKeys();
    served = proofOfControlLine(origin, await keyThumbprintOf(theirs.publicJwk));
    const report = await runScan({
      target: `${origin}/`,
      active: false,
      checks: [],
      proofOfControlKey: mine.privateJwk,
      ratePerSecond: 0,
    });
    expect(report.proofOfControl).toMatchObject({
      status: 'not-verified',
      reason: expect.stringMatching(/does not hold/),
    });
    const jws = await issueCertificate(report, mine.privateJwk, { proof: report.proofOfControl! });
    const refused = async (options: { origin?: string; requireProofOfControl?: boolean }) => {
      try {
        await verifyCertificate(jws, mine.publicJwk, new Date(), options);
        return 'accepted';
      } catch (error) {
        return isEnsuresecError(error) ? error.code : String(error);
      }
    };
    expect(await refused({})).toBe('accepted');
    expect(await refused({ requireProofOfControl: true })).toBe('certificate_invalid');
    expect(await refused({ origin: 'https://other-shop.example' })).toBe('certificate_invalid');
  });
});
