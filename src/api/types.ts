/**
 * The API's dependency and request-context types (the one door: CLI, dashboard, partners
 * and remote gateways reach the store and the bus through these). The composition root
 * builds `ApiDeps`; routes receive them resolved (`ResolvedApiDeps`).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../core/clock.js';
import type { Permission } from '../core/roles.js';
import type { LoginRateLimiter } from './auth/rate-limit.js';
import type { Ledger } from '../ledger/index.js';
import type { SessionRecord, Store, TokenRecord, UserRecord } from '../store/store.js';
import type { ModeChangeWatch } from './mode-watch.js';
import type { ModeService } from '../response/modes/service.js';
import type { PlaybookService } from '../response/playbooks/service.js';
import type { EntityProfile } from '../regulation/profile.js';
import type { EmailQueue } from '../response/notices/email-queue.js';
import type { PartnerDirectoryEntry } from '../response/notices/partners.js';
import type { VirtualPatchService } from '../server/virtual-patches.js';

export interface ApiConfig {
  /** An admin without an enrolled second factor may sign in only to enrol one. */
  requireTotpForAdmins: boolean;
  sessionTtlMs: number;
  /** 'auto': Secure when the request came over TLS (honouring X-Forwarded-Proto when trustProxy). */
  secureCookies: boolean | 'auto';
  loginRateLimit: { maxAttempts: number; windowMs: number };
  trustProxy: boolean;
  /** Largest accepted request body; default 1 MiB. */
  maxBodyBytes?: number;
}

/** Something the status route reports under its name, e.g. gateway counters. */
export type StatusProvider = () => unknown;

export interface ApiDeps {
  store: Store;
  /** Every security-relevant write goes through `ledger.commit` (write + audit entry in one transaction). */
  ledger: Ledger;
  bus: Bus;
  clock?: Clock;
  logger: Logger;
  config: ApiConfig;
  /** HMAC key for pseudonymising personal fields in exports and partner views. */
  pseudonymisationKey: Buffer;
  version: string;
  /** Named checks for /readyz; any false answers 503. */
  readiness?: () => Promise<Record<string, boolean>>;
  metricsRegistry?: Registry;
  statusProviders?: Record<string, StatusProvider>;
  /** Ingest over HTTP; without it `POST /shop-events` refuses every delivery. */
  ingest?: IngestApiConfig;
  /** The entity profile (`entity:` in ensuresec.yaml); incident assessment answers `entity_profile_missing` without it. */
  entity?: EntityProfile;
  /** Emails through the persistent outbox (reports to a CSIRT); absent: email submissions answer `notice_channel_unconfigured`. */
  mail?: EmailQueue;
  /** Fail-safe modes with the configured definitions; absent: the built-in modes only. */
  modes?: ModeService;
  /** The partners notices go to (`partners:` in ensuresec.yaml, without secrets); absent: none. */
  partners?: readonly PartnerDirectoryEntry[];
  /** Playbooks; absent (off): the playbook routes list nothing and refuse dry runs and approvals. */
  playbooks?: PlaybookService;
  /** Virtual patches accepted into the running WAF; absent: the routes answer `waf_unavailable`. */
  virtualPatches?: VirtualPatchService;
}

export interface IngestApiConfig {
  shopWebhooks: {
    /** Decoded `whsec_` secrets; several while one is rotated. Never logged. */
    keys: readonly Buffer[];
    /** How far webhook-timestamp may be from the server's clock, either way. */
    toleranceMs: number;
  };
  /** Carrier webhooks (`POST /delivery/webhooks/:carrier`); absent: every carrier webhook is refused. */
  delivery?: {
    /** Decoded `whsec_` secrets per carrier id. Never logged. */
    carriers: ReadonlyMap<string, readonly Buffer[]>;
    toleranceMs: number;
  };
}

export interface ResolvedApiDeps extends ApiDeps {
  clock: Clock;
  startedAtMs: number;
  /** One per server: failed sign-ins per client ip and per user name. */
  loginLimiter: LoginRateLimiter;
  /** One per server: wakes the mode feed's held requests when a mode is switched. */
  modeWatch: ModeChangeWatch;
}

/**
 * What keeps a signed-in session from using the API fully: the one-time password must be
 * changed, or an administrator must enrol TOTP (when the configuration requires it).
 */
export type Restriction = 'password_change' | 'totp_enrolment';

export interface Principal {
  user: UserRecord;
  via: 'session' | 'token';
  session?: SessionRecord;
  /** The raw session cookie's hash is `session.idHash`; the token record when via is 'token'. */
  token?: TokenRecord;
  restrictions: Restriction[];
}

/** Who may call a route: nobody signed in needed, any signed-in user, or a role permission. */
export type Access = 'public' | 'authenticated' | Permission;

export interface RouteAccessConfig {
  access: Access;
  /** Restrictions under which the route still answers (e.g. the password change route). */
  allowWhile: Restriction[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    ensuresec?: RouteAccessConfig;
  }
}
