/**
 * Known vulnerabilities from OSV (supply chain): advisories in the OSV schema
 * (https://ossf.github.io/osv-schema/) read from a local export directory (one JSON per advisory,
 * as `gsutil cp gs://osv-vulnerabilities/npm/all.zip` unpacks), or asked from the OSV API
 * (`POST https://api.osv.dev/v1/querybatch`) only when the operator says `--online`.
 * A package version is affected when it is listed in `affected[].versions` or falls in a
 * `SEMVER` or `ECOSYSTEM` range (`introduced` ≤ v < `fixed`, or ≤ `last_affected`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { EnsuresecError } from '../../core/errors.js';
import type { Ecosystem, LockedPackage } from './lockfiles.js';
import { compareVersions } from './versions.js';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvAffected {
  package?: { ecosystem?: string; name?: string; purl?: string };
  ranges?: { type?: string; events?: OsvEvent[] }[];
  versions?: string[];
}

export interface OsvAdvisory {
  id: string;
  summary?: string;
  details?: string;
  aliases?: string[];
  modified?: string;
  withdrawn?: string;
  severity?: { type?: string; score?: string }[];
  affected?: OsvAffected[];
  references?: { type?: string; url?: string }[];
  database_specific?: Record<string, unknown>;
}

export interface OsvMatch {
  pkg: LockedPackage;
  advisory: OsvAdvisory;
  /** The first `fixed` version of the matching range, when the advisory names one. */
  fixedIn?: string;
}

const MAX_ADVISORY_BYTES = 4 * 1024 * 1024;

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listJson(path);
      return entry.isFile() && entry.name.endsWith('.json') ? [path] : [];
    });
}

/** Every advisory in the directory (recursively); a file that is not an OSV advisory is skipped and named. */
export function loadOsvDirectory(dir: string): { advisories: OsvAdvisory[]; skipped: string[] } {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new EnsuresecError('osv_source_invalid', { detail: `${dir} is not a directory.` });
  const advisories: OsvAdvisory[] = [];
  const skipped: string[] = [];
  for (const path of listJson(dir)) {
    try {
      if (statSync(path).size > MAX_ADVISORY_BYTES) throw new Error('too large');
      const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof doc !== 'object' || doc === null || typeof (doc as OsvAdvisory).id !== 'string')
        throw new Error('no id');
      if (!Array.isArray((doc as OsvAdvisory).affected)) throw new Error('no affected list');
      advisories.push(doc as OsvAdvisory);
    } catch {
      skipped.push(path);
    }
  }
  return { advisories, skipped };
}

const sameName = (ecosystem: Ecosystem, a: string, b: string): boolean =>
  ecosystem === 'Packagist' ? a.toLowerCase() === b.toLowerCase() : a === b;

/** Whether `version` falls in one OSV range; the `fixed` version of the interval it is in. */
function inRange(version: string, events: OsvEvent[]): { hit: boolean; fixed?: string } {
  const point = (e: OsvEvent): string => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '0';
  const sorted = [...events].sort((a, b) => {
    const pa = point(a);
    const pb = point(b);
    if (pa === '0') return -1;
    if (pb === '0') return 1;
    return compareVersions(pa, pb) ?? 0;
  });
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined) {
      const c = e.introduced === '0' ? 1 : compareVersions(version, e.introduced);
      if (c !== undefined && c >= 0) affected = true;
    } else if (e.fixed !== undefined) {
      const c = compareVersions(version, e.fixed);
      if (c === undefined) return { hit: false };
      if (c >= 0) affected = false;
      else if (affected) return { hit: true, fixed: e.fixed };
    } else if (e.last_affected !== undefined) {
      const c = compareVersions(version, e.last_affected);
      if (c === undefined) return { hit: false };
      if (c > 0) affected = false;
      else if (affected) return { hit: true };
    } else if (e.limit !== undefined) {
      const c = compareVersions(version, e.limit);
      if (c !== undefined && c >= 0) affected = false;
    }
  }
  return { hit: affected };
}

/** Whether one advisory affects one package version. */
export function affects(advisory: OsvAdvisory, pkg: LockedPackage): { hit: boolean; fixed?: string } {
  if (advisory.withdrawn) return { hit: false };
  for (const affected of advisory.affected ?? []) {
    const p = affected.package;
    if (p?.ecosystem !== pkg.ecosystem || !p.name || !sameName(pkg.ecosystem, p.name, pkg.name)) continue;
    if (affected.versions?.includes(pkg.version)) return { hit: true };
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') continue;
      const result = inRange(pkg.version, range.events ?? []);
      if (result.hit) return result;
    }
  }
  return { hit: false };
}

export function matchAdvisories(packages: LockedPackage[], advisories: OsvAdvisory[]): OsvMatch[] {
  const byName = new Map<string, OsvAdvisory[]>();
  for (const advisory of advisories)
    for (const affected of advisory.affected ?? []) {
      const p = affected.package;
      if (!p?.ecosystem || !p.name) continue;
      const key = `${p.ecosystem}\n${p.ecosystem === 'Packagist' ? p.name.toLowerCase() : p.name}`;
      const list = byName.get(key) ?? [];
      if (!list.includes(advisory)) list.push(advisory);
      byName.set(key, list);
    }
  const matches: OsvMatch[] = [];
  for (const pkg of packages) {
    const key = `${pkg.ecosystem}\n${pkg.ecosystem === 'Packagist' ? pkg.name.toLowerCase() : pkg.name}`;
    for (const advisory of byName.get(key) ?? []) {
      const result = affects(advisory, pkg);
      if (result.hit) matches.push({ pkg, advisory, ...(result.fixed ? { fixedIn: result.fixed } : {}) });
    }
  }
  return matches;
}

export const OSV_API = 'https://api.osv.dev';

/**
 * Asks the OSV API which advisories affect the packages (`--online` only): `querybatch` for the
 * ids, then each advisory in full. Tests never call it (`baseUrl` could point it at a local fake).
 */
export async function queryOsvOnline(
  packages: LockedPackage[],
  options: { baseUrl?: string; timeoutMs?: number } = {},
): Promise<OsvAdvisory[]> {
  const base = (options.baseUrl ?? OSV_API).replace(/\/+$/, '');
  const timeout = options.timeoutMs ?? 30_000;
  const call = async (path: string, body?: unknown): Promise<unknown> => {
    try {
      const response = await request(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new Error(`HTTP ${response.statusCode}`);
      }
      return await response.body.json();
    } catch (error) {
      throw new EnsuresecError('osv_source_invalid', {
        detail: `OSV API ${base}${path}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };
  const ids = new Set<string>();
  for (let i = 0; i < packages.length; i += 1000) {
    const chunk = packages.slice(i, i + 1000);
    const answer = (await call('/v1/querybatch', {
      queries: chunk.map((p) => ({ package: { ecosystem: p.ecosystem, name: p.name }, version: p.version })),
    })) as { results?: { vulns?: { id?: string }[] }[] };
    for (const result of answer.results ?? []) for (const v of result.vulns ?? []) if (v.id) ids.add(v.id);
  }
  const advisories: OsvAdvisory[] = [];
  for (const id of ids) advisories.push((await call(`/v1/vulns/${encodeURIComponent(id)}`)) as OsvAdvisory);
  return advisories;
}
