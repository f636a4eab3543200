import { describe, expect, it } from 'vitest';
import { isoTime } from './fast-time.js';

describe('isoTime', () => {
  it('formats exactly as Date#toISOString, across seconds in any order', () => {
    const times = [
      Date.parse('2025-06-01T10:20:30.000Z'),
      Date.parse('2025-06-01T10:20:30.007Z'),
      Date.parse('2025-06-01T10:20:30.042Z'),
      Date.parse('2025-06-01T10:20:30.999Z'),
      Date.parse('2025-06-01T10:20:31.000Z'),
      Date.parse('2025-06-01T10:20:30.500Z'),
      Date.parse('1969-12-31T23:59:59.123Z'),
      0,
      Date.parse('2099-12-31T23:59:59.999Z'),
    ];
    for (const timeMs of times) expect(isoTime(timeMs)).toBe(new Date(timeMs).toISOString());
  });

  it('handles fractional milliseconds as Date does', () => {
    expect(isoTime(1_700_000_000_123.75)).toBe(new Date(1_700_000_000_123.75).toISOString());
  });

  it('throws on a time Date cannot hold, as toISOString does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(9e15)).toThrow(RangeError);
    expect(isoTime(1_000)).toBe('1970-01-01T00:00:01.000Z');
  });
});
