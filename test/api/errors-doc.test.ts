import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';

/** `| \`code\` | 400 | … |` rows of docs/errors.md, as code → status. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, number>();
  for (const match of text.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    rows.set(match[1] ?? '', Number(match[2]));
  }
  return rows;
}

describe('docs/errors.md', () => {
  it('lists every catalogue code with its status, and no other', () => {
    const documented = documentedCodes();
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status]));
    expect(documented.size).toBeGreaterThan(0);
    expect([...documented.keys()].filter((code) => !catalogue.has(code))).toEqual([]);
    expect([...catalogue.keys()].filter((code) => !documented.has(code))).toEqual([]);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(catalogue));
  });
});
