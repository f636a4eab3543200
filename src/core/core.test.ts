import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId } from './ids.js';
import { alertToOcsf, eventToOcsf, findingToOcsf, incidentToOcsf, OCSF_CLASS } from './ocsf.js';
import { isPseudonym, personalPaths, pseudonymise, pseudonymiseRecord } from './pseudonymise.js';
import {
  alertSchema,
  decisionSchema,
  findingSchema,
  incidentSchema,
  RECORD_SCHEMAS,
  securityEventSchema,
} from './records/index.js';
import { parseDurationMs, formatDurationMs } from './duration.js';
import { roleAllows } from './roles.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));
const key = Buffer.alloc(32, 7);

describe('ids', () => {
  it('are prefixed ULIDs that sort by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('evt', 1_795_690_800_000));
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(newId('evt', 1_795_690_800_001) > ids[999]!).toBe(true);
  });
});

describe('records', () => {
  it('validates each fixture with its schema and fills defaults', () => {
    const event = securityEventSchema.parse(fixture('http-event.json'));
    expect(event.severity).toBe('info');
    expect(event.labels).toEqual({});
    expect(alertSchema.parse(fixture('alert.json')).status).toBe('open');
    expect(decisionSchema.parse(fixture('decision.json')).scope).toBe('cidr');
    expect(incidentSchema.parse(fixture('incident.json')).status).toBe('contained');
    expect(findingSchema.parse(fixture('finding.json')).cwe).toBe('CWE-89');
  });

  it('refuses a decision whose value does not fit its scope', () => {
    const base = fixture('decision.json') as Record<string, unknown>;
    expect(decisionSchema.safeParse({ ...base, scope: 'ip', value: 'not-an-ip' }).success).toBe(false);
    expect(decisionSchema.safeParse({ ...base, scope: 'cidr', value: '10.0.0.0/33' }).success).toBe(false);
    expect(decisionSchema.safeParse({ ...base, action: 'throttle' }).success).toBe(false);
    expect(decisionSchema.safeParse({ ...base, action: 'throttle', ratePerMinute: 30 }).success).toBe(true);
    expect(decisionSchema.safeParse({ ...base, scope: 'ip', value: '2001:db8::1' }).success).toBe(true);
  });

  it('refuses ids of the wrong kind and unknown enum values', () => {
    const event = fixture('http-event.json') as Record<string, unknown>;
    expect(securityEventSchema.safeParse({ ...event, id: 'alr_01JD3Q7Z9X8K2M4N6P8R0T2V4W' }).success).toBe(
      false,
    );
    expect(securityEventSchema.safeParse({ ...event, kind: 'telepathy' }).success).toBe(false);
  });
});

describe('personal data', () => {
  it('is marked in the schemas', () => {
    expect(personalPaths(securityEventSchema).sort()).toEqual(
      [
        'business.accountId',
        'business.cardFingerprint',
        'business.email',
        'business.postalAddress',
        'client.ip',
        'delivery.customerId',
        'delivery.driverId',
        'delivery.postalAddress',
        'flow.srcIp',
        'http.user',
      ].sort(),
    );
    expect(personalPaths(alertSchema).sort()).toEqual(['entity.value', 'subject.accountId', 'subject.ip']);
    expect(personalPaths(decisionSchema)).toEqual(['value']);
    expect(personalPaths(incidentSchema)).toEqual([]);
  });

  it('is replaced by keyed pseudonyms that stay equal for equal values', () => {
    const event = securityEventSchema.parse(fixture('business-event.json'));
    const out = pseudonymiseRecord(securityEventSchema, event, key);
    const serialised = JSON.stringify(out);
    for (const secret of [
      '2001:db8::42',
      'alice@example.com',
      'customer-1042',
      'Rue de la Paix',
      'fp_9f86d081884c7d65',
    ]) {
      expect(serialised).not.toContain(secret);
    }
    expect(out.business?.email).toBe(pseudonymise('alice@example.com', 'email', key));
    expect(out.business?.amountMinor).toBe(4999);
    expect(out.client?.ip).toMatch(/^pii:client_address:/);
    expect(event.client?.ip).toBe('2001:db8::42');
  });

  it('differs under another key and is not pseudonymised twice', () => {
    const once = pseudonymise('alice@example.com', 'email', key);
    expect(pseudonymise('alice@example.com', 'email', Buffer.alloc(32, 8))).not.toBe(once);
    expect(pseudonymise(once, 'email', key)).toBe(once);
    expect(isPseudonym(once)).toBe(true);
  });

  it('replaces a personal value also written in the free text', () => {
    const alert = alertSchema.parse(fixture('alert.json'));
    const ip = '203.0.113.77';
    const leaky = {
      ...alert,
      entity: { type: 'ip' as const, value: ip },
      title: `Credential stuffing from ${ip}`,
      description: `Many logins from ${ip}; ${ip} is on no list.`,
    };
    const out = pseudonymiseRecord(alertSchema, leaky, key, { scrubText: true });
    expect(pseudonymiseRecord(alertSchema, leaky, key).title).toContain(ip);
    expect(JSON.stringify(out)).not.toContain(ip);
    const pseudonym = pseudonymise(ip, 'client_address', key);
    expect(out.entity?.value).toBe(pseudonym);
    expect(out.title).toBe(`Credential stuffing from ${pseudonym}`);
    expect(out.description).toBe(`Many logins from ${pseudonym}; ${pseudonym} is on no list.`);
    expect(leaky.title).toContain(ip);
  });

  it('reads a decision value kind from its scope', () => {
    const decision = decisionSchema.parse(fixture('decision.json'));
    expect(pseudonymiseRecord(decisionSchema, decision, key).value).toMatch(/^pii:client_address:/);
    const ja4 = { ...decision, scope: 'ja4' as const, value: 't13d1516h2_8daaf6152771_02713d6af862' };
    expect(pseudonymiseRecord(decisionSchema, ja4, key).value).toBe(ja4.value);
    const user = { ...decision, scope: 'user' as const, value: 'customer-1042' };
    expect(pseudonymiseRecord(decisionSchema, user, key).value).toMatch(/^pii:account_id:/);
  });
});

describe('OCSF export', () => {
  it('maps each record to its class', () => {
    const http = eventToOcsf(securityEventSchema.parse(fixture('http-event.json')));
    expect(http).toMatchObject({ class_uid: 4002, category_uid: 4, activity_id: 6, type_uid: 400206 });
    expect(http['http_response']).toEqual({ code: 200, length: 2048 });
    const flow = eventToOcsf(securityEventSchema.parse(fixture('flow-event.json')));
    expect(flow).toMatchObject({
      class_uid: OCSF_CLASS.networkActivity,
      traffic: { bytes: 1_500_000, packets: 1200 },
    });
    const alert = alertToOcsf(alertSchema.parse(fixture('alert.json')));
    expect(alert).toMatchObject({ class_uid: 2004, type_uid: 200401, severity_id: 4 });
    const finding = findingToOcsf(findingSchema.parse(fixture('finding.json')));
    expect(finding).toMatchObject({ class_uid: 2002, severity_id: 5 });
    const incident = incidentToOcsf(incidentSchema.parse(fixture('incident.json')));
    expect(incident).toMatchObject({ class_uid: 2005, status_id: 3 });
    expect(eventToOcsf(securityEventSchema.parse(fixture('business-event.json'))).class_uid).toBe(0);
  });

  it('keeps every record kind registered with a schema', () => {
    expect(Object.keys(RECORD_SCHEMAS).sort()).toEqual(['alert', 'decision', 'event', 'finding', 'incident']);
  });
});

describe('durations and roles', () => {
  it('reads and writes durations', () => {
    expect(parseDurationMs('15m')).toBe(900_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(formatDurationMs(7 * 86_400_000)).toBe('1w');
    expect(formatDurationMs(1500)).toBe('1500ms');
  });

  it('grants least privilege by role', () => {
    expect(roleAllows('admin', 'write:admin')).toBe(true);
    expect(roleAllows('analyst', 'write:admin')).toBe(false);
    expect(roleAllows('analyst', 'write:security')).toBe(true);
    expect(roleAllows('viewer', 'write:security')).toBe(false);
    expect(roleAllows('partner', 'read')).toBe(false);
    expect(roleAllows('partner', 'read:partner')).toBe(true);
  });
});

describe('data protection doc', () => {
  it('lists exactly the personal fields the schemas mark', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/data-protection.md'), 'utf8');
    const documented: Record<string, string[]> = {};
    for (const match of doc.matchAll(/^\|\s*(SecurityEvent|Alert|Decision)\s*\|([^|]+)\|/gm)) {
      const fields = [...(match[2] ?? '').matchAll(/`([^`]+)`/g)].map((field) => field[1] as string);
      documented[match[1] as string] = [...(documented[match[1] as string] ?? []), ...fields];
    }
    expect(documented['SecurityEvent']?.sort()).toEqual(personalPaths(securityEventSchema).sort());
    expect(documented['Alert']?.sort()).toEqual(personalPaths(alertSchema).sort());
    expect(documented['Decision']?.sort()).toEqual(personalPaths(decisionSchema).sort());
  });
});
