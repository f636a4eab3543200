/**
 * The schema of `ensuresec.yaml` (read only by the composition root). Every key has a
 * default, so an empty file (or none) gives a working embedded deployment on 127.0.0.1.
 * docs/configuration.md documents every key; a test keeps the two in step.
 */
import { z } from 'zod';
import { parseDurationMs } from '../../core/duration.js';
import { parseVerifierKey } from '../../ledger/note-keys.js';
import { PARTNER_ROLES } from '../../response/notices/partners.js';
import { compileModes, MODE_EFFECTS, MODE_NAME_PATTERN } from '../../gateway/modes/definitions.js';
import { entityProfileSchema } from '../../regulation/profile.js';
import { deliveryConfigSchema } from '../../ingest/sources/delivery/config.js';
import { flowConfigSchema } from '../../ingest/sources/flow/config.js';

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

/** A duration the gateway needs to be longer than zero (a timeout of 0 would close everything). */
const positiveDuration = duration.refine((ms) => ms > 0, 'must be longer than 0');

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

/** A fail-safe mode's routes: path globs (`*` one segment, `**` any) and, optionally, methods. */
const routeGroup = z.strictObject({
  paths: z.array(z.string().startsWith('/').max(512)).min(1).max(200),
  methods: z
    .array(z.string().regex(/^[A-Za-z]{1,16}$/))
    .max(16)
    .optional(),
});
const routeRef = z.union([z.string().min(1).max(64), routeGroup]);

const modeDefinition = z.strictObject({
  description: z.string().max(512).default(''),
  effect: z.enum(MODE_EFFECTS),
  routes: z.array(routeRef).max(100).optional(),
  except: z.array(routeRef).max(100).optional(),
  allowCidrs: z.array(z.string().max(64)).max(1000).optional(),
  retryAfterSec: z.number().int().min(1).max(86_400).optional(),
  ratePerMinute: z.number().int().min(1).max(100_000).optional(),
});

const modes = z
  .strictObject({
    groups: z.record(z.string().regex(MODE_NAME_PATTERN), routeGroup).default({}),
    definitions: z.record(z.string().regex(MODE_NAME_PATTERN), modeDefinition).default({}),
    brand: z.string().min(1).max(100).default('Our shop'),
    refresh: duration.default(1_000),
    endCheckInterval: duration.default(5_000),
    challenge: z
      .strictObject({
        difficultyBits: z.number().int().min(4).max(26).default(16),
        passTtl: duration.default(30 * 60_000),
      })
      .prefault({}),
  })
  .superRefine((value, ctx) => {
    try {
      compileModes({ groups: value.groups, modes: value.definitions });
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['definitions'], message: (error as Error).message });
    }
  });

/** Playbooks (response stage): which run, and where `call-shop` steps send their signed webhooks. */
const playbooks = z.strictObject({
  /** Unset: on in `ensuresec demo`, off in `ensuresec start`. */
  enabled: z.boolean().optional(),
  builtins: z.boolean().default(true),
  dirs: z.array(z.string().min(1).max(4096)).max(50).default([]),
  approvalCheckInterval: duration.default(1_000),
  shop: z
    .strictObject({
      url: upstreamUrl,
      secret: secretRef,
      timeout: duration.default(5_000),
    })
    .optional(),
});

/** Notices to customers and partners (response stage): SMTP, the shop's contact, retries. */
const notices = z.strictObject({
  smtp: z
    .strictObject({
      host,
      port: port.default(587),
      secure: z.boolean().default(false),
      user: z.string().min(1).max(255).optional(),
      password: secretRef.optional(),
      from: z.string().min(3).max(320),
      timeout: duration.default(15_000),
    })
    .optional(),
  shop: z
    .strictObject({
      name: z.string().min(1).max(200).default('Our shop'),
      email: z.email().optional(),
      url: upstreamUrl.optional(),
      phone: z.string().min(3).max(50).optional(),
    })
    .prefault({}),
  retry: z
    .strictObject({
      baseDelay: duration.default(30_000),
      maxDelay: duration.default(3_600_000),
      maxAttempts: z.number().int().min(1).max(100).default(12),
      maxAge: duration.default(3 * 86_400_000),
    })
    .prefault({}),
  pollInterval: duration.default(1_000),
  webhookTimeout: duration.default(10_000),
});

/** A payment provider, carrier, partner shop or CSIRT that receives partner notices. */
const partner = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes, e.g. payments'),
  name: z.string().min(1).max(200),
  role: z.enum(PARTNER_ROLES),
  email: z.email().optional(),
  webhook: z.strictObject({ url: upstreamUrl, secret: secretRef }).optional(),
  language: z.string().min(2).max(35).optional(),
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
          keepAliveTimeout: positiveDuration.default(5_000),
        })
        .prefault({}),
      /** Per-client connection caps and slow-attack protection (src/gateway/connections/settings.ts). */
      connections: z
        .strictObject({
          /** Default 256, or 0 (off) with trustProxy: the peer is then the operator's load balancer. */
          maxPerClient: z.number().int().min(0).optional(),
          newPerSecondPerClient: z.number().min(0).optional(),
          newBurstPerClient: z.number().int().min(1).optional(),
          bodyIdleTimeout: positiveDuration.default(10_000),
          minBodyBytesPerSecond: z.number().int().min(0).default(512),
          bodyRateGrace: duration.default(5_000),
          sendStallTimeout: positiveDuration.default(30_000),
          handshakeTimeout: positiveDuration.default(10_000),
          maxTrackedClients: z.number().int().min(1).default(100_000),
          flowEventInterval: duration.default(5_000),
          flowEventsPerSecond: z.number().int().min(1).default(100),
          bufferBodyBytes: z.number().int().min(0).default(65_536),
        })
        .prefault({}),
      /** TLS termination; absent: the gateway speaks plain HTTP. */
      tls: z
        .strictObject({
          certificates: z
            .array(z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }))
            .min(1),
          reloadCheck: positiveDuration.default(1_000),
          minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
        })
        .optional(),
      events: z.strictObject({ sampleRate: z.number().min(0).max(1).default(1) }).prefault({}),
      rateLimits: z
        .strictObject({
          perClient: rateLimit.nullable().default({ ratePerMinute: 1200, burst: 200 }),
          routes: z.array(routeRateLimit).default([]),
        })
        .prefault({}),
      decisionRefresh: duration.default(500),
      /** Set: run only a gateway that follows another server's decision feed (no local store). */
      follow: z
        .strictObject({
          url: upstreamUrl,
          /** A file holding an API token of the `gateway` role. */
          tokenFile: z.string().min(1),
          interval: duration.default(1_000),
        })
        .optional(),
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
  detection: z
    .strictObject({
      enabled: z.boolean().default(true),
      sigma: z
        .strictObject({
          rules: z.array(z.string().min(1)).default([]),
          maxKeysPerRule: z.number().int().min(1).default(200_000),
        })
        .prefault({}),
      intel: z
        .strictObject({
          files: z.array(z.string().min(1)).default([]),
          minConfidence: z.number().int().min(0).max(100).default(0),
        })
        .prefault({}),
      // Passed as they are to the detectors' registry and the anomaly detector, which validate them.
      detectors: z.record(z.string(), z.unknown()).default({}),
      anomaly: z.record(z.string(), z.unknown()).default({}),
      grouping: z
        .strictObject({
          window: duration.default(600_000),
          maxGroups: z.number().int().min(1).default(100_000),
          maxEvidenceEvents: z.number().int().min(1).max(1000).default(20),
        })
        .prefault({}),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      shopWebhooks: z
        .strictObject({
          /** Secret references; each value may hold several `whsec_` secrets separated by spaces (rotation). */
          secrets: z.array(secretRef).max(16).default(['env:ENSURESEC_SHOP_WEBHOOK_SECRET']),
          tolerance: duration.default(5 * 60_000),
        })
        .prefault({}),
      /** The NetFlow v5/v9 and IPFIX collector (docs/network.md). */
      flows: flowConfigSchema.prefault({}),
      /** Carrier webhooks, device limits and the MQTT sensor subscription (docs/delivery.md). */
      delivery: deliveryConfigSchema.prefault({}),
    })
    .prefault({}),
  modes: modes.prefault({}),
  notices: notices.prefault({}),
  playbooks: playbooks.prefault({}),
  partners: z
    .array(partner)
    .max(100)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [index, entry] of list.entries()) {
        if (seen.has(entry.id))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `partner id "${entry.id}" is used twice`,
          });
        seen.add(entry.id);
      }
    }),
  /** Who the operator is in law (NIS2, Regulation 2024/2690, GDPR); see docs/incidents.md. */
  entity: entityProfileSchema.optional(),
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
