/** Page sizes and cursors, independent of any database. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { clampLimit, decodeCursor, encodeCursor, toPage } from './pagination.js';

const cases = JSON.parse(readFileSync(new URL('./fixtures/cursors.json', import.meta.url), 'utf8')) as {
  valid: string[];
  invalid: Array<{ why: string; cursor: string }>;
};

describe('page limits', () => {
  it('defaults to 50 and clamps into 1..500', () => {
    expect([undefined, Number.NaN, 0, -5, 1.9, 50, 500, 501, Infinity].map(clampLimit)).toEqual([
      50, 50, 1, 1, 1, 50, 500, 500, 50,
    ]);
  });
});

describe('cursors', () => {
  it.each(cases.valid)('round-trips the id %s', (id) => {
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it.each(cases.invalid)('rejects a cursor that is $why', ({ cursor }) => {
    expect(() => decodeCursor(cursor)).toThrowError(EnsuresecError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as EnsuresecError).code).toBe('invalid_cursor');
    }
  });

  it('points the next cursor at the last item kept, and is null on the last page', () => {
    const rows = ['c', 'b', 'a'].map((id) => ({ id }));
    expect(toPage(rows, 2, (row) => row.id)).toEqual({ items: ['c', 'b'], nextCursor: encodeCursor('b') });
    expect(toPage(rows, 3, (row) => row.id)).toEqual({ items: ['c', 'b', 'a'], nextCursor: null });
  });
});
