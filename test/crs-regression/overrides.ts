/**
 * The overrides file of the CRS regression run (test/crs-regression/overrides.yaml): every
 * test the runner skips, by go-ftw id (`920100-5`), with a one-line reason. A skipped test
 * counts in neither the passed nor the failed total. A broken file stops the run (exit 2):
 * silently running tests someone meant to skip, or the reverse, would falsify the rate.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const overridesSchema = z.object({
  // YAML's failsafe schema reads an empty `skip:` as ''.
  skip: z.preprocess(
    (value) => (value === '' ? null : value),
    z
      .record(
        z.string(),
        z
          .string()
          .trim()
          .min(1, 'every skipped test needs a reason')
          .refine((reason) => !reason.includes('\n'), 'a reason is one line'),
      )
      .nullable()
      .optional(),
  ),
});

export class OverridesError extends Error {}

/** Parses the overrides text; throws OverridesError naming the problem. */
export function parseOverrides(source: string, file: string): Map<string, string> {
  let data: unknown;
  try {
    data = parse(source, { schema: 'failsafe' });
  } catch (error) {
    throw new OverridesError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = overridesSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OverridesError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const skip = new Map(Object.entries(parsed.data.skip ?? {}));
  for (const id of skip.keys()) {
    if (!/^\d+-\d+$/.test(id)) throw new OverridesError(`${file}: skip.${id}: test ids look like 920100-5`);
  }
  return skip;
}

export function loadOverrides(file: string): Map<string, string> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OverridesError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseOverrides(source, file);
}
