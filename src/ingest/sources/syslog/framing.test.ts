import { describe, expect, it } from 'vitest';
import { SyslogFrameDecoder, type Frame } from './framing.js';

const text = (frames: Frame[]) =>
  frames.map((frame) => ('message' in frame ? frame.message.toString() : `!${frame.error}`));

describe('syslog TCP framing', () => {
  it('reads octet-counted and newline-framed messages mixed on one stream', () => {
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: 1000 });
    expect(
      text(decoder.push(Buffer.from('11 <13>1 - - -<13>Oct 11 22:14:15 a b\n15 <13>1 - - - a\nb'))),
    ).toEqual(['<13>1 - - -', '<13>Oct 11 22:14:15 a b', '<13>1 - - - a\nb']);
  });

  it('reassembles frames split at every byte', () => {
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: 1000 });
    const stream = Buffer.from('5 <13>a\n\n<14>line two\n12 <15>xyzxyzxy');
    const frames: Frame[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(text(frames)).toEqual(['<13>a', '<14>line two', '<15>xyzxyzxy']);
  });

  it('skips an octet-counted message over the limit by its count, and reads the next', () => {
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: 8 });
    const big = `<13>${'x'.repeat(20)}`;
    expect(text(decoder.push(Buffer.from(`${big.length} ${big.slice(0, 10)}`)))).toEqual([
      '!message_too_large',
    ]);
    expect(text(decoder.push(Buffer.from(`${big.slice(10)}6 <13>ok`)))).toEqual(['<13>ok']);
  });

  it('skips a newline-framed message over the limit up to its newline', () => {
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: 8 });
    expect(text(decoder.push(Buffer.from('<13>aaaaaaaaaaaa')))).toEqual(['!message_too_large']);
    expect(text(decoder.push(Buffer.from('aaaa\n<13>ok\n')))).toEqual(['<13>ok']);
  });

  it('reports a count not followed by a space, and recovers at the next newline', () => {
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: 100 });
    expect(text(decoder.push(Buffer.from('12x junk\n<13>after\n')))).toEqual(['!bad_frame', '<13>after']);
  });

  it('gives a last unterminated line at the end of the connection, and reports a cut octet frame', () => {
    const line = new SyslogFrameDecoder({ maxMessageBytes: 100 });
    line.push(Buffer.from('<13>tail'));
    expect(text(line.end())).toEqual(['<13>tail']);
    const counted = new SyslogFrameDecoder({ maxMessageBytes: 100 });
    counted.push(Buffer.from('20 <13>cut'));
    expect(text(counted.end())).toEqual(['!bad_frame']);
  });
});
