import { describe, expect, it } from 'vitest';
import { Collection, MatchedVariables, type CollectionEntry } from './collections.js';

describe('MatchedVariables (MATCHED_VARS built only when read)', () => {
  it('reads as a collection of the recorded matches, in order, keys case-insensitive', () => {
    const vars = new MatchedVariables();
    vars.record('ARGS:id', '1 OR 1=1');
    vars.record('REQUEST_HEADERS:User-Agent', 'sqlmap');
    vars.record('ARGS:id', 'second');
    expect(vars.size).toBe(3);
    expect(vars.entries().map((e) => [e.key, e.value])).toEqual([
      ['ARGS:id', '1 OR 1=1'],
      ['REQUEST_HEADERS:User-Agent', 'sqlmap'],
      ['ARGS:id', 'second'],
    ]);
    expect(vars.getLower('request_headers:user-agent').map((e) => e.value)).toEqual(['sqlmap']);
    expect(vars.first('args:ID')).toBe('1 OR 1=1');
    expect(vars.toRecord()).toEqual({ 'ARGS:id': 'second', 'REQUEST_HEADERS:User-Agent': 'sqlmap' });
  });

  it('clear empties it whether or not it was read, and later matches are seen', () => {
    const vars = new MatchedVariables();
    vars.record('ARGS:a', 'x');
    vars.clear();
    expect(vars.size).toBe(0);
    expect(vars.entries()).toEqual([]);
    vars.record('ARGS:b', 'y');
    expect(vars.entries().map((e) => e.key)).toEqual(['ARGS:b']);
    vars.clear();
    vars.record('ARGS:c', 'z');
    expect(vars.getLower('args:b')).toEqual([]);
    expect(vars.getLower('args:c').map((e) => e.value)).toEqual(['z']);
  });

  it('direct writes (setvar) behave as on any collection and keep later reads consistent', () => {
    const vars = new MatchedVariables();
    const plain = new Collection();
    for (const target of [vars, plain]) {
      target.add('ARGS:a', '1');
      target.add('ARGS:b', '2');
      target.set('ARGS:a', '3');
      target.add('ARGS:a', '4');
      target.delete('args:b');
    }
    vars.record('ARGS:c', '5');
    plain.add('ARGS:c', '5');
    expect(vars.entries().map((e) => [e.key, e.value])).toEqual(plain.entries().map((e) => [e.key, e.value]));
    expect(vars.size).toBe(plain.size);
  });
});

describe('Collection (a key of one value is held without a list)', () => {
  it('keeps every value of a key in order as it grows from one value to several and back', () => {
    const args = new Collection();
    expect(args.lookup('a')).toBeUndefined();
    expect(args.first('a')).toBeUndefined();
    args.add('A', '1');
    expect(args.lookup('a')).toMatchObject({ key: 'A', value: '1' });
    expect(args.getLower('a').map((e) => e.value)).toEqual(['1']);
    args.add('a', '2');
    args.add('b', 'x');
    args.add('A', '3');
    expect((args.lookup('a') as readonly CollectionEntry[]).map((e) => e.value)).toEqual(['1', '2', '3']);
    expect(args.first('A')).toBe('1');
    expect(args.entries().map((e) => `${e.key}=${e.value}`)).toEqual(['A=1', 'a=2', 'b=x', 'A=3']);
    // setvar on a key of several values replaces them with one.
    args.set('a', '9');
    expect(args.getLower('a').map((e) => e.value)).toEqual(['9']);
    expect(args.entries().map((e) => `${e.key}=${e.value}`)).toEqual(['b=x', 'a=9']);
    // setvar on a key of one value changes it in place, keeping its position.
    args.set('B', 'y');
    expect(args.entries().map((e) => `${e.key}=${e.value}`)).toEqual(['b=y', 'a=9']);
    args.delete('A');
    expect(args.lookup('a')).toBeUndefined();
    expect(args.size).toBe(1);
    args.clear();
    expect(args.entries()).toEqual([]);
    expect(args.getLower('b')).toEqual([]);
  });
});
