/**
 * Child process for src/gateway/wasm-tier.test.ts (tests only): starts an upstream and a
 * gateway, sends one request through it and prints, as one JSON line, the process's RSS just
 * before that request and its peak (VmHWM) half a second after it, when V8's background
 * compilation of undici's WebAssembly parser is over.
 */
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { startGateway, startUpstream } from './harness.js';

const kb = (field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);

const upstream = await startUpstream();
const { gateway, base } = await startGateway(upstream.url);
await new Promise((done) => setTimeout(done, 300));
const before = kb('VmRSS');
// node:http, not undici, so the only WebAssembly compiled is the gateway's own.
const status = await new Promise<number>((done, fail) =>
  get(`${base}/hello`, (res) => res.resume().on('end', () => done(res.statusCode ?? 0))).on('error', fail),
);
await new Promise((done) => setTimeout(done, 500));
console.log(JSON.stringify({ status, beforeKb: before, peakKb: kb('VmHWM') }));
await gateway.close();
await upstream.close();
