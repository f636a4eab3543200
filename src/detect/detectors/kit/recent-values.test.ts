import { describe, expect, it } from 'vitest';
import { rememberRecent } from './recent-values.js';

describe('recent values', () => {
  it('moves a known value to the end instead of repeating it', () => {
    const list = ['a', 'b', 'c'];
    rememberRecent(list, 'a', 3);
    expect(list).toEqual(['b', 'c', 'a']);
  });

  it('drops the oldest value beyond max', () => {
    const list = ['a', 'b'];
    rememberRecent(list, 'c', 2);
    expect(list).toEqual(['b', 'c']);
  });

  it('ignores an unknown value', () => {
    const list = ['a'];
    rememberRecent(list, undefined, 2);
    expect(list).toEqual(['a']);
  });
});
