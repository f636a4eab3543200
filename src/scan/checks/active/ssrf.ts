/**
 * Server-side request forgery to a local canary: the check starts an HTTP listener on
 * 127.0.0.1 (random port) and sets URL-like parameters (`url`, `image`, `avatar`,
 * `webhook`, `callback`, `feed`…, or any whose value is a URL or a path) to a canary URL
 * with a token unique to that parameter. A request reaching the canary with that token
 * proves the shop fetched an address chosen by the visitor. The canary is on this machine,
 * so only targets on this machine (loopback) can reach it: other targets are "not tested".
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectionPoint } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import { sleep } from '../../http/limits.js';
import { isLoopbackHost, probeToken, type Check, type CheckContext } from '../check.js';
import { curlFor, injectionPointsOf, pointLabel, pointWhat, sendTo } from './injection-points.js';

const URL_NAMES =
  /^(url|uri|link|href|src|source|image|image_?url|img|img_?url|avatar|avatar_?url|photo|picture|icon|logo|webhook|webhook_?url|callback|callback_?url|feed|rss|proxy|fetch|load|remote|endpoint|host|site|domain|import|import_?url|preview)$/i;
/** How long the canary waits for late hits after the last request (the shop may fetch asynchronously). */
export const CANARY_GRACE_MS = 1500;

interface CanaryHit {
  token: string;
  method: string;
  path: string;
  userAgent: string;
}

export interface Canary {
  baseUrl: string;
  hits: CanaryHit[];
  close(): Promise<void>;
}

/** A listener on 127.0.0.1 that records every request and answers a tiny image. */
export async function startCanary(): Promise<Canary> {
  const hits: CanaryHit[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '/';
    const token = /\/ens-ssrf\/([a-z0-9]+)/.exec(path)?.[1] ?? '';
    hits.push({
      token,
      method: req.method ?? 'GET',
      path,
      userAgent: String(req.headers['user-agent'] ?? ''),
    });
    req.resume();
    res.writeHead(200, { 'content-type': 'image/gif', connection: 'close' });
    res.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function urlLikePoints(points: InjectionPoint[]): InjectionPoint[] {
  return points.filter((p) => {
    const value = p.params[p.name] ?? '';
    return (
      URL_NAMES.test(p.name) ||
      /^(https?:)?\/\//i.test(value) ||
      /^\/[^/]/.test(decodeURIComponentSafe(value))
    );
  });
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export const ssrfCheck: Check = {
  id: 'ssrf',
  kind: 'active',
  attackClass: 'injection',
  title: 'Server-side request forgery to a local canary (URL-like GET parameters and POST form fields)',
  async run(context) {
    const points = urlLikePoints(injectionPointsOf(context.site));
    if (points.length === 0)
      return { status: 'tested', tested: 0, reason: 'no URL-like parameter was found' };
    if (!isLoopbackHost(context.target.hostname))
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'the canary listens on 127.0.0.1, which only a target on this machine can reach',
      };
    const canary = await startCanary();
    try {
      return await probe(context, points, canary);
    } finally {
      await canary.close();
    }
  },
};

async function probe(context: CheckContext, points: InjectionPoint[], canary: Canary) {
  const sent = new Map<string, { point: InjectionPoint; value: string; res: ScanResponse }>();
  let tested = 0;
  for (const point of points) {
    let answered = false;
    for (const host of ['127.0.0.1', 'localhost']) {
      const token = probeToken();
      const value = `${canary.baseUrl.replace('127.0.0.1', host)}/ens-ssrf/${token}/image.png`;
      const res = await sendTo(context, point, value);
      if (!res.ok) {
        context.notChecked(pointLabel(point), `ssrf: ${res.detail}`);
        continue;
      }
      answered = true;
      sent.set(token, { point, value, res });
      if (canary.hits.some((h) => h.token === token)) break;
    }
    if (answered) tested++;
  }
  await sleep(CANARY_GRACE_MS);
  const reported = new Set<string>();
  for (const hit of canary.hits) {
    const probeSent = sent.get(hit.token);
    if (!probeSent || reported.has(`${probeSent.point.url} ${probeSent.point.name}`)) continue;
    reported.add(`${probeSent.point.url} ${probeSent.point.name}`);
    report(context, probeSent.point, probeSent.value, probeSent.res, hit);
  }
  return tested < points.length
    ? {
        status: 'partial' as const,
        tested,
        reason: `${points.length - tested} parameters could not be tested`,
      }
    : { status: 'tested' as const, tested };
}

function report(
  context: CheckContext,
  point: InjectionPoint,
  value: string,
  res: ScanResponse,
  hit: CanaryHit,
): void {
  context.report({
    checkId: 'ssrf',
    attackClass: 'injection',
    title: `Server-side request forgery in ${pointWhat(point)}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:L/A:N',
    cwe: 'CWE-918',
    url: point.url,
    method: point.method,
    parameter: point.name,
    description: `The shop fetches whatever address the ${point.name} parameter names: the scanner's canary received ${hit.method} ${hit.path} (User-Agent "${hit.userAgent}"). An attacker reaches internal services, cloud metadata endpoints and admin consoles through the shop.`,
    evidence: {
      ...evidenceOf(
        res,
        `canary hit: ${hit.method} ${hit.path} from the shop (User-Agent: ${hit.userAgent})`,
      ),
    },
    reproduce: `Listen on a port (e.g. nc -l 127.0.0.1 9999), then ${curlFor(point, value.replace(/:\d+\//, ':9999/'))} and watch the request arrive.`,
    remediation:
      'Do not fetch URLs chosen by visitors. If you must, allow-list the exact hosts, resolve the name once and refuse private, loopback and link-local addresses, disable redirects, and fetch through an egress proxy.',
    data: { payload: value, canaryHit: hit },
  });
}
