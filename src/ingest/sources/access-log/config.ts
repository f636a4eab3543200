/**
 * Configuration of the access-log source (ingest): which files, in which format, how they
 * are followed. Validated with zod; durations are numbers of milliseconds or text such as
 * `500ms`, `2s`. docs/sources.md explains each key.
 *
 * @example
 * parseAccessLogConfig({ name: 'shop-nginx', format: 'nginx', paths: ['/var/log/nginx/access.log'] })
 */
import { z } from 'zod';
import { parseDurationMs } from '../../../core/duration.js';
import { EnsuresecError } from '../../../core/errors.js';
import { ACCESS_LOG_FORMATS } from './source.js';

export const durationMs = z.union([z.number().int().min(0), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 500ms, 10s or 1m` });
    return z.NEVER;
  }
  return ms;
});

const fieldNames = z.array(z.string().min(1).max(256)).min(1).max(32);

export const accessLogConfigSchema = z
  .object({
    /** Names the source in events (`source.name`), metrics and offsets. */
    name: z.string().min(1).max(256).default('access-log'),
    format: z.enum(ACCESS_LOG_FORMATS).default('auto'),
    paths: z.array(z.string().min(1).max(4096)).min(1).max(256),
    /** Where to begin in a file with no remembered offset. */
    startAt: z.enum(['beginning', 'end']).default('end'),
    pollInterval: durationMs.default(1000),
    watch: z.boolean().default(true),
    maxLineBytes: z.number().int().min(1024).max(65_536).default(65_536),
    commitInterval: durationMs.default(1000),
    keepRawLine: z.boolean().default(true),
    jsonFields: z
      .object({
        time: fieldNames,
        clientIp: fieldNames,
        clientPort: fieldNames,
        request: fieldNames,
        method: fieldNames,
        path: fieldNames,
        protocol: fieldNames,
        status: fieldNames,
        responseBytes: fieldNames,
        requestBytes: fieldNames,
        referer: fieldNames,
        userAgent: fieldNames,
        host: fieldNames,
        user: fieldNames,
        requestId: fieldNames,
        latencySeconds: fieldNames,
        latencyMs: fieldNames,
        latencyNs: fieldNames,
      })
      .partial()
      .strict()
      .default({}),
    deadLetters: z
      .object({ maxPerMinute: z.number().int().min(0).max(10_000).default(60) })
      .strict()
      .default({ maxPerMinute: 60 }),
  })
  .strict();

export type AccessLogConfig = z.output<typeof accessLogConfigSchema>;
export type AccessLogConfigInput = z.input<typeof accessLogConfigSchema>;

/** Validates a source's configuration; `where` names it in the error (`sources.accessLogs[0]`). */
export function parseConfig<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? [where, ...issue.path.map(String)].join('.') : where;
  throw new EnsuresecError('config_invalid', {
    detail: `${path}: ${issue?.message ?? 'invalid'}.`,
    details: result.error.issues,
  });
}

export function parseAccessLogConfig(input: unknown, where = 'accessLog'): AccessLogConfig {
  return parseConfig(accessLogConfigSchema, input, where);
}
