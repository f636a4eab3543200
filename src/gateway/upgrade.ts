/**
 * WebSocket upgrades through the gateway (node:http 'upgrade' event): the handshake passes
 * the same admission and request-header inspection as any request, is replayed to the shop
 * with node:http, and on 101 the two raw sockets are piped together. Other upgrade
 * protocols (h2c and friends, a known smuggling vector) are refused with 400.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../core/errors.js';
import type { GatewayCore } from './core.js';
import type { ExchangeRecord, Outcome } from './events.js';
import { upstreamRequestHeaders } from './headers.js';
import { checkVerdict, endInspection, type InspectionContext } from './inspection.js';
import { writeRawError } from './respond.js';
import { kConnection, type TaggedSocket } from './connections/front.js';

export async function handleUpgrade(
  core: GatewayCore,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const startedAt = performance.now();
  const options = core.options;
  core.metrics.requests++;
  const { peerIp, clientIp, requestId } = core.identify(req);
  const url = req.url ?? '/';
  const ja4 = (req.socket as TaggedSocket)[kConnection]?.ja4;
  const admission = core.admission.admit(clientIp, req.method ?? 'GET', url, ja4);
  const record: ExchangeRecord = {
    requestId,
    startedAtMs: Date.now(),
    latencyMs: 0,
    clientIp,
    clientPort: req.socket.remotePort,
    userAgent: req.headers['user-agent'],
    method: req.method ?? 'GET',
    host: req.headers.host,
    path: url,
    route: admission.route,
    status: 0,
    requestBytes: 0,
    responseBytes: 0,
    outcome: 'forwarded',
    upgrade: true,
    ja4,
  };
  const finish = (outcome: Outcome, status: number): void => {
    record.outcome = outcome;
    record.status = status;
    if (record.latencyMs === 0) record.latencyMs = performance.now() - startedAt;
    core.metrics.outcomes[outcome]++;
    core.events.record(record);
  };
  const refuse = (code: ErrorCode, outcome: Outcome, status?: number, retryAfterSec?: number): void => {
    const extra = retryAfterSec ? [`retry-after: ${retryAfterSec}`] : [];
    finish(outcome, writeRawError(socket, code, requestId, status, extra));
  };
  socket.on('error', () => socket.destroy());

  if (admission.reject !== null) {
    const { code, outcome, retryAfterSec } = admission.reject;
    return refuse(code, outcome, undefined, retryAfterSec);
  }
  // Fail-safe modes hold for WebSockets too; no page can be shown here, so a challenge without a pass is refused.
  const failSafe = core.failSafe;
  const nowMs = options.clock.nowMs();
  const mode = failSafe.enforcer?.check(clientIp, req.method ?? 'GET', url, nowMs) ?? null;
  if (mode?.kind === 'refuse') return refuse(mode.code, 'rejected', undefined, mode.retryAfterSec);
  if (mode?.kind === 'rate_limited')
    return refuse('rate_limited', 'rate_limited', undefined, mode.retryAfterSec);
  if (
    (mode?.kind === 'challenge' || admission.challenge) &&
    failSafe.gate !== null &&
    !failSafe.gate.hasPass(req.headers.cookie, clientIp, req.headers['user-agent'], nowMs)
  ) {
    return refuse('challenge_required', 'rejected');
  }
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || url.charCodeAt(0) !== 47) {
    return refuse('bad_request', 'rejected');
  }
  const inspector = options.inspection;
  if (inspector?.onRequestHeaders) {
    const ctx: InspectionContext = {
      requestId,
      clientIp,
      method: record.method,
      url,
      headers: req.headers,
      route: admission.route,
      vars: {},
    };
    try {
      const verdict = checkVerdict(await inspector.onRequestHeaders(ctx));
      // The request is all the inspector sees of an upgrade: its exchange ends here.
      await endInspection(inspector, ctx, (err) =>
        options.logger.error({ err, requestId }, 'gateway inspector failed to end an upgrade'),
      );
      if (ctx.findings !== undefined) record.inspection = ctx.findings;
      if (verdict !== undefined) {
        record.labels = { ruleIds: verdict.ruleIds.join(','), blockMessage: verdict.message.slice(0, 1024) };
        return refuse('request_blocked', 'blocked', verdict.status);
      }
    } catch (err) {
      options.logger.error({ err, requestId }, 'gateway inspector failed on an upgrade');
      return refuse('internal', 'rejected');
    }
  }

  const upstream = options.upstream;
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstreamReq = send({
    host: upstream.hostname,
    port: upstream.port || (upstream.protocol === 'https:' ? 443 : 80),
    method: req.method,
    path: url,
    headers: upstreamRequestHeaders(req.rawHeaders, req.headers, {
      clientIp,
      peerIp,
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      requestId,
      trustProxy: options.trustProxy,
      keepUpgrade: true,
    }),
    agent: false,
    timeout: options.upstreamTimeoutMs,
  });
  core.metrics.upgrades++;

  upstreamReq.on('timeout', () => {
    upstreamReq.destroy();
    if (record.status === 0) refuse('upstream_timeout', 'upstream_error');
  });
  upstreamReq.on('error', (err) => {
    options.logger.warn({ err, requestId }, 'gateway upgrade to upstream failed');
    if (record.status === 0 && !socket.destroyed) refuse('upstream_unavailable', 'upstream_error');
  });
  socket.once('close', () => {
    if (record.status === 0) upstreamReq.destroy();
  });
  upstreamReq.on('response', (upstreamRes) => {
    // The shop declined the upgrade: relay its answer and close.
    record.status = upstreamRes.statusCode ?? 502;
    const lines = [`HTTP/1.1 ${record.status} ${upstreamRes.statusMessage ?? ''}`];
    for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
      const name = upstreamRes.rawHeaders[i] ?? '';
      const lower = name.toLowerCase();
      if (lower === 'connection' || lower === 'transfer-encoding' || lower === 'keep-alive') continue;
      lines.push(`${name}: ${upstreamRes.rawHeaders[i + 1] ?? ''}`);
    }
    lines.push(`x-request-id: ${requestId}`, 'connection: close');
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    upstreamRes.pipe(socket);
    finish('forwarded', record.status);
  });
  upstreamReq.on('upgrade', (upstreamRes, upstreamSocket: Socket, upstreamHead: Buffer) => {
    record.status = 101;
    record.latencyMs = performance.now() - startedAt;
    const lines = ['HTTP/1.1 101 Switching Protocols'];
    for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
      lines.push(`${upstreamRes.rawHeaders[i] ?? ''}: ${upstreamRes.rawHeaders[i + 1] ?? ''}`);
    }
    lines.push(`x-request-id: ${requestId}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstreamSocket.write(head);
    upstreamSocket.setTimeout(0);
    upstreamSocket.setNoDelay(true);
    core.metrics.activeUpgrades++;
    core.tunnels.add(socket).add(upstreamSocket);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      core.metrics.activeUpgrades--;
      core.tunnels.delete(socket);
      core.tunnels.delete(upstreamSocket);
      const clientSocket = socket as Partial<Socket>;
      record.requestBytes = clientSocket.bytesRead ?? 0;
      record.responseBytes = clientSocket.bytesWritten ?? 0;
      socket.destroy();
      upstreamSocket.destroy();
      finish('forwarded', 101);
    };
    upstreamSocket.on('error', close).on('close', close);
    socket.on('close', close);
    upstreamSocket.pipe(socket);
    socket.pipe(upstreamSocket);
  });
  upstreamReq.end();
}
