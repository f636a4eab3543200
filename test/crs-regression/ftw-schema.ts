/**
 * The go-ftw test file format (CRS regression runner, test/crs-regression): zod schemas for
 * `tests/regression/tests/**\/*.yaml` as ftw-tests-schema v2 defines it, and the normalised
 * types the runner works with. Files are parsed with YAML's failsafe schema (every scalar a
 * string, as go-ftw's Go structs read a header value `0x1F` or a version `1.10` verbatim),
 * so the schemas coerce the few numeric and boolean fields themselves.
 */
import { z } from 'zod';

const text = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .transform((v) => (v === null ? '' : String(v)));

const flag = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const lower = v.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (['false', 'no', 'off', ''].includes(lower)) return false;
  ctx.addIssue({ code: 'custom', message: `"${v}" is not a boolean` });
  return z.NEVER;
});

const integer = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not an integer` });
    return z.NEVER;
  }
  return n;
});

const ruleId = integer.transform((n) => String(n));
const ruleIds = z.array(ruleId).optional().default([]);

/** Headers as a mapping (what CRS writes) or as a list of `{name, value}` (ordered form). */
const headers = z
  .union([
    z.record(z.string(), text),
    z.array(z.object({ name: z.string(), value: text })).transform((list) => list),
    z.null(),
  ])
  .transform((h): Array<[string, string]> => {
    if (h === null) return [];
    if (Array.isArray(h)) return h.map((entry) => [entry.name, entry.value]);
    return Object.entries(h);
  });

const inputSchema = z.looseObject({
  dest_addr: text.optional(),
  port: integer.optional(),
  protocol: text.optional(),
  method: text.optional(),
  uri: text.optional(),
  uris: z.array(text).optional(),
  version: text.optional(),
  headers: headers.optional(),
  data: text.optional(),
  encoded_data: text.optional(),
  encoded_request: text.optional(),
  raw_request: text.optional(),
  autocomplete_headers: flag.optional(),
  stop_magic: flag.optional(),
  save_cookie: flag.optional(),
  follow_redirect: flag.optional(),
  virtual_host_mode: flag.optional(),
  response: z.unknown().optional(),
});

const logSchema = z.looseObject({
  expect_ids: ruleIds,
  no_expect_ids: ruleIds,
  match_regex: text.optional(),
  no_match_regex: text.optional(),
});

const outputSchema = z.looseObject({
  status: z.union([integer, z.array(integer)]).optional(),
  response_contains: text.optional(),
  log_contains: text.optional(),
  no_log_contains: text.optional(),
  log: logSchema.optional(),
  expect_error: flag.optional(),
  retry_once: flag.optional(),
  isolated: flag.optional(),
});

export const stageSchema = z.object({
  description: text.optional(),
  input: inputSchema.optional().default({}),
  output: outputSchema.optional().default({}),
});

export const testSchema = z.object({
  test_id: integer.optional(),
  test_title: text.optional(),
  desc: text.optional(),
  tags: z.array(text).optional(),
  stages: z.array(stageSchema).min(1, 'a test needs at least one stage'),
});

export const fileHeaderSchema = z.object({
  meta: z.unknown().optional(),
  rule_id: ruleId,
  tests: z.array(z.unknown()),
});

export type StageInput = z.output<typeof inputSchema>;
export type StageOutput = z.output<typeof outputSchema>;

/** One stage as the runner uses it: what to send and what to expect. */
export interface FtwStage {
  input: StageInput;
  expect: {
    /** Any of these statuses; empty: no status expectation. */
    statuses: number[];
    responseContains?: string;
    expectIds: string[];
    noExpectIds: string[];
    /** Regexes (RE2 syntax as go-ftw uses; CRS only writes the JS-compatible subset). */
    logMatches: string[];
    logNoMatches: string[];
    expectError: boolean;
    retryOnce: boolean;
    isolated: boolean;
  };
}

export interface FtwTest {
  /** `<rule_id>-<test_id>`, go-ftw's IdString. */
  id: string;
  ruleId: string;
  testId: number;
  /** The test file, relative to the tests root. */
  file: string;
  /** Folder of the file: the CRS rule file it covers (REQUEST-920-PROTOCOL-ENFORCEMENT). */
  ruleFile: string;
  description: string;
  stages: FtwStage[];
}

export function normaliseStage(stage: z.output<typeof stageSchema>): FtwStage {
  const out = stage.output;
  const status = out.status;
  const logMatches = [out.log?.match_regex, out.log_contains].filter((v): v is string => !!v);
  const logNoMatches = [out.log?.no_match_regex, out.no_log_contains].filter((v): v is string => !!v);
  return {
    input: stage.input,
    expect: {
      statuses: status === undefined ? [] : Array.isArray(status) ? status : [status],
      ...(out.response_contains ? { responseContains: out.response_contains } : {}),
      expectIds: out.log?.expect_ids ?? [],
      noExpectIds: out.log?.no_expect_ids ?? [],
      logMatches,
      logNoMatches,
      expectError: out.expect_error ?? false,
      retryOnce: out.retry_once ?? false,
      isolated: out.isolated ?? false,
    },
  };
}

/** What go-ftw refuses to run, plus the parts of the format this runner does not implement. */
export function stageProblem(stage: FtwStage): string | null {
  const input = stage.input;
  const bodies = [input.data, input.encoded_data, input.encoded_request, input.raw_request].filter(
    (v) => v !== undefined && v !== '',
  );
  if (bodies.length > 1) return 'choose one of data, encoded_data, encoded_request or raw_request';
  if (stage.expect.isolated && stage.expect.expectIds.length !== 1)
    return "'isolated' needs exactly one entry in expect_ids";
  if (input.uris !== undefined) return "'uris' is not supported by this runner";
  if (input.follow_redirect) return "'follow_redirect' is not supported by this runner";
  if (input.response !== undefined) return "'input.response' is not supported by this runner";
  if (input.protocol !== undefined && input.protocol !== 'http')
    return `protocol "${input.protocol}" is not supported (plain http only)`;
  for (const pattern of [...stage.expect.logMatches, ...stage.expect.logNoMatches]) {
    try {
      new RegExp(pattern);
    } catch {
      return `log regex ${JSON.stringify(pattern)} is not a valid regular expression`;
    }
  }
  if (stage.expect.responseContains !== undefined) {
    try {
      new RegExp(stage.expect.responseContains);
    } catch {
      return `response_contains ${JSON.stringify(stage.expect.responseContains)} is not a valid regular expression`;
    }
  }
  return null;
}
