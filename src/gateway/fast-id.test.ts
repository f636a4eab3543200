import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId } from '../core/ids.js';
import { fastIdGenerator } from './fast-id.js';

describe('fast ids', () => {
  it('have the core id shape: prefix, underscore, 26 Crockford characters', () => {
    const id = fastIdGenerator('req')();
    expect(id).toMatch(ID_PATTERN);
    expect(id.startsWith('req_')).toBe(true);
  });

  it('encode the time as core ids do, so both sort together', () => {
    const timeMs = Date.parse('2025-06-01T10:20:30.456Z');
    const id = fastIdGenerator('evt')(timeMs);
    expect(id.slice(4, 14)).toBe(newId('evt', timeMs).slice(4, 14));
    const later = fastIdGenerator('evt')(timeMs + 1);
    expect(later > id).toBe(true);
  });

  it('stay strictly increasing within one millisecond and when time steps back', () => {
    const next = fastIdGenerator('req');
    const timeMs = Date.parse('2025-06-01T10:20:30.456Z');
    let previous = next(timeMs);
    for (let i = 0; i < 5_000; i++) {
      const id = next(i % 2 === 0 ? timeMs : timeMs - 1_000);
      expect(id > previous).toBe(true);
      previous = id;
    }
  });

  it('never repeat across many calls and generators', () => {
    const seen = new Set<string>();
    const generators = [fastIdGenerator('req'), fastIdGenerator('req')];
    for (let i = 0; i < 50_000; i++) for (const next of generators) seen.add(next());
    expect(seen.size).toBe(100_000);
  });

  it('draw fresh randomness each millisecond', () => {
    const next = fastIdGenerator('req');
    const a = next(1_000_000);
    const b = next(1_000_001);
    // Equal random parts on two milliseconds would mean the pool is not advancing (2^-80 odds otherwise).
    expect(a.slice(14)).not.toBe(b.slice(14));
  });
});
