/**
 * Messages between the gateway's thread and its WAF worker threads (gateway/waf/pool). Each
 * exchange lives in one worker, from its request headers to its logging phase; the gateway
 * thread only forwards what the inspection hooks receive and applies what comes back (the
 * verdict, the findings for the SecurityEvent, the match lines and the audit record).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { BlockVerdict, InspectionFindings } from '../../inspection.js';

export interface WorkerInit {
  /** Rule files in load order (globs allowed), as loadRuleFiles takes them. */
  ruleFiles: string[];
  /** Live persistent-collection records to start from. */
  collections: CollectionRecord[];
  /** SecCollectionTimeout fallback when the rules set none. */
  collectionTimeoutSec: number;
}

export interface CollectionRecord {
  collection: string;
  key: string;
  variables: Record<string, string>;
}

/** What the worker needs of an InspectionContext (structured-cloneable). */
export interface ExchangeStart {
  requestId: string;
  clientIp: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders?: string[];
  httpVersion?: string;
  protocol?: string;
  clientPort?: number;
  route: string;
}

export type ToWorker =
  | { type: 'requestHeaders'; id: number; exchange: ExchangeStart }
  | { type: 'requestBody'; id: number; body: Uint8Array }
  /** Request headers and a small body at once: phase 1, then phase 2 unless phase 1 blocked. */
  | { type: 'request'; id: number; exchange: ExchangeStart; body: Uint8Array }
  | { type: 'responseHeaders'; id: number; response: { status: number; headers: IncomingHttpHeaders } }
  | { type: 'responseBody'; id: number; body: Uint8Array }
  /** The exchange ended before its last phase (Inspector.onEnd): log it and let it go. */
  | { type: 'end'; id: number }
  | { type: 'reload'; seq: number; ruleFiles: string[] }
  | { type: 'collection'; record: CollectionRecord; timeoutSec: number };

export interface PhaseReply {
  type: 'phase';
  id: number;
  verdict?: BlockVerdict;
  findings?: InspectionFindings;
  matchLines?: string[];
  /** The audit record (ModSecurity v3 JSON layout) when the exchange was logged. */
  auditLog?: unknown;
  /** The engine failed on this exchange: the gateway treats it as it treats a throwing inspector. */
  error?: string;
  /**
   * The exchange's phase 3 cannot interrupt it (WafInspector.responseHeadersMayBlock): the
   * gateway sends the response headers on without waiting for their answer.
   */
  responseHeadersCannotBlock?: true;
}

export type FromWorker =
  | { type: 'ready'; rules: number; settings: WorkerSettings }
  | { type: 'failed'; error: string }
  | PhaseReply
  | { type: 'reloaded'; seq: number; ok: true; rules: number; settings: WorkerSettings }
  | { type: 'reloaded'; seq: number; ok: false; error: string }
  | { type: 'collection'; record: CollectionRecord; timeoutSec: number };

/** The engine settings the gateway thread needs synchronously (wantsRequestBody / wantsResponseBody). */
export interface WorkerSettings {
  requestBodyAccess: boolean;
  responseBodyAccess: boolean;
  responseBodyMimeTypes: string[];
}
