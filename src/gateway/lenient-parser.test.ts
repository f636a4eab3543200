import { describe, expect, it } from 'vitest';
import { parseLenient } from './lenient-parser.js';

const limits = { maxHeadBytes: 1024, maxBodyBytes: 64 };
const parse = (text: string) => parseLenient(Buffer.from(text, 'latin1'), limits);

describe('lenient request parser', () => {
  it('reads what llhttp refuses: an unknown method, raw bytes in the target, an unknown version', () => {
    const request = parse('TEST /a?\xe2\x91\xa0 HTTP/4.0\r\nHost: x\r\nX-A: 1\r\nX-A: 2\r\n\r\n');
    expect(request).toMatchObject({ method: 'TEST', target: '/a?\xe2\x91\xa0', version: 'HTTP/4.0' });
    expect(request.rawHeaders).toEqual(['Host', 'x', 'X-A', '1', 'X-A', '2']);
    expect(request.headers['x-a']).toBe('1, 2');
    expect(request.headComplete).toBe(true);
  });

  it('keeps leading whitespace in the method and reads a version-less line', () => {
    expect(parse('\tGET /get HTTP/1.1\r\n\r\n')).toMatchObject({ method: '\tGET', target: '/get' });
    expect(parse('GET / \r\nHost: x\r\n\r\n')).toMatchObject({ method: 'GET', target: '/', version: '' });
  });

  it('accepts bare LF line ends and joins obs-folded values', () => {
    const request = parse('GET / HTTP/1.1\nX-Long: a\n  b\nHost: x\n\n');
    expect(request.rawHeaders).toEqual(['X-Long', 'a b', 'Host', 'x']);
    expect(request.problems).toContain('obsolete line folding');
  });

  it('decodes a chunked body when Content-Length is sent too, and says so', () => {
    const text =
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nfoo\r\n4;x=y\r\n=bar\r\n0\r\n\r\nNEXT';
    const request = parse(text);
    expect(request.body.toString()).toBe('foo=bar');
    expect(request.bodyComplete).toBe(true);
    expect(request.problems).toContain('content-length and transfer-encoding');
    expect(text.slice(request.length)).toBe('NEXT');
  });

  it('takes a Content-Length body and marks one that has not fully arrived', () => {
    const whole = parse('POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET');
    expect(whole.body.toString()).toBe('abc');
    expect(whole.bodyComplete).toBe(true);
    const partial = parse('POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc');
    expect(partial.body.toString()).toBe('abc');
    expect(partial.bodyComplete).toBe(false);
  });

  it('flags bodies over the limit, invalid lengths and heads over the limit', () => {
    expect(parse('POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n').bodyTooLarge).toBe(true);
    expect(
      parse(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n${'a'.repeat(65)}\r\n0\r\n\r\n`)
        .bodyTooLarge,
    ).toBe(true);
    expect(parse('POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\nab').problems).toContain(
      'an invalid content-length',
    );
    expect(parse(`GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}\r\n\r\n`).headTooLarge).toBe(true);
  });

  it('never throws on random bytes', () => {
    let state = 7;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(1 + (i % 300));
      for (let j = 0; j < bytes.length; j++) {
        state = (state * 1_103_515_245 + 12_345) >>> 0;
        bytes[j] = state & 0xff;
      }
      expect(() => parseLenient(bytes, limits)).not.toThrow();
    }
  });
});
