import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

describe('line splitter', () => {
  it('splits on LF, drops a CR before it, and reports the byte offset after each line', () => {
    const splitter = new LineSplitter({ maxLineBytes: 100 });
    expect(splitter.push(Buffer.from('ab\r\ncafé\nx'))).toEqual([
      { text: 'ab', offset: 0, endOffset: 4 },
      { text: 'café', offset: 4, endOffset: 10 },
    ]);
    expect(splitter.bufferedBytes).toBe(1);
    expect(splitter.end()).toEqual({ text: 'x', offset: 10, endOffset: 11 });
    expect(splitter.end()).toBeNull();
  });

  it('joins a line split across chunks, even inside a UTF-8 character', () => {
    const splitter = new LineSplitter({ maxLineBytes: 100 });
    const bytes = Buffer.from('é\n');
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1))).toEqual([{ text: 'é', offset: 0, endOffset: 3 }]);
  });

  it('cuts a line over the limit once, with a sample, without holding it all', () => {
    const splitter = new LineSplitter({ maxLineBytes: 10 });
    const lines = [
      ...splitter.push(Buffer.from('short\n0123456789abcdef')),
      ...splitter.push(Buffer.alloc(5000, 'z')),
    ];
    expect(splitter.bufferedBytes).toBeGreaterThan(5000);
    lines.push(...splitter.push(Buffer.from('zz\nnext\n')));
    expect(lines.map((line) => [line.text.slice(0, 16), line.tooLong ?? false, line.endOffset])).toEqual([
      ['short', false, 6],
      ['0123456789abcdef', true, 6 + 16 + 5000 + 3],
      ['next', false, 6 + 16 + 5000 + 3 + 5],
    ]);
  });

  it('cuts a too-long line that arrives in one chunk', () => {
    const splitter = new LineSplitter({ maxLineBytes: 4 });
    expect(splitter.push(Buffer.from('abcdefgh\nok\n'))).toEqual([
      { text: 'abcdefgh', offset: 0, endOffset: 9, tooLong: true },
      { text: 'ok', offset: 9, endOffset: 12 },
    ]);
  });

  it('reads invalid UTF-8 as replacement characters', () => {
    const splitter = new LineSplitter({ maxLineBytes: 100 });
    expect(splitter.push(Buffer.from([0x61, 0xff, 0xc3, 0x0a]))[0]?.text).toBe('a\uFFFD\uFFFD');
  });
});
