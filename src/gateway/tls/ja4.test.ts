import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clientHelloRecords, type ClientHelloFields } from '../testing/client-hello.js';
import { MAX_CLIENT_HELLO_BYTES, readClientHello } from './client-hello.js';
import { isGrease, isJa4, ja4Of } from './ja4.js';

interface PublishedCase {
  name: string;
  source: string;
  serverName: string | null;
  alpn: string[];
  supportedVersions: string[];
  cipherSuites: string[];
  extensions: string[];
  signatureAlgorithms: string[];
  ja4: string;
}

const published = JSON.parse(
  readFileSync(new URL('./fixtures/ja4-published.json', import.meta.url), 'utf8'),
) as { cases: PublishedCase[] };

const hex = (values: string[]): number[] => values.map((value) => parseInt(value, 16));

/** The case's fields with GREASE values spread in, as browsers send them. */
function fieldsOf(c: PublishedCase, grease: boolean): ClientHelloFields {
  const g = (list: number[], value: number): number[] => (grease ? [value, ...list] : list);
  return {
    serverName: c.serverName,
    alpn: c.alpn,
    supportedVersions: g(hex(c.supportedVersions), 0x3a3a),
    cipherSuites: g(hex(c.cipherSuites), 0x0a0a),
    extensions: grease ? [0x2a2a, ...hex(c.extensions), 0xfafa] : hex(c.extensions),
    signatureAlgorithms: hex(c.signatureAlgorithms),
  };
}

function fingerprint(bytes: Buffer): string {
  const read = readClientHello(bytes);
  if (read.status !== 'ok') throw new Error(`ClientHello not read: ${read.status}`);
  return ja4Of(read.hello);
}

describe('JA4', () => {
  describe.each(published.cases)('$name', (c) => {
    it('gives the published fingerprint', () => {
      expect(fingerprint(clientHelloRecords(fieldsOf(c, false)))).toBe(c.ja4);
    });
    it('ignores GREASE values', () => {
      expect(fingerprint(clientHelloRecords(fieldsOf(c, true)))).toBe(c.ja4);
    });
    it('reads a ClientHello split over several records', () => {
      expect(fingerprint(clientHelloRecords({ ...fieldsOf(c, true), recordSize: 37 }))).toBe(c.ja4);
    });
  });

  it('reads the version from the record body without supported_versions, and marks no SNI and no ALPN', () => {
    const ja4 = fingerprint(
      clientHelloRecords({
        legacyVersion: 0x0303,
        cipherSuites: [0xc02f, 0x009c],
        extensions: [0x000a, 0x000b],
      }),
    );
    expect(ja4.slice(0, 10)).toBe('t12i020200');
    expect(ja4.endsWith('_')).toBe(false);
  });

  it('prints 000000000000 for an empty cipher or extension list', () => {
    const ja4 = fingerprint(clientHelloRecords({ cipherSuites: [], extensions: [0x0000], serverName: 'a' }));
    expect(ja4).toBe('t12d000100_000000000000_000000000000');
  });

  it('uses the hex form of an ALPN value that is not alphanumeric', () => {
    const ja4 = fingerprint(
      clientHelloRecords({ cipherSuites: [0x1301], extensions: [0x0010], alpn: ['\u00ab\u00cd'] }),
    );
    expect(ja4.slice(8, 10)).toBe('ad');
  });

  it('recognises GREASE values and JA4 strings', () => {
    expect([0x0a0a, 0x1a1a, 0xfafa].every(isGrease)).toBe(true);
    expect([0x0a0b, 0x1301, 0x0aba].some(isGrease)).toBe(false);
    expect(isJa4('t13d1516h2_8daaf6152771_e5627efa2ab1')).toBe(true);
    expect(isJa4('t13d1516h2_8daaf6152771')).toBe(false);
  });
});

describe('ClientHello reader', () => {
  const valid = clientHelloRecords(fieldsOf(published.cases[0] as PublishedCase, true));

  it('asks for more bytes until the ClientHello is complete', () => {
    for (const cut of [0, 1, 4, 5, 6, 40, valid.length - 1]) {
      expect(readClientHello(valid.subarray(0, cut)).status).toBe('incomplete');
    }
    const read = readClientHello(valid);
    expect(read.status === 'ok' && read.hello.recordBytes).toBe(valid.length);
  });

  it('says how many bytes it needs before it can answer', () => {
    expect(readClientHello(valid.subarray(0, 3))).toEqual({ status: 'incomplete', atLeastBytes: 5 });
    expect(readClientHello(valid.subarray(0, 9))).toEqual({
      status: 'incomplete',
      atLeastBytes: valid.length,
    });
  });

  it('refuses a ClientHello spread over too many records', () => {
    const split = clientHelloRecords({
      ...fieldsOf(published.cases[0] as PublishedCase, true),
      recordSize: 16,
    });
    expect(readClientHello(split)).toMatchObject({ status: 'invalid' });
  });

  it('refuses what is not a TLS handshake', () => {
    expect(readClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toMatchObject({ status: 'invalid' });
    expect(readClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00]))).toMatchObject({ status: 'invalid' });
    const notHello = Buffer.from(valid);
    notHello[5] = 0x02;
    expect(readClientHello(notHello)).toMatchObject({ status: 'invalid' });
  });

  it('refuses a ClientHello that announces more than the limit', () => {
    const huge = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x01, 0x00, 0x00]);
    expect(MAX_CLIENT_HELLO_BYTES).toBeLessThan(0x010000);
    expect(readClientHello(huge)).toMatchObject({ status: 'invalid' });
  });

  it('never throws on random or mutated bytes (fuzz)', () => {
    let seed = 20261127;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const outcomes = { ok: 0, incomplete: 0, invalid: 0 };
    for (let round = 0; round < 20_000; round++) {
      let input: Buffer;
      if (round % 4 === 0) {
        input = Buffer.alloc(Math.floor(random() * 600));
        for (let i = 0; i < input.length; i++) input[i] = Math.floor(random() * 256);
        if (input.length > 2 && random() < 0.5) input.set([0x16, 0x03], 0);
      } else {
        input = Buffer.from(valid);
        const flips = 1 + Math.floor(random() * 8);
        for (let f = 0; f < flips; f++)
          input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
        if (random() < 0.3) input = input.subarray(0, Math.floor(random() * input.length));
      }
      const read = readClientHello(input);
      outcomes[read.status]++;
      if (read.status === 'ok') {
        expect(read.hello.recordBytes).toBeLessThanOrEqual(input.length);
        expect(ja4Of(read.hello)).toMatch(/^t[0-9a-z]{2}[di]\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
      }
    }
    // The mutations must reach every branch, or the fuzzing proves little.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.invalid).toBeGreaterThan(100);
    expect(outcomes.incomplete).toBeGreaterThan(100);
  });
});
