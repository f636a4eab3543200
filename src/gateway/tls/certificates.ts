/**
 * The gateway's TLS certificates (TLS front): PEM certificate and key files loaded into secure
 * contexts, the one for a connection chosen by its SNI name, and reloaded without a restart when
 * a file changes. A new set is validated whole first (each certificate parses, each key matches
 * its certificate); when it is not valid the gateway keeps the contexts it has and logs why, so a
 * half-copied renewal never takes TLS down.
 *
 * @example
 * const store = CertificateStore.load([{ certFile, keyFile }], logger); // throws if the first load fails
 * store.watch(1_000);
 * const context = store.contextFor('shop.example'); // SNI, wildcard, or the first certificate
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { EnsuresecError } from '../../core/errors.js';
import type { GatewayTlsCertificate } from '../connections/settings.js';

interface LoadedCertificate {
  context: SecureContext;
  /** Lower-case DNS names (`*.shop.example` for a wildcard). */
  names: string[];
  notAfter: string;
  subject: string;
}

export interface CertificateStatus {
  loadedAtMs: number;
  reloads: number;
  reloadErrors: number;
  lastError: string | null;
  certificates: Array<{ names: string[]; notAfter: string }>;
}

function namesOf(certificate: X509Certificate): string[] {
  const names = new Set<string>();
  for (const entry of (certificate.subjectAltName ?? '').split(',')) {
    const match = /^\s*DNS:(.+)$/.exec(entry);
    if (match?.[1] !== undefined) names.add(match[1].trim().toLowerCase());
  }
  if (names.size === 0) {
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1];
    if (cn !== undefined) names.add(cn.trim().toLowerCase());
  }
  return [...names];
}

/** Reads and checks one pair; throws an Error that says which file is wrong. */
function loadPair(pair: GatewayTlsCertificate, minVersion: 'TLSv1.2' | 'TLSv1.3'): LoadedCertificate {
  const cert = readFileSync(pair.certFile);
  const key = readFileSync(pair.keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${pair.certFile} holds no PEM certificate (${(err as Error).message})`);
  }
  let context: SecureContext;
  try {
    // createSecureContext refuses a key that does not belong to the certificate.
    context = createSecureContext({ cert, key, minVersion });
  } catch (err) {
    throw new Error(`${pair.keyFile} does not fit ${pair.certFile} (${(err as Error).message})`);
  }
  return {
    context,
    names: namesOf(certificate),
    notAfter: certificate.validTo,
    subject: certificate.subject,
  };
}

export class CertificateStore {
  private loaded: LoadedCertificate[];
  private readonly watched: string[] = [];
  private readonly status: CertificateStatus;
  private reloadTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly pairs: GatewayTlsCertificate[],
    private readonly minVersion: 'TLSv1.2' | 'TLSv1.3',
    private readonly logger: Logger,
  ) {
    if (pairs.length === 0)
      throw new EnsuresecError('config_invalid', {
        detail: 'gateway.tls.certificates needs at least one certificate.',
      });
    try {
      this.loaded = pairs.map((pair) => loadPair(pair, minVersion));
    } catch (err) {
      throw new EnsuresecError('config_invalid', {
        detail: `gateway.tls.certificates: ${(err as Error).message}.`,
        cause: err,
      });
    }
    this.status = { loadedAtMs: Date.now(), reloads: 0, reloadErrors: 0, lastError: null, certificates: [] };
    this.describe();
  }

  /** Loads every pair now; throws `config_invalid` when one cannot be used (the gateway must not start half-configured). */
  static load(
    pairs: GatewayTlsCertificate[],
    logger: Logger,
    minVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2',
  ): CertificateStore {
    return new CertificateStore(pairs, minVersion, logger);
  }

  /** The context for an SNI name: an exact name, then a wildcard one level up, then the first certificate. */
  contextFor(serverName: string | null): SecureContext {
    const first = this.loaded[0] as LoadedCertificate;
    if (serverName === null || serverName === '' || this.loaded.length === 1) return first.context;
    const name = serverName.toLowerCase();
    const dot = name.indexOf('.');
    const wildcard = dot > 0 ? `*${name.slice(dot)}` : null;
    let wildcardMatch: LoadedCertificate | undefined;
    for (const entry of this.loaded) {
      if (entry.names.includes(name)) return entry.context;
      if (wildcardMatch === undefined && wildcard !== null && entry.names.includes(wildcard))
        wildcardMatch = entry;
    }
    return (wildcardMatch ?? first).context;
  }

  /** Checks the files every `intervalMs` (stat polling: survives editors and tools that replace files). */
  watch(intervalMs: number): void {
    const onChange = (): void => this.scheduleReload();
    for (const pair of this.pairs) {
      for (const file of [pair.certFile, pair.keyFile]) {
        watchFile(file, { interval: intervalMs, persistent: false }, onChange);
        this.watched.push(file);
      }
    }
  }

  /** Re-reads every pair; swaps them in only if all are valid. Returns whether it swapped. */
  reload(): boolean {
    try {
      const next = this.pairs.map((pair) => loadPair(pair, this.minVersion));
      this.loaded = next;
      this.status.reloads++;
      this.status.loadedAtMs = Date.now();
      this.status.lastError = null;
      this.describe();
      this.logger.info({ certificates: this.status.certificates }, 'gateway reloaded its TLS certificates');
      return true;
    } catch (err) {
      this.status.reloadErrors++;
      this.status.lastError = (err as Error).message;
      this.logger.error({ err }, 'gateway kept its TLS certificates: the new files are not valid');
      return false;
    }
  }

  get snapshot(): CertificateStatus {
    return { ...this.status, certificates: [...this.status.certificates] };
  }

  close(): void {
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    for (const file of this.watched) unwatchFile(file);
    this.watched.length = 0;
  }

  /** A certificate and its key are often written one after the other: reload once both have landed. */
  private scheduleReload(): void {
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      this.reload();
    }, 200);
    this.reloadTimer.unref();
  }

  private describe(): void {
    this.status.certificates = this.loaded.map((entry) => ({ names: entry.names, notAfter: entry.notAfter }));
  }
}
