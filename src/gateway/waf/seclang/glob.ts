/**
 * Include path expansion (gateway/waf/seclang): `Include rules/*.conf` relative to the
 * including file, with `*`, `?` and `[...]` in any path segment, matches sorted as Apache
 * and ModSecurity sort them (byte order). A pattern that matches nothing is an error for the
 * caller to report: a missing rule file must never go unnoticed.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const WILDCARD = /[*?[]/;

function segmentToRegExp(segment: string): RegExp {
  let source = '';
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index] ?? '';
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = segment.indexOf(']', index + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(index + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      index = close;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

function exists(candidate: string): boolean {
  try {
    statSync(candidate);
    return true;
  } catch {
    return false;
  }
}

/** Absolute paths of the files a pattern names, sorted; empty when nothing matches. */
export function expandIncludePattern(pattern: string, baseDir: string): string[] {
  const absolute = path.resolve(baseDir, pattern);
  if (!WILDCARD.test(absolute)) return exists(absolute) ? [absolute] : [];
  const root = path.parse(absolute).root;
  const segments = absolute
    .slice(root.length)
    .split(path.sep)
    .filter((segment) => segment !== '');
  let candidates = [root];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const next: string[] = [];
    for (const dir of candidates) {
      if (!WILDCARD.test(segment)) {
        next.push(path.join(dir, segment));
        continue;
      }
      const matcher = segmentToRegExp(segment);
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      for (const entry of entries.sort()) {
        if (entry.startsWith('.') && !segment.startsWith('.')) continue;
        if (matcher.test(entry)) next.push(path.join(dir, entry));
      }
    }
    candidates = last ? next : next.filter(isDirectory);
  });
  return candidates.filter((candidate) => exists(candidate) && !isDirectory(candidate)).sort(compareBytes);
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left), Buffer.from(right));
}
