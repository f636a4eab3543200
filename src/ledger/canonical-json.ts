/**
 * RFC 8785 JSON Canonicalization Scheme (ledger, no I/O): the one byte encoding of a record that
 * the ledger hashes, so the same record always gives the same leaf whoever serialises it.
 * Keys are sorted by UTF-16 code units, numbers use the ECMAScript Number-to-String rules and
 * strings the JSON.stringify escapes, which is exactly what JCS prescribes. Values outside the
 * I-JSON data model are refused instead of being silently dropped (JSON.stringify would drop
 * `undefined`, turn NaN into null and call toJSON), because that would let two different
 * records hash the same.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
import { EnsuresecError } from '../core/errors.js';

/** Deep enough for any record we log; shallow enough that hostile input cannot exhaust the stack. */
export const MAX_CANONICAL_DEPTH = 200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The canonical JSON text of a value; throws `validation_failed` naming the path of a non-JSON value. */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$', 0, new Set());
}

/** The UTF-8 bytes of the canonical text: what the ledger hashes into a leaf. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function serialise(value: unknown, path: string, depth: number, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) refuse(path, `the number ${String(value)} has no JSON form`);
      // Number#toString is the ES serialisation JCS names, and already writes -0 as "0".
      return String(value);
    case 'string':
      return serialiseString(value, path);
    case 'object':
      return serialiseContainer(value, path, depth, ancestors);
    default:
      return refuse(path, `a ${typeof value} is not a JSON value`);
  }
}

function serialiseString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) refuse(path, 'the string holds a lone UTF-16 surrogate (not I-JSON)');
  return JSON.stringify(value);
}

function serialiseContainer(value: object, path: string, depth: number, ancestors: Set<object>): string {
  if (depth >= MAX_CANONICAL_DEPTH) refuse(path, `nesting is deeper than ${MAX_CANONICAL_DEPTH} levels`);
  if (ancestors.has(value)) refuse(path, 'the value refers to itself (a cycle)');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        items.push(serialise(value[i] as unknown, `${path}[${i}]`, depth + 1, ancestors));
      }
      return `[${items.join(',')}]`;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      refuse(path, `a ${kind} is not plain JSON; convert it first (dates to ISO strings)`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, the order RFC 8785 §3.2.3 requires.
    const members = Object.keys(record)
      .sort()
      .map((key) => {
        const memberPath = `${path}.${key}`;
        return `${serialiseString(key, memberPath)}:${serialise(record[key], memberPath, depth + 1, ancestors)}`;
      });
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function refuse(path: string, why: string): never {
  throw new EnsuresecError('validation_failed', {
    detail: `Cannot canonicalise the record at ${path}: ${why}.`,
    details: { path },
  });
}
