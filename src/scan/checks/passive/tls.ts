/**
 * TLS (passive, only when the target is https): which protocol versions the server accepts
 * (one handshake per version, TLS 1.0 to 1.3, with node:tls minVersion = maxVersion), whether
 * it accepts a weak cipher (RC4, 3DES, DES, NULL, export, anonymous), and its certificate:
 * chain valid against the system's trust store, self-signed, name matching the host, expired
 * or expiring within 30 days. Each handshake takes one request of the scan's budget and is in
 * its scope. TLS 1.0/1.1 and weak ciphers are offered by the client at OpenSSL security level
 * 0, so an old server is recognised even though Node refuses such connections by default.
 * OpenSSL 3 builds without weak SSL ciphers (Node 20's, Debian's) cannot offer RC4, 3DES or
 * DES at all: then those are probed with a hand-built ClientHello (tls-hello.ts), and when
 * that gives no clear answer the gap is listed as not checked and the check is partial (so
 * transport security does not pass on it).
 */
import {
  checkServerIdentity,
  connect,
  createSecureContext,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import type { Check, CheckContext } from '../check.js';
import { probeLegacySuites } from './tls-hello.js';

type Version = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: Version[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const WEAK_CIPHERS = 'RC4:3DES:DES:NULL:EXPORT:aNULL:eNULL@SECLEVEL=0';
const LEGACY_CIPHERS = 'RC4:3DES:DES@SECLEVEL=0';

const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

let legacyCiphers: boolean | undefined;
/** Whether this runtime's OpenSSL can offer RC4, 3DES or DES suites at all. */
export function canOfferLegacyCiphers(): boolean {
  if (legacyCiphers === undefined) {
    try {
      createSecureContext({ ciphers: LEGACY_CIPHERS });
      legacyCiphers = true;
    } catch {
      legacyCiphers = false; // "no cipher match": compiled out
    }
  }
  return legacyCiphers;
}

interface Handshake {
  ok: boolean;
  socket?: TLSSocket;
  error?: string;
}

/** One handshake; the socket is returned open (the caller reads it, then ends it). */
function handshake(
  host: string,
  port: number,
  options: Record<string, unknown>,
  timeoutMs: number,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
      ...options,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve({ ok: true, socket });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: error.message });
    });
  });
}

export const tlsCheck: Check = {
  id: 'tls',
  kind: 'passive',
  attackClass: 'transport-security',
  title: 'TLS versions, ciphers and certificate',
  async run(context) {
    const target = context.target;
    if (target.protocol !== 'https:')
      return { status: 'not-tested', tested: 0, reason: 'the target does not use TLS (http)' };
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port || 443);
    const timeoutMs = 10_000;
    const accepted: Version[] = [];
    let tested = 0;
    for (const version of VERSIONS) {
      const refused = await context.http.admit(target.origin);
      if (refused) {
        context.notChecked(`${version} on ${target.host}`, `tls: ${refused}`);
        continue;
      }
      tested++;
      const old = version === 'TLSv1' || version === 'TLSv1.1';
      const result = await handshake(
        host,
        port,
        { minVersion: version, maxVersion: version, ...(old ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) },
        timeoutMs,
      );
      if (result.ok) accepted.push(version);
      result.socket?.destroy();
    }
    context.record('tls', { versions: accepted });
    const oldOnes = accepted.filter((v) => v === 'TLSv1' || v === 'TLSv1.1');
    if (oldOnes.length > 0)
      report(
        context,
        'old-protocols',
        `The server accepts ${oldOnes.join(' and ')}`,
        'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N',
        `It completed a handshake with ${oldOnes.join(' and ')}, versions deprecated by RFC 8996 (weak MACs, no AEAD ciphers).`,
        'Accept only TLS 1.2 and 1.3.',
      );
    if (tested === VERSIONS.length && !accepted.includes('TLSv1.2') && !accepted.includes('TLSv1.3'))
      report(
        context,
        'no-modern-protocol',
        'The server accepts neither TLS 1.2 nor TLS 1.3',
        'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:N',
        'No handshake with TLS 1.2 or 1.3 succeeded.',
        'Enable TLS 1.2 and 1.3.',
      );

    let inconclusive: string | null = null;
    if (!(await context.http.admit(target.origin))) {
      tested++;
      const weak = await handshake(host, port, { ciphers: WEAK_CIPHERS, maxVersion: 'TLSv1.2' }, timeoutMs);
      if (!weak.ok && !canOfferLegacyCiphers()) {
        const refused = await context.http.admit(target.origin);
        if (!refused) tested++;
        const legacy = refused
          ? { outcome: 'inconclusive' as const, reason: refused }
          : await probeLegacySuites(host, port, /^[\d.]+$|:/.test(host) ? null : host, timeoutMs);
        if (legacy.outcome === 'accepted')
          report(
            context,
            'weak-cipher',
            `The server accepts the weak cipher ${legacy.suite}`,
            'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N',
            `A TLS 1.2 ClientHello offering only RC4, 3DES and DES suites was answered with a ServerHello choosing ${legacy.suite}.`,
            'Allow only AEAD suites (AES-GCM, ChaCha20-Poly1305) with forward secrecy.',
          );
        else if (legacy.outcome === 'inconclusive') {
          inconclusive = `weak ciphers: RC4, 3DES and DES suites gave no clear answer (${legacy.reason}); this runtime's OpenSSL cannot offer them in a real handshake`;
          context.notChecked(`RC4, 3DES and DES cipher suites on ${target.host}`, `tls: ${inconclusive}`);
        }
      }
      if (weak.ok) {
        const cipher = weak.socket?.getCipher().name ?? 'a weak cipher';
        report(
          context,
          'weak-cipher',
          `The server accepts the weak cipher ${cipher}`,
          'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N',
          `A handshake offering only weak suites (RC4, 3DES and DES where this runtime has them; NULL, export, anonymous) succeeded with ${cipher}.`,
          'Allow only AEAD suites (AES-GCM, ChaCha20-Poly1305) with forward secrecy.',
        );
      }
      weak.socket?.destroy();
    }

    if (!(await context.http.admit(target.origin))) {
      tested++;
      const main = await handshake(host, port, {}, timeoutMs);
      if (main.ok && main.socket) {
        checkCertificate(context, host, main.socket);
        main.socket.destroy();
      } else context.notChecked(`the certificate of ${target.host}`, `tls: ${main.error ?? 'no handshake'}`);
    }
    return inconclusive ? { status: 'partial', tested, reason: inconclusive } : { status: 'tested', tested };
  },
};

function checkCertificate(context: CheckContext, host: string, socket: TLSSocket): void {
  const certificate: PeerCertificate = socket.getPeerCertificate();
  const error = socket.authorizationError ? String(socket.authorizationError) : null;
  const selfSigned = error === 'DEPTH_ZERO_SELF_SIGNED_CERT' || error === 'SELF_SIGNED_CERT_IN_CHAIN';
  const expiresMs = Date.parse(certificate.valid_to);
  const nowMs = Date.now();
  context.record('tlsCertificate', {
    subject: certificate.subject?.CN ?? null,
    issuer: certificate.issuer?.CN ?? null,
    validTo: Number.isNaN(expiresMs) ? null : new Date(expiresMs).toISOString(),
    fingerprint256: certificate.fingerprint256,
    authorizationError: error,
  });
  if (expiresMs <= nowMs || error === 'CERT_HAS_EXPIRED')
    report(
      context,
      'certificate-expired',
      'The TLS certificate has expired',
      'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N',
      `It expired on ${certificate.valid_to}: browsers refuse the shop or customers learn to click through warnings.`,
      'Renew the certificate (automate it, e.g. with ACME).',
    );
  else if (expiresMs - nowMs < EXPIRY_WARNING_DAYS * DAY_MS)
    report(
      context,
      'certificate-expiring',
      `The TLS certificate expires within ${EXPIRY_WARNING_DAYS} days`,
      'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:L',
      `It expires on ${certificate.valid_to}.`,
      'Renew it now and automate renewal.',
    );
  if (selfSigned)
    report(
      context,
      'certificate-self-signed',
      'The TLS certificate is self-signed',
      'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N',
      `No trusted authority vouches for it (${error}): anyone in the path can present their own.`,
      'Use a certificate from a publicly trusted authority.',
    );
  else if (error && error !== 'CERT_HAS_EXPIRED')
    report(
      context,
      'certificate-untrusted',
      'The TLS certificate chain does not verify',
      'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N',
      `The chain does not verify against the system's trust store: ${error}.`,
      'Serve the full chain of a publicly trusted authority.',
    );
  const mismatch = checkServerIdentity(host, certificate);
  if (mismatch)
    report(
      context,
      'certificate-name-mismatch',
      `The TLS certificate is not for ${host}`,
      'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N',
      mismatch.message,
      `Use a certificate whose subjectAltName names ${host}.`,
    );
}

function report(
  context: CheckContext,
  kind: string,
  title: string,
  cvssVector: string,
  description: string,
  remediation: string,
): void {
  context.report({
    checkId: 'tls',
    attackClass: 'transport-security',
    title,
    cvssVector,
    cwe: 'CWE-295',
    url: context.target.origin + '/',
    method: 'GET',
    detailKey: kind,
    description,
    evidence: { request: `TLS handshake with ${context.target.host}`, response: '', proof: description },
    reproduce: `openssl s_client -connect ${context.target.host} -servername ${context.target.hostname}`,
    remediation,
    data: { issue: kind },
  });
}
