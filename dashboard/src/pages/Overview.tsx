/**
 * Overview: requests and blocked requests over time (uPlot, loaded lazily), open alerts by
 * severity (every alert counted on the server), active decisions, modes in force, the latest
 * scan, the ledger's latest checkpoint checked in the browser, and open incidents with the next
 * legal deadline counting down. Reloads when the live stream reports a change.
 */
import { lazy, Suspense, useEffect, useState } from 'react';
import {
  api,
  SEVERITIES,
  type AlertCount,
  type CaseClock,
  type Decision,
  type Incident,
  type Mode,
  type Page,
  type ScanRun,
  type Severity,
  type Traffic,
} from '../api';
import { checkSignatures, parseNote, toBase64, type SignatureCheck } from '../ledger-verify';
import { countdown, formatTime } from '../format';
import { useLiveVersion } from '../live';
import { errorText, useNow } from '../hooks';
import { ErrorLine } from '../parts';

interface OpenIncident {
  incident: Incident;
  next: CaseClock | null;
}

const TrafficChart = lazy(() => import('../TrafficChart'));

interface CheckedCheckpoint {
  treeSize: number;
  rootHash: string;
  checks: SignatureCheck[];
}

interface Picture {
  bySeverity: Record<Severity, number>;
  openAlerts: number;
  allAlerts: number;
  activeDecisions: number;
  modes: Mode[];
  incidents: OpenIncident[];
  latestScan: ScanRun | null;
  certificate: LatestCertificate | null;
  checkpoint: CheckedCheckpoint | string;
}

/** The certificate registered last (GET /certificates/latest), with its status now. */
interface LatestCertificate {
  id: string;
  status: 'valid' | 'revoked' | 'expired';
  target: string;
  expiresAt: string;
  classes: { class: string; result: string }[];
  revocation: { reason: string; revokedAt: string } | null;
}

const RUNNING = new Set(['running', 'due_soon', 'overdue']);

async function nextDeadline(id: string): Promise<CaseClock | null> {
  try {
    const view = await api<{ clocks: CaseClock[] }>('GET', `/incidents/${id}/case`);
    const pending = view.clocks.filter((clock) => RUNNING.has(clock.state) && clock.dueAt !== null);
    pending.sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
    return pending[0] ?? null;
  } catch {
    return null;
  }
}

/** The latest signed checkpoint with its signatures checked here, or why there is none. */
async function checkedCheckpoint(): Promise<CheckedCheckpoint | string> {
  try {
    const response = await fetch('/api/v1/ledger/checkpoint', { credentials: 'same-origin' });
    if (!response.ok) return 'No checkpoint signed yet.';
    const note = parseNote(await response.text());
    const keys = await api<{ log: string[]; witnesses: string[] }>('GET', '/ledger/keys');
    const checks = await checkSignatures(note, keys.log, keys.witnesses);
    return { treeSize: note.treeSize, rootHash: toBase64(note.rootHash), checks };
  } catch (caught) {
    return `The checkpoint could not be checked: ${errorText(caught)}`;
  }
}

async function load(): Promise<Picture> {
  const [counts, decisions, modes, incidents, scans, certificate, checkpoint] = await Promise.all([
    api<{ items: AlertCount[] }>('GET', '/alerts/counts'),
    api<{ items: Decision[] }>('GET', '/decisions/active'),
    api<{ items: Mode[] }>('GET', '/modes'),
    api<Page<Incident>>('GET', '/incidents?limit=100'),
    api<Page<ScanRun>>('GET', '/scans?limit=1'),
    api<{ certificate: LatestCertificate | null }>('GET', '/certificates/latest'),
    checkedCheckpoint(),
  ]);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let allAlerts = 0;
  for (const count of counts.items) {
    allAlerts += count.count;
    if (count.status === 'open') bySeverity[count.severity] += count.count;
  }
  const open = incidents.items.filter((incident) => incident.status !== 'closed');
  const withClocks = await Promise.all(
    open.slice(0, 10).map(async (incident) => ({ incident, next: await nextDeadline(incident.id) })),
  );
  return {
    bySeverity,
    openAlerts: SEVERITIES.reduce((sum, severity) => sum + bySeverity[severity], 0),
    allAlerts,
    activeDecisions: decisions.items.length,
    modes: modes.items.filter((mode) => mode.active !== null),
    incidents: withClocks,
    latestScan: scans.items[0] ?? null,
    certificate: certificate.certificate,
    checkpoint,
  };
}

const WINDOWS = ['1h', '6h', '24h'] as const;

/** Requests and blocked requests: reloads on live events and every 30 s (requests are not streamed one by one). */
function TrafficCard({ version }: { version: number }) {
  const [window, setWindow] = useState<(typeof WINDOWS)[number]>('1h');
  const [traffic, setTraffic] = useState<Traffic | null>(null);
  const [error, setError] = useState('');
  const tick = useNow(30_000);
  useEffect(() => {
    let current = true;
    api<Traffic>('GET', `/metrics/traffic?window=${window}`)
      .then((next) => current && (setTraffic(next), setError('')))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [window, version, tick]);
  return (
    <article className="card wide" aria-labelledby="traffic-title">
      <div className="card-head">
        <h2 id="traffic-title">Requests and blocked requests</h2>
        <label>
          Window
          <select value={window} onChange={(event) => setWindow(event.target.value as typeof window)}>
            {WINDOWS.map((value) => (
              <option key={value} value={value}>
                last {value}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorLine error={error} />
      {traffic ? (
        <Suspense fallback={<p className="muted">Loading the chart…</p>}>
          <TrafficChart traffic={traffic} />
        </Suspense>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </article>
  );
}

function CheckpointCard({ checkpoint }: { checkpoint: CheckedCheckpoint | string }) {
  if (typeof checkpoint === 'string')
    return (
      <article className="card" aria-labelledby="ckp-title">
        <h2 id="ckp-title">Ledger</h2>
        <p>{checkpoint}</p>
        <p className="muted">
          <a href="#/ledger">the ledger</a>
        </p>
      </article>
    );
  const log = checkpoint.checks.filter((check) => check.role === 'log');
  const witnesses = checkpoint.checks.filter((check) => check.role === 'witness' && check.valid);
  const verified = log.length > 0 && log.every((check) => check.valid);
  return (
    <article className="card" aria-labelledby="ckp-title">
      <h2 id="ckp-title">Ledger's latest checkpoint</h2>
      <p className="big" data-testid="checkpoint-size">
        {checkpoint.treeSize}
      </p>
      <p className="muted">entries under the signed root</p>
      <p data-testid="checkpoint-status" className={verified ? 'ok' : 'error'}>
        {verified ? '✓ signature verified in your browser' : '✗ signature NOT verified'}
        {witnesses.length > 0
          ? `, ${witnesses.length} witness cosignature${witnesses.length === 1 ? '' : 's'}`
          : ''}
      </p>
      <p className="muted">
        <a href="#/ledger">checkpoints and inclusion proofs</a>
      </p>
    </article>
  );
}

function CertificateCard({ certificate }: { certificate: LatestCertificate | null }) {
  const passed = certificate?.classes.filter((c) => c.result === 'pass').length ?? 0;
  return (
    <article className="card" aria-labelledby="cert-title">
      <h2 id="cert-title">Latest certificate</h2>
      {!certificate ? (
        <p>No certificate registered yet.</p>
      ) : (
        <>
          <p data-testid="certificate-status">
            <strong className={certificate.status === 'valid' ? 'ok' : 'error'}>{certificate.status}</strong>
            {' · '}
            {certificate.target}
          </p>
          <p>
            {passed} of {certificate.classes.length} attack classes passed ·{' '}
            {certificate.revocation
              ? `revoked ${formatTime(certificate.revocation.revokedAt)}: ${certificate.revocation.reason}`
              : `expires ${formatTime(certificate.expiresAt)}`}
          </p>
        </>
      )}
      <p className="muted">
        <a href="#/scans">verify a certificate</a>
      </p>
    </article>
  );
}

function ScanCard({ scan }: { scan: ScanRun | null }) {
  const passed = scan?.classes.filter((c) => c.result === 'pass').length ?? 0;
  return (
    <article className="card" aria-labelledby="scan-title">
      <h2 id="scan-title">Latest scan</h2>
      {!scan ? (
        <p>No scan stored yet.</p>
      ) : (
        <>
          <p>
            <strong>{scan.target}</strong> ({scan.mode}), {formatTime(scan.finishedAt)}
          </p>
          <p data-testid="scan-classes">
            {passed} of {scan.classes.length} attack classes passed · {scan.changes.new} new findings,{' '}
            {scan.changes.fixed} fixed
          </p>
        </>
      )}
      <p className="muted">
        <a href="#/scans">scans, findings and certificates</a>
      </p>
    </article>
  );
}

export function OverviewPage() {
  const version = useLiveVersion(['alert', 'decision', 'mode', 'incident']);
  const [picture, setPicture] = useState<Picture | null>(null);
  const [error, setError] = useState('');
  const now = useNow(1000);
  useEffect(() => {
    let current = true;
    load()
      .then((next) => current && (setPicture(next), setError('')))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [version]);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <ErrorLine error={error} />
      {!picture ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="grid">
          <TrafficCard version={version} />
          <article className="card" aria-labelledby="sev-title">
            <h2 id="sev-title">Open alerts by severity</h2>
            <table className="compact">
              <tbody>
                {SEVERITIES.map((severity) => (
                  <tr key={severity}>
                    <th scope="row">
                      <span className={`sev sev-${severity}`}>{severity}</span>
                    </th>
                    <td className="num" data-testid={`severity-${severity}`}>
                      {picture.bySeverity[severity]}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">
              <span data-testid="open-alerts">{picture.openAlerts}</span> open of {picture.allAlerts} ·{' '}
              <a href="#/alerts">all alerts</a>
            </p>
          </article>
          <article className="card" aria-labelledby="dec-title">
            <h2 id="dec-title">Active decisions</h2>
            <p className="big" data-testid="active-decisions">
              {picture.activeDecisions}
            </p>
            <p className="muted">bans, throttles and challenges in force now</p>
          </article>
          <article className="card" aria-labelledby="modes-title">
            <h2 id="modes-title">Modes in force</h2>
            {picture.modes.length === 0 ? (
              <p>None: the shop runs normally.</p>
            ) : (
              <ul>
                {picture.modes.map((mode) => (
                  <li key={mode.name}>
                    <strong>{mode.name}</strong>{' '}
                    {mode.active?.until ? `until ${formatTime(mode.active.until)}` : 'until switched off'}
                  </li>
                ))}
              </ul>
            )}
            <p className="muted">
              <a href="#/modes">switch modes</a>
            </p>
          </article>
          <ScanCard scan={picture.latestScan} />
          <CertificateCard certificate={picture.certificate} />
          <CheckpointCard checkpoint={picture.checkpoint} />
          <article className="card wide" aria-labelledby="inc-title">
            <h2 id="inc-title">Open incidents</h2>
            {picture.incidents.length === 0 ? (
              <p>No open incident.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Incident</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Status</th>
                    <th scope="col">Next legal deadline</th>
                  </tr>
                </thead>
                <tbody>
                  {picture.incidents.map(({ incident, next }) => (
                    <tr key={incident.id}>
                      <td>{incident.title}</td>
                      <td>
                        <span className={`sev sev-${incident.severity}`}>{incident.severity}</span>
                      </td>
                      <td>{incident.status}</td>
                      <td>
                        {next?.dueAt ? (
                          <span className={Date.parse(next.dueAt) < now ? 'error' : undefined}>
                            {next.stage.replace(/_/g, ' ')}: {countdown(Date.parse(next.dueAt), now)}
                          </span>
                        ) : (
                          <span className="muted">none running</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </article>
        </div>
      )}
    </section>
  );
}
