/**
 * The prefilter's analysis (gateway/waf/regex): a table of patterns and the literals they need
 * (fixtures/required-literals.json), and its one promise checked on every @rx of CRS 4.28.0:
 * whatever input a pattern matches holds one of its required literals. Inputs are strings
 * generated from each pattern's own syntax tree (random walks, kept when the regex matches them)
 * and the libinjection attack corpora.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegexNode } from './ast.js';
import { compileByteRegex } from './byte-regex.js';
import { crsRxPatterns } from './crs-rx-patterns.js';
import { foldLiteral, LiteralIndex } from './literal-index.js';
import { parsePcre } from './parse-pcre.js';
import { conditionalLiterals, plainRequiredLiterals, requiredLiterals } from './required-literals.js';

interface LiteralCase {
  pattern: string;
  literals: string[] | null;
  why: string;
}

const fixtures = join(import.meta.dirname, 'fixtures');
const shared = join(import.meta.dirname, '../../../../../shared');
const cases = JSON.parse(readFileSync(join(fixtures, 'required-literals.json'), 'utf8')) as LiteralCase[];

/** A deterministic pseudo-random source, so a failure is reproducible. */
function randomSource(seed: number): (n: number) => number {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

/** A string along one random path through the tree (assertions and look-arounds ignored). */
function sample(node: RegexNode, pick: (n: number) => number, groups: string[] = []): string {
  switch (node.type) {
    case 'set': {
      const members: number[] = [];
      for (let byte = 0; byte < 256; byte++) if (node.set.has(byte)) members.push(byte);
      return members.length === 0 ? '' : String.fromCharCode(members[pick(members.length)]!);
    }
    case 'seq':
      return node.items.map((item) => sample(item, pick, groups)).join('');
    case 'alt':
      return sample(node.options[pick(node.options.length)]!, pick, groups);
    case 'repeat': {
      const extra = Number.isFinite(node.max) ? Math.min(node.max - node.min, 3) : 3;
      const count = node.min + pick(extra + 1);
      let out = '';
      for (let i = 0; i < count; i++) out += sample(node.node, pick, groups);
      return out;
    }
    case 'group': {
      const text = sample(node.node, pick, groups);
      if (node.capture !== null) groups[node.capture] = text;
      return text;
    }
    case 'atomic':
      return sample(node.node, pick, groups);
    case 'backref':
      return groups[node.group] ?? '';
    case 'assert':
    case 'look':
      return '';
  }
}

function corpusLines(): string[] {
  const dir = join(shared, 'reference/libinjection-data/data');
  const lines: string[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => /^(sqli|xss)-.*\.txt$/.test(name))
    .sort()) {
    for (const line of readFileSync(join(dir, file), 'latin1').split('\n'))
      if (line.length > 0) lines.push(line);
  }
  return lines;
}

describe('required literals', () => {
  for (const testCase of cases) {
    it(`${testCase.why}: /${testCase.pattern}/ -> ${JSON.stringify(testCase.literals)}`, () => {
      expect(requiredLiterals(parsePcre(testCase.pattern).root)).toEqual(testCase.literals);
    });
  }

  it('holds on every CRS pattern: each matched input contains one of the literals', () => {
    const corpus = corpusLines();
    expect(corpus.length).toBeGreaterThan(1000);
    let filtered = 0;
    let checkedMatches = 0;
    for (const { id, pattern } of crsRxPatterns(join(shared, 'crs/rules'))) {
      const literals = requiredLiterals(parsePcre(pattern).root);
      if (literals === null) continue;
      filtered++;
      const index = new LiteralIndex(literals);
      const regex = compileByteRegex(pattern);
      const pick = randomSource(Number(id.replace(/\D/g, '')) || 7);
      const root = parsePcre(pattern).root;
      const inputs = [...corpus];
      for (let i = 0; i < 40; i++) {
        const generated = sample(root, pick);
        inputs.push(generated, `prefix ${generated} suffix`, generated.toUpperCase());
      }
      for (const input of inputs) {
        if (!regex.test(input)) continue;
        checkedMatches++;
        if (index.scan(input).length === 0)
          throw new Error(
            `${id}: /${pattern}/ matched ${JSON.stringify(input)} without any of ${literals.join(', ')}`,
          );
      }
    }
    expect(filtered).toBeGreaterThan(250);
    expect(checkedMatches).toBeGreaterThan(5000);
  }, 120_000);
});

describe('conditional literals', () => {
  const crs = [...crsRxPatterns(join(shared, 'crs/rules'))];
  const gapped = ['932230', '932235', '932260', '932340'];

  it('give the CRS gapped command-name rules a prefilter the plain analysis cannot', () => {
    for (const id of gapped) {
      const found = crs.find((rule) => rule.id === id);
      expect(found, id).toBeDefined();
      const root = parsePcre(found!.pattern).root;
      expect(plainRequiredLiterals(root), id).toBeNull();
      const conditional = conditionalLiterals(root);
      expect(conditional, id).not.toBeNull();
      // The gaps start with quotes, a backslash or `$`; none of them is ordinary text.
      expect(conditional!.trigger, id).toEqual(expect.arrayContaining(['"', "'", '\\', '$']));
      for (const byte of conditional!.trigger) expect(byte, id).not.toMatch(/^[a-z0-9\s]$/i);
      expect(conditional!.literals.length, id).toBeGreaterThan(0);
      expect(requiredLiterals(root)).toEqual([...conditional!.trigger, ...conditional!.literals].sort());
    }
    const busybox = conditionalLiterals(parsePcre(crs.find((rule) => rule.id === '932230')!.pattern).root);
    expect(busybox!.literals).toEqual(expect.arrayContaining(['busybox', 'nohup', 'strace']));
  });

  it('hold on gapped matches with the trigger bytes taken out', () => {
    let checked = 0;
    for (const { id, pattern } of crs) {
      const root = parsePcre(pattern).root;
      if (plainRequiredLiterals(root) !== null) continue;
      const conditional = conditionalLiterals(root);
      if (conditional === null) continue;
      const regex = compileByteRegex(pattern);
      const index = new LiteralIndex(conditional.literals);
      const pick = randomSource(Number(id.replace(/\D/g, '')) || 11);
      for (let i = 0; i < 400; i++) {
        let text = sample(root, pick);
        for (const byte of conditional.trigger) text = text.split(byte).join('');
        if (!regex.test(text)) continue;
        checked++;
        if (index.scan(text).length === 0)
          throw new Error(`${id}: matched ${JSON.stringify(text)} without a trigger byte or literal`);
      }
      // With a trigger byte the regex runs as before: the prefilter must let such values through.
      const all = new LiteralIndex(requiredLiterals(root)!);
      for (const byte of conditional.trigger) expect(all.scan(`plain ${byte} text`).length, id).toBe(1);
    }
    expect(checked).toBeGreaterThan(100);
  }, 120_000);

  it('let trigger-free values without a literal go, and catch a literal behind gaps', () => {
    const found = crs.find((rule) => rule.id === '932230')!;
    const index = new LiteralIndex(requiredLiterals(parsePcre(found.pattern).root)!);
    const regex = compileByteRegex(found.pattern);
    expect(index.scan('value number 7 for the order form, plain text')).toEqual([]);
    for (const attack of [
      'nohup arj x',
      'time gcc-8 x',
      'b"u"sybox gcc-8 x',
      'n\\ohup arj x',
      "w'a'tch arj x",
    ]) {
      expect(regex.test(attack), attack).toBe(true);
      expect(index.scan(attack).length, attack).toBeGreaterThan(0);
    }
  });
});

describe('literal index', () => {
  it('finds every literal present, overlapping ones included, each once, folding ASCII case', () => {
    const index = new LiteralIndex(['he', 'she', 'his', 'hers', '<SCRIPT']);
    const found = index.scan('USHERS ushers <script>').map((id) => index.literals[id]);
    expect(found.sort()).toEqual(['<script', 'he', 'hers', 'she']);
    expect(index.scan('nothing to see')).toEqual([]);
  });

  it('agrees with a plain substring search on random byte strings', () => {
    const pick = randomSource(42);
    const alphabet = 'abAB<>/ \u00e9\u00c9';
    const word = (length: number): string =>
      Array.from({ length }, () => alphabet[pick(alphabet.length)]).join('');
    const literals = Array.from({ length: 60 }, () => word(1 + pick(4)));
    const index = new LiteralIndex(literals);
    for (let round = 0; round < 500; round++) {
      const value = word(pick(40));
      const expected = index.literals.filter((literal) => foldLiteral(value).includes(literal)).sort();
      expect(
        index
          .scan(value)
          .map((id) => index.literals[id])
          .sort(),
      ).toEqual(expected);
    }
  });

  it('unites scan results without duplicates', () => {
    const index = new LiteralIndex(['ab', 'cd', 'ef']);
    expect(
      index.union([index.scan('ab cd'), index.scan('cd ef'), []]).map((id) => index.literals[id]),
    ).toEqual(['ab', 'cd', 'ef']);
  });
});
