/**
 * Labelled cases of the network detectors (port-scan, flood, slow-attack, unusual-egress,
 * forbidden-paths, beaconing): flow records as a NetFlow/IPFIX exporter, Zeek or the gateway
 * report them. Each detector has attacks written from the threat (nmap SYN, UDP and slow
 * scans, spoofed SYN floods, Slowloris, a C2 implant's check-ins, an upload to a new server)
 * and honest crowds that look alike on some figure (a NAT full of shoppers, a busy DNS server,
 * WebSocket users, health checks, nightly backups).
 */
import {
  ip,
  makeCase,
  HOUR,
  MINUTE,
  SECOND,
  type CaseBuilder,
  type LabelledCase,
  type Rng,
} from './case-kit.js';

const SYN = 0x02;
const SYN_ACK_RST = 0x16;
const RST_ACK = 0x14;
const ESTABLISHED = 0x1b; // FIN SYN PSH ACK
const ZEEK = { type: 'zeek', name: 'zeek-conn' };
const GATEWAY = { type: 'gateway', name: 'gateway' };

/** Ordinary web traffic to a server: clients opening real connections. */
function webTraffic(
  b: CaseBuilder,
  rng: Rng,
  server: string,
  fromMs: number,
  toMs: number,
  perMinute: number,
): void {
  for (let t = fromMs; t < toMs; t += MINUTE / perMinute) {
    b.flow(t + rng.int(0, 500), {
      src: rng.ip(),
      dst: server,
      dstPort: rng.pick([80, 443, 443, 443]),
      bytes: rng.int(2_000, 80_000),
      packets: rng.int(8, 60),
      durationMs: rng.int(200, 20_000),
      tcpFlags: ESTABLISHED,
    });
  }
}

const portScanCases: LabelledCase[] = [
  makeCase(
    'port-scan',
    'nmap-syn-scan-of-one-host',
    'nmap -sS from outside: 120 ports of one server probed in 30 s, SYN only; the server answers closed ports with RST+ACK (one-way NetFlow records of the replies too).',
    1101,
    (b, rng) => {
      const ports = new Set<number>();
      while (ports.size < 120) ports.add(rng.int(1, 10_000));
      [...ports].forEach((port, i) => {
        b.flow(i * 250, {
          src: '203.0.113.66',
          dst: '10.0.1.10',
          srcPort: 51_234,
          dstPort: port,
          bytes: 44,
          packets: 1,
          tcpFlags: SYN,
        });
        b.flow(i * 250 + 5, {
          src: '10.0.1.10',
          dst: '203.0.113.66',
          srcPort: port,
          dstPort: 51_234,
          bytes: 40,
          packets: 1,
          tcpFlags: RST_ACK,
        });
      });
      webTraffic(b, rng, '10.0.1.10', 0, MINUTE, 30);
    },
    [{ ruleId: 'network.port-scan.vertical', entity: ip('203.0.113.66'), count: 1 }],
  ),

  makeCase(
    'port-scan',
    'ssh-sweep-over-a-subnet',
    'A sweep of port 22 over 60 hosts of a /24 as Zeek logs it: S0 (no answer) and REJ (refused) connections, no TCP flags.',
    1102,
    (b) => {
      for (let h = 1; h <= 60; h++)
        b.flow(
          h * 2 * SECOND,
          {
            src: '198.51.100.23',
            dst: `10.0.2.${h}`,
            dstPort: 22,
            bytes: 0,
            packets: 1,
            state: h % 3 ? 'S0' : 'REJ',
          },
          ZEEK,
        );
    },
    [{ ruleId: 'network.port-scan.horizontal', entity: ip('198.51.100.23'), count: 1 }],
  ),

  makeCase(
    'port-scan',
    'slow-scan-one-probe-every-90s',
    'nmap -T1 style: one SYN every 90 s to a new port of one host, 50 ports in 75 minutes; never more than 4 ports in five minutes.',
    1103,
    (b, rng) => {
      for (let i = 0; i < 50; i++)
        b.flow(i * 90 * SECOND + rng.int(0, 2000), {
          src: '192.0.2.140',
          dst: '10.0.1.11',
          dstPort: 1000 + i * 37,
          bytes: 44,
          packets: 1,
          tcpFlags: SYN,
        });
    },
    [{ ruleId: 'network.port-scan.slow', entity: ip('192.0.2.140'), count: 1 }],
  ),

  makeCase(
    'port-scan',
    'udp-and-connect-scan',
    'nmap -sU and -sT against one host: tiny UDP probes and connect-scan handshakes (SYN, ACK, RST in 3 packets) on 30 ports.',
    1104,
    (b) => {
      for (let i = 0; i < 15; i++) {
        b.flow(i * 2 * SECOND, {
          src: '203.0.113.91',
          dst: '10.0.1.12',
          dstPort: 160 + i,
          protocol: 'udp',
          bytes: 28,
          packets: 1,
        });
        b.flow(i * 2 * SECOND + 1000, {
          src: '203.0.113.91',
          dst: '10.0.1.12',
          dstPort: 8000 + i,
          bytes: 164,
          packets: 3,
          tcpFlags: SYN_ACK_RST,
        });
      }
    },
    [{ ruleId: 'network.port-scan.vertical', entity: ip('203.0.113.91'), count: 1 }],
  ),

  makeCase(
    'port-scan',
    'busy-nat-to-one-web-server',
    'A mobile carrier NAT full of shoppers opens 600 connections to ports 80 and 443 of one server in five minutes, 40 of them timing out (SYN only); the server answers from 443 to thousands of ephemeral ports.',
    1105,
    (b, rng) => {
      for (let i = 0; i < 600; i++) {
        const port = rng.pick([80, 443, 443]);
        const srcPort = rng.int(1024, 65_535);
        const failed = i % 15 === 0;
        b.flow(i * 500, {
          src: '203.0.113.200',
          dst: '10.0.1.10',
          srcPort,
          dstPort: port,
          bytes: failed ? 60 : rng.int(1500, 60_000),
          packets: failed ? 1 : rng.int(6, 50),
          tcpFlags: failed ? SYN : ESTABLISHED,
        });
        if (!failed)
          b.flow(i * 500 + 3, {
            src: '10.0.1.10',
            dst: '203.0.113.200',
            srcPort: port,
            dstPort: srcPort,
            bytes: rng.int(5000, 400_000),
            packets: rng.int(6, 300),
            tcpFlags: ESTABLISHED,
          });
      }
    },
    [],
  ),

  makeCase(
    'port-scan',
    'office-browsing-and-dns',
    'Office hosts browse 80 sites on 443 (a few connections time out) and the internal resolver asks 120 authoritative servers on UDP 53.',
    1106,
    (b, rng) => {
      for (let i = 0; i < 80; i++) {
        const failed = i % 10 === 0;
        b.flow(i * 3 * SECOND, {
          src: '10.0.5.20',
          dst: rng.ip(),
          dstPort: 443,
          bytes: failed ? 60 : rng.int(4000, 900_000),
          packets: failed ? 1 : rng.int(10, 700),
          tcpFlags: failed ? SYN : ESTABLISHED,
        });
      }
      for (let i = 0; i < 120; i++)
        b.flow(i * 2 * SECOND + 700, {
          src: '10.0.0.53',
          dst: rng.ip(),
          dstPort: 53,
          protocol: 'udp',
          bytes: 74,
          packets: 1,
        });
    },
    [],
  ),

  makeCase(
    'port-scan',
    'monitoring-checks-a-few-ports',
    'A monitoring server checks five service ports on 12 hosts every minute for half an hour; the checks are full connections and the odd one is refused.',
    1107,
    (b, rng) => {
      for (let m = 0; m < 30; m++)
        for (let h = 1; h <= 12; h++)
          for (const port of [22, 80, 443, 5432, 9100]) {
            const refused = rng.int(0, 40) === 0;
            b.flow(m * MINUTE + h * 1000 + port, {
              src: '10.0.0.9',
              dst: `10.0.3.${h}`,
              dstPort: port,
              bytes: refused ? 40 : rng.int(300, 3000),
              packets: refused ? 1 : rng.int(5, 12),
              ...(refused ? { state: 'REJ' } : { tcpFlags: ESTABLISHED }),
            });
          }
    },
    [],
  ),
];

const floodCases: LabelledCase[] = [
  makeCase(
    'flood',
    'spoofed-syn-flood-after-baseline',
    'A web server with 15 minutes of ordinary traffic, then 900 SYNs from spoofed addresses in one minute; nobody answers them.',
    1201,
    (b, rng) => {
      webTraffic(b, rng, '10.0.1.10', 0, 16 * MINUTE, 20);
      for (let i = 0; i < 900; i++)
        b.flow(16 * MINUTE + i * 60, {
          src: rng.ip(),
          dst: '10.0.1.10',
          dstPort: 443,
          bytes: 40,
          packets: 1,
          tcpFlags: SYN,
        });
    },
    [{ ruleId: 'network.flood.syn', entity: ip('10.0.1.10'), count: 1 }],
  ),

  makeCase(
    'flood',
    'udp-flood-from-one-source',
    'A DNS server answering about 200 packets a minute, then one address sending 80,000 UDP packets to it in one minute.',
    1202,
    (b, rng) => {
      for (let t = 0; t < 15 * MINUTE; t += 6 * SECOND)
        b.flow(t, {
          src: rng.ip(),
          dst: '10.0.0.53',
          dstPort: 53,
          protocol: 'udp',
          bytes: 2000,
          packets: 20,
        });
      for (let i = 0; i < 40; i++)
        b.flow(15 * MINUTE + i * 1400, {
          src: '203.0.113.9',
          dst: '10.0.0.53',
          dstPort: 53,
          protocol: '17',
          bytes: 2000 * 512,
          packets: 2000,
        });
    },
    [{ ruleId: 'network.flood.udp', entity: ip('203.0.113.9'), count: 1 }],
  ),

  makeCase(
    'flood',
    'volumetric-spike-many-sources',
    'A server receiving about 20 MB a minute for 20 minutes, then 1.2 GB in one minute from 300 addresses (established flows, no SYN pattern).',
    1203,
    (b, rng) => {
      for (let t = 0; t < 20 * MINUTE; t += 3 * SECOND)
        b.flow(t, {
          src: rng.ip(),
          dst: '10.0.1.20',
          dstPort: 443,
          bytes: 1_000_000,
          packets: 700,
          tcpFlags: ESTABLISHED,
        });
      for (let i = 0; i < 300; i++)
        b.flow(20 * MINUTE + i * 200, {
          src: rng.ip(),
          dst: '10.0.1.20',
          dstPort: 443,
          bytes: 4_000_000,
          packets: 2800,
          tcpFlags: ESTABLISHED,
        });
    },
    [{ ruleId: 'network.flood.volume', entity: ip('10.0.1.20'), count: 1 }],
  ),

  makeCase(
    'flood',
    'syn-flood-before-any-baseline',
    'The first thing seen for a destination is a flood: 600 SYN-only flows in 40 s, more than ten times the (lowered) floor of 50 while no baseline exists yet.',
    1204,
    (b, rng) => {
      for (let i = 0; i < 600; i++)
        b.flow(i * 66, {
          src: rng.ip(),
          dst: '10.0.1.30',
          dstPort: 80,
          bytes: 40,
          packets: 1,
          tcpFlags: SYN,
        });
    },
    [{ ruleId: 'network.flood.syn', entity: ip('10.0.1.30'), count: 1 }],
    { minSyn: 50 },
  ),

  makeCase(
    'flood',
    'flash-sale-ramp',
    'A flash sale: traffic to the shop grows 15 % a minute for 30 minutes (from 10 to 600 connections a minute, a few SYN timeouts among them); the baseline follows.',
    1205,
    (b, rng) => {
      let perMinute = 10;
      for (let m = 0; m < 30; m++, perMinute = Math.min(600, perMinute * 1.15)) {
        const n = Math.round(perMinute);
        for (let i = 0; i < n; i++) {
          const failed = i % 25 === 0;
          b.flow(m * MINUTE + (i * MINUTE) / n, {
            src: rng.ip(),
            dst: '10.0.1.10',
            dstPort: 443,
            bytes: failed ? 40 : rng.int(5000, 300_000),
            packets: failed ? 1 : rng.int(10, 200),
            tcpFlags: failed ? SYN : ESTABLISHED,
          });
        }
      }
    },
    [],
    { minSyn: 5, minBytes: 5_000_000 },
  ),

  makeCase(
    'flood',
    'busy-dns-server-steady',
    'A busy DNS server: 30,000 UDP packets every minute for 20 minutes, above the UDP floor but always the same.',
    1206,
    (b, rng) => {
      for (let t = 0; t < 20 * MINUTE; t += 4 * SECOND)
        b.flow(t, {
          src: rng.ip(),
          dst: '10.0.0.54',
          dstPort: 53,
          protocol: 'udp',
          bytes: 2000 * 90,
          packets: 2000 + rng.int(-100, 100),
        });
    },
    [],
  ),
];

const slowAttackCases: LabelledCase[] = [
  makeCase(
    'slow-attack',
    'slowloris-stopped-by-gateway',
    'slowhttptest -H against the gateway: it closes 12 connections of one client for slow headers within two minutes.',
    1301,
    (b) => {
      for (let i = 0; i < 12; i++)
        b.flow(
          i * 10 * SECOND,
          {
            src: '203.0.113.77',
            dst: '10.0.1.2',
            dstPort: 443,
            bytes: 380,
            packets: 9,
            durationMs: 30_000,
            state: 'slow_headers',
          },
          GATEWAY,
        );
    },
    [{ ruleId: 'network.slow-attack.gateway', entity: ip('203.0.113.77'), count: 1 }],
  ),

  makeCase(
    'slow-attack',
    'slow-post-and-connection-cap',
    'A slow POST (R.U.D.Y.) client: the gateway refuses 4 connections over the per-client cap and closes 3 for a slow body.',
    1302,
    (b) => {
      for (let i = 0; i < 7; i++)
        b.flow(
          i * 20 * SECOND,
          {
            src: '198.51.100.81',
            dst: '10.0.1.2',
            dstPort: 443,
            bytes: i < 4 ? 0 : 900,
            packets: i < 4 ? 1 : 20,
            durationMs: i < 4 ? 0 : 60_000,
            state: i < 4 ? 'connection_cap' : 'slow_body',
          },
          GATEWAY,
        );
    },
    [{ ruleId: 'network.slow-attack.gateway', entity: ip('198.51.100.81'), count: 1 }],
  ),

  makeCase(
    'slow-attack',
    'slowloris-seen-by-exporter',
    'Slowloris behind a router exporting NetFlow: one source holds 60 connections of two minutes each to port 80, about 16 bytes a second each.',
    1303,
    (b, rng) => {
      for (let i = 0; i < 60; i++)
        b.flow(2 * MINUTE + i * 1000, {
          src: '203.0.113.80',
          dst: '10.0.1.10',
          dstPort: 80,
          bytes: 1900 + rng.int(0, 200),
          packets: 10,
          durationMs: 2 * MINUTE,
          tcpFlags: ESTABLISHED,
        });
      webTraffic(b, rng, '10.0.1.10', 0, 4 * MINUTE, 20);
    },
    [{ ruleId: 'network.slow-attack.flows', entity: ip('203.0.113.80'), count: 1 }],
  ),

  makeCase(
    'slow-attack',
    'websocket-users-idle',
    'Thirty shoppers keep a WebSocket (live stock) open to 443 for ten minutes with almost no traffic; an office NAT holds eight of them.',
    1304,
    (b, rng) => {
      for (let i = 0; i < 22; i++)
        b.flow(10 * MINUTE + i * 5000, {
          src: rng.ip(),
          dst: '10.0.1.10',
          dstPort: 443,
          bytes: 3000,
          packets: 40,
          durationMs: 10 * MINUTE,
          tcpFlags: ESTABLISHED,
        });
      for (let i = 0; i < 8; i++)
        b.flow(10 * MINUTE + i * 7000 + 300, {
          src: '192.0.2.10',
          dst: '10.0.1.10',
          dstPort: 443,
          bytes: 2500,
          packets: 35,
          durationMs: 9 * MINUTE,
          tcpFlags: ESTABLISHED,
        });
    },
    [],
  ),

  makeCase(
    'slow-attack',
    'mobile-clients-on-bad-networks',
    'Ten mobile clients each have one connection closed for slow headers in an hour, and one has three, spread over 30 minutes.',
    1305,
    (b, rng) => {
      for (let i = 0; i < 10; i++)
        b.flow(
          i * 6 * MINUTE,
          {
            src: rng.ip(),
            dst: '10.0.1.2',
            dstPort: 443,
            bytes: 200,
            packets: 5,
            durationMs: 30_000,
            state: 'slow_headers',
          },
          GATEWAY,
        );
      for (let i = 0; i < 3; i++)
        b.flow(
          i * 15 * MINUTE + 1000,
          {
            src: '198.51.100.5',
            dst: '10.0.1.2',
            dstPort: 443,
            bytes: 200,
            packets: 5,
            durationMs: 30_000,
            state: 'slow_headers',
          },
          GATEWAY,
        );
    },
    [],
  ),
];

/** An internal host's ordinary outbound traffic: a few flows an hour to familiar destinations. */
function officeEgress(
  b: CaseBuilder,
  rng: Rng,
  host: string,
  hours: number,
  destinations: readonly string[],
  bytesPerHour: number,
): void {
  for (let h = 0; h < hours; h++)
    for (let i = 0; i < 4; i++)
      b.flow(h * HOUR + i * 15 * MINUTE + rng.int(0, 60_000), {
        src: host,
        dst: rng.pick(destinations),
        dstPort: 443,
        bytes: Math.round((bytesPerHour / 4) * (0.8 + rng.next() * 0.4)),
        packets: 400,
        durationMs: 30_000,
        tcpFlags: ESTABLISHED,
      });
}

const FAMILIAR = ['203.0.113.10', '203.0.113.11', '198.51.100.12', '198.51.100.13', '192.0.2.14'];

const egressCases: LabelledCase[] = [
  makeCase(
    'unusual-egress',
    'host-sends-2gb-in-an-hour',
    'A host that sends about 20 MB an hour to its usual services for 14 hours suddenly sends 2 GB to one of them within an hour.',
    1401,
    (b, rng) => {
      officeEgress(b, rng, '10.0.3.15', 15, FAMILIAR, 20_000_000);
      for (let i = 0; i < 10; i++)
        b.flow(14 * HOUR + 20 * MINUTE + i * MINUTE, {
          src: '10.0.3.15',
          dst: '203.0.113.10',
          dstPort: 443,
          bytes: 200_000_000,
          packets: 140_000,
          durationMs: 50_000,
          tcpFlags: ESTABLISHED,
        });
    },
    [{ ruleId: 'network.egress.volume', entity: ip('10.0.3.15'), count: 1 }],
  ),

  makeCase(
    'unusual-egress',
    'upload-to-never-seen-server',
    'After a day of ordinary traffic, a host uploads 30 MB to an address nobody in the network had talked to.',
    1402,
    (b, rng) => {
      officeEgress(b, rng, '10.0.3.16', 26, FAMILIAR, 5_000_000);
      b.flow(25 * HOUR + 30 * MINUTE, {
        src: '10.0.3.16',
        dst: '198.51.100.99',
        dstPort: 8443,
        bytes: 30_000_000,
        packets: 21_000,
        durationMs: 90_000,
        tcpFlags: ESTABLISHED,
      });
    },
    [{ ruleId: 'network.egress.new-destination', entity: ip('10.0.3.16'), count: 1 }],
  ),

  makeCase(
    'unusual-egress',
    'trickle-to-new-server',
    'A stealthier exfiltration: ten 1 MB uploads over 30 minutes to a new address, after a two-hour learning period (threshold lowered to 5 MB).',
    1403,
    (b, rng) => {
      officeEgress(b, rng, '10.0.3.17', 4, FAMILIAR, 2_000_000);
      for (let i = 0; i < 10; i++)
        b.flow(3 * HOUR + i * 3 * MINUTE, {
          src: '10.0.3.17',
          dst: '192.0.2.201',
          dstPort: 443,
          bytes: 1_000_000,
          packets: 800,
          durationMs: 5000,
          tcpFlags: ESTABLISHED,
        });
    },
    [{ ruleId: 'network.egress.new-destination', entity: ip('10.0.3.17'), count: 1 }],
    { learningPeriod: '2h', minNewDestinationBytes: 5_000_000 },
  ),

  makeCase(
    'unusual-egress',
    'nightly-backup-to-known-storage',
    'A database host sends 4 GB to the off-site backup service every night at 02:00; the backup address is configured as ignored.',
    1404,
    (b, rng) => {
      officeEgress(b, rng, '10.0.2.5', 50, FAMILIAR, 3_000_000);
      for (const night of [17, 41])
        for (let i = 0; i < 8; i++)
          b.flow(night * HOUR + i * 5 * MINUTE, {
            src: '10.0.2.5',
            dst: '198.51.100.200',
            dstPort: 443,
            bytes: 500_000_000,
            packets: 350_000,
            durationMs: 290_000,
            tcpFlags: ESTABLISHED,
          });
    },
    [],
    { ignoreDestinations: ['198.51.100.200/32'] },
  ),

  makeCase(
    'unusual-egress',
    'office-browsing-new-sites-and-downloads',
    'After the learning day, office hosts visit new sites (a few hundred KB up each) and download large files (inbound, not egress).',
    1405,
    (b, rng) => {
      officeEgress(b, rng, '10.0.3.20', 27, FAMILIAR, 4_000_000);
      for (let i = 0; i < 60; i++) {
        const site = rng.ip();
        b.flow(25 * HOUR + i * MINUTE, {
          src: `10.0.3.${21 + (i % 10)}`,
          dst: site,
          dstPort: 443,
          bytes: rng.int(20_000, 600_000),
          packets: 300,
          durationMs: 8000,
          tcpFlags: ESTABLISHED,
        });
        b.flow(25 * HOUR + i * MINUTE + 10, {
          src: site,
          dst: `10.0.3.${21 + (i % 10)}`,
          srcPort: 443,
          dstPort: rng.int(32768, 60999),
          bytes: 80_000_000,
          packets: 55_000,
          durationMs: 8000,
          tcpFlags: ESTABLISHED,
        });
      }
    },
    [],
  ),

  makeCase(
    'unusual-egress',
    'shop-server-answers-new-customers',
    'After the learning day, the shop server answers first-time customers downloading 30 MB manuals (one-way records from port 443 to their ephemeral ports).',
    1407,
    (b, rng) => {
      officeEgress(b, rng, '10.0.1.10', 26, FAMILIAR, 3_000_000);
      for (let i = 0; i < 20; i++) {
        const customer = rng.ip();
        const port = rng.int(32768, 60999);
        b.flow(25 * HOUR + i * MINUTE, {
          src: customer,
          dst: '10.0.1.10',
          srcPort: port,
          dstPort: 443,
          bytes: 40_000,
          packets: 500,
          durationMs: 20_000,
          tcpFlags: ESTABLISHED,
        });
        b.flow(25 * HOUR + i * MINUTE + 5, {
          src: '10.0.1.10',
          dst: customer,
          srcPort: 443,
          dstPort: port,
          bytes: 30_000_000,
          packets: 21_000,
          durationMs: 20_000,
          tcpFlags: ESTABLISHED,
        });
      }
    },
    [],
  ),

  makeCase(
    'unusual-egress',
    'big-upload-while-learning',
    'A host uploads 300 MB to a new address during the first hours: the detector is still learning and says nothing.',
    1406,
    (b, rng) => {
      officeEgress(b, rng, '10.0.3.30', 3, FAMILIAR, 10_000_000);
      b.flow(2 * HOUR, {
        src: '10.0.3.30',
        dst: '192.0.2.222',
        dstPort: 443,
        bytes: 300_000_000,
        packets: 210_000,
        durationMs: 600_000,
        tcpFlags: ESTABLISHED,
      });
    },
    [],
  ),
];

const DB_RULES = {
  rules: [
    { name: 'database', destinations: ['10.0.2.0/24'], ports: [5432, 3306], allowedSources: ['10.0.1.0/24'] },
    { name: 'cache', destinations: ['10.0.2.0/24'], ports: [6379], allowedSources: ['10.0.1.0/24'] },
  ],
};

const forbiddenCases: LabelledCase[] = [
  makeCase(
    'forbidden-paths',
    'workstation-connects-to-database',
    'An office workstation connects to PostgreSQL on the database server and reads 2 MB; only the app servers may.',
    1501,
    (b, rng) => {
      for (let i = 0; i < 20; i++)
        b.flow(i * 5 * SECOND, {
          src: `10.0.1.${1 + (i % 4)}`,
          dst: '10.0.2.5',
          dstPort: 5432,
          bytes: rng.int(500, 9000),
          packets: 12,
          tcpFlags: ESTABLISHED,
        });
      b.flow(50 * SECOND, {
        src: '10.0.4.7',
        dst: '10.0.2.5',
        dstPort: 5432,
        bytes: 2_000_000,
        packets: 1500,
        durationMs: 40_000,
        tcpFlags: ESTABLISHED,
      });
      b.flow(70 * SECOND, {
        src: '10.0.4.7',
        dst: '10.0.2.5',
        dstPort: 5432,
        bytes: 900,
        packets: 10,
        tcpFlags: ESTABLISHED,
      });
    },
    [{ ruleId: 'network.forbidden-path', entity: ip('10.0.4.7'), count: 1 }],
    DB_RULES,
  ),

  makeCase(
    'forbidden-paths',
    'mysql-probed-from-internet',
    'With the default rule: an outside address tries MySQL on a server (SYN only) — the database port is reachable from the Internet or at least routed.',
    1502,
    (b) => {
      b.flow(0, {
        src: '203.0.113.44',
        dst: '10.0.2.5',
        dstPort: 3306,
        bytes: 44,
        packets: 1,
        tcpFlags: SYN,
      });
      b.flow(3 * SECOND, {
        src: '203.0.113.44',
        dst: '10.0.2.5',
        dstPort: 3306,
        bytes: 44,
        packets: 1,
        tcpFlags: SYN,
      });
    },
    [{ ruleId: 'network.forbidden-path', entity: ip('203.0.113.44'), count: 1 }],
  ),

  makeCase(
    'forbidden-paths',
    'compromised-host-tries-db-and-cache',
    'A compromised web-shop admin host reaches for PostgreSQL and Redis on the data subnet: two rules broken.',
    1503,
    (b) => {
      b.flow(
        0,
        { src: '10.0.4.8', dst: '10.0.2.5', dstPort: 5432, bytes: 120, packets: 3, state: 'REJ' },
        ZEEK,
      );
      b.flow(
        2 * SECOND,
        { src: '10.0.4.8', dst: '10.0.2.6', dstPort: 6379, bytes: 5200, packets: 14, state: 'SF' },
        ZEEK,
      );
      b.flow(
        4 * SECOND,
        { src: '10.0.4.8', dst: '10.0.2.7', dstPort: 6379, bytes: 5200, packets: 14, state: 'SF' },
        ZEEK,
      );
    },
    [{ ruleId: 'network.forbidden-path', entity: ip('10.0.4.8'), count: 2 }],
    DB_RULES,
  ),

  makeCase(
    'forbidden-paths',
    'app-servers-use-the-database',
    'The four app servers query PostgreSQL and Redis all the time; the database answers them (one-way records from 5432 back).',
    1504,
    (b, rng) => {
      for (let i = 0; i < 200; i++) {
        const app = `10.0.1.${1 + (i % 4)}`;
        const srcPort = rng.int(32768, 60999);
        const port = i % 5 === 0 ? 6379 : 5432;
        b.flow(i * SECOND, {
          src: app,
          dst: '10.0.2.5',
          srcPort,
          dstPort: port,
          bytes: rng.int(300, 9000),
          packets: 10,
          tcpFlags: ESTABLISHED,
        });
        b.flow(i * SECOND + 2, {
          src: '10.0.2.5',
          dst: app,
          srcPort: port,
          dstPort: srcPort,
          bytes: rng.int(300, 90_000),
          packets: 30,
          tcpFlags: ESTABLISHED,
        });
      }
    },
    [],
    DB_RULES,
  ),

  makeCase(
    'forbidden-paths',
    'default-rule-internal-traffic',
    'With the default rule: internal hosts use PostgreSQL, Redis and Elasticsearch, and outside clients reach the shop on 443.',
    1505,
    (b, rng) => {
      for (let i = 0; i < 50; i++) {
        b.flow(i * 2 * SECOND, {
          src: `10.0.${1 + (i % 3)}.${10 + (i % 7)}`,
          dst: '10.0.2.5',
          dstPort: rng.pick([5432, 6379, 9200]),
          bytes: 4000,
          packets: 10,
          tcpFlags: ESTABLISHED,
        });
        b.flow(i * 2 * SECOND + 1, {
          src: rng.ip(),
          dst: '10.0.1.10',
          dstPort: 443,
          bytes: 40_000,
          packets: 40,
          tcpFlags: ESTABLISHED,
        });
      }
    },
    [],
  ),
];

const beaconingCases: LabelledCase[] = [
  makeCase(
    'beaconing',
    'implant-every-minute-with-jitter',
    'An implant checks in every 60 s with ±10 % jitter over HTTPS, 1.2-2 KB each, a new connection each time, among ordinary browsing.',
    1601,
    (b, rng) => {
      let t = 0;
      for (let i = 0; i < 15; i++) {
        t += 60 * SECOND * (0.9 + rng.next() * 0.2);
        b.flow(t + 300, {
          src: '10.0.5.30',
          dst: '203.0.113.150',
          dstPort: 443,
          bytes: rng.int(1200, 2000),
          packets: 8,
          durationMs: 300,
          tcpFlags: ESTABLISHED,
        });
      }
      for (let i = 0; i < 40; i++)
        b.flow(rng.int(0, 15 * MINUTE), {
          src: '10.0.5.30',
          dst: rng.ip(),
          dstPort: 443,
          bytes: rng.int(3000, 500_000),
          packets: 60,
          durationMs: 2000,
          tcpFlags: ESTABLISHED,
        });
    },
    [{ ruleId: 'network.beaconing', entity: ip('10.0.5.30'), count: 1 }],
  ),

  makeCase(
    'beaconing',
    'http-beacon-every-five-minutes',
    'A plain-HTTP beacon every 5 minutes (±5 %), 400-600 bytes, for an hour, as Zeek logs it.',
    1602,
    (b, rng) => {
      let t = 0;
      for (let i = 0; i < 12; i++) {
        t += 300 * SECOND * (0.95 + rng.next() * 0.1);
        b.flow(
          t,
          {
            src: '10.0.5.31',
            dst: '198.51.100.66',
            dstPort: 80,
            bytes: rng.int(400, 600),
            packets: 6,
            durationMs: 150,
            state: 'SF',
          },
          ZEEK,
        );
      }
    },
    [{ ruleId: 'network.beaconing', entity: ip('10.0.5.31'), count: 1 }],
  ),

  makeCase(
    'beaconing',
    'hourly-udp-beacon',
    'A slow UDP beacon every hour (±2 %) to port 8443 for 11 hours, next to a long-lived connection exported every minute (one source port: not beacons).',
    1603,
    (b, rng) => {
      for (let i = 0; i < 11; i++)
        b.flow(i * HOUR * (1 + (rng.next() - 0.5) * 0.04) + 10 * SECOND, {
          src: '10.0.5.32',
          dst: '192.0.2.77',
          dstPort: 8443,
          protocol: 'udp',
          bytes: rng.int(200, 300),
          packets: 2,
          durationMs: 50,
        });
      for (let i = 0; i < 30; i++)
        b.flow((i + 1) * MINUTE, {
          src: '10.0.5.32',
          dst: '203.0.113.170',
          srcPort: 50_505,
          dstPort: 443,
          bytes: 900,
          packets: 4,
          durationMs: MINUTE,
          tcpFlags: 0x18,
        });
    },
    [{ ruleId: 'network.beaconing', entity: ip('10.0.5.32'), count: 1 }],
  ),

  makeCase(
    'beaconing',
    'person-browsing-one-site',
    'A person uses one web shop for half an hour: 25 small connections at irregular intervals (seconds to minutes).',
    1604,
    (b, rng) => {
      let t = 0;
      for (let i = 0; i < 25; i++) {
        t += -Math.log(1 - rng.next()) * 70 * SECOND + 11 * SECOND;
        b.flow(t, {
          src: '10.0.5.40',
          dst: '203.0.113.151',
          dstPort: 443,
          bytes: rng.int(900, 15_000),
          packets: 12,
          durationMs: 800,
          tcpFlags: ESTABLISHED,
        });
      }
    },
    [],
  ),

  makeCase(
    'beaconing',
    'ntp-health-checks-and-backups',
    'Regular by design: NTP every 64 s, a load balancer health-checking an app server every 10 s (inside), hourly 500 MB backups to an outside store.',
    1605,
    (b) => {
      for (let i = 0; i < 30; i++)
        b.flow(i * 64 * SECOND, {
          src: '10.0.5.41',
          dst: '192.0.2.123',
          dstPort: 123,
          protocol: 'udp',
          bytes: 76,
          packets: 1,
        });
      for (let i = 0; i < 60; i++)
        b.flow(i * 10 * SECOND + 5, {
          src: '10.0.1.2',
          dst: '10.0.1.10',
          dstPort: 80,
          bytes: 420,
          packets: 6,
          tcpFlags: ESTABLISHED,
        });
      for (let i = 0; i < 12; i++)
        b.flow(i * HOUR + 20, {
          src: '10.0.2.5',
          dst: '198.51.100.210',
          dstPort: 443,
          bytes: 500_000_000,
          packets: 350_000,
          durationMs: 300_000,
          tcpFlags: ESTABLISHED,
        });
    },
    [],
  ),
];

export const networkCases: LabelledCase[] = [
  ...portScanCases,
  ...floodCases,
  ...slowAttackCases,
  ...egressCases,
  ...forbiddenCases,
  ...beaconingCases,
];
