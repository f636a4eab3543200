/**
 * The `ensuresec` launcher line (src/cli/main.ts): the V8 flags it gives the process, the same
 * as `npm start`'s, and that the system's `env -S` really passes them on (a file run as a
 * program, as npm's bin link runs it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const shebang = readFileSync(join(root, 'src/cli/main.ts'), 'utf8').split('\n')[0] ?? '';
const PREFIX = '#!/usr/bin/env -S node ';

/** Keeps 20,000 objects alive while allocating, so V8 grows its young generation if it may. */
const GROW_YOUNG_GENERATION = `
import { getHeapSpaceStatistics } from 'node:v8';
const keep = new Array(20000);
for (let i = 0; i < 3000000; i++) keep[i % keep.length] = { i, s: 'x' + i };
const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
console.log(JSON.stringify({ newSpaceMb: space.space_size / 1048576, keep: keep.length }));
`;

describe('the ensuresec launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-launcher-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts node with 2 MB semi-spaces, as npm start does', () => {
    expect(shebang.startsWith(PREFIX)).toBe(true);
    const flags = shebang.slice(PREFIX.length).trim();
    expect(flags).toBe('--max-semi-space-size=2');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start']).toBe(`node ${flags} dist/src/cli/main.js demo`);
  });

  it('keeps the young generation small when run as a program, unlike plain node', () => {
    const script = join(dir, 'launched.mjs');
    writeFileSync(script, `${shebang}\n${GROW_YOUNG_GENERATION}`);
    chmodSync(script, 0o755);
    const launched = JSON.parse(execFileSync(script, { encoding: 'utf8' })) as { newSpaceMb: number };
    const plain = join(dir, 'plain.mjs');
    writeFileSync(plain, GROW_YOUNG_GENERATION);
    const unflagged = JSON.parse(execFileSync(process.execPath, [plain], { encoding: 'utf8' })) as {
      newSpaceMb: number;
    };
    // Two semi-spaces of 2 MB; V8's default lets the same allocation grow them to 2 x 16 MB.
    expect(launched.newSpaceMb).toBeLessThanOrEqual(4);
    expect(unflagged.newSpaceMb).toBeGreaterThan(launched.newSpaceMb);
  });
});
