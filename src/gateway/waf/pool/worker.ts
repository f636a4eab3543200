/**
 * A WAF worker thread (gateway/waf/pool): holds one compiled rule set and runs the exchanges the
 * gateway thread assigns to it through the same inspector the in-process WAF uses
 * (createWafInspector), so both paths decide alike. Persistent-collection writes are sent to the
 * gateway thread, which stores them and passes them to the other workers.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { InspectionContext } from '../../inspection.js';
import { createWafEngine } from '../engine/engine.js';
import type { PersistentCollections } from '../engine/persistent.js';
import { createWafInspector, type WafInspector } from '../inspector.js';
import { loadRuleFiles } from '../seclang/loader.js';
import type {
  CollectionRecord,
  ExchangeStart,
  FromWorker,
  PhaseReply,
  ToWorker,
  WorkerInit,
  WorkerSettings,
} from './protocol.js';

/**
 * A safety net: the gateway ends every exchange (its last phase or an 'end' message), so one
 * still here after this long lost its message (a gateway thread that failed mid-exchange).
 */
const ABANDONED_AFTER_MS = 10 * 60_000;

interface Exchange {
  ctx: InspectionContext;
  inspector: WafInspector;
  startedMs: number;
}

class RelayedCollections {
  private readonly records = new Map<string, { variables: Record<string, string>; expiresMs: number }>();

  constructor(records: CollectionRecord[], timeoutSec: number) {
    for (const record of records) this.apply(record, timeoutSec);
  }

  apply(record: CollectionRecord, timeoutSec: number): void {
    this.records.set(`${record.collection}\u0000${record.key}`, {
      variables: { ...record.variables },
      expiresMs: Date.now() + timeoutSec * 1000,
    });
  }

  view(timeoutSec: number): PersistentCollections {
    return {
      load: (collection, key) => {
        const record = this.records.get(`${collection}\u0000${key}`);
        return record && record.expiresMs > Date.now() ? { ...record.variables } : undefined;
      },
      save: (collection, key, variables) => {
        const record = { collection, key, variables };
        this.apply(record, timeoutSec);
        send({ type: 'collection', record, timeoutSec });
      },
    };
  }
}

function send(message: FromWorker): void {
  parentPort?.postMessage(message);
}

const init = workerData as WorkerInit;
const collections = new RelayedCollections(init.collections, init.collectionTimeoutSec);
const exchanges = new Map<number, Exchange>();
/** What the inspector's callbacks produced during the current call. */
let collected: { matchLines: string[]; auditLog?: unknown } = { matchLines: [] };

function build(ruleFiles: string[]): { inspector: WafInspector; rules: number; settings: WorkerSettings } {
  const ruleSet = loadRuleFiles(ruleFiles);
  const timeoutSec = ruleSet.settings.collectionTimeoutSec ?? init.collectionTimeoutSec;
  const engine = createWafEngine(ruleSet, { persistent: collections.view(timeoutSec) });
  const inspector = createWafInspector(engine, {
    onMatchLine: (line) => collected.matchLines.push(line),
    onResult: (_ctx, result) => {
      if (result.auditLog !== null) collected.auditLog = result.auditLog;
    },
  });
  const { requestBodyAccess, responseBodyAccess, responseBodyMimeTypes } = engine.settings;
  return {
    inspector,
    rules: engine.ruleCount,
    settings: { requestBodyAccess, responseBodyAccess, responseBodyMimeTypes: [...responseBodyMimeTypes] },
  };
}

/**
 * A full garbage collection, once a rule set is compiled: compiling the CRS makes several times
 * its final size in short-lived garbage, and V8 keeps the pages it grew to unless a compacting
 * collection gives them back. Measured: 2 workers with the CRS idle at 209 MB RSS without it,
 * 142 MB with it. `--expose-gc` is set for new contexts only (the worker's own stays as is), so
 * the collector is taken from a fresh context; once per load, never on the request path.
 */
function compactHeap(): void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') {
      (gc as () => void)();
      (gc as () => void)();
    }
  } catch {
    // A runtime without the flag only keeps the larger heap.
  }
}

let current: ReturnType<typeof build>;
try {
  current = build(init.ruleFiles);
  compactHeap();
  send({ type: 'ready', rules: current.rules, settings: current.settings });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

function runPhase(id: number, phase: (exchange: Exchange) => unknown): void {
  const exchange = exchanges.get(id);
  const reply: PhaseReply = { type: 'phase', id };
  if (!exchange) {
    send(reply);
    return;
  }
  collected = { matchLines: [] };
  try {
    const verdict = phase(exchange) as PhaseReply['verdict'];
    if (verdict !== undefined) reply.verdict = verdict;
  } catch (error) {
    reply.error = error instanceof Error ? error.message : String(error);
  }
  if (collected.matchLines.length > 0) reply.matchLines = collected.matchLines;
  if (collected.auditLog !== undefined) reply.auditLog = collected.auditLog;
  // The inspector sets the findings in its logging phase: the exchange is over here.
  if (exchange.ctx.findings !== undefined || reply.error !== undefined) {
    if (exchange.ctx.findings !== undefined) reply.findings = exchange.ctx.findings;
    exchanges.delete(id);
  } else if (
    reply.verdict === undefined &&
    exchange.ctx.response === undefined &&
    !exchange.inspector.responseHeadersMayBlock(exchange.ctx)
  ) {
    reply.responseHeadersCannotBlock = true;
  }
  send(reply);
}

function dropAbandoned(): void {
  const oldest = Date.now() - ABANDONED_AFTER_MS;
  for (const [id, exchange] of exchanges) if (exchange.startedMs < oldest) exchanges.delete(id);
}
setInterval(dropAbandoned, 60_000).unref();

/** A new exchange on the rule set running now (a reload never switches it mid-exchange). */
function open(id: number, start: ExchangeStart): InspectionContext {
  const ctx: InspectionContext = { ...start, vars: {} };
  exchanges.set(id, { ctx, inspector: current.inspector, startedMs: Date.now() });
  return ctx;
}

parentPort?.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'requestHeaders': {
      const ctx = open(message.id, message.exchange);
      runPhase(message.id, ({ inspector }) => inspector.onRequestHeaders?.(ctx));
      return;
    }
    case 'request': {
      const ctx = open(message.id, message.exchange);
      runPhase(
        message.id,
        ({ inspector }) =>
          inspector.onRequestHeaders?.(ctx) ??
          (ctx.findings === undefined
            ? inspector.onRequestBody?.(ctx, Buffer.from(message.body))
            : undefined),
      );
      return;
    }
    case 'requestBody':
      runPhase(message.id, ({ inspector, ctx }) => inspector.onRequestBody?.(ctx, Buffer.from(message.body)));
      return;
    case 'responseHeaders':
      runPhase(message.id, ({ inspector, ctx }) => {
        ctx.response = message.response;
        return inspector.onResponseHeaders?.(ctx);
      });
      return;
    case 'responseBody':
      runPhase(message.id, ({ inspector, ctx }) =>
        inspector.onResponseBody?.(ctx, Buffer.from(message.body)),
      );
      return;
    case 'end': {
      runPhase(message.id, ({ inspector, ctx }) => inspector.onEnd?.(ctx));
      // Whatever the inspector did, the exchange is over.
      exchanges.delete(message.id);
      return;
    }
    case 'collection':
      collections.apply(message.record, message.timeoutSec);
      return;
    case 'reload':
      try {
        const next = build(message.ruleFiles);
        current = next;
        compactHeap();
        send({ type: 'reloaded', seq: message.seq, ok: true, rules: next.rules, settings: next.settings });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        send({ type: 'reloaded', seq: message.seq, ok: false, error: text });
      }
      return;
  }
});
