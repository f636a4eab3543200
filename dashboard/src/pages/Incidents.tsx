/**
 * Incidents: the list (filter by status) and one incident's case (GET /incidents/:id/case):
 * significance with the criteria behind it, the legal deadline clocks counting down, the
 * timeline, and the report drafts to download as JSON, Markdown and PDF (same-origin links,
 * so the session cookie goes with them). Both reload when an incident change arrives on the
 * live stream (the case page only for its own incident).
 */
import { useEffect, useState } from 'react';
import {
  api,
  query,
  REPORT_STAGES,
  type CaseView,
  type Incident,
  type Page,
  type TimelineEntry,
} from '../api';
import { countdown, formatTime } from '../format';
import { errorText, useNow } from '../hooks';
import { useLiveVersion } from '../live';
import { ErrorLine } from '../parts';

const STATUSES = ['new', 'triaged', 'contained', 'eradicated', 'recovered', 'closed'] as const;

const words = (text: string) => text.replace(/_/g, ' ');

export function IncidentsPage() {
  const [status, setStatus] = useState('');
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [error, setError] = useState('');
  const version = useLiveVersion(['incident']);

  useEffect(() => {
    let current = true;
    api<Page<Incident>>('GET', `/incidents${query({ status, limit: '200' })}`)
      .then((page) => current && (setIncidents(page.items), setError('')))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [status, version]);

  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">Incidents</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">any</option>
            {STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
      </form>
      <ErrorLine error={error} />
      {!incidents ? (
        <p className="muted">Loading…</p>
      ) : incidents.length === 0 ? (
        <p>No incident matches.</p>
      ) : (
        <table aria-describedby="incidents-count">
          <caption id="incidents-count" className="muted">
            {incidents.length} incident{incidents.length === 1 ? '' : 's'}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Opened</th>
              <th scope="col">Severity</th>
              <th scope="col">Incident</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((incident) => (
              <tr key={incident.id}>
                <td>{formatTime(incident.createdAt)}</td>
                <td>
                  <span className={`sev sev-${incident.severity}`}>{incident.severity}</span>
                </td>
                <td>
                  <a href={`#/incidents/${incident.id}`}>{incident.title}</a>
                </td>
                <td>{incident.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The entry's data in one line: its simple values, "key: value", comma-separated. */
function describe(entry: TimelineEntry): string {
  const parts = Object.entries(entry.data)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .map(([key, value]) => `${key}: ${String(value)}`);
  const text = parts.join(', ');
  return text.length > 240 ? `${text.slice(0, 239)}…` : text || '—';
}

/** Whether a live `incident` event (an IncidentChange) is about this incident. */
function isChangeOf(data: unknown, id: string): boolean {
  return typeof data === 'object' && data !== null && (data as { incidentId?: unknown }).incidentId === id;
}

export function IncidentDetail({ id }: { id: string }) {
  const [view, setView] = useState<CaseView | null>(null);
  const [error, setError] = useState('');
  const now = useNow(1000);
  const version = useLiveVersion(['incident'], (_, data) => isChangeOf(data, id));
  useEffect(() => {
    let current = true;
    api<CaseView>('GET', `/incidents/${id}/case`)
      .then((next) => current && setView(next))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [id, version]);

  if (error)
    return (
      <section>
        <h1>Incident</h1>
        <ErrorLine error={error} />
        <a href="#/incidents">Back to the incidents</a>
      </section>
    );
  if (!view) return <p className="muted">Loading…</p>;
  const { incident } = view;
  const draft = (stage: string, format: string) =>
    `/api/v1/incidents/${incident.id}/reports/${stage}${format === 'json' ? '' : `?format=${format}`}`;
  return (
    <section aria-labelledby="incident-title">
      <p>
        <a href="#/incidents">← Incidents</a>
      </p>
      <h1 id="incident-title">{incident.title}</h1>
      <p>
        <code>{incident.id}</code> ·{' '}
        <span className={`sev sev-${incident.severity}`}>{incident.severity}</span> · {incident.status} ·
        opened {formatTime(incident.createdAt)}
      </p>
      {incident.summary && <p>{incident.summary}</p>}
      <div className="grid halves">
        <article className="card" aria-labelledby="significance-title">
          <h2 id="significance-title">Significance</h2>
          <p className="verdict" data-testid="significance">
            {view.significant}
          </p>
          {view.decision ? (
            <p>
              {view.decision.significant === 'yes' ? 'Confirmed significant' : 'Decided not significant'} by{' '}
              {view.decision.actor} on {formatTime(view.decision.at)}: {view.decision.reason}
            </p>
          ) : (
            <p className="muted">No person has confirmed or overridden the assessment yet.</p>
          )}
          {view.assessment ? (
            <>
              <p>{view.assessment.summary}</p>
              <h3>Criteria</h3>
              <ul aria-label="Significance criteria">
                {view.assessment.criteria.map((criterion) => (
                  <li key={criterion.id}>
                    <strong>{criterion.outcome}</strong> — {criterion.title}{' '}
                    <span className="muted">({criterion.reference})</span>: {criterion.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted">Not assessed yet (assessing needs the entity profile, see incidents.md).</p>
          )}
        </article>
        <article className="card" aria-labelledby="drafts-title">
          <h2 id="drafts-title">Report drafts</h2>
          <p className="muted">Drafted from the case now; missing fields are flagged in the draft.</p>
          <table className="compact">
            <tbody>
              {REPORT_STAGES.map((stage) => (
                <tr key={stage}>
                  <th scope="row">{words(stage)}</th>
                  {(
                    [
                      ['json', 'JSON', 'json'],
                      ['md', 'Markdown', 'md'],
                      ['pdf', 'PDF', 'pdf'],
                    ] as const
                  ).map(([format, label, extension]) => (
                    <td key={format}>
                      <a
                        href={draft(stage, format)}
                        download={`${incident.id}-${stage.replace(/_/g, '-')}-draft.${extension}`}
                        aria-label={`${words(stage)} draft as ${label}`}
                      >
                        {label}
                      </a>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </article>
        <article className="card wide" aria-labelledby="clocks-title">
          <h2 id="clocks-title">Deadlines</h2>
          {view.clocks.length === 0 ? (
            <p className="muted">No report clock applies.</p>
          ) : (
            <table className="compact">
              <thead>
                <tr>
                  <th scope="col">Report</th>
                  <th scope="col">State</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {view.clocks.map((clock) => (
                  <tr key={clock.stage}>
                    <th scope="row">{words(clock.stage)}</th>
                    <td>
                      {words(clock.state)}
                      {clock.provisional ? ' (provisional)' : ''}
                    </td>
                    <td>
                      {clock.dueAt ? (
                        <>
                          {formatTime(clock.dueAt)}
                          {!clock.submittedAt && (
                            <>
                              <br />
                              <span className={Date.parse(clock.dueAt) < now ? 'error' : 'muted'}>
                                {countdown(Date.parse(clock.dueAt), now)}
                              </span>
                            </>
                          )}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </article>
        <article className="card wide" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Entry</th>
                <th scope="col">By</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {view.timeline.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatTime(entry.at)}</td>
                  <td>{words(entry.kind)}</td>
                  <td>{entry.actor}</td>
                  <td>{describe(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      </div>
    </section>
  );
}
