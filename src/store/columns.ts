/**
 * Turning record fields into the query columns stored beside the JSON (store layer).
 * Callers validate records with the core schemas, but the store still refuses values it
 * cannot index rather than writing a row no query would find.
 */
import { EnsuresecError } from '../core/errors.js';

/** Epoch milliseconds of an ISO time; throws validation_failed naming the field otherwise. */
export function epochMsOf(isoTime: string, field: string): number {
  const ms = typeof isoTime === 'string' ? Date.parse(isoTime) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new EnsuresecError('validation_failed', {
      detail: `${field} must be an ISO 8601 time, got ${JSON.stringify(isoTime)}.`,
    });
  }
  return ms;
}

export function optionalEpochMsOf(isoTime: string | null | undefined, field: string): number | null {
  return isoTime === null || isoTime === undefined ? null : epochMsOf(isoTime, field);
}

/** JSON text of a record or setting; throws validation_failed when JSON cannot hold it. */
export function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EnsuresecError('validation_failed', {
      detail: `${what} cannot be stored as JSON.`,
      cause: error,
    });
  }
  if (text === undefined)
    throw new EnsuresecError('validation_failed', { detail: `${what} cannot be stored as JSON.` });
  return text;
}

export function fromJsonText<T>(text: string): T {
  // The store wrote this text itself from a validated record, so the cast restores its type.
  return JSON.parse(text) as T;
}
