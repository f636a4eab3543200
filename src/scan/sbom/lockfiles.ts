/**
 * Reads a shop's lockfiles into the packages they pin (supply chain, prevention stage):
 * package-lock.json (v2 and v3: the `packages` map), yarn.lock (classic v1 and Berry),
 * pnpm-lock.yaml (v5 to v9) and composer.lock. Only what is installed is listed, with its exact
 * version; links and workspace packages are not (they are the shop's own code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EnsuresecError } from '../../core/errors.js';

export type Ecosystem = 'npm' | 'Packagist';

export interface LockedPackage {
  ecosystem: Ecosystem;
  /** `lodash`, `@scope/name`, `vendor/package`. */
  name: string;
  version: string;
  /** Only needed for development (`dev: true` in the lockfile), when the lockfile says so. */
  dev: boolean;
  /** The lockfile it came from (relative to the scanned directory). */
  source: string;
}

export const LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'composer.lock'] as const;
export type LockfileName = (typeof LOCKFILES)[number];

function invalid(file: string, why: string): EnsuresecError {
  return new EnsuresecError('sbom_lockfile_invalid', { detail: `${file}: ${why}` });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function parsePackageLock(text: string, source = 'package-lock.json'): LockedPackage[] {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = record(JSON.parse(text));
  } catch (error) {
    throw invalid(source, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!doc) throw invalid(source, 'not a JSON object');
  const packages = record(doc['packages']);
  if (!packages)
    throw invalid(
      source,
      `lockfileVersion ${String(doc['lockfileVersion'])} has no "packages" map (v2 or v3 needed; run npm install with npm 7 or later)`,
    );
  const out: LockedPackage[] = [];
  for (const [path, value] of Object.entries(packages)) {
    const entry = record(value);
    if (path === '' || !entry || entry['link'] === true) continue;
    const at = path.lastIndexOf('node_modules/');
    if (at < 0) continue; // a workspace folder, the shop's own code
    const name = str(entry['name']) ?? path.slice(at + 'node_modules/'.length);
    const version = str(entry['version']);
    if (!version) continue;
    out.push({ ecosystem: 'npm', name, version, dev: entry['dev'] === true, source });
  }
  return out;
}

/** `"@scope/name@^1.0.0"` or `lodash@npm:^4` → the package name. */
function nameOfSpecifier(spec: string): string {
  const clean = spec.trim().replace(/^"|"$/g, '');
  const at = clean.indexOf('@', 1);
  return at < 0 ? clean : clean.slice(0, at);
}

export function parseYarnLock(text: string, source = 'yarn.lock'): LockedPackage[] {
  const out: LockedPackage[] = [];
  let names: string[] = [];
  let workspace = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      const header = line.replace(/:\s*$/, '');
      workspace = /@(workspace|link|portal|file):/.test(header);
      names = header === '__metadata' ? [] : [...new Set(header.split(',').map(nameOfSpecifier))];
      continue;
    }
    const match = /^ {2}version:? "?([^"\s]+)"?\s*$/.exec(line);
    if (match && names.length > 0 && !workspace) {
      for (const name of names)
        out.push({ ecosystem: 'npm', name, version: match[1] as string, dev: false, source });
      names = [];
    }
  }
  return out;
}

/** `/name/1.2.3`, `/@s/n/1.2.3_peer@1`, `/name@1.2.3(peer@1)`, `name@1.2.3` → name and version. */
function pnpmKey(key: string): { name: string; version: string } | undefined {
  const clean = key.replace(/^\//, '').replace(/\(.*$/, '');
  const at = clean.indexOf('@', 1);
  if (at > 0 && !clean.slice(at + 1).includes('/'))
    return { name: clean.slice(0, at), version: clean.slice(at + 1) };
  const slash = clean.lastIndexOf('/');
  if (slash <= 0) return undefined;
  return { name: clean.slice(0, slash), version: clean.slice(slash + 1).replace(/_.*$/, '') };
}

export function parsePnpmLock(text: string, source = 'pnpm-lock.yaml'): LockedPackage[] {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = record(parseYaml(text));
  } catch (error) {
    throw invalid(source, `not YAML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!doc) throw invalid(source, 'not a YAML mapping');
  const packages = record(doc['packages']) ?? {};
  const out: LockedPackage[] = [];
  for (const [key, value] of Object.entries(packages)) {
    const entry = record(value) ?? {};
    const parsed = pnpmKey(key);
    const name = str(entry['name']) ?? parsed?.name;
    const version = str(entry['version']) ?? parsed?.version;
    if (!name || !version || /^(link|file|workspace):/.test(version)) continue;
    out.push({ ecosystem: 'npm', name, version, dev: entry['dev'] === true, source });
  }
  return out;
}

export function parseComposerLock(text: string, source = 'composer.lock'): LockedPackage[] {
  let doc: Record<string, unknown> | undefined;
  try {
    doc = record(JSON.parse(text));
  } catch (error) {
    throw invalid(source, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!doc) throw invalid(source, 'not a JSON object');
  const out: LockedPackage[] = [];
  for (const [field, dev] of [
    ['packages', false],
    ['packages-dev', true],
  ] as const) {
    const list = doc[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw invalid(source, `"${field}" is not a list`);
    for (const value of list) {
      const entry = record(value);
      const name = str(entry?.['name']);
      const version = str(entry?.['version']);
      if (name && version) out.push({ ecosystem: 'Packagist', name, version, dev, source });
    }
  }
  return out;
}

const PARSERS: Record<LockfileName, (text: string, source: string) => LockedPackage[]> = {
  'package-lock.json': parsePackageLock,
  'yarn.lock': parseYarnLock,
  'pnpm-lock.yaml': parsePnpmLock,
  'composer.lock': parseComposerLock,
};

/** Every lockfile found directly in `dir`, parsed; duplicates (same ecosystem, name, version) folded. */
export function readLockfiles(dir: string): { lockfiles: LockfileName[]; packages: LockedPackage[] } {
  const lockfiles = LOCKFILES.filter((name) => existsSync(join(dir, name)));
  if (lockfiles.length === 0)
    throw new EnsuresecError('sbom_no_lockfile', {
      detail: `None of ${LOCKFILES.join(', ')} in ${dir}.`,
    });
  const seen = new Map<string, LockedPackage>();
  for (const file of lockfiles) {
    for (const pkg of PARSERS[file](readFileSync(join(dir, file), 'utf8'), file)) {
      const key = `${pkg.ecosystem}\n${pkg.name}\n${pkg.version}`;
      const known = seen.get(key);
      if (!known) seen.set(key, pkg);
      else if (!pkg.dev) known.dev = false;
    }
  }
  const packages = [...seen.values()].sort(
    (a, b) =>
      a.ecosystem.localeCompare(b.ecosystem) ||
      a.name.localeCompare(b.name) ||
      a.version.localeCompare(b.version),
  );
  return { lockfiles, packages };
}

/** The package URL (purl spec) of a locked package. */
export function purlOf(pkg: LockedPackage): string {
  const type = pkg.ecosystem === 'npm' ? 'npm' : 'composer';
  const path = pkg.name
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
  return `pkg:${type}/${path}@${encodeURIComponent(pkg.version)}`;
}
