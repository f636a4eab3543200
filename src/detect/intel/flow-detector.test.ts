import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/security-event.js';
import { createThreatIntelDetector, IndicatorIndex } from './index.js';

let sequence = 0;
function flowEvent(src: string, dst: string, dstPort: number): SecurityEvent {
  return securityEventSchema.parse({
    id: `evt_01JD3Q7Z9X8K2M4N6P8R0F${String(sequence++).padStart(4, '0')}`,
    time: `2026-11-26T09:00:${String(sequence).padStart(2, '0')}.000Z`,
    kind: 'flow',
    source: { type: 'netflow', name: 'edge' },
    client: { ip: src },
    flow: {
      srcIp: src,
      dstIp: dst,
      srcPort: 40_000 + sequence,
      dstPort,
      protocol: 'tcp',
      bytes: 1234,
      packets: 9,
      startMs: 1_795_683_600_000,
      endMs: 1_795_683_601_000,
    },
  });
}

function detector() {
  const index = new IndicatorIndex();
  index.add({ type: 'ip', value: '198.51.100.40', source: 'feed', confidence: 90, tags: ['c2'] });
  index.add({ type: 'cidr', value: '203.0.113.0/24', source: 'feed', confidence: 60, tags: ['scanner'] });
  return createThreatIntelDetector({ index });
}

describe('threat intelligence on flow events', () => {
  it('blames an outbound connection to a listed address on the internal host, as C2', () => {
    const [d, ...rest] = detector().observe(flowEvent('10.0.5.30', '198.51.100.40', 443));
    expect(rest).toEqual([]);
    expect(d?.entity).toEqual({ type: 'ip', value: '10.0.5.30' });
    expect(d?.attack).toEqual(['T1071']);
    expect(d?.severity).toBe('high');
    expect(d?.evidence).toMatchObject({
      direction: 'outbound',
      dstPort: 443,
      bytes: 1234,
      field: 'flow.dstIp',
    });
    expect(d?.tags).toContain('network');
  });

  it('blames an inbound connection on the listed source address', () => {
    const [d] = detector().observe(flowEvent('203.0.113.9', '10.0.1.10', 22));
    expect(d?.entity).toEqual({ type: 'ip', value: '203.0.113.9' });
    expect(d?.evidence).toMatchObject({ direction: 'inbound', dstPort: 22, field: 'client.ip' });
    expect(d?.attack).toEqual([]);
    expect(d?.severity).toBe('medium');
  });

  it('stays quiet for unlisted addresses and within the cool-down', () => {
    const intel = detector();
    expect(intel.observe(flowEvent('10.0.5.30', '192.0.2.1', 443))).toEqual([]);
    expect(intel.observe(flowEvent('10.0.5.31', '198.51.100.40', 443))).toHaveLength(1);
    expect(intel.observe(flowEvent('10.0.5.31', '198.51.100.40', 443))).toEqual([]);
  });
});
