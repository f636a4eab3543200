/**
 * Sending for the WAF differential test (bench/waf-diff.ts): one case to one target over a
 * keep-alive agent, a pool that sends each case to both targets at once with a bounded number
 * in flight, and the sequential replay of a case that reads the rule ids each side logged.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { DiffCase } from './waf-diff-cases.js';

export interface Target {
  name: string;
  port: number;
  agent: Agent;
}

export function target(name: string, port: number, concurrency: number): Target {
  return { name, port, agent: new Agent({ keepAlive: true, maxSockets: concurrency }) };
}

/** Status code of one case, or 0 with the error code when no answer came. */
export function send(
  to: Target,
  c: DiffCase,
  timeoutMs = 15_000,
): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const body = c.body === undefined ? undefined : Buffer.from(c.body, 'latin1');
    const headers = body === undefined ? c.headers : { ...c.headers, 'Content-Length': String(body.length) };
    let req: ReturnType<typeof request>;
    try {
      req = request(
        { host: '127.0.0.1', port: to.port, method: c.method, path: c.path, headers, agent: to.agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', (error: NodeJS.ErrnoException) =>
            resolve({ status: 0, error: error.code ?? 'error' }),
          );
        },
      );
    } catch (error) {
      // node refuses some paths or header values before sending: the case cannot be sent as is.
      return resolve({ status: 0, error: (error as NodeJS.ErrnoException).code ?? 'invalid request' });
    }
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? 'error' }));
    req.end(body);
  });
}

/** Runs `work` over every item with at most `concurrency` at once; `onDone` after each. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
  onDone: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** The path of the marker request sent after a replayed case: both WAFs block and log it. */
export const MARKER_PREFIX = '/ensuresec-diff-marker/';
export const markerPath = (n: number): string =>
  `${MARKER_PREFIX}${n}/?x=%3Cscript%3Ealert(1)%3C%2Fscript%3E`;

/**
 * A log file read from where it ended before a request. A writer may log after its answer
 * (our audit record is written once the exchange ends), so reading waits for the marker
 * request sent after the case: what the log holds up to the marker belongs to the case.
 */
export class LogTail {
  private offset: number;
  constructor(readonly file: string) {
    this.offset = this.size();
  }

  private size(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  private read(): string {
    const size = this.size();
    if (size <= this.offset) {
      this.offset = size;
      return '';
    }
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    return buffer.toString('latin1');
  }

  /** Forgets what was logged so far. */
  skip(): void {
    this.read();
  }

  /** The text logged from now until marker `n` shows up (or `timeoutMs` passed: `found` false). */
  async until(n: number, timeoutMs = 3000): Promise<{ text: string; found: boolean }> {
    const marker = `${MARKER_PREFIX}${n}/`;
    let text = '';
    for (const started = Date.now(); Date.now() - started < timeoutMs;) {
      text += this.read();
      if (text.includes(marker)) return { text, found: true };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { text, found: false };
  }
}

/** Rule ids in our JSON audit records (one per line, ModSecurity v3's JSON layout), markers aside. */
export function ourRuleIds(text: string): number[] {
  const ids = new Set<number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.includes(MARKER_PREFIX)) continue;
    try {
      const record = JSON.parse(line) as {
        transaction?: { messages?: Array<{ details?: { ruleId?: string } }> };
      };
      for (const message of record.transaction?.messages ?? []) ids.add(Number(message.details?.ruleId));
    } catch {
      // A partial line (the writer is mid-record) carries no ids we can trust.
    }
  }
  return [...ids].filter((id) => id > 0).sort((a, b) => a - b);
}

/** Rule ids in ModSecurity-nginx error-log lines (`[id "942100"]`), markers aside. */
export function anchorRuleIds(text: string): number[] {
  const ids = new Set<number>();
  for (const line of text.split('\n')) {
    if (line.includes(MARKER_PREFIX)) continue;
    for (const match of line.matchAll(/\[id "(\d+)"\]/g)) ids.add(Number(match[1]));
  }
  return [...ids].sort((a, b) => a - b);
}
