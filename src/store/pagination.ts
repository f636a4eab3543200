/**
 * Page sizes and opaque cursors for every list in the store (store layer).
 *
 * Ids are ULID-based, so newest-first is simply descending id order and a cursor only has
 * to remember the last id handed out. It is base64url so callers treat it as opaque and
 * never build one by hand; anything that does not decode back to a plausible id is
 * rejected with `invalid_cursor` before it reaches SQL.
 *
 * @example decodeCursor(encodeCursor('evt_01JD3Q7Z9X8K2M4N6P8R0T2V4W')) // 'evt_01JD3Q7Z9X8K2M4N6P8R0T2V4W'
 */
import { EnsuresecError } from '../core/errors.js';
import type { Page } from './store.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
const MAX_CURSOR_ID_CHARS = 256;
/** Printable ASCII without spaces: every id the platform makes fits, and nothing odd gets through. */
const CURSOR_ID_PATTERN = /^[\x21-\x7e]+$/;

/** Clamps a requested page size into 1..500; anything that is not a number gets the default. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The last id of the previous page; throws EnsuresecError('invalid_cursor') for anything else. */
export function decodeCursor(cursor: string): string {
  const invalid = () =>
    new EnsuresecError('invalid_cursor', { detail: 'The cursor was not issued by this server.' });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_ID_CHARS * 2)
    throw invalid();
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Node's decoder skips junk silently; re-encoding catches cursors that were altered.
  if (encodeCursor(id) !== cursor) throw invalid();
  if (id.length > MAX_CURSOR_ID_CHARS || !CURSOR_ID_PATTERN.test(id)) throw invalid();
  return id;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says another page
 * exists, so it is dropped and the cursor points at the last row kept.
 */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  limit: number,
  parse: (row: Row) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return {
    items: kept.map(parse),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}

/** The clamped limit and the id to continue below, from a caller's page request. */
export function pageParams(request: { limit?: number; cursor?: string }): {
  limit: number;
  beforeId: string | undefined;
} {
  return {
    limit: clampLimit(request.limit),
    beforeId:
      request.cursor === undefined || request.cursor === null ? undefined : decodeCursor(request.cursor),
  };
}
