import { describe, expect, it } from 'vitest';
import { isEnsuresecError } from '../core/errors.js';
import { canonicalJson, canonicalJsonBytes } from './canonical-json.js';
import { readFixture } from './test-support.js';

function numberFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function refusal(value: unknown): string {
  try {
    canonicalJson(value);
  } catch (error) {
    if (isEnsuresecError(error) && error.code === 'validation_failed') return error.message;
    throw error;
  }
  throw new Error('the value was accepted');
}

describe('RFC 8785 canonical JSON', () => {
  it.each(['rfc8785-3.2.2-sample', 'rfc8785-3.2.3-sorting'])('reproduces the RFC example %s', (name) => {
    const input = JSON.parse(readFixture(`jcs/${name}.input.txt`)) as unknown;
    expect(canonicalJson(input)).toBe(readFixture(`jcs/${name}.expected.txt`));
  });

  it('serialises every Appendix B number as the RFC does, and refuses NaN and Infinity', () => {
    const rows = readFixture('jcs/rfc8785-appendix-b-numbers.txt')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(' ') as [string, string]);
    expect(rows).toHaveLength(26);
    for (const [bits, want] of rows) {
      if (want === 'ERROR') expect(refusal(numberFromBits(bits))).toMatch(/no JSON form/);
      else expect(canonicalJson(numberFromBits(bits)), bits).toBe(want);
    }
  });

  it('gives the same bytes whatever the key order, and UTF-8 bytes for hashing', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe(
      canonicalJson({ a: 'x', b: [1, { c: 2, d: 1 }] }),
    );
    expect(Buffer.from(canonicalJsonBytes({ k: '€' })).toString('hex')).toBe('7b226b223a22e282ac227d');
  });

  it('refuses values outside JSON with the path of the culprit', () => {
    expect(refusal({ a: { b: undefined } })).toMatch(/\$\.a\.b: a undefined/);
    expect(refusal([() => 1])).toMatch(/\$\[0\]: a function/);
    expect(refusal({ n: Infinity })).toMatch(/Infinity/);
    expect(refusal({ n: 10n })).toMatch(/bigint/);
    expect(refusal({ when: new Date(0) })).toMatch(/Date is not plain JSON/);
    expect(refusal({ s: 'a\uD800b' })).toMatch(/lone UTF-16 surrogate/);
    expect(refusal({ ['\uDC00']: 1 })).toMatch(/lone UTF-16 surrogate/);
    expect(refusal(Symbol('x'))).toMatch(/symbol/);
  });

  it('refuses cycles and hostile nesting without overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(cyclic)).toMatch(/cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal(deep)).toMatch(/deeper than/);
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});
