/**
 * Where the CRS regression runner meets the WAF engine. The runner expects
 * `src/gateway/waf/index.ts` to export
 *
 *   createInspector(config: { ruleFiles: string[]; onMatchLine?: (line, requestId) => void })
 *     : Inspector | Promise<Inspector>
 *
 * calling `onMatchLine` once per match line it logs, in order, with the line (holding
 * `[id "NNNNNN"]` and `[msg "..."]`) and the `ctx.requestId` of the transaction. Until that
 * module exists the runner uses a stand-in: an engine with only the marker rule, so the
 * marker mechanics run end to end and every test that expects a rule to fire fails.
 *
 * Each gateway gets a thin wrapper around the shared inspector that records which request ids
 * it handled, so match lines reach the log of the worker that sent the request.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InspectionContext, Inspector } from '../../src/gateway/index.js';

export type MatchLineListener = (line: string, requestId?: string) => void;

export interface WafInspectorConfig {
  /** Rule files and globs in load order: the test setup, crs-setup.conf.example, rules/*.conf. */
  ruleFiles: string[];
  onMatchLine?: MatchLineListener;
}

export interface EngineHandle {
  inspector: Inspector;
  /** 'waf': the engine from src/gateway/waf; 'stand-in': marker rule only. */
  kind: 'waf' | 'stand-in';
  /** Why the stand-in runs, for the report. */
  note: string;
  close(): Promise<void>;
}

const MARKER_HEADER = 'x-crs-test';

/** An engine with only the marker rule: logs `[id "999999"] [msg "<X-CRS-Test>"]`, judges nothing. */
export function createStandInInspector(onMatchLine: MatchLineListener): Inspector {
  return {
    onRequestHeaders(ctx: InspectionContext) {
      const marker = ctx.headers[MARKER_HEADER];
      const value = Array.isArray(marker) ? marker[0] : marker;
      if (value !== undefined) {
        onMatchLine(
          `ModSecurity: Warning. Matched "Operator \`Rx' with parameter \`^.*$' against variable ` +
            `\`REQUEST_HEADERS:X-CRS-Test' [id "999999"] [msg "${value}"] [unique_id "${ctx.requestId}"]`,
          ctx.requestId,
        );
      }
      return undefined;
    },
  };
}

/**
 * Wraps an inspector so the gateway reports each request id it inspects (phase 1 runs for
 * every request that reaches inspection). Optional phases stay absent when the inner
 * inspector lacks them: the gateway buffers bodies only for inspectors with body phases.
 */
export function recordingInspector(inner: Inspector, onInspect: (requestId: string) => void): Inspector {
  const wrapper: Inspector = {
    onRequestHeaders(ctx) {
      onInspect(ctx.requestId);
      return inner.onRequestHeaders?.(ctx);
    },
  };
  if (inner.onRequestBody) wrapper.onRequestBody = (ctx, body) => inner.onRequestBody!(ctx, body);
  if (inner.onResponseHeaders) wrapper.onResponseHeaders = (ctx) => inner.onResponseHeaders!(ctx);
  if (inner.onResponseBody) wrapper.onResponseBody = (ctx, body) => inner.onResponseBody!(ctx, body);
  if (inner.wantsRequestBody) wrapper.wantsRequestBody = (ctx) => inner.wantsRequestBody!(ctx);
  if (inner.wantsResponseBody) wrapper.wantsResponseBody = (ctx) => inner.wantsResponseBody!(ctx);
  if (inner.onEnd) wrapper.onEnd = (ctx) => inner.onEnd!(ctx);
  return wrapper;
}

interface EngineModule {
  createInspector?: unknown;
}

function engineModulePath(repoRoot: string): string | null {
  for (const name of ['index.ts', 'index.js']) {
    const candidate = path.join(repoRoot, 'src', 'gateway', 'waf', name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * Loads the WAF engine with the test configuration, or the stand-in when `useWaf` is false or
 * the engine does not exist yet. A module that exists but fails to load, or an engine that
 * refuses the rules, is an error: the run would otherwise report a pass rate for nothing.
 */
export async function loadEngine(options: {
  repoRoot: string;
  ruleFiles: string[];
  onMatchLine: MatchLineListener;
  useWaf: boolean;
}): Promise<EngineHandle> {
  const standIn = (note: string): EngineHandle => ({
    inspector: createStandInInspector(options.onMatchLine),
    kind: 'stand-in',
    note,
    close: async () => undefined,
  });
  if (!options.useWaf) return standIn('--no-waf: the gateway runs without a WAF (marker rule only)');
  const modulePath = engineModulePath(options.repoRoot);
  if (modulePath === null)
    return standIn('src/gateway/waf/index.ts does not exist yet: no WAF (marker rule only)');
  // A computed specifier: the module may not exist when this file is type-checked.
  const loaded = (await import(pathToFileURL(modulePath).href)) as EngineModule;
  if (typeof loaded.createInspector !== 'function')
    return standIn(
      `${path.relative(options.repoRoot, modulePath)} exports no createInspector(): no WAF (marker rule only)`,
    );
  const factory = loaded.createInspector as (config: WafInspectorConfig) => Inspector | Promise<Inspector>;
  const inspector = await factory({ ruleFiles: options.ruleFiles, onMatchLine: options.onMatchLine });
  const closable = inspector as Inspector & { close?: () => unknown };
  return {
    inspector,
    kind: 'waf',
    note: `WAF engine from ${path.relative(options.repoRoot, modulePath)}`,
    close: async () => {
      if (typeof closable.close === 'function') await closable.close();
    },
  };
}
