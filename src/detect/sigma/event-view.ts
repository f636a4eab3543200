/**
 * One event as the compiled rules see it (detect/sigma): field values by slot number, each
 * resolved and stringified (and lowercased) at most once per event, whatever the number of
 * rules that read it. One view is reused for every event: `reset` bumps a generation number
 * instead of clearing the caches, so evaluating an event allocates only the strings it needs.
 * `contains` needles are answered from one Aho-Corasick scan per field and case mode, run the
 * first time a rule asks about that field for this event.
 */
import type { SecurityEvent } from '../../core/records/security-event.js';
import { AhoCorasick } from './aho-corasick.js';
import type { FieldAccessor, FieldValue } from './field-map.js';
import type { NeedleIndex } from './string-match.js';

/** Collects the needles of every rule by field and case mode, then builds their scans. */
export class NeedleRegistry implements NeedleIndex {
  private readonly byKey = new Map<number, Map<string, number>>();
  private count = 0;

  id(slot: number, cased: boolean, text: string): number {
    const key = slot * 2 + (cased ? 1 : 0);
    let needles = this.byKey.get(key);
    if (!needles) this.byKey.set(key, (needles = new Map()));
    let id = needles.get(text);
    if (id === undefined) needles.set(text, (id = this.count++));
    return id;
  }

  get size(): number {
    return this.count;
  }

  /** One automaton per (slot, case mode) key, indexed by key; null where no needle is wanted. */
  build(slots: number): Array<AhoCorasick | null> {
    const automata = new Array<AhoCorasick | null>(slots * 2).fill(null);
    for (const [key, needles] of this.byKey)
      automata[key] = new AhoCorasick([...needles.entries()], { foldAscii: key % 2 === 0 });
    return automata;
  }
}

/** A field as text: one string, several (an array field), or undefined when absent or null. */
export type FieldText = string | readonly string[] | undefined;

function toText(value: FieldValue, lower: boolean): FieldText {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return lower ? value.toLowerCase() : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!Array.isArray(value)) return undefined; // an object is no value a rule can compare
  const out: string[] = [];
  for (const item of value) {
    if (item === undefined || item === null || typeof item === 'object') continue;
    const text = String(item as string | number | boolean);
    out.push(lower ? text.toLowerCase() : text);
  }
  return out;
}

export class EventView {
  event: SecurityEvent = undefined as unknown as SecurityEvent;
  private generation = 1;
  private readonly raws: FieldValue[];
  private readonly lowers: FieldText[];
  private readonly texts: FieldText[];
  private readonly rawAt: Uint32Array;
  private readonly lowerAt: Uint32Array;
  private readonly textAt: Uint32Array;
  private readonly automata: Array<AhoCorasick | null>;
  private readonly scannedAt: Uint32Array;
  private readonly foundAt: Uint32Array;
  /** Per (slot, case mode): the generation in which the scan found at least one needle. */
  private readonly anyAt: Uint32Array;
  private markedAny = false;
  /** The needles found in this event, each once, in the order the scans found them. */
  private readonly foundIds: Int32Array;
  private foundCount = 0;
  private readonly mark = (id: number): void => {
    if (this.foundAt[id] !== this.generation) {
      this.foundAt[id] = this.generation;
      this.foundIds[this.foundCount++] = id;
    }
    this.markedAny = true;
  };

  constructor(
    private readonly accessors: readonly FieldAccessor[],
    needles: NeedleRegistry = new NeedleRegistry(),
  ) {
    const n = accessors.length;
    this.automata = needles.build(n);
    this.scannedAt = new Uint32Array(n * 2);
    this.anyAt = new Uint32Array(n * 2);
    this.foundAt = new Uint32Array(needles.size);
    this.foundIds = new Int32Array(needles.size);
    this.raws = new Array<FieldValue>(n);
    this.lowers = new Array<FieldText>(n);
    this.texts = new Array<FieldText>(n);
    this.rawAt = new Uint32Array(n);
    this.lowerAt = new Uint32Array(n);
    this.textAt = new Uint32Array(n);
  }

  reset(event: SecurityEvent): void {
    this.event = event;
    this.foundCount = 0;
    this.generation = this.generation === 0xffffffff ? 1 : this.generation + 1;
    if (this.generation === 1) {
      this.rawAt.fill(0);
      this.lowerAt.fill(0);
      this.textAt.fill(0);
      this.scannedAt.fill(0);
      this.anyAt.fill(0);
      this.foundAt.fill(0);
    }
  }

  /** True when the field (lowercased unless `cased`) contains the registered needle `id`. */
  hasNeedle(slot: number, cased: boolean, id: number): boolean {
    this.scan(slot, cased);
    return this.foundAt[id] === this.generation;
  }

  /** True when the field contains any registered needle at all (most benign values: none). */
  foundAny(slot: number, cased: boolean): boolean {
    return this.anyAt[this.scan(slot, cased)] === this.generation;
  }

  /** Runs the scan of a (slot, case mode) key now, if this event has not had it yet. */
  scanKey(key: number): void {
    this.scan(key >> 1, (key & 1) === 1);
  }

  /** How many distinct needles the scans of this event found so far. */
  get foundSize(): number {
    return this.foundCount;
  }

  /** The `index`-th needle found (0 ≤ index < foundSize). */
  foundId(index: number): number {
    return this.foundIds[index]!;
  }

  private scan(slot: number, cased: boolean): number {
    const key = slot * 2 + (cased ? 1 : 0);
    if (this.scannedAt[key] !== this.generation) {
      this.scannedAt[key] = this.generation;
      const automaton = this.automata[key];
      this.markedAny = false;
      if (automaton) {
        const raw = this.raw(slot);
        // most values are ASCII: scan them case-folded rather than make their lowercase copy
        const folded = !cased && typeof raw === 'string' && automaton.scanAsciiFolded(raw, this.mark);
        if (!folded) {
          const value = cased ? this.text(slot) : this.lower(slot);
          if (typeof value === 'string') automaton.scan(value, this.mark);
          else if (value !== undefined) for (const item of value) automaton.scan(item, this.mark);
        }
      }
      if (this.markedAny) this.anyAt[key] = this.generation;
    }
    return key;
  }

  raw(slot: number): FieldValue {
    if (this.rawAt[slot] !== this.generation) {
      this.raws[slot] = this.accessors[slot]!(this.event);
      this.rawAt[slot] = this.generation;
    }
    return this.raws[slot];
  }

  /** The value lowercased, for Sigma's default case-insensitive comparisons. */
  lower(slot: number): FieldText {
    if (this.lowerAt[slot] !== this.generation) {
      this.lowers[slot] = toText(this.raw(slot), true);
      this.lowerAt[slot] = this.generation;
    }
    return this.lowers[slot];
  }

  /** The value as written, for `cased`, `re` and `cidr`. */
  text(slot: number): FieldText {
    if (this.textAt[slot] !== this.generation) {
      this.texts[slot] = toText(this.raw(slot), false);
      this.textAt[slot] = this.generation;
    }
    return this.texts[slot];
  }
}
