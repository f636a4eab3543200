/**
 * Workloads and instruments of the WAF benchmark (bench/waf.ts): the benign GET and the 2 KB
 * urlencoded form POST, wrk driven by a Lua script (written to a temp file) so both carry the
 * browser-like headers a real shop sees, the open-loop generator (bench/waf-open-loop.ts) in
 * its own process, and a one-shot request for the "does it inspect?" check.
 * CPU time and peak RSS come from bench/measure.ts.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { FixedRateResult } from './fixed-rate.js';
import { runGenerator } from './measure.js';

export interface Workload {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** `Host: localhost`: a numeric Host fires CRS 920350 on every request. */
const browserHeaders: Record<string, string> = {
  Host: 'localhost',
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-GB,en;q=0.5',
  'Accept-Encoding': 'gzip, deflate',
};

/** Benign order-form fields, padded to exactly `bytes`; values are letters, digits and `+` only. */
function formBody(bytes: number): string {
  const fields: string[] = [
    'first_name=Alice',
    'last_name=Martin',
    'email=alice.martin%40example.com',
    'phone=0123456789',
    'street=12+Rose+Lane',
    'city=Bristol',
    'postcode=BS1+4DJ',
    'country=GB',
  ];
  for (let i = 0; fields.join('&').length < bytes - 40; i++)
    fields.push(`note_${i}=Please+leave+the+parcel+at+the+blue+door+number+${i}`);
  const head = fields.join('&') + '&comment=';
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

export const WORKLOADS: Workload[] = [
  { name: 'GET', method: 'GET', path: '/catalog/shoes?colour=blue&size=42&page=2', headers: browserHeaders },
  {
    name: 'POST 2 KB form',
    method: 'POST',
    path: '/checkout/address',
    headers: { ...browserHeaders, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody(2048),
  },
];

export const SQLI_PATH = '/?id=1%27%20OR%201=1--';

/** Writes the wrk Lua script and the generator's JSON for a workload; returns both paths. */
export function writeWorkloadFiles(
  dir: string,
  workload: Workload,
  index: number,
): { lua: string; json: string } {
  // JSON string literals are valid Lua string literals for this ASCII text.
  const lines = [
    `wrk.method = ${JSON.stringify(workload.method)}`,
    `wrk.path = ${JSON.stringify(workload.path)}`,
    ...Object.entries(workload.headers).map(
      ([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`,
    ),
    ...(workload.body === undefined ? [] : [`wrk.body = ${JSON.stringify(workload.body)}`]),
  ];
  const lua = join(dir, `workload-${index}.lua`);
  const json = join(dir, `workload-${index}.json`);
  writeFileSync(lua, lines.join('\n') + '\n');
  writeFileSync(json, JSON.stringify(workload));
  return { lua, json };
}

/** Runs bench/waf-open-loop.ts in its own process (`command` is node's arguments for it). */
export function runOpenLoop(
  command: string[],
  port: number,
  workloadJson: string,
  ratePerSec: number,
  durationSec: number,
): Promise<FixedRateResult> {
  return runGenerator(command, [String(port), workloadJson, String(ratePerSec), String(durationSec)]);
}

/** One request; resolves to its status code, or 0 when the connection failed. */
export function statusOf(port: number, workload: Workload, path = workload.path): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: workload.method, path, headers: workload.headers, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end(workload.body);
  });
}
