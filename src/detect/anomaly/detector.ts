/**
 * The anomaly detector (detect, `anomaly`): streaming and unsupervised, for what no rule
 * names. Per route (`METHOD /route`) it learns rates with an hour-of-day profile, the 4xx/5xx
 * mix, request and response sizes, URL entropy and the JA4 / user-agent families; per client
 * (address) it measures requests, distinct paths and 4xx answers per window against the
 * population of all clients. The first `learningMs` of event time only learn; after that a
 * detection names the features that made it anomalous, each with value, expected value,
 * ratio and z-score. State is bounded (`maxRoutes`, `maxClients`, least recently seen evicted).
 *
 * @example
 * const anomaly = createAnomalyDetector({ learningMs: 2 * 3_600_000 });
 * for (const event of events) for (const d of anomaly.observe(event)) console.log(d.title, d.evidence);
 */
import type { SecurityEvent } from '../../core/records/security-event.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { ClientPopulation, ClientState } from './client-model.js';
import { parseAnomalyConfig, type AnomalyConfig, type AnomalyConfigInput } from './config.js';
import { routeKeyOf, statusClass, urlInformationBits, userAgentFamily } from './features.js';
import { findingsEvidence, findingsText, type Finding } from './findings.js';
import { LruMap } from './lru.js';
import { RouteState, type RouteFindings } from './route-model.js';
import { fnv1a } from './stats.js';

const HOUR_MS = 3_600_000;
const REQUEST_FEATURES = new Set(['request_bytes', 'response_bytes', 'url_entropy_bits']);
const CLUSTER_FEATURES = new Set(['new_ja4', 'new_user_agent']);

export interface AnomalyDetector extends Detector {
  readonly config: AnomalyConfig;
  /** Keys evicted to honour the bounds (a sign they are too tight). */
  evictions(): { routes: number; clients: number };
}

export function createAnomalyDetector(input: AnomalyConfigInput = {}): AnomalyDetector {
  const config = parseAnomalyConfig(input);
  const routes = new LruMap<RouteState>(config.maxRoutes);
  const clients = new LruMap<ClientState>(config.maxClients);
  const population = new ClientPopulation(config);
  const quietUntil = new Map<string, number>();
  // Few distinct user agents, many events: remember each one's family (bounded, reset when full).
  const families = new Map<string, string>();
  const familyOf = (userAgent: string): string => {
    let family = families.get(userAgent);
    if (family === undefined) {
      if (families.size >= 10_000) families.clear();
      family = userAgentFamily(userAgent);
      families.set(userAgent, family);
    }
    return family;
  };
  let learningEndsMs = Number.NaN;
  let currentWindow = Number.NEGATIVE_INFINITY;

  function allow(key: string, nowMs: number): boolean {
    const until = quietUntil.get(key);
    if (until !== undefined && until > nowMs) return false;
    quietUntil.delete(key);
    quietUntil.set(key, nowMs + config.cooldownMs);
    for (const [stale, staleUntil] of quietUntil) {
      if (quietUntil.size <= config.maxRoutes * 4 && staleUntil > nowMs) break;
      quietUntil.delete(stale);
    }
    return true;
  }

  function observe(event: SecurityEvent): Detection[] {
    const http = event.http;
    if (http === undefined) return [];
    const timeMs = Date.parse(event.time);
    if (!Number.isFinite(timeMs)) return [];
    if (Number.isNaN(learningEndsMs)) learningEndsMs = timeMs + config.learningMs;
    let windowIndex = Math.floor(timeMs / config.windowMs);
    if (windowIndex > currentWindow) {
      if (currentWindow !== Number.NEGATIVE_INFINITY) population.closeWindows();
      currentWindow = windowIndex;
    } else {
      windowIndex = currentWindow; // a late event counts in the current window
    }
    const learning = timeMs < learningEndsMs;
    const hour = ((Math.floor((timeMs + config.utcOffsetMinutes * 60_000) / HOUR_MS) % 24) + 24) % 24;
    const key = routeKeyOf(http.method, http.route, http.path);
    const client = event.client?.ip ?? '';
    const route = routes.touch(key, () => new RouteState(key, config));
    const userAgent = event.client?.userAgent;
    const routeFindings = route.observe(
      {
        windowIndex,
        hour,
        client,
        status: statusClass(http.status),
        requestBytes: http.requestBytes,
        responseBytes: http.responseBytes,
        urlBits: urlInformationBits(http.path),
        ja4: event.client?.ja4,
        uaFamily: userAgent === undefined || userAgent === '' ? undefined : familyOf(userAgent),
      },
      learning,
    );
    let clientFindings: Finding[] | null = null;
    if (client !== '') {
      const state = clients.touch(client, () => new ClientState());
      clientFindings = population.observe(
        state,
        windowIndex,
        fnv1a(http.path),
        http.status >= 400 && http.status < 500,
        learning,
      );
    }
    if (routeFindings === null && clientFindings === null) return [];

    const out: Detection[] = [];
    const context = { event, timeMs, key, client, route, windowIndex };
    if (routeFindings !== null) out.push(...routeDetections(routeFindings, context));
    if (clientFindings !== null) {
      const detection = clientDetection(clientFindings, context);
      if (detection !== null) out.push(detection);
    }
    return out;
  }

  interface Context {
    event: SecurityEvent;
    timeMs: number;
    key: string;
    client: string;
    route: RouteState;
    windowIndex: number;
  }

  function base(ctx: Context, findings: Finding[]): Record<string, number | string | boolean> {
    return {
      route: ctx.key,
      windowStart: new Date(ctx.windowIndex * config.windowMs).toISOString(),
      windowMs: config.windowMs,
      ...findingsEvidence(findings),
    };
  }

  function routeEntity(ctx: Context): DetectionEntity {
    const dominant = ctx.route.dominantClient();
    return dominant ? { type: 'ip', value: dominant.client } : { type: 'route', value: ctx.key };
  }

  function make(
    ctx: Context,
    fields: Pick<Detection, 'ruleId' | 'title' | 'description' | 'severity' | 'entity' | 'evidence'> & {
      attack?: string[];
    },
  ): Detection | null {
    // Route findings are kept apart per feature (a rate surge and a 5xx storm are two problems);
    // a client or one request raises one detection per cool-down, naming all its features.
    const scope = fields.ruleId === 'anomaly.route' ? `${ctx.key}|${fields.evidence.features}` : ctx.key;
    if (!allow(`${fields.ruleId}|${scope}|${fields.entity.type}|${fields.entity.value}`, ctx.timeMs))
      return null;
    return {
      ...fields,
      attack: fields.attack ?? [],
      eventIds: [ctx.event.id],
      tags: ['anomaly'],
      time: ctx.event.time,
    };
  }

  function routeDetections(result: RouteFindings, ctx: Context): Detection[] {
    const out: Detection[] = [];
    const request = result.findings.filter((f) => REQUEST_FEATURES.has(f.feature));
    const cluster = result.findings.filter((f) => CLUSTER_FEATURES.has(f.feature));
    const window = result.findings.filter(
      (f) => !REQUEST_FEATURES.has(f.feature) && !CLUSTER_FEATURES.has(f.feature),
    );
    const push = (d: Detection | null) => d !== null && out.push(d);
    if (window.length > 0) {
      const evidence: Detection['evidence'] = { ...base(ctx, window), windowRequests: ctx.route.windowCount };
      const dominant = ctx.route.dominantClient();
      if (dominant) evidence.dominantClientShare = Math.round(dominant.share * 100) / 100;
      push(
        make(ctx, {
          ruleId: 'anomaly.route',
          title: `Anomalous traffic on ${ctx.key}: ${window.map((f) => f.feature).join(', ')}`,
          description: `Route ${ctx.key} departs from its baseline: ${findingsText(window)}.`,
          severity: 'medium',
          entity: routeEntity(ctx),
          evidence,
        }),
      );
    }
    if (request.length > 0 && ctx.client !== '')
      push(
        make(ctx, {
          ruleId: 'anomaly.request',
          title: `Outlier request on ${ctx.key}: ${request.map((f) => f.feature).join(', ')}`,
          description: `One request on ${ctx.key} is far from the route's usual: ${findingsText(request)}.`,
          severity: 'low',
          entity: { type: 'ip', value: ctx.client },
          evidence: { ...base(ctx, request), path: ctx.event.http?.path.slice(0, 256) ?? '' },
        }),
      );
    if (cluster.length > 0 && result.cluster) {
      const { feature, value, clients: distinctClients } = result.cluster;
      const entity: DetectionEntity = feature === 'new_ja4' ? { type: 'ja4', value } : routeEntity(ctx);
      push(
        make(ctx, {
          ruleId: 'anomaly.new-cluster',
          title: `New ${feature === 'new_ja4' ? 'TLS fingerprint (JA4)' : 'user-agent family'} on ${ctx.key}: ${value.slice(0, 80)}`,
          description: `A ${feature === 'new_ja4' ? 'JA4 fingerprint' : 'user-agent family'} never seen on ${ctx.key} makes up a large share of its traffic: ${findingsText(cluster)}.`,
          severity: 'medium',
          entity,
          evidence: {
            ...base(ctx, cluster),
            cluster: value.slice(0, 256),
            clusterClients: distinctClients,
            windowRequests: ctx.route.windowCount,
          },
        }),
      );
    }
    return out;
  }

  function clientDetection(findings: Finding[], ctx: Context): Detection | null {
    const scanning = findings.some((f) => f.feature === 'distinct_paths' || f.feature === 'status_4xx');
    return make(ctx, {
      ruleId: 'anomaly.client',
      title: `Anomalous client: ${findings.map((f) => f.feature).join(', ')}`,
      description: `The client behaves unlike the population of clients: ${findingsText(findings)}.`,
      severity: 'medium',
      entity: { type: 'ip', value: ctx.client },
      attack: scanning ? ['T1595.003'] : [],
      evidence: { ...base(ctx, findings), lastRoute: ctx.key },
    });
  }

  return {
    name: 'anomaly',
    config,
    observe,
    stateSize: () => routes.size + clients.size,
    evictions: () => ({ routes: routes.evicted, clients: clients.evicted }),
  };
}
