/**
 * The WAF on worker threads (gateway/waf/pool), with real workers: verdicts, findings, match
 * lines and audit records come back as from the in-process inspector; exchanges go to the first
 * idle worker and spread over the workers under load; per-client collections are one count
 * across workers; reloads are all-or-nothing.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectionContext } from '../../inspection.js';
import { createWafWorkerPool, type WafWorkerPool } from './pool.js';

const fixture = join(import.meta.dirname, 'fixtures/pool-rules.conf');
let seq = 0;

function context(
  url: string,
  headers: Record<string, string> = {},
  clientIp = '198.51.100.7',
): InspectionContext {
  return {
    requestId: `req-${++seq}`,
    clientIp,
    method: 'GET',
    url,
    headers: { host: 'localhost', ...headers },
    route: 'default',
    vars: {},
  };
}

async function exchange(pool: WafWorkerPool, ctx: InspectionContext, responseBody = '<p>ok</p>') {
  const first = await pool.inspector.onRequestHeaders?.(ctx);
  if (first) return first;
  ctx.response = { status: 200, headers: { 'content-type': 'text/html' } };
  const third = await pool.inspector.onResponseHeaders?.(ctx);
  if (third) return third;
  if (pool.inspector.wantsResponseBody?.(ctx))
    return pool.inspector.onResponseBody?.(ctx, Buffer.from(responseBody));
  return undefined;
}

describe('WAF worker pool', () => {
  let dir: string;
  let rules: string;
  let pool: WafWorkerPool;
  const lines: string[] = [];
  const audits: unknown[] = [];
  const writes: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-pool-'));
    rules = join(dir, 'rules.conf');
    copyFileSync(fixture, rules);
    pool = await createWafWorkerPool({
      ruleFiles: [rules],
      workers: 2,
      onMatchLine: (line) => lines.push(line),
      onAuditLog: (audit) => audits.push(audit),
      onCollectionWrite: (record) =>
        writes.push(`${record.collection}:${record.key}=${record.variables['hits']}`),
    });
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocks an SQL injection and reports the rule, the match line and the audit record', async () => {
    const ctx = context('/search?q=1%27%20OR%201=1--');
    const verdict = await exchange(pool, ctx);
    expect(verdict).toMatchObject({ action: 'block', status: 403, ruleIds: ['100'] });
    expect(ctx.findings).toMatchObject({ ruleIds: ['100'], blockedBy: '100' });
    expect(lines.some((line) => line.includes('[id "100"]'))).toBe(true);
    expect(audits.length).toBeGreaterThan(0);
  });

  it('passes a benign exchange and still reports what logged', async () => {
    const ctx = context('/catalog?page=2', { 'x-note': 'hello' });
    expect(await exchange(pool, ctx)).toBeUndefined();
    expect(ctx.findings?.ruleIds).toEqual(['101']);
  });

  it('inspects the response body it asked for', async () => {
    const ctx = context('/account');
    expect(await exchange(pool, ctx, 'here is the secret-token')).toMatchObject({
      status: 502,
      ruleIds: ['102'],
    });
  });

  it('spreads concurrent exchanges over the workers and answers each one', async () => {
    const contexts = Array.from({ length: 40 }, (_, i) =>
      context(`/p/${i}?q=${i % 5 === 0 ? "1'%20OR%201=1--" : 'x'}`),
    );
    const verdicts = await Promise.all(contexts.map((ctx) => exchange(pool, ctx)));
    expect(verdicts.filter((verdict) => verdict !== undefined)).toHaveLength(8);
  });

  it('sends a small body with its request headers, phase 1 still first', async () => {
    const post = (headers: Record<string, string>, body: string): InspectionContext => ({
      ...context('/form', { 'content-type': 'application/x-www-form-urlencoded', ...headers }),
      method: 'POST',
      headers: {
        host: 'localhost',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(body.length),
        ...headers,
      },
    });
    // Phase 2 blocks: the headers waited on the gateway's side, nothing was queued on a worker.
    const sqli = post({}, "q=1' OR 1=1--");
    expect(await pool.inspector.onRequestHeaders?.(sqli)).toBeUndefined();
    expect(pool.load().reduce((sum, worker) => sum + worker.queued, 0)).toBe(0);
    expect(await pool.inspector.onRequestBody?.(sqli, Buffer.from("q=1' OR 1=1--"))).toMatchObject({
      status: 403,
      ruleIds: ['100'],
    });
    // Phase 1 blocks: phase 2 never runs on the body (its SQL injection is not reported).
    const early = post({ 'x-block-early': '1' }, "q=1' OR 1=1--");
    expect(await pool.inspector.onRequestHeaders?.(early)).toBeUndefined();
    expect(await pool.inspector.onRequestBody?.(early, Buffer.from("q=1' OR 1=1--"))).toMatchObject({
      status: 403,
      ruleIds: ['103'],
    });
    expect(early.findings?.ruleIds).toEqual(['103']);
    // The body never came: ending the exchange runs phase 1 and the logging phase.
    const gone = post({ 'x-note': 'hello' }, 'q=1');
    expect(await pool.inspector.onRequestHeaders?.(gone)).toBeUndefined();
    await pool.inspector.onEnd?.(gone);
    expect(gone.findings?.ruleIds).toEqual(['101']);
    expect(pool.load().reduce((sum, worker) => sum + worker.exchanges, 0)).toBe(0);
  });

  it('ends exchanges that stop early: the logging phase runs and the workers let them go', async () => {
    const contexts = Array.from({ length: 10 }, (_, i) =>
      context(`/left/${i}`, i % 2 === 0 ? { 'x-note': 'hello' } : {}),
    );
    const linesBefore = lines.length;
    // Request headers only, as when the clients go away before the shop answers.
    await Promise.all(contexts.map((ctx) => pool.inspector.onRequestHeaders?.(ctx)));
    expect(pool.load().reduce((sum, worker) => sum + worker.exchanges, 0)).toBe(10);
    expect(pool.load().every((worker) => worker.exchanges > 0)).toBe(true);
    await Promise.all(contexts.map((ctx) => pool.inspector.onEnd?.(ctx)));
    expect(pool.load()).toEqual([
      { exchanges: 0, queued: 0 },
      { exchanges: 0, queued: 0 },
    ]);
    expect(contexts.map((ctx) => ctx.findings?.ruleIds ?? null)).toEqual(
      contexts.map((_, i) => (i % 2 === 0 ? ['101'] : [])),
    );
    expect(lines.slice(linesBefore).filter((line) => line.includes('[id "101"]'))).toHaveLength(5);
    // Ending twice (or after the last phase) changes nothing.
    await pool.inspector.onEnd?.(contexts[0] as InspectionContext);
    expect(pool.load().reduce((sum, worker) => sum + worker.exchanges, 0)).toBe(0);
  });

  it('gives work to the first worker while it is idle, and to the next one only while it is busy', async () => {
    // One at a time (each phase answered before the next exchange starts): all on worker 1.
    const oneByOne = Array.from({ length: 4 }, (_, i) => context(`/calm/${i}`));
    for (const ctx of oneByOne) await pool.inspector.onRequestHeaders?.(ctx);
    expect(pool.load().map((worker) => worker.exchanges)).toEqual([4, 0]);
    // Two at once: the second starts while the first worker is still judging the first.
    const together = [context('/busy/0'), context('/busy/1')];
    await Promise.all(together.map((ctx) => pool.inspector.onRequestHeaders?.(ctx)));
    expect(pool.load().map((worker) => worker.exchanges)).toEqual([5, 1]);
    await Promise.all([...oneByOne, ...together].map((ctx) => pool.inspector.onEnd?.(ctx)));
    expect(pool.load().map((worker) => worker.exchanges)).toEqual([0, 0]);
  });

  it('counts a client once across workers through the shared IP collection', async () => {
    const ip = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const verdict = await exchange(pool, context('/', { 'x-count': '1' }, ip));
      statuses.push(verdict?.status ?? 200);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(writes).toContain('IP:203.0.113.50=1');
  });

  it('sends response headers on without waiting when phase 3 cannot block, and still reports them', async () => {
    const ctx = context('/brew', { 'x-note': 'hello' });
    expect(await pool.inspector.onRequestHeaders?.(ctx)).toBeUndefined();
    ctx.response = { status: 418, headers: { 'content-type': 'text/plain' } };
    const linesBefore = lines.length;
    // Not a Promise: the gateway writes the response at once.
    expect(pool.inspector.onResponseHeaders?.(ctx)).toBeUndefined();
    // The gateway ends the exchange (onEnd, as findings may not be there yet): the answer of
    // phase 3 and the logging phase is applied first.
    await pool.inspector.onEnd?.(ctx);
    expect(ctx.findings?.ruleIds).toEqual(['101', '104']);
    expect(lines.slice(linesBefore).some((line) => line.includes('[id "104"]'))).toBe(true);
    expect(pool.load()).toEqual([
      { exchanges: 0, queued: 0 },
      { exchanges: 0, queued: 0 },
    ]);
  });

  it('keeps the running rules when a reload fails, and takes the new ones when it succeeds', async () => {
    writeFileSync(rules, 'SecRule ARGS "@noSuchOperator x" "id:1,phase:2,deny"\n');
    const failed = await pool.reload();
    expect(failed).toMatchObject({ ok: false });
    expect(await exchange(pool, context('/?q=1%27%20OR%201=1--'))).toMatchObject({ status: 403 });
    writeFileSync(
      rules,
      'SecRuleEngine On\nSecRule ARGS "@contains forbidden" "id:7,phase:2,deny,status:403"\n',
    );
    expect(await pool.reload()).toEqual({ ok: true, rules: 1 });
    expect(await exchange(pool, context('/?q=forbidden'))).toMatchObject({ ruleIds: ['7'] });
    expect(await exchange(pool, context('/?q=1%27%20OR%201=1--'))).toBeUndefined();
  });
});

describe('WAF worker pool, a rule set whose phase 3 can block', () => {
  let pool: WafWorkerPool;
  beforeAll(async () => {
    pool = await createWafWorkerPool({
      ruleFiles: [join(import.meta.dirname, 'fixtures/pool-rules-phase3.conf')],
      workers: 1,
    });
  }, 60_000);
  afterAll(async () => pool.close());

  it('waits for the answer to the response headers and blocks the response', async () => {
    const ctx = context('/brew');
    expect(await pool.inspector.onRequestHeaders?.(ctx)).toBeUndefined();
    ctx.response = { status: 418, headers: { 'content-type': 'text/plain' } };
    const answer = pool.inspector.onResponseHeaders?.(ctx);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ action: 'block', status: 502, ruleIds: ['120'] });
    expect(ctx.findings).toMatchObject({ ruleIds: ['120'], blockedBy: '120' });
  });
});
