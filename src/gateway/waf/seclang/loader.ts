/**
 * SecLang rule-file loader (gateway/waf/seclang): reads rule files (CRS setup, CRS rules, our
 * own rule files), expands Includes in place, parses, validates every name against the
 * vocabulary and checks rule ids are unique. All or nothing: the first problem throws a
 * WafLoadError with file:line, so a bad reload keeps the last good rule set running.
 *
 * Files are read as latin1 so rule text is the same byte string the engine matches against
 * (see types.ts). Data files of `@pmFromFile` resolve against `path.dirname(location.file)`.
 *
 * @example
 * const ruleSet = loadRuleFiles(['/opt/crs/crs-setup.conf', '/opt/crs/rules/*.conf']);
 * ruleSet.rules.length; ruleSet.settings.ruleEngine;
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { WafLoadError } from './errors.js';
import { expandIncludePattern } from './glob.js';
import { parseSecLang } from './parser.js';
import { applySetting } from './settings.js';
import { parseUnicodeMapping } from '../unicode/unicode-map.js';
import { validateItem, type UsedNames } from './validate.js';
import type { ConfigItem, IncludeItem, LoadedRuleSet } from './model.js';
import type { RuleSpec, SourceLocation } from '../types.js';

export interface LoadOptions {
  /** Nested Include levels allowed before the load fails (default 32). */
  maxIncludeDepth?: number;
  /** Largest rule file accepted (default 16 MiB). */
  maxFileBytes?: number;
}

const DEFAULT_MAX_INCLUDE_DEPTH = 32;
const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

class RuleFileReader {
  readonly items: ConfigItem[] = [];
  readonly files: string[] = [];
  private readonly stack: string[] = [];

  constructor(private readonly options: Required<LoadOptions>) {}

  /** Expands a pattern (an entry path or an Include) relative to baseDir and loads every match. */
  loadPattern(pattern: string, baseDir: string, from: SourceLocation): void {
    if (pattern.trim() === '') throw new WafLoadError(from, 'an empty path cannot be included');
    let matches: string[];
    try {
      matches = expandIncludePattern(pattern, baseDir);
    } catch (error) {
      throw new WafLoadError(from, `invalid Include pattern "${pattern}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (matches.length === 0) {
      throw new WafLoadError(from, `no rule file matches "${pattern}" (relative to ${baseDir})`);
    }
    for (const file of matches) this.loadFile(file, from);
  }

  loadText(text: string, file: string): void {
    this.files.push(file);
    this.stack.push(file);
    this.addItems(parseSecLang(text, file), path.dirname(file));
    this.stack.pop();
  }

  private loadFile(file: string, from: SourceLocation): void {
    let real: string;
    let text: string;
    try {
      real = realpathSync(file);
      const sizeBytes = statSync(real).size;
      if (sizeBytes > this.options.maxFileBytes) {
        throw new WafLoadError(
          from,
          `${file} is ${sizeBytes} bytes, over the ${this.options.maxFileBytes}-byte limit`,
        );
      }
      text = readFileSync(real).toString('latin1');
    } catch (error) {
      if (error instanceof WafLoadError) throw error;
      throw new WafLoadError(from, `cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (this.stack.includes(real)) {
      throw new WafLoadError(from, `Include cycle: ${[...this.stack, real].join(' -> ')}`);
    }
    if (this.stack.length >= this.options.maxIncludeDepth) {
      throw new WafLoadError(from, `Includes nest deeper than ${this.options.maxIncludeDepth} levels`);
    }
    this.files.push(real);
    this.stack.push(real);
    this.addItems(parseSecLang(text, real), path.dirname(real));
    this.stack.pop();
  }

  private addItems(items: Array<ConfigItem | IncludeItem>, baseDir: string): void {
    for (const item of items) {
      if (item.kind === 'include') this.loadPattern(item.pattern, baseDir, item.location);
      else this.items.push(item);
    }
  }
}

function ruleId(rule: RuleSpec): number | undefined {
  const id = rule.actions.find((action) => action.name === 'id')?.param;
  return id === undefined ? undefined : Number(id);
}

function finish(reader: RuleFileReader): LoadedRuleSet {
  const used: UsedNames = { operators: new Set(), transformations: new Set() };
  const rules: RuleSpec[] = [];
  const idLocations = new Map<number, SourceLocation>();
  const ruleSet: LoadedRuleSet = {
    items: reader.items,
    rules,
    settings: { componentSignatures: [] },
    files: reader.files,
    operatorsUsed: [],
    transformationsUsed: [],
  };
  for (const item of reader.items) {
    validateItem(item, used);
    if (item.kind === 'setting') applySetting(ruleSet.settings, item);
    if (item.kind !== 'rule') continue;
    rules.push(item.rule);
    const id = ruleId(item.rule);
    if (id === undefined) continue;
    const first = idLocations.get(id);
    if (first) {
      throw new WafLoadError(
        item.rule.location,
        `duplicate rule id ${id} (first defined at ${first.file}:${first.line})`,
      );
    }
    idLocations.set(id, item.rule.location);
  }
  ruleSet.operatorsUsed = [...used.operators].sort();
  ruleSet.transformationsUsed = [...used.transformations].sort();
  const unicodeMapFile = ruleSet.settings.unicodeMapFile;
  if (unicodeMapFile) ruleSet.unicodeMap = readUnicodeMap(unicodeMapFile);
  return ruleSet;
}

/** Reads the file of SecUnicodeMapFile (the last one wins, as in ModSecurity). */
function readUnicodeMap(setting: NonNullable<LoadedRuleSet['settings']['unicodeMapFile']>) {
  let text: string;
  try {
    if (statSync(setting.file).size > DEFAULT_MAX_FILE_BYTES) throw new Error('the file is over 16 MiB');
    text = readFileSync(setting.file).toString('latin1');
  } catch (error) {
    throw new WafLoadError(
      setting.location,
      `SecUnicodeMapFile: cannot read ${setting.file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return parseUnicodeMapping(text, setting.codePage);
  } catch (error) {
    throw new WafLoadError(
      setting.location,
      `SecUnicodeMapFile: ${setting.file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function resolveOptions(options: LoadOptions): Required<LoadOptions> {
  return {
    maxIncludeDepth: options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
}

/**
 * Loads rule files in the order given; each entry may be a glob (`/opt/crs/rules/*.conf`),
 * relative paths resolve against the working directory. Throws WafLoadError.
 */
export function loadRuleFiles(entryPaths: string[], options: LoadOptions = {}): LoadedRuleSet {
  const reader = new RuleFileReader(resolveOptions(options));
  for (const entry of entryPaths) {
    reader.loadPattern(entry, process.cwd(), { file: entry, line: 0 });
  }
  return finish(reader);
}

/**
 * Loads rules held in memory (virtual patches, tests); `file` names them in errors and is the
 * base for relative Includes. Throws WafLoadError.
 */
export function loadRuleText(text: string, file: string, options: LoadOptions = {}): LoadedRuleSet {
  const reader = new RuleFileReader(resolveOptions(options));
  reader.loadText(text, path.resolve(file));
  return finish(reader);
}
