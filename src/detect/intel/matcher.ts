/**
 * The indicator index (detect/intel, per event): exact hash maps for addresses, domains, URLs,
 * hashes and JA4 fingerprints, one prefix trie per address family for CIDR blocks (the
 * gateway's), and domain lookups that walk the name's suffixes, so an indicator for
 * `evil.example` matches `a.b.evil.example`. An indicator is valid from `validFromMs` up to
 * (not including) `validUntilMs`, judged by the event's time. Adding an indicator with the
 * same type, value and source as one already held replaces it (a feed refreshed).
 *
 * @example
 * const index = new IndicatorIndex();
 * index.addAll(result.indicators);
 * index.matchIp('198.51.100.7', Date.parse(event.time)); // [{ indicator, ... }]
 */
import { normaliseIp, parseIp } from '../../gateway/ip.js';
import { PrefixTrie } from '../../gateway/prefix-trie.js';
import { formatV4, formatV6, parseCidr } from './normalise.js';
import type { Indicator, IndicatorType } from './types.js';

/** A held indicator; replacing or removing one swaps what the slot holds, wherever it is indexed. */
interface Slot {
  indicator: Indicator | null;
}

type ExactType = Exclude<IndicatorType, 'cidr'>;

const NONE: readonly Indicator[] = Object.freeze([]);

export function isValidAt(indicator: Indicator, timeMs: number): boolean {
  return (
    (indicator.validFromMs === undefined || timeMs >= indicator.validFromMs) &&
    (indicator.validUntilMs === undefined || timeMs < indicator.validUntilMs)
  );
}

export function indicatorKey(indicator: Indicator): string {
  return `${indicator.type}|${indicator.value}|${indicator.source}`;
}

export class IndicatorIndex {
  private slots = new Map<string, Slot>();
  private exact = new Map<ExactType, Map<string, Slot[]>>();
  private v4 = new PrefixTrie<Slot>();
  private v6 = new PrefixTrie<Slot>();
  private readonly words = new Uint32Array(4);

  constructor(indicators: Iterable<Indicator> = []) {
    this.addAll(indicators);
  }

  /** Indicators held (expired ones included until `prune`). */
  get size(): number {
    return this.slots.size;
  }

  add(indicator: Indicator): void {
    const key = indicatorKey(indicator);
    const held = this.slots.get(key);
    if (held !== undefined) {
      held.indicator = indicator;
      return;
    }
    const slot: Slot = { indicator };
    this.slots.set(key, slot);
    if (indicator.type === 'cidr') {
      const block = parseCidr(indicator.value);
      if (block === undefined) return; // normalised values always parse
      (block.bits === 32 ? this.v4 : this.v6).insert(block.words, block.prefix, slot);
      return;
    }
    let byValue = this.exact.get(indicator.type);
    if (byValue === undefined) this.exact.set(indicator.type, (byValue = new Map()));
    const list = byValue.get(indicator.value);
    if (list === undefined) byValue.set(indicator.value, [slot]);
    else list.push(slot);
  }

  addAll(indicators: Iterable<Indicator>): void {
    for (const indicator of indicators) this.add(indicator);
  }

  /** Drops indicators expired before `nowMs`; returns how many. Rebuilds the index. */
  prune(nowMs: number): number {
    const live: Indicator[] = [];
    for (const slot of this.slots.values())
      if (
        slot.indicator &&
        (slot.indicator.validUntilMs === undefined || slot.indicator.validUntilMs > nowMs)
      )
        live.push(slot.indicator);
    const dropped = this.slots.size - live.length;
    this.slots = new Map();
    this.exact = new Map();
    this.v4 = new PrefixTrie();
    this.v6 = new PrefixTrie();
    this.addAll(live);
    return dropped;
  }

  /** Indicators for an address: the address itself and every CIDR block containing it. */
  matchIp(ip: string, timeMs: number): readonly Indicator[] {
    const bits = parseIp(normaliseIp(ip), this.words);
    if (bits === 0) return NONE;
    const canonical = bits === 32 ? formatV4(this.words[0] ?? 0) : formatV6(this.words);
    let out: Indicator[] | null = this.collectExact('ip', canonical, timeMs, null);
    const trie = bits === 32 ? this.v4 : this.v6;
    if (trie.size > 0)
      trie.forEachMatch(this.words, bits, (slot) => {
        if (slot.indicator !== null && isValidAt(slot.indicator, timeMs)) (out ??= []).push(slot.indicator);
      });
    return out ?? NONE;
  }

  /** Indicators for a host name or any domain above it (`a.evil.example` -> `evil.example`). */
  matchDomain(host: string, timeMs: number): readonly Indicator[] {
    const byValue = this.exact.get('domain');
    if (byValue === undefined || host.length === 0) return NONE;
    let name = host.charCodeAt(host.length - 1) === 46 ? host.slice(0, -1) : host;
    if (/[A-Z]/.test(name)) name = name.toLowerCase();
    let out: Indicator[] | null = null;
    for (let at = 0; at >= 0;) {
      const suffix = at === 0 ? name : name.slice(at);
      if (suffix.indexOf('.') < 0) break; // no single-label indicators
      out = this.collectExact('domain', suffix, timeMs, out);
      const dot = name.indexOf('.', at);
      at = dot < 0 ? -1 : dot + 1;
    }
    return out ?? NONE;
  }

  /** Indicators for a URL key (`host[:port]/path?query`, see normaliseUrl). */
  matchUrl(urlKey: string, timeMs: number): readonly Indicator[] {
    return this.collectExact('url', urlKey, timeMs, null) ?? NONE;
  }

  matchHash(hex: string, timeMs: number): readonly Indicator[] {
    return this.collectExact('hash', hex.toLowerCase(), timeMs, null) ?? NONE;
  }

  matchJa4(ja4: string, timeMs: number): readonly Indicator[] {
    return this.collectExact('ja4', ja4.toLowerCase(), timeMs, null) ?? NONE;
  }

  /** Whether any indicator of the type is held (lets callers skip building lookup keys). */
  has(type: IndicatorType): boolean {
    return type === 'cidr' ? this.v4.size + this.v6.size > 0 : (this.exact.get(type)?.size ?? 0) > 0;
  }

  private collectExact(
    type: ExactType,
    value: string,
    timeMs: number,
    out: Indicator[] | null,
  ): Indicator[] | null {
    const slots = this.exact.get(type)?.get(value);
    if (slots === undefined) return out;
    for (const slot of slots)
      if (slot.indicator !== null && isValidAt(slot.indicator, timeMs)) (out ??= []).push(slot.indicator);
    return out;
  }
}
