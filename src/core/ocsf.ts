/**
 * OCSF export mapping (core, no I/O). Records keep our own shape inside Ensuresec and map
 * to an Open Cybersecurity Schema Framework class when exported:
 * HTTP Activity 4002 and Network Activity 4001 (events), Detection Finding 2004 (alerts),
 * Vulnerability Finding 2002 (findings), Incident Finding 2005 (incidents).
 * Other event kinds (log lines, business events, sensor readings) map to Base Event 0.
 * Callers pseudonymise first: `toOcsf(kind, pseudonymiseRecord(schema, record, key))`.
 */
import type { Alert, Finding, Incident, SecurityEvent, Severity } from './records/index.js';

export const OCSF_VERSION = '1.3.0';
export const OCSF_CLASS = {
  baseEvent: 0,
  networkActivity: 4001,
  httpActivity: 4002,
  vulnerabilityFinding: 2002,
  detectionFinding: 2004,
  incidentFinding: 2005,
} as const;

export type OcsfObject = Record<string, unknown> & { class_uid: number; type_uid: number; time: number };

const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const HTTP_ACTIVITY_ID: Record<string, number> = {
  CONNECT: 1,
  DELETE: 2,
  GET: 3,
  HEAD: 4,
  OPTIONS: 5,
  POST: 6,
  PUT: 7,
  TRACE: 8,
};

function base(classUid: number, activityId: number, timeIso: string, uid: string, severity: Severity) {
  return {
    class_uid: classUid,
    category_uid: Math.floor(classUid / 1000),
    activity_id: activityId,
    type_uid: classUid * 100 + activityId,
    time: Date.parse(timeIso),
    severity_id: SEVERITY_ID[severity],
    metadata: { version: OCSF_VERSION, uid, product: { name: 'Ensuresec', vendor_name: 'Ensuresec' } },
  };
}

export function eventToOcsf(event: SecurityEvent): OcsfObject {
  const srcEndpoint = event.client ? { ip: event.client.ip, port: event.client.port } : undefined;
  if (event.kind === 'http' && event.http) {
    const http = event.http;
    return {
      ...base(
        OCSF_CLASS.httpActivity,
        HTTP_ACTIVITY_ID[http.method.toUpperCase()] ?? 99,
        event.time,
        event.id,
        event.severity,
      ),
      http_request: {
        uid: http.requestId,
        http_method: http.method,
        url: { path: http.path, hostname: http.host },
        user_agent: event.client?.userAgent,
        length: http.requestBytes,
      },
      http_response: { code: http.status, length: http.responseBytes },
      duration: http.latencyMs,
      src_endpoint: srcEndpoint,
      disposition: http.outcome,
      tls: event.client?.ja4 ? { ja4_fingerprint_list: [{ value: event.client.ja4 }] } : undefined,
    };
  }
  if (event.kind === 'flow' && event.flow) {
    const flow = event.flow;
    return {
      ...base(OCSF_CLASS.networkActivity, 6, event.time, event.id, event.severity),
      src_endpoint: { ip: flow.srcIp, port: flow.srcPort },
      dst_endpoint: { ip: flow.dstIp, port: flow.dstPort },
      connection_info: { protocol_name: flow.protocol.toLowerCase() },
      traffic: { bytes: flow.bytes, packets: flow.packets },
      start_time: flow.startMs,
      end_time: flow.endMs,
    };
  }
  return {
    ...base(OCSF_CLASS.baseEvent, 0, event.time, event.id, event.severity),
    src_endpoint: srcEndpoint,
    message: event.log?.line ?? event.business?.type ?? event.sensor?.type,
    unmapped: { kind: event.kind, source: event.source, business: event.business, sensor: event.sensor },
  };
}

const ALERT_STATUS_ID = { open: 1, acknowledged: 2, closed: 4 } as const;

export function alertToOcsf(alert: Alert): OcsfObject {
  return {
    ...base(OCSF_CLASS.detectionFinding, 1, alert.time, alert.id, alert.severity),
    status_id: ALERT_STATUS_ID[alert.status],
    finding_info: {
      uid: alert.id,
      title: alert.title,
      desc: alert.description,
      analytic: { uid: alert.ruleId, name: alert.detector, type_id: 1 },
      related_events: alert.eventIds.map((uid) => ({ uid })),
      types: alert.tags,
    },
    src_endpoint: alert.subject.ip ? { ip: alert.subject.ip } : undefined,
    actor: alert.subject.accountId ? { user: { uid: alert.subject.accountId } } : undefined,
  };
}

const FINDING_STATUS_ID = { open: 1, accepted: 3, fixed: 4 } as const;

export function findingToOcsf(finding: Finding): OcsfObject {
  return {
    ...base(OCSF_CLASS.vulnerabilityFinding, 1, finding.createdAt, finding.id, finding.severity),
    status_id: FINDING_STATUS_ID[finding.status],
    finding_info: {
      uid: finding.id,
      title: finding.title,
      types: [finding.attackClass],
      desc: finding.evidence,
    },
    vulnerabilities: [
      {
        title: finding.title,
        severity: finding.severity,
        cwe: finding.cwe ? { uid: finding.cwe.replace('CWE-', '') } : undefined,
        remediation: { desc: finding.remediation },
      },
    ],
    resources: [{ uid: finding.target, type: 'url' }],
  };
}

const INCIDENT_STATUS_ID = {
  new: 1,
  triaged: 2,
  contained: 3,
  eradicated: 2,
  recovered: 4,
  closed: 5,
} as const;

export function incidentToOcsf(incident: Incident): OcsfObject {
  return {
    ...base(OCSF_CLASS.incidentFinding, 1, incident.createdAt, incident.id, incident.severity),
    status_id: INCIDENT_STATUS_ID[incident.status],
    finding_info_list: incident.alertIds.map((uid) => ({ uid })),
    desc: incident.summary,
    modified_time: Date.parse(incident.updatedAt),
    impact_score: incident.impact.affectedCustomers,
    unmapped: { title: incident.title },
  };
}
