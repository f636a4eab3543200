/**
 * Fail-safe modes as data (gateway enforcement): named route groups (path globs plus
 * methods) and named modes over them, with the built-ins every deployment has. ensuresec.yaml
 * adds groups and modes or replaces built-ins by name; `compileModes` turns them into what
 * the hot path reads (RegExps, upper-case method sets, CIDR lists).
 *
 * Effects:
 * - `unavailable`: matching requests get the branded 503 page with Retry-After;
 * - `read_only`: matching requests with an unsafe method (not GET/HEAD/OPTIONS) get the 503 page;
 * - `challenge`: matching requests need a proof-of-work pass and are rate-limited per client;
 * - `allowlist`: matching requests from clients outside `allowCidrs` get a 403 page.
 *
 * @example
 *   const modes = compileModes({ groups: {}, modes: {} }); // the built-ins only
 *   modes.get('checkout-freeze')?.effect // 'unavailable'
 */
import { isIP } from 'node:net';
import { compilePathGlob } from './paths.js';

export const MODE_EFFECTS = ['unavailable', 'read_only', 'challenge', 'allowlist'] as const;
export type ModeEffect = (typeof MODE_EFFECTS)[number];

/** Paths (globs) and, optionally, the methods they apply to (all when absent). */
export interface RouteGroupDefinition {
  paths: string[];
  methods?: string[];
}

/** A route-group reference: the name of a group, or a group written in place. */
export type RouteRef = string | RouteGroupDefinition;

export interface ModeDefinition {
  description: string;
  effect: ModeEffect;
  /** The requests the mode acts on; absent: every request. */
  routes?: RouteRef[];
  /** Requests the mode leaves alone even when `routes` matches them. */
  except?: RouteRef[];
  /** `allowlist`: the networks still let in. */
  allowCidrs?: string[];
  /** Retry-After of the 503 page; default 300. */
  retryAfterSec?: number;
  /** `challenge`: requests per minute per client on the routes; default 10. */
  ratePerMinute?: number;
}

export interface ModesConfig {
  groups: Record<string, RouteGroupDefinition>;
  modes: Record<string, ModeDefinition>;
}

/**
 * The demo shop's routes (src/demo/shop/routes), which are also the usual ones of a shop:
 * override a group in ensuresec.yaml when your shop's paths differ.
 */
export const BUILT_IN_GROUPS: Readonly<Record<string, RouteGroupDefinition>> = {
  checkout: { paths: ['/checkout/**', '/api/checkout/**', '/payment/**', '/api/payment/**'] },
  auth: {
    paths: ['/login/**', '/api/login/**', '/register/**', '/api/register/**', '/password/**'],
  },
  static: {
    paths: ['/static/**', '/favicon.ico', '/robots.txt'],
    methods: ['GET', 'HEAD'],
  },
};

export const BUILT_IN_MODES: Readonly<Record<string, ModeDefinition>> = {
  'checkout-freeze': {
    description: 'Checkout and payment answer a 503 page; browsing, cart and accounts work.',
    effect: 'unavailable',
    routes: ['checkout'],
    retryAfterSec: 900,
  },
  'read-only': {
    description: 'Only GET, HEAD and OPTIONS reach the shop; every change is refused with a 503 page.',
    effect: 'read_only',
  },
  'login-shield': {
    description: 'Sign-in and registration need a proof-of-work pass and are rate-limited per client.',
    effect: 'challenge',
    routes: ['auth'],
    ratePerMinute: 10,
  },
  lockdown: {
    description: 'Only clients from the allow-listed networks (loopback by default) reach the shop.',
    effect: 'allowlist',
    allowCidrs: ['127.0.0.0/8', '::1/128'],
  },
  'static-only': {
    description: 'Only GET and HEAD of static assets are served; everything else answers a 503 page.',
    effect: 'unavailable',
    except: ['static'],
    retryAfterSec: 900,
  },
};

export interface CompiledRouteGroup {
  patterns: RegExp[];
  /** null: every method. */
  methods: ReadonlySet<string> | null;
}

export interface CompiledMode {
  name: string;
  description: string;
  effect: ModeEffect;
  /** null: every request. */
  routes: CompiledRouteGroup[] | null;
  except: CompiledRouteGroup[];
  allowCidrs: string[];
  retryAfterSec: number;
  ratePerMinute: number;
}

export const MODE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** Built-ins merged with the configured groups and modes (configured win by name). */
export function compileModes(config: Partial<ModesConfig> = {}): Map<string, CompiledMode> {
  const groups = { ...BUILT_IN_GROUPS, ...config.groups };
  const definitions = { ...BUILT_IN_MODES, ...config.modes };
  const compiled = new Map<string, CompiledMode>();
  for (const [name, definition] of Object.entries(definitions)) {
    if (!MODE_NAME_PATTERN.test(name))
      throw new RangeError(`mode name "${name}" must be lower-case letters, digits and dashes`);
    const resolve = (ref: RouteRef): CompiledRouteGroup => {
      const group = typeof ref === 'string' ? groups[ref] : ref;
      if (group === undefined)
        throw new RangeError(`mode ${name} names the route group "${String(ref)}", which is not defined`);
      return compileGroup(group);
    };
    for (const cidr of definition.allowCidrs ?? []) {
      if (!isCidrText(cidr)) throw new RangeError(`mode ${name}: "${cidr}" is not a CIDR block`);
    }
    compiled.set(name, {
      name,
      description: definition.description,
      effect: definition.effect,
      routes: definition.routes === undefined ? null : definition.routes.map(resolve),
      except: (definition.except ?? []).map(resolve),
      allowCidrs: definition.allowCidrs ?? [],
      retryAfterSec: definition.retryAfterSec ?? 300,
      ratePerMinute: definition.ratePerMinute ?? 10,
    });
  }
  return compiled;
}

function compileGroup(group: RouteGroupDefinition): CompiledRouteGroup {
  return {
    patterns: group.paths.map(compilePathGlob),
    methods:
      group.methods === undefined || group.methods.length === 0
        ? null
        : new Set(group.methods.map((method) => method.toUpperCase())),
  };
}

function isCidrText(value: string): boolean {
  const [address = '', bits, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** True when one of the groups matches the (normalised) path and method. */
export function groupsMatch(groups: readonly CompiledRouteGroup[], path: string, method: string): boolean {
  for (const group of groups) {
    if (group.methods !== null && !group.methods.has(method)) continue;
    for (const pattern of group.patterns) if (pattern.test(path)) return true;
  }
  return false;
}
