/**
 * Template sets (ingest, flow source): NetFlow v9 template and options template flowsets
 * (RFC 3954 §5.2, §6.1) and IPFIX template and options template sets with enterprise
 * numbers and withdrawals (RFC 7011 §3.4, §8.1), compiled into plans and stored in the
 * exporter's bounded cache. A bad template record stops its set (counted `bad_template`);
 * the templates before it in the set are kept.
 *
 * @example readV9TemplateSet(view, start, end, { state, cache, counters });
 */
import type { ExporterCache, ExporterState } from './exporters.js';
import type { FlowCounters } from './metrics.js';
import { compilePlan, type TemplateField } from './plan.js';

/** The first data template id; lower ids are set ids (RFC 3954 §5.2, RFC 7011 §3.3.2). */
export const MIN_DATA_TEMPLATE_ID = 256;
/**
 * NetFlow v9 scope fields name a scope type (system, interface, line card...), not a field
 * type; an enterprise no element has keeps them out of the field table (they are skipped).
 */
const V9_SCOPE = 0xffffffff;

/** Where a set's templates go: the exporter's entry in the cache; bad ones are counted. */
export interface TemplateTarget {
  state: ExporterState;
  cache: ExporterCache;
  counters: FlowCounters;
}

function store(target: TemplateTarget, id: number, fields: TemplateField[], options: boolean): boolean {
  const compiled = compilePlan(id, fields, options);
  if (!compiled.ok || id < MIN_DATA_TEMPLATE_ID) {
    target.counters.dropped.bad_template++;
    return false;
  }
  target.cache.setTemplate(target.state, compiled.plan);
  return true;
}

/** `count` v9 (type, length) pairs from `q` on, all with the same enterprise; the caller checked the bounds. */
function readV9Fields(view: DataView, q: number, count: number, enterprise: number): TemplateField[] {
  const fields: TemplateField[] = [];
  for (let i = 0; i < count; i++, q += 4)
    fields.push({ id: view.getUint16(q), length: view.getUint16(q + 2), enterprise });
  return fields;
}

/** A v9 template flowset: template id, field count, then (type, length) pairs; padding ends it. */
export function readV9TemplateSet(view: DataView, start: number, end: number, target: TemplateTarget): void {
  let q = start;
  while (q + 4 <= end) {
    const id = view.getUint16(q);
    const count = view.getUint16(q + 2);
    q += 4;
    if (id === 0 && count === 0) return; // padding
    if (q + 4 * count > end) {
      target.counters.dropped.bad_template++;
      return;
    }
    const fields = readV9Fields(view, q, count, 0);
    q += 4 * count;
    if (!store(target, id, fields, false)) return;
  }
}

/** A v9 options template flowset: id, scope length and option length in octets, then the fields. */
export function readV9OptionsTemplateSet(
  view: DataView,
  start: number,
  end: number,
  target: TemplateTarget,
): void {
  let q = start;
  while (q + 6 <= end) {
    const id = view.getUint16(q);
    const scopeBytes = view.getUint16(q + 2);
    const optionBytes = view.getUint16(q + 4);
    q += 6;
    if (id === 0 && scopeBytes === 0 && optionBytes === 0) return; // padding
    if (scopeBytes % 4 !== 0 || optionBytes % 4 !== 0 || q + scopeBytes + optionBytes > end) {
      target.counters.dropped.bad_template++;
      return;
    }
    const fields = [
      ...readV9Fields(view, q, scopeBytes / 4, V9_SCOPE),
      ...readV9Fields(view, q + scopeBytes, optionBytes / 4, 0),
    ];
    q += scopeBytes + optionBytes;
    if (!store(target, id, fields, true)) return;
  }
}

/** IPFIX field specifiers: id (top bit: an enterprise number follows), length. Null if cut short. */
function readIpfixFields(
  view: DataView,
  q: number,
  end: number,
  count: number,
): [TemplateField[], number] | null {
  const fields: TemplateField[] = [];
  for (let i = 0; i < count; i++) {
    if (q + 4 > end) return null;
    const raw = view.getUint16(q);
    const length = view.getUint16(q + 2);
    q += 4;
    let enterprise = 0;
    if (raw & 0x8000) {
      if (q + 4 > end) return null;
      enterprise = view.getUint32(q);
      q += 4;
    }
    fields.push({ id: raw & 0x7fff, length, enterprise });
  }
  return [fields, q];
}

/**
 * An IPFIX template set (set id 2) or options template set (set id 3). A record with field
 * count 0 withdraws its template; template id 2 or 3 with count 0 withdraws all of the set's kind.
 */
export function readIpfixTemplateSet(
  view: DataView,
  start: number,
  end: number,
  options: boolean,
  target: TemplateTarget,
): void {
  const { state, cache, counters } = target;
  let q = start;
  while (q + 4 <= end) {
    const id = view.getUint16(q);
    const count = view.getUint16(q + 2);
    if (id === 0 && count === 0) return; // padding
    q += 4;
    if (count === 0) {
      if (id === (options ? 3 : 2)) cache.withdrawAll(state, options);
      else cache.withdraw(state, id);
      continue;
    }
    let scopeCount = 0;
    if (options) {
      if (q + 2 > end) {
        counters.dropped.bad_template++;
        return;
      }
      scopeCount = view.getUint16(q);
      q += 2;
      if (scopeCount === 0 || scopeCount > count) {
        counters.dropped.bad_template++;
        return;
      }
    }
    const read = readIpfixFields(view, q, end, count);
    if (!read) {
      counters.dropped.bad_template++;
      return;
    }
    q = read[1];
    if (!store(target, id, read[0], options)) return;
  }
}
