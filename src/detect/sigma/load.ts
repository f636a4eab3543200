/**
 * Sigma rule loader (detect/sigma): reads rule files from files and directories (recursively,
 * `.yml` and `.yaml`, in a stable sorted order). A file or rule that does not parse is reported
 * in `problems` as `file#document: reason` and never stops the others; a second rule with an
 * id already loaded is a problem too (the first one wins).
 *
 * @example
 * const { rules, correlations, problems } = await loadSigmaRules(['rules/', 'my-rules/']);
 * for (const p of problems) console.warn(problemText(p));
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CorrelationRule } from '../correlation/types.js';
import { parseSigmaText } from './parse.js';
import type { SigmaProblem, SigmaRule } from './types.js';

export interface LoadedSigmaRules {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  problems: SigmaProblem[];
  /** Rule files read. */
  files: number;
}

const RULE_FILE = /\.ya?ml$/i;

async function ruleFiles(
  path: string,
  seen: Set<string>,
  out: string[],
  problems: SigmaProblem[],
): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    problems.push({
      code: 'sigma_rule_invalid',
      file: path,
      reason: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
    return;
  }
  if (info.isFile()) {
    out.push(path);
    return;
  }
  if (!info.isDirectory()) return;
  const real = await realpath(path);
  if (seen.has(real)) return; // a symbolic link back up the tree
  seen.add(real);
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory() || entry.isSymbolicLink()) await ruleFiles(child, seen, out, problems);
    else if (entry.isFile() && RULE_FILE.test(entry.name)) out.push(child);
  }
}

/** Loads every rule under the given files and directories. Never throws for a bad rule or path. */
export async function loadSigmaRules(paths: string | readonly string[]): Promise<LoadedSigmaRules> {
  const result: LoadedSigmaRules = { rules: [], correlations: [], problems: [], files: 0 };
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of typeof paths === 'string' ? [paths] : paths)
    await ruleFiles(path, seen, files, result.problems);
  const owner = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      result.problems.push({
        code: 'sigma_rule_invalid',
        file,
        reason: `cannot read: ${(error as Error).message}`,
      });
      continue;
    }
    result.files++;
    const parsed = parseSigmaText(text, file);
    result.problems.push(...parsed.problems);
    for (const rule of [...parsed.rules, ...parsed.correlations]) {
      const first = owner.get(rule.id);
      if (first !== undefined) {
        result.problems.push({
          code: 'sigma_rule_invalid',
          file,
          document: rule.document,
          ruleId: rule.id,
          title: rule.title,
          reason: `duplicate rule id '${rule.id}' (first loaded from ${first}); this one is skipped`,
        });
        continue;
      }
      owner.set(rule.id, file);
      if ('type' in rule) result.correlations.push(rule);
      else result.rules.push(rule);
    }
  }
  return result;
}
