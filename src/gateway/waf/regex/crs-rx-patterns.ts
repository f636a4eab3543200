/**
 * Test helper (gateway/waf/regex): pulls every `@rx` pattern out of a CRS rules folder with a
 * minimal SecLang reader (line continuations, quoted arguments, `\"` escapes), so the
 * translator can be checked against the real rule set without the full parser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CrsPattern {
  id: string;
  file: string;
  pattern: string;
}

function splitArguments(directive: string): string[] {
  const args: string[] = [];
  let at = 0;
  while (at < directive.length) {
    while (at < directive.length && /\s/.test(directive[at]!)) at++;
    if (at >= directive.length) break;
    let arg = '';
    if (directive[at] === '"') {
      at++;
      while (at < directive.length && directive[at] !== '"') {
        if (directive[at] === '\\' && directive[at + 1] === '"') {
          arg += '"';
          at += 2;
        } else arg += directive[at++];
      }
      at++;
    } else {
      while (at < directive.length && !/\s/.test(directive[at]!)) arg += directive[at++];
    }
    args.push(arg);
  }
  return args;
}

export function crsRxPatterns(rulesDir: string): CrsPattern[] {
  const patterns: CrsPattern[] = [];
  for (const file of readdirSync(rulesDir)
    .filter((name) => name.endsWith('.conf'))
    .sort()) {
    let pending = '';
    for (const line of readFileSync(join(rulesDir, file), 'latin1').split('\n')) {
      if (pending === '' && /^\s*#/.test(line)) continue;
      if (line.endsWith('\\')) {
        pending += line.slice(0, -1);
        continue;
      }
      const directive = (pending + line).trim();
      pending = '';
      if (!/^SecRule\s/.test(directive)) continue;
      const [, , operator = '', actions = ''] = splitArguments(directive);
      const match = /^!?@rx (.*)$/s.exec(operator);
      if (match)
        patterns.push({ id: /id:(\d+)/.exec(actions)?.[1] ?? '(chained)', file, pattern: match[1]! });
    }
  }
  return patterns;
}
