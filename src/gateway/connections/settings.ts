/**
 * Settings of the gateway's connection front (source stage: connections before HTTP): the
 * per-client caps and the slow-attack timeouts, and TLS termination. `resolveConnectionSettings`
 * fills the defaults once, so the front reads plain numbers.
 */

export interface GatewayConnectionOptions {
  /** Connections one client address may hold open at once; 0 turns the cap off. Default 256 (0 with trustProxy). */
  maxPerClient?: number;
  /** New connections per second one client address may open (token bucket); 0 turns it off. Default 500 (0 with trustProxy). */
  newPerSecondPerClient?: number;
  /** New connections a client may open at once after being quiet. Default 2 x newPerSecondPerClient. */
  newBurstPerClient?: number;
  /** Time a client has, after its request headers, between two bytes of its body; then the connection is closed. Default 10 000. */
  bodyIdleTimeoutMs?: number;
  /** Least average body rate (bytes/s) once `bodyRateGraceMs` has passed; 0 turns it off. Default 512. */
  minBodyBytesPerSecond?: number;
  /** Time a body may take before the rate is judged. Default 5 000. */
  bodyRateGraceMs?: number;
  /** Time a response may wait on a client that reads nothing (slow read); then the connection is closed. Default 30 000. */
  sendStallTimeoutMs?: number;
  /** Time a TLS client has to complete its ClientHello and handshake. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Clients tracked at once (the per-client table). Default 100 000. */
  maxTrackedClients?: number;
  /** At most one flow event per client and close reason in this time (the others are counted in it). Default 5 000. */
  flowEventIntervalMs?: number;
  /** At most this many flow events per second over all clients. Default 100. */
  flowEventsPerSecond?: number;
  /** How often open connections are checked for slow bodies and stalled reads. Default 250. */
  sweepIntervalMs?: number;
  /** Request bodies with a Content-Length up to this are received whole before they go to the shop (0: always stream). Default 65 536. */
  bufferBodyBytes?: number;
}

export interface GatewayTlsCertificate {
  /** PEM certificate chain file. */
  certFile: string;
  /** PEM private key file. */
  keyFile: string;
}

export interface GatewayTlsOptions {
  /** The first is the default; the others are chosen by SNI (their DNS names, wildcards allowed). */
  certificates: GatewayTlsCertificate[];
  /** How often the files are checked for changes (they are reloaded without a restart). Default 1 000. */
  reloadCheckMs?: number;
  /** Lowest TLS version accepted. Default TLSv1.2. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface ConnectionSettings {
  maxPerClient: number;
  newPerMs: number;
  newBurst: number;
  bodyIdleTimeoutMs: number;
  minBodyBytesPerSecond: number;
  bodyRateGraceMs: number;
  sendStallTimeoutMs: number;
  handshakeTimeoutMs: number;
  maxTrackedClients: number;
  flowEventIntervalMs: number;
  flowEventsPerSecond: number;
  sweepIntervalMs: number;
  bufferBodyBytes: number;
}

function atLeast(value: number | undefined, fallback: number, min: number, key: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min)
    throw new RangeError(`gateway option connections.${key} must be a number >= ${min}`);
  return value;
}

/** With trustProxy the peer is the operator's load balancer: no caps unless set explicitly. */
export function resolveConnectionSettings(
  options: GatewayConnectionOptions | undefined,
  trustProxy: boolean,
): ConnectionSettings {
  const o = options ?? {};
  // Generous: a NAT full of shoppers opens a few a second; a connection flood, thousands.
  const newPerSecond = atLeast(o.newPerSecondPerClient, trustProxy ? 0 : 500, 0, 'newPerSecondPerClient');
  return {
    maxPerClient: atLeast(o.maxPerClient, trustProxy ? 0 : 256, 0, 'maxPerClient'),
    newPerMs: newPerSecond / 1000,
    newBurst: atLeast(o.newBurstPerClient, Math.max(1, newPerSecond * 2), 1, 'newBurstPerClient'),
    bodyIdleTimeoutMs: atLeast(o.bodyIdleTimeoutMs, 10_000, 1, 'bodyIdleTimeoutMs'),
    minBodyBytesPerSecond: atLeast(o.minBodyBytesPerSecond, 512, 0, 'minBodyBytesPerSecond'),
    bodyRateGraceMs: atLeast(o.bodyRateGraceMs, 5_000, 0, 'bodyRateGraceMs'),
    sendStallTimeoutMs: atLeast(o.sendStallTimeoutMs, 30_000, 1, 'sendStallTimeoutMs'),
    handshakeTimeoutMs: atLeast(o.handshakeTimeoutMs, 10_000, 1, 'handshakeTimeoutMs'),
    maxTrackedClients: atLeast(o.maxTrackedClients, 100_000, 1, 'maxTrackedClients'),
    flowEventIntervalMs: atLeast(o.flowEventIntervalMs, 5_000, 0, 'flowEventIntervalMs'),
    flowEventsPerSecond: atLeast(o.flowEventsPerSecond, 100, 1, 'flowEventsPerSecond'),
    sweepIntervalMs: atLeast(o.sweepIntervalMs, 250, 10, 'sweepIntervalMs'),
    bufferBodyBytes: atLeast(o.bufferBodyBytes, 65_536, 0, 'bufferBodyBytes'),
  };
}
