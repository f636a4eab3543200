/**
 * The flow fields the collector reads (ingest, flow source): NetFlow v9 field types
 * (RFC 3954 §8) and IPFIX information elements (RFC 7011, IANA "IPFIX Information
 * Elements") share their numbers below 128, so one table serves both. Each element we use
 * maps to a `Target`, the slot of the decoded record it fills; every other element is
 * skipped by its length. Enterprise-specific elements (RFC 7011 §3.2) are always skipped.
 *
 * @example targetOf(8, 0) === Target.SrcIpv4 // sourceIPv4Address
 */

/** Where a field's value goes in the decoded record; `None` fields are skipped. */
export enum Target {
  None = 0,
  Bytes,
  Packets,
  BytesTotal,
  PacketsTotal,
  Protocol,
  TcpFlags,
  SrcPort,
  DstPort,
  SrcIpv4,
  DstIpv4,
  SrcIpv6,
  DstIpv6,
  IcmpTypeCode,
  StartUptime,
  EndUptime,
  StartSeconds,
  EndSeconds,
  StartMilliseconds,
  EndMilliseconds,
  StartMicroseconds,
  EndMicroseconds,
  StartNanoseconds,
  EndNanoseconds,
  StartDeltaMicroseconds,
  EndDeltaMicroseconds,
  SystemInitMilliseconds,
  SamplingInterval,
  SamplerId,
  PacketInterval,
  PacketSpace,
  SamplingSize,
  SamplingPopulation,
  SamplingProbability,
}

/** IANA element id → target (enterprise 0 only). */
const TARGETS: ReadonlyMap<number, Target> = new Map([
  [1, Target.Bytes], // octetDeltaCount / IN_BYTES
  [2, Target.Packets], // packetDeltaCount / IN_PKTS
  [4, Target.Protocol], // protocolIdentifier / PROTOCOL
  [6, Target.TcpFlags], // tcpControlBits / TCP_FLAGS
  [7, Target.SrcPort], // sourceTransportPort / L4_SRC_PORT
  [8, Target.SrcIpv4], // sourceIPv4Address / IPV4_SRC_ADDR
  [11, Target.DstPort], // destinationTransportPort / L4_DST_PORT
  [12, Target.DstIpv4], // destinationIPv4Address / IPV4_DST_ADDR
  [21, Target.EndUptime], // flowEndSysUpTime / LAST_SWITCHED
  [22, Target.StartUptime], // flowStartSysUpTime / FIRST_SWITCHED
  [27, Target.SrcIpv6], // sourceIPv6Address / IPV6_SRC_ADDR
  [28, Target.DstIpv6], // destinationIPv6Address / IPV6_DST_ADDR
  [32, Target.IcmpTypeCode], // icmpTypeCodeIPv4 / ICMP_TYPE
  [34, Target.SamplingInterval], // samplingInterval / SAMPLING_INTERVAL
  [48, Target.SamplerId], // samplerId / FLOW_SAMPLER_ID
  [50, Target.SamplingInterval], // samplerRandomInterval / FLOW_SAMPLER_RANDOM_INTERVAL
  [85, Target.BytesTotal], // octetTotalCount
  [86, Target.PacketsTotal], // packetTotalCount
  [139, Target.IcmpTypeCode], // icmpTypeCodeIPv6
  [150, Target.StartSeconds], // flowStartSeconds
  [151, Target.EndSeconds], // flowEndSeconds
  [152, Target.StartMilliseconds], // flowStartMilliseconds
  [153, Target.EndMilliseconds], // flowEndMilliseconds
  [154, Target.StartMicroseconds], // flowStartMicroseconds
  [155, Target.EndMicroseconds], // flowEndMicroseconds
  [156, Target.StartNanoseconds], // flowStartNanoseconds
  [157, Target.EndNanoseconds], // flowEndNanoseconds
  [158, Target.StartDeltaMicroseconds], // flowStartDeltaMicroseconds
  [159, Target.EndDeltaMicroseconds], // flowEndDeltaMicroseconds
  [160, Target.SystemInitMilliseconds], // systemInitTimeMilliseconds
  [302, Target.SamplerId], // selectorId
  [305, Target.PacketInterval], // samplingPacketInterval
  [306, Target.PacketSpace], // samplingPacketSpace
  [309, Target.SamplingSize], // samplingSize
  [310, Target.SamplingPopulation], // samplingPopulation
  [311, Target.SamplingProbability], // samplingProbability
]);

/** The length that marks an IPFIX variable-length field (RFC 7011 §7). */
export const VARIABLE_LENGTH = 0xffff;

export function targetOf(elementId: number, enterprise: number): Target {
  if (enterprise !== 0) return Target.None;
  return TARGETS.get(elementId) ?? Target.None;
}

/** IP protocol numbers → the names the SecurityEvent uses; others travel as their number. */
export function protocolName(protocol: number): string {
  switch (protocol) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    default:
      return String(protocol);
  }
}
