/**
 * Overview: alerts by severity, active decisions, modes in force and open incidents with the
 * next legal deadline counting down. Reloads when the live stream reports a change.
 */
import { useEffect, useState } from 'react';
import {
  api,
  SEVERITIES,
  type Alert,
  type CaseClock,
  type Decision,
  type Incident,
  type Mode,
  type Page,
  type Severity,
} from '../api';
import { countdown, formatTime } from '../format';
import { useLiveVersion } from '../live';
import { errorText, useNow } from '../hooks';
import { ErrorLine } from '../parts';

interface OpenIncident {
  incident: Incident;
  next: CaseClock | null;
}

interface Picture {
  bySeverity: Record<Severity, number>;
  alertsCounted: number;
  moreAlerts: boolean;
  activeDecisions: number;
  modes: Mode[];
  incidents: OpenIncident[];
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

async function load(): Promise<Picture> {
  const [alerts, decisions, modes, incidents] = await Promise.all([
    api<Page<Alert>>('GET', '/alerts?status=open&limit=500'),
    api<{ items: Decision[] }>('GET', '/decisions/active'),
    api<{ items: Mode[] }>('GET', '/modes'),
    api<Page<Incident>>('GET', '/incidents?limit=100'),
  ]);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const alert of alerts.items) bySeverity[alert.severity] += 1;
  const open = incidents.items.filter((incident) => incident.status !== 'closed');
  const withClocks = await Promise.all(
    open.slice(0, 10).map(async (incident) => ({ incident, next: await nextDeadline(incident.id) })),
  );
  return {
    bySeverity,
    alertsCounted: alerts.items.length,
    moreAlerts: alerts.nextCursor !== null,
    activeDecisions: decisions.items.length,
    modes: modes.items.filter((mode) => mode.active !== null),
    incidents: withClocks,
  };
}

export function OverviewPage() {
  const version = useLiveVersion(['alert', 'decision', 'mode']);
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
              {picture.alertsCounted}
              {picture.moreAlerts ? '+ (the latest 500)' : ''} open · <a href="#/alerts">all alerts</a>
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
