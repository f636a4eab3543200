/**
 * Loads and checks `ensuresec.yaml`. Errors name the key and the line:
 * `ensuresec.yaml:7: gateway.port: must be at most 65535`.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { EnsuresecError } from '../../core/errors.js';
import { configSchema, type EnsuresecConfig } from './schema.js';

export interface ConfigProblem {
  key: string;
  line: number | null;
  message: string;
}

export interface LoadedConfig {
  config: EnsuresecConfig;
  /** The file read, or null when defaults were used. */
  path: string | null;
}

function formatProblems(file: string, problems: ConfigProblem[]): string {
  return problems
    .map(
      (problem) =>
        `${file}${problem.line ? `:${problem.line}` : ''}: ${problem.key || '(top level)'}: ${problem.message}`,
    )
    .join('\n');
}

/** Parses YAML text against the schema; throws EnsuresecError('config_invalid') listing every problem. */
export function parseConfig(text: string, file = 'ensuresec.yaml'): EnsuresecConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => ({
      key: '',
      line: error.linePos?.[0]?.line ?? null,
      message: error.message.split('\n')[0] ?? 'invalid YAML',
    }));
    throw new EnsuresecError('config_invalid', { detail: formatProblems(file, problems), details: problems });
  }
  const raw: unknown = document.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lineOf = (path: PropertyKey[]): number | null => {
    let node: unknown = undefined;
    for (let depth = path.length; depth >= 0 && !isNode(node); depth--) {
      node = document.getIn(path.slice(0, depth) as (string | number)[], true);
    }
    const offset = isNode(node) && node.range ? node.range[0] : undefined;
    return offset === undefined ? null : lineCounter.linePos(offset).line;
  };
  const problems = result.error.issues.flatMap((issue: z.core.$ZodIssue): ConfigProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        // The key's own line: getIn on a map returns the value node, so look for the pair's key.
        return {
          key: path.map(String).join('.'),
          line: lineOfKey(path) ?? lineOf(issue.path),
          message: 'unknown key',
        };
      });
    }
    return [{ key: issue.path.map(String).join('.'), line: lineOf(issue.path), message: issue.message }];
  });
  function lineOfKey(path: PropertyKey[]): number | null {
    const parent = document.getIn(path.slice(0, -1) as (string | number)[], true);
    if (!isMap(parent)) return null;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
    const offset = pair && isScalar(pair.key) && pair.key.range ? pair.key.range[0] : undefined;
    return offset === undefined ? null : lineCounter.linePos(offset).line;
  }
  throw new EnsuresecError('config_invalid', { detail: formatProblems(file, problems), details: problems });
}

/**
 * Reads the configuration. An explicit path must exist; without one, `./ensuresec.yaml` is used
 * when present and the defaults otherwise.
 */
export function loadConfig(explicitPath?: string): LoadedConfig {
  const path = explicitPath ?? 'ensuresec.yaml';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && explicitPath === undefined) {
      return { config: configSchema.parse({}), path: null };
    }
    throw new EnsuresecError('config_not_found', {
      detail: `Cannot read ${path}: ${(error as Error).message}`,
    });
  }
  return { config: parseConfig(text, path), path };
}
