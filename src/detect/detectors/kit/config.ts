/**
 * Configuration pieces every detector shares (detect, built-in detectors): durations written
 * as numbers of ms or text (`10m`), the state bound, the cool-down, and one parse function
 * that turns a zod failure into `config_invalid` naming the key.
 */
import { z } from 'zod';
import { parseDurationMs } from '../../../core/duration.js';
import { EnsuresecError } from '../../../core/errors.js';

export const durationMs = z.union([z.number().int().min(1), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < 1) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 30s, 10m or 1h` });
    return z.NEVER;
  }
  return ms;
});

/** Upper bound on the keys one table of a detector holds (each detector has a few tables). */
export const maxKeys = z.number().int().min(1).max(10_000_000);
export const count = z.number().int().min(1).max(1_000_000);
export const fraction = z.number().min(0).max(1);
/** A regular expression's source (matched case-insensitively), checked to compile. */
export const regexSource = z
  .string()
  .min(1)
  .max(512)
  .refine((source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression');

/** Validates a detector's configuration; `where` names it in the error (`detectors.card-testing`). */
export function parseDetectorConfig<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? [where, ...issue.path.map(String)].join('.') : where;
  throw new EnsuresecError('config_invalid', {
    detail: `${path}: ${issue?.message ?? 'invalid'}.`,
    details: result.error.issues,
  });
}
