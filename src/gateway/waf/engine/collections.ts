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

/** Array.isArray, as a type guard TypeScript also applies to readonly arrays. */
export function isList(
  found: CollectionEntry | readonly CollectionEntry[],
): found is readonly CollectionEntry[] {
  return Array.isArray(found);
}

export class Collection {
  /**
   * Built on the first value: a transaction opens ten collections (TX, ARGS, FILES...) and most
   * stay empty, yet each waits with its transaction for the shop's answer (GC copies it).
   */
  private list: CollectionEntry[] | null = null;
  /**
   * Lower-case key -> its entry, or its entries when the key holds several values (an array only
   * then: TX alone holds some 60 keys of one value each, kept while the transaction waits).
   */
  private index: Map<string, CollectionEntry | CollectionEntry[]> | null = null;

  get size(): number {
    return this.list === null ? 0 : this.list.length;
  }

  entries(): readonly CollectionEntry[] {
    return this.list ?? EMPTY;
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
    (this.list ??= []).push(entry);
    const index = (this.index ??= new Map());
    const lower = key.toLowerCase();
    const same = index.get(lower);
    if (same === undefined) index.set(lower, entry);
    else if (Array.isArray(same)) same.push(entry);
    else index.set(lower, [same, entry]);
  }

  /** Replaces every value of a key with one (setvar). */
  set(key: string, value: string): void {
    const same = this.index?.get(key.toLowerCase());
    if (same !== undefined && !Array.isArray(same)) {
      same.value = value;
      return;
    }
    if (same) this.delete(key);
    this.add(key, value);
  }

  clear(): void {
    this.list = null;
    this.index = null;
  }

  delete(key: string): void {
    const lower = key.toLowerCase();
    if (this.index === null || !this.index.delete(lower)) return;
    this.list = (this.list ?? []).filter((entry) => entry.key.toLowerCase() !== lower);
  }

  /** Every value of a key, given in lower case. */
  getLower(keyLower: string): readonly CollectionEntry[] {
    const found = this.lookup(keyLower);
    return found === undefined ? EMPTY : isList(found) ? found : [found];
  }

  /** The entry of a key given in lower case, or its entries when it has several; no allocation. */
  lookup(keyLower: string): CollectionEntry | readonly CollectionEntry[] | undefined {
    return this.index?.get(keyLower);
  }

  /** The first value of a key (any case), for macros and numeric setvar. */
  first(key: string): string | undefined {
    const found = this.lookup(key.toLowerCase());
    return found === undefined ? undefined : isList(found) ? found[0]?.value : found.value;
  }

  toRecord(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const entry of this.entries()) record[entry.key] = entry.value;
    return record;
  }

  static fromRecord(record: Record<string, string>): Collection {
    const collection = new Collection();
    for (const [key, value] of Object.entries(record)) collection.add(key, value);
    return collection;
  }
}

const EMPTY: readonly CollectionEntry[] = Object.freeze([]);

/**
 * MATCHED_VARS: every rule clears it and every match adds to it, yet few rules read it (chained
 * links of CRS). Matches are kept in two reused arrays and become collection entries only when
 * something reads the collection, so most transactions build none.
 */
export class MatchedVariables extends Collection {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private pending = 0;
  /** Whether the entries reflect every pending match. */
  private built = true;

  /** One matched value (MATCHED_VAR_NAME and MATCHED_VAR). */
  record(name: string, value: string): void {
    this.names[this.pending] = name;
    this.values[this.pending] = value;
    this.pending++;
    this.built = false;
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    super.clear();
    for (let i = 0; i < this.pending; i++) super.add(this.names[i] as string, this.values[i] as string);
  }

  override get size(): number {
    return this.pending;
  }

  override entries(): readonly CollectionEntry[] {
    this.build();
    return super.entries();
  }

  override add(key: string, value: string): void {
    this.build();
    this.record(key, value);
    super.add(key, value);
    this.built = true;
  }

  override set(key: string, value: string): void {
    this.build();
    super.set(key, value);
    this.resync();
  }

  override delete(key: string): void {
    this.build();
    super.delete(key);
    this.resync();
  }

  override clear(): void {
    this.pending = 0;
    if (super.size > 0) super.clear();
    this.built = true;
  }

  override getLower(keyLower: string): readonly CollectionEntry[] {
    this.build();
    return super.getLower(keyLower);
  }

  override lookup(keyLower: string): CollectionEntry | readonly CollectionEntry[] | undefined {
    this.build();
    return super.lookup(keyLower);
  }

  override first(key: string): string | undefined {
    this.build();
    return super.first(key);
  }

  override toRecord(): Record<string, string> {
    this.build();
    return super.toRecord();
  }

  /** After a direct write (setvar on MATCHED_VARS): the pending list follows the entries. */
  private resync(): void {
    const entries = super.entries();
    this.pending = 0;
    for (const entry of entries) {
      this.names[this.pending] = entry.key;
      this.values[this.pending] = entry.value;
      this.pending++;
    }
    this.built = true;
  }
}
