/**
 * Configuration of the syslog source (ingest): listeners, limits, parsing. Validated with
 * zod; docs/sources.md explains each key. Listens on 127.0.0.1 unless told otherwise.
 *
 * @example parseSyslogConfig({ udp: { port: 5514 }, tcp: { port: 5514, maxConnections: 64 } })
 */
import { z } from 'zod';
import { durationMs, parseConfig } from '../access-log/config.js';

const listener = {
  enabled: z.boolean().default(true),
  host: z.string().min(1).max(256).default('127.0.0.1'),
};
const port = z.number().int().min(0).max(65_535).default(5514);

export const syslogConfigSchema = z
  .object({
    name: z.string().min(1).max(256).default('syslog'),
    udp: z
      .object({ ...listener, port })
      .strict()
      .default({ enabled: true, host: '127.0.0.1', port: 5514 }),
    tcp: z
      .object({
        ...listener,
        port,
        maxConnections: z.number().int().min(1).max(100_000).default(256),
        idleTimeout: durationMs.default(600_000),
      })
      .strict()
      .default({ enabled: true, host: '127.0.0.1', port: 5514, maxConnections: 256, idleTimeout: 600_000 }),
    /** Longest message accepted (RFC 5424 asks receivers for at least 480 bytes, suggests 2048). */
    maxMessageBytes: z.number().int().min(480).max(1_048_576).default(65_536),
    /** Turn nginx/Apache access lines carried in syslog into `http` events. */
    accessLogs: z.boolean().default(true),
    /** The zone of RFC 3164 timestamps, which carry none; minutes east of UTC. */
    legacyUtcOffsetMinutes: z.number().int().min(-720).max(840).default(0),
    /** Events queued per sender before its connection is paused (TCP) or its datagrams dropped (UDP). */
    maxQueuedPerSender: z.number().int().min(10).max(1_000_000).default(1000),
    deadLetters: z
      .object({ maxPerMinute: z.number().int().min(0).max(10_000).default(60) })
      .strict()
      .default({ maxPerMinute: 60 }),
  })
  .strict();

export type SyslogConfig = z.output<typeof syslogConfigSchema>;
export type SyslogConfigInput = z.input<typeof syslogConfigSchema>;

export function parseSyslogConfig(input: unknown, where = 'syslog'): SyslogConfig {
  return parseConfig(syslogConfigSchema, input, where);
}
