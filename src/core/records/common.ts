/** Shared pieces of the record schemas (core, no I/O). */
import { z } from 'zod';

export const isoTimestamp = z.iso.datetime({ offset: true });
export const severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severity>;
export const labels = z.record(z.string().max(128), z.string().max(1024)).default({});

export function idOf(prefix: string) {
  return z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_ id`);
}
