/**
 * The schema of `ensuresec.yaml` (read only by the composition root). Every key has a
 * default, so an empty file (or none) gives a working embedded deployment on 127.0.0.1.
 * docs/configuration.md documents every key; a test keeps the two in step.
 */
import { z } from 'zod';
import { parseDurationMs } from '../../core/duration.js';
import { parseVerifierKey } from '../../ledger/note-keys.js';

/** '15m', '500ms', or a number of milliseconds. */
const duration = z.union([z.number().int().min(0), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration such as 500ms, 10s, 15m, 12h or 7d`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A secret: `env:NAME` (read from the environment) or `file:/path` (read from a file); never a literal. */
const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be env:NAME or file:/path, never the secret itself');

const host = z.string().min(1).max(255);
const port = z.number().int().min(0).max(65535);
const upstreamUrl = z.url({ protocol: /^https?$/ });

const rateLimit = z.strictObject({
  ratePerMinute: z.number().int().min(1),
  burst: z.number().int().min(1),
});

/** A partner that cosigns the ledger's checkpoints: its `cosignature/v1` verifier key. */
const witness = z.strictObject({
  name: z.string().min(1).max(100),
  key: z.string().superRefine((value, ctx) => {
    const parsed = parseVerifierKey(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `not a witness verifier key: ${parsed.reason}` });
    else if (parsed.value.type !== 'cosignature/v1') {
      ctx.addIssue({
        code: 'custom',
        message: 'a witness key must be a cosignature/v1 key (made by `ensuresec ledger witness-keygen`)',
      });
    }
  }),
});

const routeRateLimit = z.strictObject({
  method: z.string().min(1).max(16).optional(),
  pathPrefix: z.string().startsWith('/'),
  ratePerMinute: z.number().int().min(1),
  burst: z.number().int().min(1),
});

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).optional(),
  store: z
    .strictObject({
      dialect: z.enum(['sqlite', 'postgres']).default('sqlite'),
      postgres: z
        .strictObject({
          url: secretRef.default('env:ENSURESEC_POSTGRES_URL'),
          schema: z
            .string()
            .regex(/^[a-z_][a-z0-9_]*$/)
            .optional(),
          maxConnections: z.number().int().min(1).max(200).default(10),
        })
        .prefault({}),
    })
    .prefault({}),
  bus: z.strictObject({ kind: z.enum(['memory']).default('memory') }).prefault({}),
  api: z
    .strictObject({
      host: host.default('127.0.0.1'),
      port: port.default(8700),
      trustProxy: z.boolean().default(false),
      secureCookies: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      sessionTtl: duration.default(12 * 3_600_000),
      requireTotpForAdmins: z.boolean().default(false),
      loginRateLimit: z
        .strictObject({
          maxAttempts: z.number().int().min(1).default(10),
          window: duration.default(15 * 60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  gateway: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: host.default('127.0.0.1'),
      port: port.default(8780),
      upstream: upstreamUrl.default('http://127.0.0.1:8781'),
      trustProxy: z.boolean().default(false),
      limits: z
        .strictObject({
          maxHeaderBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
          maxBodyBytes: z
            .number()
            .int()
            .min(0)
            .default(10 * 1_048_576),
          headersTimeout: duration.default(10_000),
          requestTimeout: duration.default(60_000),
          upstreamTimeout: duration.default(30_000),
        })
        .prefault({}),
      events: z.strictObject({ sampleRate: z.number().min(0).max(1).default(1) }).prefault({}),
      rateLimits: z
        .strictObject({
          perClient: rateLimit.nullable().default({ ratePerMinute: 1200, burst: 200 }),
          routes: z.array(routeRateLimit).default([]),
        })
        .prefault({}),
      decisionRefresh: duration.default(500),
    })
    .prefault({}),
  waf: z
    .strictObject({
      crs: z.string().min(1).optional(),
      mode: z.enum(['On', 'DetectionOnly', 'Off']).default('On'),
      paranoia: z.number().int().min(1).max(4).default(1),
      inboundThreshold: z.number().int().min(1).default(5),
      outboundThreshold: z.number().int().min(1).default(4),
      rules: z.array(z.string().min(1)).default([]),
      workers: z.union([z.literal('auto'), z.number().int().min(0).max(16)]).default('auto'),
      /** ModSecurity's recommended base rules 200002-200007 (request-body errors), loaded before the CRS. */
      baseRules: z.boolean().default(true),
      /** The US-ASCII best-fit unicode map (SecUnicodeMapFile ... 20127) for t:urlDecodeUni. */
      unicodeMap: z.boolean().default(true),
      exclusions: z
        .array(
          z.strictObject({
            pathPrefix: z.string().startsWith('/'),
            removeRules: z.array(z.number().int().min(1)).default([]),
            removeTargets: z
              .array(
                z.strictObject({
                  ruleId: z.number().int().min(1),
                  target: z.string().regex(/^[A-Z_]+(:[^\s"',]+)?$/),
                }),
              )
              .default([]),
          }),
        )
        .default([]),
    })
    .prefault({}),
  retention: z
    .strictObject({
      rawEventsDays: z.number().int().min(1).max(3650).default(30),
      purgeInterval: duration.default(3_600_000),
    })
    .prefault({}),
  ledger: z
    .strictObject({
      checkpointInterval: duration.default(60_000),
      origin: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^\s+]+$/, 'must be one word without spaces or "+", e.g. shop.example/ledger')
        .optional(),
      witnesses: z.array(witness).max(32).default([]),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      pseudonymisationKey: secretRef.optional(),
      adminPassword: secretRef.default('env:ENSURESEC_ADMIN_PASSWORD'),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  demo: z
    .strictObject({
      shopHost: host.default('127.0.0.1'),
      shopPort: port.default(8781),
      vulnerable: z.boolean().default(false),
      simulator: z
        .strictObject({
          enabled: z.boolean().default(true),
          shoppers: z.number().int().min(0).max(1000).default(3),
          ratePerSecond: z.number().min(0).max(1000).default(2),
          scenarios: z.array(z.string()).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type EnsuresecConfig = z.output<typeof configSchema>;
export type EnsuresecConfigInput = z.input<typeof configSchema>;
