/**
 * Runs the CRS regression tests against the gateway (test/crs-regression): starts the reflect
 * backend, one gateway per worker in front of it sharing one inspector (the WAF or the
 * stand-in), and runs each stage as go-ftw does: start marker, the test's request over a raw
 * socket, end marker, then judges the lines logged in between.
 *
 * One gateway per worker lets workers run in parallel and each still read a log of its own
 * requests in order (see match-log.ts). Every stage also records whether the request reached
 * inspection at all, and if not whether node's HTTP parser or the gateway refused it first.
 */
import { randomUUID } from 'node:crypto';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import type { SecurityEvent } from '../../src/core/records/security-event.js';
import type { FtwStage, FtwTest } from './ftw-schema.js';
import { judgeStage, needsInspection } from './checks.js';
import { loadEngine, recordingInspector, type EngineHandle } from './engine-link.js';
import { findMarker, linesBetween, MatchLogRouter } from './match-log.js';
import { sendRawRequest, type RawResponse, type SendOutcome } from './raw-client.js';
import { startReflectBackend, type ReflectBackend } from './reflect-backend.js';
import { buildMarkerRequest, buildRequestBytes } from './request-builder.js';

export interface HarnessOptions {
  repoRoot: string;
  ruleFiles: string[];
  useWaf: boolean;
  concurrency: number;
  timeoutMs: number;
}

export type NotInspectedBy = 'node-parser' | 'gateway' | 'no-answer';

export interface StageRecord {
  status?: number;
  error?: string;
  /** Request ids the inspector saw for the stage's request (empty: never inspected). */
  inspectedRequestIds: string[];
  /**
   * Set when the request never reached inspection: node's parser answered it (400/431...), the
   * gateway refused it before inspection, or no answer came (closed, reset, timed out).
   */
  rejectedBy?: NotInspectedBy;
  /** node's parser error code (HPE_...) when rejectedBy is 'node-parser'. */
  parserError?: string;
  needsInspection: boolean;
}

export interface TestResult {
  id: string;
  file: string;
  ruleFile: string;
  status: 'passed' | 'failed' | 'skipped';
  reason: string;
  firedIds: string[];
  stages: StageRecord[];
  durationMs: number;
}

const MARKER_POLLS = 50;
const MARKER_POLL_MS = 5;

function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key === name)?.[1];
}

function savedCookies(response: RawResponse): string {
  return response.headers
    .filter(([key]) => key === 'set-cookie')
    .map(([, value]) => value.split(';')[0]!.trim())
    .join('; ');
}

export class Harness {
  readonly router: MatchLogRouter;
  private readonly gateways: Gateway[] = [];
  private readonly seen: string[][];
  private readonly parserErrors = new Map<string, string>();
  private backend: ReflectBackend | null = null;
  engine: EngineHandle | null = null;

  constructor(private readonly options: HarnessOptions) {
    this.router = new MatchLogRouter(options.concurrency);
    this.seen = Array.from({ length: options.concurrency }, () => []);
  }

  get workerCount(): number {
    return this.gateways.length;
  }

  async start(): Promise<void> {
    this.backend = await startReflectBackend();
    this.engine = await loadEngine({
      repoRoot: this.options.repoRoot,
      ruleFiles: this.options.ruleFiles,
      onMatchLine: this.router.onMatchLine,
      useWaf: this.options.useWaf,
    });
    for (let worker = 0; worker < this.options.concurrency; worker++) {
      const gateway = createGateway({
        upstream: `http://127.0.0.1:${this.backend.port}`,
        port: 0,
        name: `crs-regression-${worker}`,
        inspection: recordingInspector(this.engine.inspector, (requestId) => {
          this.router.claim(requestId, worker);
          this.seen[worker]!.push(requestId);
        }),
        publishEvent: (event: SecurityEvent) => {
          const parserError = event.labels?.parserError;
          if (parserError !== undefined && event.http)
            this.parserErrors.set(event.http.requestId, parserError);
        },
        limits: { headersTimeoutMs: this.options.timeoutMs, requestTimeoutMs: this.options.timeoutMs * 2 },
      });
      await gateway.listen();
      this.gateways.push(gateway);
    }
  }

  /** Sends one marker; resolves with the index of its line in the worker's log, or an error text. */
  private async marker(worker: number, uuid: string, from: number): Promise<number | string> {
    const port = this.gateways[worker]!.address!.port;
    const outcome = await sendRawRequest(buildMarkerRequest(uuid), {
      host: '127.0.0.1',
      port,
      timeoutMs: this.options.timeoutMs,
    });
    if (!outcome.ok) return `marker request failed: ${outcome.error}`;
    const log = this.router.workers[worker]!;
    for (let poll = 0; poll < MARKER_POLLS; poll++) {
      const at = findMarker(log, uuid, from);
      if (at !== -1) return at;
      await new Promise((resolve) => setTimeout(resolve, MARKER_POLL_MS));
    }
    return 'marker line not found in the match log (is the marker rule 999999 loaded and onMatchLine wired?)';
  }

  /**
   * Checks the log link before the run: one marker must come back as a line. An engine that
   * gives no request id with its lines can only be read by one worker; the caller then reruns
   * the harness with concurrency 1.
   */
  async probe(): Promise<'ok' | 'no-request-id' | string> {
    const result = await this.marker(0, randomUUID(), 0);
    if (typeof result === 'string') return this.router.sawLineWithoutRequestId ? 'no-request-id' : result;
    this.router.workers[0]!.dropThrough(result);
    return 'ok';
  }

  private async runStage(
    stage: FtwStage,
    worker: number,
    cookie: string,
  ): Promise<{ record: StageRecord; verdict: ReturnType<typeof judgeStage>; response?: RawResponse }> {
    const record: StageRecord = { inspectedRequestIds: [], needsInspection: needsInspection(stage) };
    const failed = (reason: string) => ({ record, verdict: { passed: false, reason, firedIds: [] } });
    const uuid = randomUUID();
    const log = this.router.workers[worker]!;
    const start = await this.marker(worker, uuid, 0);
    if (typeof start === 'string') return failed(`start ${start}`);
    let bytes: Buffer;
    try {
      bytes = buildRequestBytes(stage.input, cookie || undefined);
    } catch (error) {
      return failed(`malformed input: ${(error as Error).message}`);
    }
    this.seen[worker] = [];
    const outcome: SendOutcome = await sendRawRequest(bytes, {
      host: '127.0.0.1',
      port: this.gateways[worker]!.address!.port,
      timeoutMs: this.options.timeoutMs,
    });
    record.inspectedRequestIds = [...this.seen[worker]!];
    const end = await this.marker(worker, uuid, start + 1);
    if (typeof end === 'string') return failed(`end ${end}`);
    const lines = linesBetween(log, start, end);
    log.dropThrough(end);
    if (outcome.ok) {
      record.status = outcome.response.status;
      const requestId = header(outcome.response, 'x-request-id');
      if (record.inspectedRequestIds.length === 0 && requestId !== undefined) {
        const parserError = this.parserErrors.get(requestId);
        if (parserError !== undefined) {
          record.rejectedBy = 'node-parser';
          record.parserError = parserError;
        } else if (outcome.response.status >= 400) record.rejectedBy = 'gateway';
      }
    } else {
      record.error = outcome.error;
      if (record.inspectedRequestIds.length === 0) record.rejectedBy = 'no-answer';
    }
    const verdict = judgeStage(stage, outcome, lines);
    return { record, verdict, ...(outcome.ok ? { response: outcome.response } : {}) };
  }

  async runTest(test: FtwTest, worker: number): Promise<TestResult> {
    const startedAt = performance.now();
    const stages: StageRecord[] = [];
    const firedIds: string[] = [];
    let cookie = '';
    let reason = '';
    for (const [index, stage] of test.stages.entries()) {
      let run = await this.runStage(stage, worker, cookie);
      if (!run.verdict.passed && stage.expect.retryOnce) run = await this.runStage(stage, worker, cookie);
      stages.push(run.record);
      firedIds.push(...run.verdict.firedIds.filter((id) => !firedIds.includes(id)));
      if (stage.input.save_cookie && run.response) {
        const fresh = savedCookies(run.response);
        if (fresh) cookie = cookie ? `${cookie}; ${fresh}` : fresh;
      }
      if (!run.verdict.passed) {
        reason = test.stages.length > 1 ? `stage ${index + 1}: ${run.verdict.reason}` : run.verdict.reason;
        break;
      }
    }
    return {
      id: test.id,
      file: test.file,
      ruleFile: test.ruleFile,
      status: reason === '' ? 'passed' : 'failed',
      reason,
      firedIds,
      stages,
      durationMs: Math.round(performance.now() - startedAt),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map((gateway) => gateway.close()));
    this.gateways.length = 0;
    await this.engine?.close();
    await this.backend?.close();
  }
}
