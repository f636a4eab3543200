/**
 * The WAF on worker threads (gateway/waf/pool): the gateway thread proxies while N workers,
 * each with its own compiled rule set, judge the exchanges, so the WAF uses every core as
 * nginx's workers do. An exchange is assigned to the worker with the shortest queue at its
 * request headers and stays there to its logging phase (or its `end`); each inspection hook
 * becomes one message and its answer, which the exchange waits for, except response headers
 * that phase 3 cannot block (the answer is applied when it comes, before the exchange's event).
 * Rule reloads are all-or-nothing across the workers: the first worker loads the new set, and
 * only if it succeeds do the others.
 *
 * Persistent collections (initcol) written by one worker are passed to the others and to
 * `onCollectionWrite` (the store), so per-client counters stay one count per gateway.
 *
 * @example
 *   const pool = await createWafWorkerPool({ ruleFiles, workers: 2 });
 *   createGateway({ upstream, inspection: pool.inspector });
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { BlockVerdict, InspectionContext, InspectionResult, Inspector } from '../../inspection.js';
import type {
  CollectionRecord,
  ExchangeStart,
  FromWorker,
  PhaseReply,
  ToWorker,
  WorkerInit,
  WorkerSettings,
} from './protocol.js';

export interface WafWorkerPoolOptions {
  ruleFiles: string[];
  workers: number;
  collections?: CollectionRecord[];
  collectionTimeoutSec?: number;
  onMatchLine?: (line: string, requestId: string) => void;
  onAuditLog?: (auditLog: unknown) => void;
  onCollectionWrite?: (record: CollectionRecord, timeoutSec: number) => void;
  /** A worker that died; the pool starts a new one in its place. */
  onWorkerError?: (error: Error) => void;
  /** How far V8 lets a heap grow past its live size before a full collection (0: V8's default); see HEAP_GROWING_PERCENT. */
  heapGrowingPercent?: number;
}

export interface WafWorkerPool {
  inspector: Inspector;
  rules: number;
  reload(ruleFiles?: string[]): Promise<{ ok: true; rules: number } | { ok: false; error: string }>;
  /** Per worker: exchanges it holds (request headers seen, not yet ended) and phases queued on it. */
  load(): Array<{ exchanges: number; queued: number }>;
  close(): Promise<void>;
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
  /**
   * Phases sent and not answered yet, per exchange id, oldest first: an exchange can have two
   * (response headers not waited for, then its body), and a worker answers in order.
   */
  pending: Map<number, Array<(reply: PhaseReply) => void>>;
  /** The number of phases in `pending`. */
  queued: number;
}

const EXCHANGE = Symbol('waf-pool-exchange');
const HELD = Symbol('waf-pool-held-headers');
const LATE = Symbol('waf-pool-late-response-headers');

/**
 * A request whose declared body is at most this size sends its headers to the worker together
 * with the body: phase 1 then phase 2 in one message (each message and its answer cost 80-150
 * µs of CPU on a 2-vCPU machine, waking the other thread). Phase 1 still runs first and can still
 * block; its verdict only waits for a body this small, which the gateway reads at once. Larger
 * or chunked bodies keep their own phase-1 message, so a block does not wait for an upload.
 * BENCH_WAF_SMALL_BODY_BYTES=0 sends every body on its own, for measurements.
 */
const SMALL_BODY_BYTES = Number(process.env['BENCH_WAF_SMALL_BODY_BYTES'] ?? 64 * 1024);

function smallBody(ctx: InspectionContext): boolean {
  if (ctx.headers['transfer-encoding'] !== undefined) return false;
  const declared = Number(ctx.headers['content-length'] ?? 0);
  return declared > 0 && declared <= SMALL_BODY_BYTES;
}

/**
 * Response headers whose phase 3 cannot block the exchange (PhaseReply.responseHeadersCannotBlock)
 * go on to the client without waiting for the worker's answer. BENCH_WAF_WAIT_RESPONSE_HEADERS=1
 * waits for every answer, for measurements.
 */
const WAIT_RESPONSE_HEADERS = process.env['BENCH_WAF_WAIT_RESPONSE_HEADERS'] === '1';

/**
 * A worker's young generation: V8's default (3 x 16 MB semi-spaces per isolate) multiplied by
 * every worker dominated the gateway's RSS; a transaction's garbage is short-lived and small,
 * so a smaller nursery costs little CPU. 6 MB (2 MB semi-spaces, as the launcher gives the
 * gateway's own thread): peak RSS under bench:waf 187-192 MB against 198-200 MB with 12 MB, for
 * about 10 % fewer form POSTs per second (BENCH_WAF_YOUNG_MB overrides it for measurements).
 */
const WORKER_LIMITS = {
  maxYoungGenerationSizeMb: Number(process.env['BENCH_WAF_YOUNG_MB'] ?? 6),
};

/**
 * Under load each transaction's state outlives a few young-generation collections and is
 * promoted, so a worker's old generation filled with dead transactions up to 100 MB before V8's
 * default growth factor (up to 2x the live size) called a full collection: 313 MB peak RSS for
 * 2 workers + gateway under bench:waf. Letting heaps grow only 20 % past their live size
 * (`--heap-growing-percent`, a process-wide V8 setting, so the gateway thread's heap follows it
 * too) held the same load at about 210 MB, for a few more (incremental) full collections.
 */
const HEAP_GROWING_PERCENT = Number(process.env['BENCH_WAF_HEAP_GROWING'] ?? 20);

/**
 * V8 pretenures an allocation site (allocates its objects straight in the old generation) once
 * most of them survive a young collection. A burst of load does that to a transaction's sites
 * (50 exchanges in flight outlive collections), and afterwards every transaction, however
 * short-lived, is allocated old: at a steady 400 GET/s after a burst, a worker ran a full
 * collection every second (12 per 8 s across the workers, pauses up to 12 ms) and the p99 added
 * by the WAF was 14 ms. Without pretenuring: 0 to 3 full collections per 8 s, young collections
 * 289 -> 163 ms in all, p99 7.4 to 7.9 ms (bench/waf-open-loop.ts at 400/s after wrk, same
 * minutes). A process-wide V8 setting, read at each collection, so it holds for the gateway
 * thread too (BENCH_WAF_PRETENURING=1 keeps V8's default for measurements).
 */
const PRETENURING = process.env['BENCH_WAF_PRETENURING'] === '1';

/**
 * V8 copies the survivors of a young-generation collection with helper threads. When the WAF's
 * workers and the gateway's thread already take every core, those helpers wait for a core
 * while the collecting thread waits for them: under wrk on 2 cores, 2 workers spent 2.3 ms per
 * young collection (isolated, the same engine: 0.3-0.5 ms), and the form POST ran 6-16 % more
 * requests per second without the helpers (3 alternating pairs; the benign GET within the
 * noise, +7 and +10 % in 2 other pairs). A process-wide setting read at each collection, so
 * only set when the threads outnumber or match the cores (BENCH_WAF_PARALLEL_SCAVENGE=1 keeps
 * V8's default for measurements).
 */
const PARALLEL_SCAVENGE = process.env['BENCH_WAF_PARALLEL_SCAVENGE'] === '1';

/**
 * The same holds for the ArrayBuffers a collection frees: V8 sweeps them in a background job,
 * and a full collection first waits for that job to finish. Under 500 GET/s on 2 cores (open
 * loop, 16 s), the workers' full collections waited 2.7-6.7 ms on average for it (up to 14.9);
 * swept on the collecting thread instead, 1.1-3.3 ms in 6 runs of 7. p99 through the gateway,
 * V8's default against this (7 alternating pairs, same minutes): GET at 500/s 13.3-42.2 ms
 * against 8.9-19.0 (lower in every pair), form POST at 200/s 13.2-27.1 against 12.8-18.1 (lower
 * in 2 of 3), the form's CPU per request 2-8 % lower in all 3; saturated under wrk the req/s
 * were within the machine's noise (GET ahead in 2 of 3 pairs, form in 3 of 6). Same condition
 * as above (BENCH_WAF_CONCURRENT_AB_SWEEP=1 keeps V8's default for measurements).
 */
const CONCURRENT_AB_SWEEP = process.env['BENCH_WAF_CONCURRENT_AB_SWEEP'] === '1';

/** What V8 is told before the workers start; V8's own defaults where a BENCH_WAF_* switch asks. */
export interface HeapTuning {
  growingPercent: number;
  workers: number;
  cores: number;
  pretenuring?: boolean;
  parallelScavenge?: boolean;
  concurrentArrayBufferSweep?: boolean;
}

/** The V8 flags the pool sets for these threads and cores, in order (see the notes above). */
export function heapFlags(tuning: HeapTuning): string[] {
  // `--max-semi-space-size` (the launcher sets a small one for the gateway's own thread, see
  // src/cli/main.ts) would also override every worker's `resourceLimits`: V8 reads the flag when
  // it creates an isolate and prefers it to the limits asked for. Cleared before any worker
  // starts, so workers get WORKER_LIMITS; the gateway's thread keeps the size it started with.
  const flags = ['--max-semi-space-size=0'];
  if (tuning.growingPercent > 0) flags.push(`--heap-growing-percent=${Math.round(tuning.growingPercent)}`);
  if (tuning.pretenuring !== true) flags.push('--no-allocation-site-pretenuring');
  // Helper threads only help when a core is left for them.
  const coresTaken = tuning.workers + 1 >= tuning.cores;
  if (coresTaken && tuning.parallelScavenge !== true) flags.push('--no-parallel-scavenge');
  if (coresTaken && tuning.concurrentArrayBufferSweep !== true)
    flags.push('--no-concurrent-array-buffer-sweeping');
  return flags;
}

function tuneHeaps(growingPercent: number, workers: number): void {
  const flags = heapFlags({
    growingPercent,
    workers,
    cores: availableParallelism(),
    pretenuring: PRETENURING,
    parallelScavenge: PARALLEL_SCAVENGE,
    concurrentArrayBufferSweep: CONCURRENT_AB_SWEEP,
  });
  for (const flag of flags) setFlagsFromString(flag);
}

/**
 * The compiled worker next to this file; from the TypeScript sources (tests, development) a
 * small bootstrap registers tsx's loader inside the worker first, as `--import tsx` does not
 * reach worker threads on Node 20.
 */
function startWorker(init: WorkerInit): Worker {
  // worker.js: the compiled package; worker.mjs: a bundle built beside its entry point (bench/).
  for (const name of ['./worker.js', './worker.mjs']) {
    const compiled = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(compiled))
      return new Worker(compiled, { workerData: init, resourceLimits: WORKER_LIMITS });
  }
  const source = new URL('./worker.ts', import.meta.url).href;
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init, resourceLimits: WORKER_LIMITS });
}

export async function createWafWorkerPool(options: WafWorkerPoolOptions): Promise<WafWorkerPool> {
  const workerCount = Math.max(1, options.workers);
  tuneHeaps(options.heapGrowingPercent ?? HEAP_GROWING_PERCENT, workerCount);
  let ruleFiles = options.ruleFiles;
  let settings: WorkerSettings = {
    requestBodyAccess: true,
    responseBodyAccess: false,
    responseBodyMimeTypes: [],
  };
  let rules = 0;
  let nextId = 1;
  let reloadSeq = 0;
  let closing = false;
  const collectionTimeoutSec = options.collectionTimeoutSec ?? 3600;
  const reloads = new Map<number, (reply: Extract<FromWorker, { type: 'reloaded' }>) => void>();
  const known = new Map<string, CollectionRecord>();
  for (const record of options.collections ?? [])
    known.set(`${record.collection}\u0000${record.key}`, record);
  const workers: PoolWorker[] = [];

  function spawn(): Promise<PoolWorker> {
    const worker = startWorker({ ruleFiles, collections: [...known.values()], collectionTimeoutSec });
    const member: PoolWorker = { worker, inFlight: 0, pending: new Map(), queued: 0 };
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            rules = message.rules;
            settings = message.settings;
            resolve(member);
            return;
          case 'failed':
            reject(new Error(message.error));
            return;
          case 'phase': {
            const waiting = member.pending.get(message.id);
            const done = waiting?.shift();
            if (waiting?.length === 0) member.pending.delete(message.id);
            if (done === undefined) return;
            member.queued--;
            done(message);
            return;
          }
          case 'reloaded':
            reloads.get(message.seq)?.(message);
            return;
          case 'collection':
            known.set(`${message.record.collection}\u0000${message.record.key}`, message.record);
            options.onCollectionWrite?.(message.record, message.timeoutSec);
            for (const other of workers) {
              if (other !== member)
                post(other, { type: 'collection', record: message.record, timeoutSec: message.timeoutSec });
            }
            return;
        }
      });
      worker.once('error', (error) => {
        reject(error);
        options.onWorkerError?.(error);
      });
      worker.once('exit', () => {
        // Exchanges in flight on a dead worker pass no further inspection; answer them as errors.
        for (const waiting of member.pending.values())
          for (const done of waiting) done({ type: 'phase', id: 0, error: 'WAF worker stopped' });
        member.pending.clear();
        member.queued = 0;
        const index = workers.indexOf(member);
        if (index === -1 || closing) return;
        void spawn().then(
          (replacement) => (workers[index] = replacement),
          (error: unknown) => options.onWorkerError?.(error as Error),
        );
      });
    });
  }

  function post(member: PoolWorker, message: ToWorker): void {
    member.worker.postMessage(message);
  }

  function call(member: PoolWorker, message: ToWorker & { id: number }): Promise<PhaseReply> {
    return new Promise((resolve) => {
      const waiting = member.pending.get(message.id);
      if (waiting === undefined) member.pending.set(message.id, [resolve]);
      else waiting.push(resolve);
      member.queued++;
      post(member, message);
    });
  }

  for (let i = 0; i < workerCount; i++) workers.push(await spawn());

  interface Assigned {
    member: PoolWorker;
    id: number;
    /** The worker said phase 3 cannot interrupt this exchange (PhaseReply.responseHeadersCannotBlock). */
    responseHeadersCannotBlock: boolean;
  }

  /**
   * The worker with the shortest queue (the fewest phases waiting for an answer; exchanges
   * waiting for the shop cost no CPU); ties go to the first. So a worker only gets work while
   * the ones before it are busy: under moderate load one worker does most of it with its caches
   * warm, and a phase never waits behind another while a worker is idle. Measured at 510 GET/s
   * on 2 vCPUs: 290-300 µs per phase on the busy worker, against 410-520 µs when ties went round.
   */
  function leastBusy(): PoolWorker {
    let member = workers[0] as PoolWorker;
    for (let i = 1; i < workers.length && member.queued > 0; i++) {
      const candidate = workers[i] as PoolWorker;
      if (candidate.queued < member.queued) member = candidate;
    }
    return member;
  }

  /** Gives the exchange to the least busy worker, from its first message to its last. */
  function assign(ctx: InspectionContext): Assigned {
    const member = leastBusy();
    member.inFlight++;
    const assigned: Assigned = { member, id: nextId++, responseHeadersCannotBlock: false };
    (ctx.vars as Record<symbol, Assigned>)[EXCHANGE] = assigned;
    return assigned;
  }

  /** Request headers held back to travel with a small body (see SMALL_BODY_BYTES), taken once. */
  function takeHeld(ctx: InspectionContext): ExchangeStart | undefined {
    const vars = ctx.vars as Record<symbol, ExchangeStart | undefined>;
    const held = vars[HELD];
    if (held !== undefined) delete vars[HELD];
    return held;
  }

  /** The pending answer of response headers sent without waiting (undefined once it is taken). */
  function takeLate(ctx: InspectionContext): Promise<unknown> | undefined {
    const vars = ctx.vars as Record<symbol, Promise<unknown> | undefined>;
    const late = vars[LATE];
    if (late !== undefined) delete vars[LATE];
    return late;
  }

  const assignedOf = (ctx: InspectionContext): Assigned | undefined =>
    (ctx.vars as Record<symbol, Assigned>)[EXCHANGE];

  /** `last`: the exchange is over whatever the reply says (an 'end' message). */
  function apply(
    ctx: InspectionContext,
    assigned: Assigned,
    reply: PhaseReply,
    last = false,
  ): InspectionResult {
    for (const line of reply.matchLines ?? []) options.onMatchLine?.(line, ctx.requestId);
    if (reply.auditLog !== undefined) options.onAuditLog?.(reply.auditLog);
    if (reply.responseHeadersCannotBlock) assigned.responseHeadersCannotBlock = true;
    if (reply.findings !== undefined || reply.error !== undefined || last) {
      if (reply.findings !== undefined) ctx.findings = reply.findings;
      assigned.member.inFlight--;
      delete (ctx.vars as Record<symbol, Assigned>)[EXCHANGE];
    }
    if (reply.error !== undefined) throw new Error(`WAF worker: ${reply.error}`);
    return reply.verdict as BlockVerdict | undefined;
  }

  async function phase(ctx: InspectionContext, message: (id: number) => ToWorker & { id: number }) {
    const assigned = assignedOf(ctx);
    if (!assigned) return undefined;
    return apply(ctx, assigned, await call(assigned.member, message(assigned.id)));
  }

  const inspector: Inspector = {
    async onRequestHeaders(ctx) {
      const exchange: ExchangeStart = {
        requestId: ctx.requestId,
        clientIp: ctx.clientIp,
        method: ctx.method,
        url: ctx.url,
        headers: ctx.headers,
        route: ctx.route,
        ...(ctx.rawHeaders === undefined ? {} : { rawHeaders: ctx.rawHeaders }),
        ...(ctx.httpVersion === undefined ? {} : { httpVersion: ctx.httpVersion }),
        ...(ctx.protocol === undefined ? {} : { protocol: ctx.protocol }),
        ...(ctx.clientPort === undefined ? {} : { clientPort: ctx.clientPort }),
      };
      if (settings.requestBodyAccess && smallBody(ctx)) {
        // Phase 1 travels with the body (one round trip, not two) and still runs first; the
        // worker is chosen when it is sent.
        (ctx.vars as Record<symbol, ExchangeStart>)[HELD] = exchange;
        return undefined;
      }
      const assigned = assign(ctx);
      return apply(
        ctx,
        assigned,
        await call(assigned.member, { type: 'requestHeaders', id: assigned.id, exchange }),
      );
    },
    wantsRequestBody: () => settings.requestBodyAccess,
    async onRequestBody(ctx, body) {
      const exchange = takeHeld(ctx);
      if (exchange === undefined) return phase(ctx, (id) => ({ type: 'requestBody', id, body }));
      const assigned = assign(ctx);
      return apply(
        ctx,
        assigned,
        await call(assigned.member, { type: 'request', id: assigned.id, exchange, body }),
      );
    },
    onResponseHeaders(ctx) {
      const assigned = assignedOf(ctx);
      if (!ctx.response || !assigned) return undefined;
      const message: ToWorker & { id: number } = {
        type: 'responseHeaders',
        id: assigned.id,
        response: { status: ctx.response.status, headers: ctx.response.headers },
      };
      if (!assigned.responseHeadersCannotBlock || WAIT_RESPONSE_HEADERS)
        return call(assigned.member, message).then((reply) => apply(ctx, assigned, reply));
      // Phase 3 cannot block this exchange: the response goes on now, and its answer (match
      // lines, and the findings when phase 5 ran with it) is applied when it comes. The worker
      // answers in order, so a phase-4 message sent after it is answered after it; onEnd waits
      // for it, so the exchange's event still carries the findings.
      (ctx.vars as Record<symbol, Promise<unknown>>)[LATE] = call(assigned.member, message)
        .then((reply) => {
          apply(ctx, assigned, reply);
          return undefined;
        })
        .catch((error: unknown) => error);
      return undefined;
    },
    wantsResponseBody(ctx) {
      const type = String(ctx.response?.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      return settings.responseBodyAccess && settings.responseBodyMimeTypes.includes(type ?? '');
    },
    onResponseBody: (ctx, body) => phase(ctx, (id) => ({ type: 'responseBody', id, body })),
    async onEnd(ctx) {
      // Response headers sent without waiting: their answer first (an engine failure there is
      // reported here, the response having gone on).
      const late = takeLate(ctx);
      if (late !== undefined) {
        const failure = await late;
        if (failure !== undefined) throw failure;
        if (ctx.findings !== undefined) return;
      }
      // Headers held for a body that never came run phase 1 first.
      const exchange = takeHeld(ctx);
      if (exchange !== undefined) {
        const first = assign(ctx);
        apply(ctx, first, await call(first.member, { type: 'requestHeaders', id: first.id, exchange }));
      }
      const assigned = assignedOf(ctx);
      if (!assigned) return;
      const reply = await call(assigned.member, { type: 'end', id: assigned.id });
      // A phase still in flight when the exchange ended may have completed it meanwhile.
      if (assignedOf(ctx) === assigned) apply(ctx, assigned, reply, true);
    },
  };

  function reloadOne(member: PoolWorker, files: string[]) {
    const seq = ++reloadSeq;
    return new Promise<Extract<FromWorker, { type: 'reloaded' }>>((resolve) => {
      reloads.set(seq, (reply) => {
        reloads.delete(seq);
        resolve(reply);
      });
      post(member, { type: 'reload', seq, ruleFiles: files });
    });
  }

  return {
    inspector,
    get rules() {
      return rules;
    },
    async reload(files = ruleFiles) {
      const [first, ...rest] = workers;
      if (!first) return { ok: false, error: 'the WAF pool has no worker' };
      const outcome = await reloadOne(first, files);
      if (!outcome.ok) return { ok: false, error: outcome.error };
      const others = await Promise.all(rest.map((member) => reloadOne(member, files)));
      const failed = others.find((reply) => !reply.ok);
      if (failed && !failed.ok) return { ok: false, error: failed.error };
      ruleFiles = files;
      rules = outcome.rules;
      settings = outcome.settings;
      return { ok: true, rules: outcome.rules };
    },
    load: () => workers.map((member) => ({ exchanges: member.inFlight, queued: member.queued })),
    async close() {
      closing = true;
      await Promise.all(workers.map((member) => member.worker.terminate()));
    },
  };
}
