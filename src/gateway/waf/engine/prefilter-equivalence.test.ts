/**
 * The engine's shortcuts change no result: the literal prefilter (a rule skipped when no value
 * holds one of its operator's required literals, per value and per target), values shared by
 * rules with the same targets and pipeline (ctl-removed targets and multiMatch included) and the
 * transformation cache by pipeline step. One engine runs the CRS 4.28 as compiled; a reference
 * engine runs the same rules with every prefilter and every valuesKey removed, so each rule
 * resolves, transforms and tests each value on its own. Both see the same requests — the inputs
 * of the CRS regression tests (every third one) and seeded random requests — and must log the
 * same matches (rule, variable, value, message) and interrupt alike. Blocking paranoia level 4
 * (test/crs-regression/crs-test.conf), so every rule runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePcre } from '../regex/parse-pcre.js';
import { plainRequiredLiterals } from '../regex/required-literals.js';
import { loadRuleFiles } from '../seclang/loader.js';
import { createWafEngine, type WafEngine } from './engine.js';
import type { CompiledRule } from './program.js';
import type { WafRequest } from './transaction.js';
import { SeededRandom } from '../../../core/seeded-random.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(repositoryRoot, '../shared/crs');
const testConf = path.join(repositoryRoot, 'test/crs-regression/crs-test.conf');

function engines(): { fast: WafEngine; reference: WafEngine } {
  const ruleSet = loadRuleFiles([
    testConf,
    path.join(crsDir, 'crs-setup.conf.example'),
    path.join(crsDir, 'rules', '*.conf'),
  ]);
  const fast = createWafEngine(ruleSet);
  const reference = createWafEngine(ruleSet);
  let stripped = 0;
  let conditional = 0;
  for (const phase of reference.program.phases) {
    for (const entry of phase.entries) {
      if (entry.kind !== 'rule') continue;
      for (let link: CompiledRule | null = entry.rule; link; link = link.chained) {
        if (link.operator?.prefilter) stripped++;
        if (link.operator?.prefilter && link.operator.name === 'rx' && !link.operator.param.includes('%{'))
          if (plainRequiredLiterals(parsePcre(link.operator.param).root) === null) conditional++;
        if (link.operator) link.operator.prefilter = null;
        link.valuesKey = null;
      }
    }
  }
  // The comparison means something only if the fast engine does filter.
  expect(stripped).toBeGreaterThan(250);
  // ...and that conditional prefilters (CRS 9322xx command names with gaps) are among them.
  expect(conditional).toBeGreaterThanOrEqual(5);
  return { fast, reference };
}

interface Exchange {
  request: WafRequest;
  body?: string;
}

function outcome(engine: WafEngine, { request, body }: Exchange): unknown {
  const tx = engine.newTransaction({ ...request, uniqueId: 'equivalence' });
  tx.processRequestHeaders();
  tx.processRequestBody(body);
  tx.processResponseHeaders({ status: 200, headers: [['Content-Type', 'text/html']] });
  tx.processResponseBody('<html><body>ok</body></html>');
  const result = tx.processLogging();
  return {
    interruption: result.interruption,
    wouldInterrupt: result.wouldInterrupt,
    matches: result.matchedRules.map((match) => [match.id, match.variable, match.msg, match.logdata]),
  };
}

/** Every third CRS regression test input that is plain data (no raw or encoded request). */
function crsTestExchanges(): Exchange[] {
  const root = path.join(crsDir, 'tests/regression/tests');
  const files: string[] = [];
  for (const folder of readdirSync(root).sort())
    for (const file of readdirSync(path.join(root, folder)).sort())
      if (file.endsWith('.yaml')) files.push(path.join(root, folder, file));
  const exchanges: Exchange[] = [];
  let seen = 0;
  for (const file of files) {
    const document = (parse(readFileSync(file, 'utf8'), { schema: 'failsafe' }) ?? {}) as {
      tests?: Array<{ stages?: Array<{ input?: Record<string, unknown> }> }>;
    };
    for (const test of document.tests ?? []) {
      for (const stage of test.stages ?? []) {
        const input = stage.input ?? {};
        if (input['encoded_request'] !== undefined || input['raw_request'] !== undefined) continue;
        if (seen++ % 3 !== 0) continue;
        const headers = Object.entries((input['headers'] ?? {}) as Record<string, unknown>).map(
          ([name, value]): [string, string] => [name, String(value ?? '')],
        );
        const data = typeof input['data'] === 'string' ? input['data'] : undefined;
        exchanges.push({
          request: {
            remoteAddr: '198.51.100.7',
            method: typeof input['method'] === 'string' ? input['method'] : 'GET',
            uri: typeof input['uri'] === 'string' ? input['uri'] : '/',
            protocol: 'HTTP/1.1',
            headers,
          },
          body: data === undefined ? undefined : Buffer.from(data, 'utf8').toString('latin1'),
        });
      }
    }
  }
  return exchanges;
}

/** The shared seeded generator (core/seeded-random.ts), so a failure replays. */
function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Pieces that reach deep into rules: keywords, separators, encodings, markup. */
const PIECES = [
  'select',
  'union',
  ' or ',
  '1=1',
  "'",
  '"',
  '--',
  '/*',
  '*/',
  '<script>',
  '<',
  '>',
  '=',
  'on',
  'alert(',
  'javascript:',
  '../',
  '/etc/passwd',
  ';',
  '|',
  '`',
  '$(',
  '${',
  '%27',
  '%3C',
  '%00',
  '&#x3c;',
  '\\x3c',
  'cmd.exe',
  'eval',
  'base64',
  'php://',
  'http://',
  '@',
  '\t',
  '\n',
  'é',
  '\xff',
  'SeLeCt',
  'sleep(5)',
  '<?php',
  'document.cookie',
  'xp_cmdshell',
  'Ã©',
  '+',
  '&',
  '%u003c',
  // Command names with and without the gaps CRS 9322xx allow (conditional prefilters).
  'nohup ',
  'n\\ohup ',
  'b"u"s"y"b"o"x ',
  "t'i'm'e ",
  'w$@atch ',
  'busybox',
  ' gcc-8 ',
  ' arj ',
  'time',
  ';',
];

function randomText(random: () => number): string {
  let text = '';
  const parts = 1 + Math.floor(random() * 6);
  for (let i = 0; i < parts; i++) {
    if (random() < 0.6) text += PIECES[Math.floor(random() * PIECES.length)];
    else
      for (let n = Math.floor(random() * 8); n > 0; n--)
        text += String.fromCharCode(
          random() < 0.8 ? 0x20 + Math.floor(random() * 95) : Math.floor(random() * 256),
        );
  }
  return text;
}

function randomExchanges(count: number): Exchange[] {
  const random = seeded(20261127);
  const exchanges: Exchange[] = [];
  for (let i = 0; i < count; i++) {
    const query = `a=${encodeURIComponent(randomText(random))}&${encodeURIComponent(randomText(random))}=1`;
    const body = `name=${encodeURIComponent(randomText(random))}&note=${encodeURIComponent(randomText(random))}`;
    const post = random() < 0.5;
    exchanges.push({
      request: {
        remoteAddr: '198.51.100.7',
        method: post ? 'POST' : 'GET',
        uri: `/shop/${random() < 0.3 ? encodeURIComponent(randomText(random)) : 'item'}?${query}`,
        protocol: 'HTTP/1.1',
        headers: [
          ['Host', 'shop.example'],
          ['User-Agent', random() < 0.5 ? 'Mozilla/5.0 (X11; Linux x86_64)' : randomText(random)],
          ['Accept', 'text/html'],
          ['Cookie', `session=${randomText(random).replace(/[;\r\n]/g, '')}`],
          ['Referer', `https://shop.example/${randomText(random).replace(/[\r\n]/g, '')}`],
          ...(post
            ? ([['Content-Type', 'application/x-www-form-urlencoded']] as Array<[string, string]>)
            : []),
        ],
      },
      body: post ? body : undefined,
    });
  }
  return exchanges;
}

describe('the literal prefilter and shared values change no result (CRS 4.28, PL4)', () => {
  let fast: WafEngine;
  let reference: WafEngine;

  beforeAll(() => {
    ({ fast, reference } = engines());
  }, 60_000);

  it('on the CRS regression test inputs', () => {
    const exchanges = crsTestExchanges();
    expect(exchanges.length).toBeGreaterThan(1000);
    let matched = 0;
    for (const exchange of exchanges) {
      const expected = outcome(reference, exchange);
      expect(outcome(fast, exchange), `${exchange.request.method} ${exchange.request.uri}`).toEqual(expected);
      if ((expected as { matches: unknown[] }).matches.length > 0) matched++;
    }
    // Most of these inputs are attacks: the rules did fire, not only stay silent alike.
    expect(matched).toBeGreaterThan(exchanges.length / 2);
  }, 180_000);

  it('on seeded random requests', () => {
    for (const exchange of randomExchanges(200)) {
      expect(outcome(fast, exchange), `${exchange.request.method} ${exchange.request.uri}`).toEqual(
        outcome(reference, exchange),
      );
    }
  }, 120_000);
});
