/**
 * One HTTP exchange through the WAF (gateway/waf/engine): the gateway feeds it the request
 * headers (phase 1), the request body (phase 2), the response headers (phase 3) and body
 * (phase 4), then ends it (phase 5) and reads the result. Each `process*` call returns the
 * interruption to enforce, or null. No input makes it throw: broken bodies become
 * REQBODY_ERROR, as in ModSecurity.
 *
 * @example
 * const tx = engine.newTransaction({ remoteAddr: '198.51.100.7', method: 'GET', uri: '/?q=1',
 *   protocol: 'HTTP/1.1', headers: [['Host', 'shop.example']] });
 * const stop = tx.processRequestHeaders() ?? tx.processRequestBody();
 * const result = tx.processLogging();
 */
import { Collection, MatchedVariables } from './collections.js';
import { runPhase } from './evaluate.js';
import { mayInterrupt } from './interrupters.js';
import { buildAuditRecord } from './audit.js';
import { formatMatchLine } from './results.js';
import { mediaType, parseArguments, parseCookies, splitUri } from './request-parts.js';
import { processRequestBodyInto } from './request-body.js';
import type { SharedValues } from './evaluate.js';
import type { EngineContext, ValueFacts } from './context.js';
import type { RuleEngineMode } from '../seclang/model.js';
import type { CompiledExclusion, CompiledRule, Phase } from './program.js';
import type { VariableSource } from './variables.js';
import type { OperatorContext } from '../types.js';
import type { WafInterruption, WafMatch, WafResult } from './results.js';

export interface WafRequest {
  remoteAddr: string;
  remotePort?: number;
  serverAddr?: string;
  serverPort?: number;
  serverName?: string;
  method: string;
  /** The request-target as received, undecoded (`/a?b=%27`). */
  uri: string;
  /** `HTTP/1.1`. */
  protocol: string;
  /** Raw header pairs in arrival order, values as latin1 byte strings. */
  headers: Array<[string, string]>;
  /** Defaults to a fresh id. */
  uniqueId?: string;
}

export interface WafResponse {
  status: number;
  protocol?: string;
  headers: Array<[string, string]>;
}

export interface TargetRemovals {
  exclusions: CompiledExclusion[];
  /** `\n0\n3`: the numbers of the removals applied, which tell apart the value lists they leave. */
  applied: string;
}

/** Mutable per-transaction flags that ctl: actions change. */
export interface TransactionControls {
  ruleEngine: RuleEngineMode;
  requestBodyAccess: boolean;
  requestBodyProcessor: string | undefined;
  forceRequestBodyVariable: boolean;
  auditEngine: 'On' | 'Off' | 'RelevantOnly';
  auditLogParts: string | undefined;
  removedIdRanges: Array<[number, number]>;
  removedTags: Set<string>;
  /** Chain starter -> the targets ctl:ruleRemoveTargetById/ByTag removed from it (effects.ts). */
  targetRemovals: Map<CompiledRule, TargetRemovals>;
  /** Target removals so far (numbers them). */
  targetRemovalCount: number;
}

export class WafTransaction implements VariableSource {
  readonly collections = new Map<string, Collection>();
  readonly scalars = new Map<string, string>();
  /** The stamp of this transaction's current phase run in context.scratch (evaluate.ts). */
  phaseRun = 0;
  /** valuesKey -> the values of that target list, transformed; cleared at each phase (evaluate.ts). */
  readonly sharedValues = new Map<string, SharedValues>();
  /** Value -> the literals it holds and the transformations that keep it (evaluate.ts factsOf). */
  readonly valueFacts = new Map<string, ValueFacts>();
  /** MATCHED_VARS, held directly: every rule clears it (built only when read, see collections.ts). */
  readonly matchedVars = new MatchedVariables();
  /** The last value the link being evaluated matched, and its name (evaluate.ts recordMatch). */
  lastMatchName = '';
  lastMatchValue = '';
  operatorContext: OperatorContext | null = null;
  /** Persistent collections opened by initcol, and the key they are saved under. */
  readonly initcolKeys = new Map<string, string>();
  readonly controls: TransactionControls;
  readonly matches: WafMatch[] = [];
  readonly uniqueId: string;
  readonly startedAtMs: number;
  xmlContent: { text: string; attributes: string[] } | undefined;
  interruption: WafInterruption | null = null;
  wouldInterrupt: WafInterruption | null = null;
  /** allow: 'all' stops phases 1-4, 'request' phases 1-2. */
  allowed: 'all' | 'request' | null = null;
  currentRule: CompiledRule | null = null;
  responseStatus = 0;
  private responseHeaders: Array<[string, string]> = [];
  private readonly phasesRun = new Set<Phase>();
  private result: WafResult | null = null;

  constructor(
    readonly context: EngineContext,
    readonly request: WafRequest,
  ) {
    const settings = context.settings;
    this.uniqueId = request.uniqueId ?? context.newUniqueId();
    this.startedAtMs = context.nowMs();
    this.controls = {
      ruleEngine: settings.ruleEngine,
      requestBodyAccess: settings.requestBodyAccess,
      requestBodyProcessor: undefined,
      forceRequestBodyVariable: false,
      auditEngine: settings.auditEngine,
      auditLogParts: undefined,
      removedIdRanges: [],
      removedTags: new Set(),
      targetRemovals: new Map(),
      targetRemovalCount: 0,
    };
    for (const name of ['TX', 'ARGS', 'ARGS_GET', 'ARGS_POST', 'REQUEST_HEADERS', 'REQUEST_COOKIES']) {
      this.collections.set(name, new Collection());
    }
    this.collections.set('MATCHED_VARS', this.matchedVars);
    for (const name of ['RESPONSE_HEADERS', 'FILES', 'FILES_SIZES', 'MULTIPART_PART_HEADERS']) {
      this.collections.set(name, new Collection());
    }
    this.setRequestVariables();
  }

  collection(name: string): Collection | undefined {
    return this.collections.get(name);
  }

  scalar(name: string): string | undefined {
    switch (name) {
      case 'ARGS_COMBINED_SIZE':
        return String(this.argsCombinedSize());
      case 'DURATION':
        return String((this.context.nowMs() - this.startedAtMs) * 1000);
      case 'HIGHEST_SEVERITY': {
        const severities = this.matches.map((match) => match.severity ?? 255);
        return String(severities.length === 0 ? 255 : Math.min(...severities));
      }
      default:
        return this.scalars.get(name);
    }
  }

  xml(): { text: string; attributes: string[] } | undefined {
    return this.xmlContent;
  }

  private argsCombinedSize(): number {
    let size = 0;
    for (const entry of this.collections.get('ARGS')?.entries() ?? [])
      size += entry.key.length + entry.value.length;
    return size;
  }

  private setRequestVariables(): void {
    const { request } = this;
    const parts = splitUri(request.uri);
    const set = (name: string, value: string): void => void this.scalars.set(name, value);
    set('REQUEST_METHOD', request.method);
    set('REQUEST_PROTOCOL', request.protocol);
    set('REQUEST_URI_RAW', request.uri);
    set('REQUEST_URI', parts.uri);
    set('REQUEST_FILENAME', parts.filename);
    set('REQUEST_BASENAME', parts.basename);
    set('QUERY_STRING', parts.queryString);
    set('REQUEST_LINE', `${request.method} ${request.uri} ${request.protocol}`);
    set('REMOTE_ADDR', request.remoteAddr);
    set('REMOTE_PORT', String(request.remotePort ?? 0));
    set('SERVER_ADDR', request.serverAddr ?? '');
    set('SERVER_PORT', String(request.serverPort ?? 0));
    set('UNIQUE_ID', this.uniqueId);
    set('REQBODY_ERROR', '0');
    set('REQBODY_PROCESSOR_ERROR', '0');
    set('INBOUND_DATA_ERROR', '0');
    set('OUTBOUND_DATA_ERROR', '0');
    const headers = this.collections.get('REQUEST_HEADERS');
    const cookies = this.collections.get('REQUEST_COOKIES');
    for (const [name, value] of request.headers) {
      headers?.add(name, value);
      if (name.toLowerCase() === 'cookie')
        for (const [key, cookie] of parseCookies(value)) cookies?.add(key, cookie);
    }
    const host = headers?.first('host') ?? '';
    set('SERVER_NAME', request.serverName ?? host.replace(/:\d+$/, ''));
    const args = this.collections.get('ARGS');
    const argsGet = this.collections.get('ARGS_GET');
    const limit = this.context.settings.argumentsLimit;
    for (const [name, value] of parseArguments(parts.queryString)) {
      if ((args?.size ?? 0) >= limit) break;
      argsGet?.add(name, value);
      args?.add(name, value);
    }
    const contentType = headers?.first('content-type');
    if (contentType !== undefined) {
      const type = mediaType(contentType);
      const detect = this.context.settings.detectJsonAndXmlBodies;
      if (type === 'application/x-www-form-urlencoded') this.scalars.set('REQBODY_PROCESSOR', 'URLENCODED');
      else if (type === 'multipart/form-data') this.scalars.set('REQBODY_PROCESSOR', 'MULTIPART');
      else if (detect && /^application\/(?:[a-z0-9.-]+\+)?json$/.test(type))
        this.scalars.set('REQBODY_PROCESSOR', 'JSON');
      else if (detect && /^(?:application(?:\/soap\+|\/)|text\/)xml$/.test(type))
        this.scalars.set('REQBODY_PROCESSOR', 'XML');
    }
  }

  private run(phase: Phase): WafInterruption | null {
    if (this.phasesRun.has(phase)) return this.interruption;
    this.phasesRun.add(phase);
    if (this.controls.ruleEngine === 'Off') return null;
    if (this.interruption && phase !== 5) return this.interruption;
    if (phase < 5 && (this.allowed === 'all' || (this.allowed === 'request' && phase <= 2))) return null;
    runPhase(this, phase);
    // After the request phases the transaction waits for the shop's answer, often long enough for
    // its caches to be promoted to the old generation; dropped now, they die young instead.
    // The response phases see new values (response headers and body), so little is lost.
    if (phase === 2 || phase === 4) this.dropCaches();
    return this.interruption;
  }

  private dropCaches(): void {
    this.valueFacts.clear();
    this.clearPhaseCaches();
    this.context.scratch.release();
  }

  /** Drops what is valid only within a phase: the request data may grow between phases. */
  clearPhaseCaches(): void {
    this.sharedValues.clear();
    this.phaseRun = this.context.scratch.nextRun();
  }

  /** Phase 1. */
  processRequestHeaders(): WafInterruption | null {
    return this.run(1);
  }

  /** Phase 2, after the body processor named by Content-Type or ctl:requestBodyProcessor. */
  processRequestBody(body?: Buffer | string): WafInterruption | null {
    if (!this.phasesRun.has(1)) this.processRequestHeaders();
    if (this.phasesRun.has(2)) return this.interruption;
    if (!this.interruption && body !== undefined && body.length > 0 && this.controls.requestBodyAccess) {
      const text = typeof body === 'string' ? body : body.toString('latin1');
      const rejected = processRequestBodyInto(this, text);
      if (rejected && this.controls.ruleEngine === 'On') {
        this.interruption = { action: 'deny', status: 413, ruleId: 0, phase: 2 };
        this.phasesRun.add(2);
        return this.interruption;
      }
    }
    return this.run(2);
  }

  /** Phase 3. */
  processResponseHeaders(response: WafResponse): WafInterruption | null {
    if (!this.phasesRun.has(2)) this.processRequestBody();
    this.responseStatus = response.status;
    this.responseHeaders = response.headers;
    this.scalars.set('RESPONSE_STATUS', String(response.status));
    this.scalars.set('RESPONSE_PROTOCOL', response.protocol ?? this.request.protocol);
    this.scalars.set('STATUS_LINE', `${response.protocol ?? this.request.protocol} ${response.status}`);
    const headers = this.collections.get('RESPONSE_HEADERS');
    for (const [name, value] of response.headers) headers?.add(name, value);
    return this.run(3);
  }

  /**
   * False when phase 3 cannot interrupt this transaction: phase 2 has run (phase 3 would run it
   * first otherwise, and it can block) and no phase-3 rule that denies, drops or redirects can
   * match it (see interrupters.ts).
   */
  responseHeadersMayInterrupt(): boolean {
    if (this.phasesRun.has(3)) return false;
    if (!this.phasesRun.has(2)) return true;
    return mayInterrupt(this, this.context.responseHeaderInterrupters);
  }

  /** True when phase 4 wants the response body (SecResponseBodyAccess and the MIME filter). */
  wantsResponseBody(): boolean {
    if (!this.context.settings.responseBodyAccess) return false;
    const type = mediaType(this.collections.get('RESPONSE_HEADERS')?.first('content-type') ?? '');
    return this.context.settings.responseBodyMimeTypes.includes(type);
  }

  /** Phase 4; the body is inspected only when wantsResponseBody(), up to SecResponseBodyLimit. */
  processResponseBody(body?: Buffer | string): WafInterruption | null {
    if (!this.phasesRun.has(3)) this.processResponseHeaders({ status: 200, headers: [] });
    if (body !== undefined && this.wantsResponseBody()) {
      let text = typeof body === 'string' ? body : body.toString('latin1');
      const limit = this.context.settings.responseBodyLimitBytes;
      if (text.length > limit) {
        this.scalars.set('OUTBOUND_DATA_ERROR', '1');
        if (this.context.settings.responseBodyLimitAction === 'Reject' && this.controls.ruleEngine === 'On') {
          this.interruption = { action: 'deny', status: 500, ruleId: 0, phase: 4 };
          this.phasesRun.add(4);
          return this.interruption;
        }
        text = text.slice(0, limit);
      }
      this.scalars.set('RESPONSE_BODY', text);
      this.scalars.set('RESPONSE_CONTENT_LENGTH', String(text.length));
    }
    return this.run(4);
  }

  /** Phase 5: runs the logging rules, saves persistent collections, returns the result. */
  processLogging(): WafResult {
    if (this.result) return this.result;
    this.run(5);
    for (const [name, key] of this.initcolKeys) {
      const collection = this.collections.get(name);
      if (collection) this.context.persistent.save(name, key, collection.toRecord());
    }
    const hostname = this.scalars.get('SERVER_NAME') ?? '';
    const lineContext = { hostname, uri: this.request.uri, uniqueId: this.uniqueId };
    const relevant =
      this.controls.auditEngine === 'On' ||
      (this.controls.auditEngine === 'RelevantOnly' &&
        (this.interruption !== null || this.matches.some((match) => match.auditlog)));
    this.result = {
      engineMode: this.controls.ruleEngine,
      interruption: this.interruption,
      wouldInterrupt: this.wouldInterrupt,
      matchedRules: this.matches,
      matchLines: this.matches.map((match) =>
        formatMatchLine(match, {
          ...lineContext,
          interruption: this.interruption?.ruleId === match.id ? this.interruption : null,
        }),
      ),
      auditLog: relevant ? buildAuditRecord(this, this.responseHeaders) : null,
    };
    return this.result;
  }
}
