/**
 * AccessRecord: one web-server access-log line, parsed, before it becomes a SecurityEvent
 * (ingest, access-log source). The line parsers (clf.ts, jsonl.ts) fill it; to-event.ts
 * maps it. Strings are decoded (escapes undone) but not yet cut to the schema's limits.
 */
import type { MalformedReason } from '../dead-letter.js';

export interface AccessRecord {
  timeMs: number;
  clientIp: string;
  clientPort?: number;
  /** `%u` / `$remote_user` when not `-`. */
  user?: string;
  method: string;
  /** The request target as sent (path and query, or an absolute URL through a proxy). */
  path: string;
  protocol?: string;
  /** Set when the request line was not `METHOD target [HTTP/x.y]`: TLS on a plain port, `""`, junk. */
  invalidRequest?: 'empty' | 'unparsable';
  status: number;
  responseBytes: number;
  requestBytes?: number;
  latencyMs?: number;
  referer?: string;
  userAgent?: string;
  /** The virtual host (`%v`, `$host`, `$server_name`). */
  host?: string;
  serverPort?: number;
  requestId?: string;
  /** Which layout the line had: `combined`, `common`, `vhost-combined`, `vhost-common`, `json`. */
  layout: string;
}

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; reason: MalformedReason };

export function malformed(reason: MalformedReason): { ok: false; reason: MalformedReason } {
  return { ok: false, reason };
}
