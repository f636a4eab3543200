/**
 * Loading playbooks (response / playbooks): YAML files from the built-in folder and the
 * configured directories, each checked on its own. A file that does not validate is refused
 * with `file:line: key: message` problems and the others load; a second playbook of the same
 * name is refused too, so which one runs is never a surprise.
 *
 * @example
 *   const { playbooks, problems } = loadPlaybooks({ builtins: true, dirs: ['/etc/ensuresec/playbooks'] });
 *   for (const problem of problems) logger.warn(formatPlaybookProblem(problem));
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { playbookSchema, type Playbook } from './schema.js';

export interface PlaybookProblem {
  file: string;
  line: number | null;
  /** The key path, e.g. `steps.1.duration`; empty for the whole file. */
  key: string;
  message: string;
}

export interface LoadedPlaybook {
  playbook: Playbook;
  /** The file it came from (`builtin:<name>.yaml` for the shipped ones). */
  source: string;
  builtin: boolean;
}

export interface LoadedPlaybooks {
  playbooks: LoadedPlaybook[];
  problems: PlaybookProblem[];
}

export type ParsedPlaybook = { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

export const BUILTIN_PLAYBOOKS_DIR = fileURLToPath(new URL('./builtin/', import.meta.url));
const MAX_FILE_BYTES = 256 * 1024;

export function formatPlaybookProblem(problem: PlaybookProblem): string {
  const where = problem.line === null ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.key || '(top level)'}: ${problem.message}`;
}

function lineFinder(document: Document, lineCounter: LineCounter) {
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? null : lineCounter.linePos(offset).line;
  const lineOf = (path: readonly PropertyKey[]): number | null => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node: unknown = document.getIn(path.slice(0, depth) as (string | number)[], true);
      if (isNode(node)) return lineAt(node.range?.[0]);
      if (depth === 0) return lineAt(document.contents?.range?.[0]);
    }
    return null;
  };
  /** An unknown key's own line: getIn on a map returns the value, so look for the pair's key. */
  const lineOfKey = (path: readonly PropertyKey[]): number | null => {
    const parent = document.getIn(path.slice(0, -1) as (string | number)[], true);
    if (!isMap(parent)) return null;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
    return pair && isScalar(pair.key) ? lineAt(pair.key.range?.[0]) : null;
  };
  return { lineOf, lineOfKey };
}

/** Parses one playbook file's text; `file` names it in the problems. */
export function parsePlaybook(text: string, file: string): ParsedPlaybook {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        file,
        line: error.linePos?.[0]?.line ?? null,
        key: '',
        message: error.message.split('\n')[0] ?? 'invalid YAML',
      })),
    };
  }
  const raw: unknown = document.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [{ file, line: 1, key: '', message: 'a playbook is a mapping (name, trigger, steps)' }],
    };
  }
  const result = playbookSchema.safeParse(raw);
  if (result.success) return { ok: true, playbook: result.data };
  const { lineOf, lineOfKey } = lineFinder(document, lineCounter);
  const problems = result.error.issues.flatMap((issue: z.core.$ZodIssue): PlaybookProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        return {
          file,
          line: lineOfKey(path) ?? lineOf(issue.path),
          key: path.map(String).join('.'),
          message: 'unknown key',
        };
      });
    }
    return [
      { file, line: lineOf(issue.path), key: issue.path.map(String).join('.'), message: issue.message },
    ];
  });
  return { ok: false, problems };
}

/** Reads and parses one file (at most 256 KiB). */
export function loadPlaybookFile(path: string, displayName = path): ParsedPlaybook {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES)
      return {
        ok: false,
        problems: [{ file: displayName, line: null, key: '', message: 'larger than 256 KiB' }],
      };
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [
        { file: displayName, line: null, key: '', message: `cannot be read: ${(error as Error).message}` },
      ],
    };
  }
  return parsePlaybook(text, displayName);
}

function yamlFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Loads the built-ins (when on) and every `*.yaml` / `*.yml` of each directory, in name order. */
export function loadPlaybooks(options: { builtins: boolean; dirs: readonly string[] }): LoadedPlaybooks {
  const playbooks: LoadedPlaybook[] = [];
  const problems: PlaybookProblem[] = [];
  const sources: { path: string; display: string; builtin: boolean }[] = [];
  if (options.builtins) {
    for (const path of yamlFilesIn(BUILTIN_PLAYBOOKS_DIR))
      sources.push({ path, display: `builtin:${path.slice(BUILTIN_PLAYBOOKS_DIR.length)}`, builtin: true });
  }
  for (const dir of options.dirs) {
    try {
      for (const path of yamlFilesIn(dir)) sources.push({ path, display: path, builtin: false });
    } catch (error) {
      problems.push({
        file: dir,
        line: null,
        key: '',
        message: `cannot be read: ${(error as Error).message}`,
      });
    }
  }
  const byName = new Map<string, string>();
  for (const source of sources) {
    const parsed = loadPlaybookFile(source.path, source.display);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const earlier = byName.get(parsed.playbook.name);
    if (earlier !== undefined) {
      problems.push({
        file: source.display,
        line: 1,
        key: 'name',
        message: `playbook "${parsed.playbook.name}" is already loaded from ${earlier}; this file is ignored`,
      });
      continue;
    }
    byName.set(parsed.playbook.name, source.display);
    playbooks.push({ playbook: parsed.playbook, source: source.display, builtin: source.builtin });
  }
  return { playbooks, problems };
}
