/**
 * Collections of a transaction (gateway/waf/engine): ARGS, REQUEST_HEADERS, TX... Keys are
 * case-insensitive as in ModSecurity (ARGS:ID and ARGS:id are the same member); a key may hold
 * several values (two `a=` query arguments), each kept in arrival order.
 */

export interface CollectionEntry {
  /** The key as it arrived (logged as `ARGS:Id`). */
  key: string;
  value: string;
  /**
   * `ARGS:Id` for the collection name in `qualifiedFor`, built on first use: every rule that
   * reads the entry logs the same name, so it is concatenated once per entry, not per rule.
   */
  qualifiedFor?: string;
  qualifiedName?: string;
  /** The same for the `*_NAMES` view of the collection (`ARGS_NAMES:Id`). */
  viewFor?: string;
  viewName?: string;
}

export class Collection {
  private list: CollectionEntry[] = [];
  private readonly index = new Map<string, CollectionEntry[]>();

  get size(): number {
    return this.list.length;
  }

  entries(): readonly CollectionEntry[] {
    return this.list;
  }

  /** Adds a value, keeping the others of the same key. */
  add(key: string, value: string): void {
    const entry: CollectionEntry = {
      key,
      value,
      qualifiedFor: undefined,
      qualifiedName: undefined,
      viewFor: undefined,
      viewName: undefined,
    };
    this.list.push(entry);
    const lower = key.toLowerCase();
    const same = this.index.get(lower);
    if (same) same.push(entry);
    else this.index.set(lower, [entry]);
  }

  /** Replaces every value of a key with one (setvar). */
  set(key: string, value: string): void {
    const same = this.index.get(key.toLowerCase());
    if (same && same.length === 1 && same[0]) {
      same[0].value = value;
      return;
    }
    if (same) this.delete(key);
    this.add(key, value);
  }

  clear(): void {
    if (this.list.length === 0) return;
    this.list = [];
    this.index.clear();
  }

  delete(key: string): void {
    const lower = key.toLowerCase();
    if (!this.index.delete(lower)) return;
    this.list = this.list.filter((entry) => entry.key.toLowerCase() !== lower);
  }

  /** Every value of a key, given in lower case. */
  getLower(keyLower: string): readonly CollectionEntry[] {
    return this.index.get(keyLower) ?? EMPTY;
  }

  /** The first value of a key (any case), for macros and numeric setvar. */
  first(key: string): string | undefined {
    return this.index.get(key.toLowerCase())?.[0]?.value;
  }

  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const entry of this.list) record[entry.key] = entry.value;
    return record;
  }

  static fromRecord(record: Record<string, string>): Collection {
    const collection = new Collection();
    for (const [key, value] of Object.entries(record)) collection.add(key, value);
    return collection;
  }
}

const EMPTY: readonly CollectionEntry[] = Object.freeze([]);
