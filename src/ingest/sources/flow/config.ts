/**
 * Configuration of the flow collector (ingest, flow source): where it listens for NetFlow
 * v5/v9 and IPFIX over UDP and the bounds that keep a misbehaving exporter from taking the
 * memory. The server's `ingest.flows` section is this schema; docs/network.md explains each
 * key. Unset `listen` means the default 127.0.0.1:2055, taken only if free (a warning
 * otherwise); a `listen` the user wrote must be bound or the server does not start.
 *
 * @example parseFlowConfig({ listen: '127.0.0.1:0', maxExporters: 16 })
 */
import { z } from 'zod';
import { parseConfig } from '../access-log/config.js';

export const DEFAULT_FLOW_LISTEN = '127.0.0.1:2055';

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

export const flowConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The events' `source.name` and the metrics' `source` label. */
  name: z.string().min(1).max(256).default('flows'),
  /** `host:port` (`[::1]:2055` for IPv6); unset: 127.0.0.1:2055 if free. */
  listen: z
    .string()
    .regex(HOST_PORT, 'must be host:port, e.g. 127.0.0.1:2055 or [::1]:2055')
    .refine((value) => Number(HOST_PORT.exec(value)?.[2]) <= 65_535, 'the port must be at most 65535')
    .optional(),
  /** Exporters (address, version, source id / observation domain) remembered; the least recently heard goes first. */
  maxExporters: z.number().int().min(1).max(100_000).default(256),
  /** Templates remembered per exporter; the oldest is evicted (a template flood is counted, not stored). */
  maxTemplatesPerExporter: z.number().int().min(1).max(65_535).default(64),
  /** A sequence number further ahead than this is a jump (forged, or a restart), not loss. */
  maxSequenceGap: z.number().int().min(1).max(2_147_483_647).default(1_000_000),
  /** The UDP socket's receive buffer; Linux caps it at net.core.rmem_max. */
  receiveBufferBytes: z
    .number()
    .int()
    .min(65_536)
    .max(1_073_741_824)
    .default(8 * 1_048_576),
  /** Flow events queued per exporter before its records are dropped (counted `queue_full`). */
  maxQueuedPerExporter: z.number().int().min(100).max(10_000_000).default(50_000),
});

export type FlowConfig = z.output<typeof flowConfigSchema>;
export type FlowConfigInput = z.input<typeof flowConfigSchema>;

export function parseFlowConfig(input: unknown, where = 'flows'): FlowConfig {
  return parseConfig(flowConfigSchema, input, where);
}

/** The host and port of `listen` (or the default). */
export function flowListenAddress(config: FlowConfig): { host: string; port: number } {
  const match = HOST_PORT.exec(config.listen ?? DEFAULT_FLOW_LISTEN);
  const host = (match?.[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(match?.[2] ?? 2055) };
}
