/**
 * sqlmap's requests for the WAF differential test (bench/waf-diff.ts). sqlmap (Debian's
 * package, when installed) scans a small product page and login form served by a recorder on
 * 127.0.0.1 that answers every request with the same page; the recorder keeps each request
 * sqlmap sent, and the differential test replays them, with the browser headers, to the
 * gateway and to ModSecurity. Recording first makes both targets judge exactly the same
 * requests: sqlmap adapts its next payload to the answers, which differ once a WAF blocks.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_HEADERS, FORM_TYPE, type DiffCase } from './waf-diff-cases.js';

const PAGE =
  '<html><body><h1>Shoe 42</h1><form method="post" action="/login">' +
  '<input name="user"><input name="pass" type="password"><button>Log in</button></form></body></html>';
/** The User-Agent sqlmap is told to send: a different one in a request means sqlmap injected there. */
const SQLMAP_AGENT = BROWSER_HEADERS['User-Agent'] ?? 'Mozilla/5.0';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export function sqlmapAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v sqlmap'], { stdio: 'ignore' }).status === 0;
}

function runSqlmap(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('sqlmap', args, { stdio: ['ignore', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ? `stopped after ${timeoutMs} ms` : `exit ${code}`);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`could not run: ${error.message}`);
    });
  });
}

function toCase(request: Recorded): DiffCase | null {
  if (request.method !== 'GET' && request.method !== 'POST') return null;
  const headers: Record<string, string> = { ...BROWSER_HEADERS };
  const agent = request.headers['user-agent'];
  if (agent !== undefined && agent !== SQLMAP_AGENT) headers['User-Agent'] = agent;
  const cookie = request.headers['cookie'];
  if (cookie !== undefined) headers['Cookie'] = cookie;
  // sqlmap sends the scanned URL as Referer (and injects into it at --level 3): as seen on localhost.
  const referer = request.headers['referer'];
  if (referer !== undefined)
    headers['Referer'] = referer.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'http://localhost');
  const isPost = request.method === 'POST';
  if (isPost) headers['Content-Type'] = request.headers['content-type'] ?? FORM_TYPE;
  return {
    family: 'sqlmap',
    corpus: 'sqlmap',
    mode: isPost ? 'sqlmap-post' : 'sqlmap-get',
    value: isPost ? request.body : request.url,
    method: request.method,
    path: request.url,
    headers,
    ...(isPost ? { body: request.body } : {}),
  };
}

/**
 * Runs sqlmap (GET parameters, then the POST form; --level 3 also injects into the Cookie,
 * User-Agent and Referer) against the recorder and returns every `every`th request as a case.
 */
export async function recordSqlmap(
  timeoutMs: number,
  every: number,
): Promise<{ cases: DiffCase[]; notes: string[] }> {
  const recorded: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      recorded.push({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('latin1'),
      });
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const outputDir = mkdtempSync(join(tmpdir(), 'ensuresec-sqlmap-'));
  const common = ['--batch', '--flush-session', '--output-dir', outputDir, '-A', SQLMAP_AGENT];
  const scans = [
    ['-u', `${base}/product?id=1&cat=shoes`, '--cookie', 'session=abc123', '--level', '3', '--risk', '1'],
    ['-u', `${base}/login`, '--data', 'user=alice&pass=secret', '--level', '1', '--risk', '1'],
  ];
  const notes: string[] = [];
  try {
    for (const scan of scans) {
      const before = recorded.length;
      const outcome = await runSqlmap([...scan, ...common, '--time-sec', '1'], timeoutMs);
      notes.push(
        `sqlmap ${scan.slice(0, 2).join(' ')} ...: ${recorded.length - before} requests, ${outcome}`,
      );
    }
  } finally {
    server.close();
    rmSync(outputDir, { recursive: true, force: true });
  }
  const kept = recorded.filter((_, index) => index % every === 0);
  if (every > 1) notes.push(`every ${every}th sqlmap request kept: ${kept.length} of ${recorded.length}`);
  return { cases: kept.map(toCase).filter((c): c is DiffCase => c !== null), notes };
}
