/**
 * Target resolution (gateway/waf/engine): turns a rule's compiled targets into the values the
 * operator sees — `ARGS`, `ARGS:id`, `REQUEST_HEADERS:/^x-/`, `&TX:score`, `XML:/*` — minus the
 * rule's exclusions (`!ARGS:pwd`) and those ctl:ruleRemoveTarget* added for this transaction.
 */
import { isList, type Collection, type CollectionEntry } from './collections.js';
import type { CompiledExclusion, CompiledTarget, KeyMatcher } from './program.js';

/**
 * Resolved values, written into arrays that are reused from rule to rule: no object per value,
 * no array per rule (most rules of a request read one TX variable and match nothing).
 */
export class ValueBuffer {
  /** `ARGS:id`, `REQUEST_URI`, as logged in MATCHED_VAR_NAME. */
  readonly names: string[] = [];
  readonly values: string[] = [];
  size = 0;
  /** The phase run the values were resolved for, where a buffer caches a target's values. */
  run = 0;
  /** The most values held since the last forget(): the slots that may still hold strings. */
  private highWater = 0;

  add(name: string, value: string): void {
    this.names[this.size] = name;
    this.values[this.size] = value;
    this.size++;
  }

  reset(): void {
    if (this.size > this.highWater) this.highWater = this.size;
    this.size = 0;
  }

  /** Empties the buffer and lets go of the strings it held (a request body), keeping the arrays. */
  forget(): void {
    this.reset();
    this.run = 0;
    for (let i = 0; i < this.highWater; i++) {
      this.names[i] = '';
      this.values[i] = '';
    }
    this.highWater = 0;
  }
}

/** `*_NAMES` collections are views of their base collection: the value is the key. */
export const NAMES_VIEWS: Readonly<Record<string, string>> = {
  ARGS_NAMES: 'ARGS',
  ARGS_GET_NAMES: 'ARGS_GET',
  ARGS_POST_NAMES: 'ARGS_POST',
  REQUEST_HEADERS_NAMES: 'REQUEST_HEADERS',
  REQUEST_COOKIES_NAMES: 'REQUEST_COOKIES',
  RESPONSE_HEADERS_NAMES: 'RESPONSE_HEADERS',
  FILES_NAMES: 'FILES',
  MATCHED_VARS_NAMES: 'MATCHED_VARS',
};

/**
 * Sources that hold the request and response as they arrived: they change only between phases
 * (the body processor fills ARGS_POST before phase 2, response headers arrive before phase 3),
 * never while rules run, unless a rule writes one with setvar (compile.ts checks). Within a
 * phase, the values of a target list read from these alone can be resolved and transformed once
 * and shared by every rule with the same targets and pipeline (evaluate.ts).
 */
export const STABLE_SOURCES: ReadonlySet<string> = new Set([
  'ARGS',
  'ARGS_GET',
  'ARGS_POST',
  'ARGS_NAMES',
  'ARGS_GET_NAMES',
  'ARGS_POST_NAMES',
  'REQUEST_HEADERS',
  'REQUEST_HEADERS_NAMES',
  'REQUEST_COOKIES',
  'REQUEST_COOKIES_NAMES',
  'FILES',
  'FILES_NAMES',
  'RESPONSE_HEADERS',
  'RESPONSE_HEADERS_NAMES',
  'REQUEST_METHOD',
  'REQUEST_PROTOCOL',
  'REQUEST_URI',
  'REQUEST_URI_RAW',
  'REQUEST_FILENAME',
  'REQUEST_BASENAME',
  'REQUEST_LINE',
  'QUERY_STRING',
  'REQUEST_BODY',
  'RESPONSE_BODY',
  'XML',
]);

export interface VariableSource {
  collection(name: string): Collection | undefined;
  scalar(name: string): string | undefined;
  xml(): { text: string; attributes: string[] } | undefined;
}

const NO_ENTRIES: readonly CollectionEntry[] = Object.freeze([]);

function keyMatches(matcher: KeyMatcher, key: string): boolean {
  if (matcher.keyRegex) return matcher.keyRegex.test(key);
  if (matcher.keyLower !== undefined) return matcher.keyLower === key.toLowerCase();
  return true;
}

function excluded(collection: string, key: string, exclusions: readonly CompiledExclusion[]): boolean {
  for (const exclusion of exclusions) {
    if (exclusion.collection === collection && keyMatches(exclusion, key)) return true;
  }
  return false;
}

/** The entries a target selects: one entry (a key of one value) or a list. */
function selectEntries(
  collection: Collection,
  target: CompiledTarget,
): CollectionEntry | readonly CollectionEntry[] {
  if (target.keyLower !== undefined && !target.keyRegex)
    return collection.lookup(target.keyLower) ?? NO_ENTRIES;
  if (target.keyRegex) {
    const regex = target.keyRegex;
    return collection.entries().filter((entry) => regex.test(entry.key));
  }
  return collection.entries();
}

function qualifiedName(entry: CollectionEntry, name: string, view: boolean): string {
  if (view) {
    if (entry.viewFor !== name || entry.viewName === undefined) {
      entry.viewFor = name;
      entry.viewName = `${name}:${entry.key}`;
    }
    return entry.viewName;
  }
  if (entry.qualifiedFor !== name || entry.qualifiedName === undefined) {
    entry.qualifiedFor = name;
    entry.qualifiedName = `${name}:${entry.key}`;
  }
  return entry.qualifiedName;
}

/** The i-th of selected entries: a key of one value is its entry, without a list around it (collections.ts). */
function entryAt(selected: CollectionEntry | readonly CollectionEntry[], i: number): CollectionEntry {
  return isList(selected) ? selected[i]! : selected;
}

/** Appends the values of one target to `out`. */
export function resolveTarget(
  source: VariableSource,
  target: CompiledTarget,
  exclusions: readonly CompiledExclusion[],
  out: ValueBuffer,
): void {
  const name = target.collection;
  if (name === 'XML') {
    const xml = source.xml();
    if (!xml) return;
    if (target.count) out.add('XML', String(target.keyLower === '//@*' ? xml.attributes.length : 1));
    else if (target.keyLower === '//@*') for (const value of xml.attributes) out.add('XML', value);
    else out.add('XML', xml.text);
    return;
  }
  const viewOf = NAMES_VIEWS[name];
  const collection = source.collection(viewOf ?? name);
  if (collection) {
    const selected = selectEntries(collection, target);
    const size = isList(selected) ? selected.length : 1;
    if (target.count) {
      let count = 0;
      for (let i = 0; i < size; i++) if (!excluded(name, entryAt(selected, i).key, exclusions)) count++;
      out.add(target.key === undefined ? name : `${name}:${target.key}`, String(count));
      return;
    }
    const noExclusions = exclusions.length === 0;
    for (let i = 0; i < size; i++) {
      const entry = entryAt(selected, i);
      if (!noExclusions && excluded(name, entry.key, exclusions)) continue;
      out.add(qualifiedName(entry, name, viewOf !== undefined), viewOf ? entry.key : entry.value);
    }
    return;
  }
  const value = source.scalar(name);
  if (target.count) {
    out.add(name, value === undefined ? '0' : '1');
    return;
  }
  if (value !== undefined && (exclusions.length === 0 || !excluded(name, '', exclusions)))
    out.add(name, value);
}
