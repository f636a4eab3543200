/**
 * Alerts: the list (filter by status, severity and detector on the server, by text in what is
 * loaded; 200 at a time with "Load more", so 10,000 alerts stay fast; new alerts arrive live)
 * and one alert's detail with its fields, evidence and the actions: ban its client
 * (POST /decisions), open an incident from it (POST /incidents) and mark it a false positive,
 * which closes it and suppresses its rule for its entity (POST /alerts/:id/false-positive).
 */
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import {
  ALERT_STATUSES,
  api,
  ApiError,
  query,
  SEVERITIES,
  type Alert,
  type Decision,
  type Page,
  type Role,
} from '../api';
import { formatTime } from '../format';
import { useLiveAlerts } from '../live';
import { errorText } from '../hooks';
import { ErrorLine, FilterSelect } from '../parts';
import { FalsePositiveCard, OpenIncidentCard } from './AlertActions';

const PAGE_SIZE = '200';

export function AlertsPage() {
  const [status, setStatus] = useState('');
  const [severity, setSeverity] = useState('');
  const [detector, setDetector] = useState('');
  const [text, setText] = useState('');
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState('');
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const detectorFilter = detector.trim();

  useEffect(() => {
    let current = true;
    // A detector typed by hand is asked for once the typing pauses.
    const timer = setTimeout(() => {
      api<Page<Alert>>(
        'GET',
        `/alerts${query({ status, severity, detector: detectorFilter, limit: PAGE_SIZE })}`,
      )
        .then((page) => current && (setAlerts(page.items), setCursor(page.nextCursor), setError('')))
        .catch((caught: unknown) => current && setError(errorText(caught)));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [status, severity, detectorFilter]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api<Page<Alert>>(
        'GET',
        `/alerts${query({ status, severity, detector: detectorFilter, limit: PAGE_SIZE, cursor })}`,
      );
      setAlerts((list) => [...(list ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoadingMore(false);
    }
  }

  useLiveAlerts((alert) => {
    if (
      (status && alert.status !== status) ||
      (severity && alert.severity !== severity) ||
      (detectorFilter && alert.detector !== detectorFilter)
    )
      return;
    setAlerts((list) => [alert, ...(list ?? []).filter((item) => item.id !== alert.id)]);
    setFresh((ids) => new Set(ids).add(alert.id));
  });

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (!alerts || !needle) return alerts;
    return alerts.filter((alert) =>
      [alert.title, alert.ruleId, alert.detector, alert.subject.ip ?? '', alert.id].some((field) =>
        field.toLowerCase().includes(needle),
      ),
    );
  }, [alerts, text]);

  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <FilterSelect label="Status" value={status} values={ALERT_STATUSES} any onChange={setStatus} />
        <FilterSelect label="Severity" value={severity} values={SEVERITIES} any onChange={setSeverity} />
        <label>
          Detector
          <input
            type="text"
            value={detector}
            placeholder="e.g. sigma, scraping"
            onChange={(event) => setDetector(event.target.value)}
          />
        </label>
        <label>
          Search
          <input
            type="search"
            value={text}
            placeholder="title, rule, address"
            onChange={(event) => setText(event.target.value)}
          />
        </label>
      </form>
      <ErrorLine error={error} />
      {!shown ? (
        <p className="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p>No alert matches.</p>
      ) : (
        <table aria-describedby="alerts-count">
          <caption id="alerts-count" className="muted">
            <span data-testid="alerts-shown">{shown.length}</span> alert{shown.length === 1 ? '' : 's'}
            {cursor ? ' (more on the server)' : ''}, newest first; new ones appear as they are raised
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Rule</th>
              <th scope="col">Client</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((alert) => (
              <tr key={alert.id} className={fresh.has(alert.id) ? 'fresh' : undefined}>
                <td>{formatTime(alert.time)}</td>
                <td>
                  <span className={`sev sev-${alert.severity}`}>{alert.severity}</span>
                </td>
                <td>
                  <a href={`#/alerts/${alert.id}`}>{alert.title}</a>
                  {fresh.has(alert.id) && <span className="tag">new</span>}
                </td>
                <td>
                  <code>{alert.ruleId}</code>
                </td>
                <td>{alert.subject.ip ?? '—'}</td>
                <td>{alert.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <p className="pager">
          <button type="button" className="secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            Load {PAGE_SIZE} more
          </button>
          {text.trim() && <span className="muted">The search looks in the alerts loaded so far.</span>}
        </p>
      )}
    </section>
  );
}

function clientOf(alert: Alert): string | undefined {
  if (alert.subject.ip) return alert.subject.ip;
  return alert.entity?.type === 'ip' ? alert.entity.value : undefined;
}

export function AlertDetail({ id, role }: { id: string; role: Role }) {
  const [alert, setAlert] = useState<Alert | null>(null);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<Alert>('GET', `/alerts/${id}`)
      .then(setAlert)
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [id]);
  const canAct = role === 'admin' || role === 'analyst';

  async function ban(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!alert) return;
    const value = clientOf(alert);
    if (!value) return;
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      const decision = await api<Decision>('POST', '/decisions', {
        action: 'ban',
        scope: 'ip',
        value,
        duration: String(form.get('duration') ?? '4h'),
        reason: String(form.get('reason') ?? '') || `alert ${alert.id}: ${alert.title}`,
        alertId: alert.id,
      });
      setResult(`Banned ${value}: decision ${decision.id}, until ${formatTime(decision.expiresAt)}.`);
    } catch (caught) {
      setResult(`Not banned: ${caught instanceof ApiError ? caught.message : String(caught)}`);
    } finally {
      setBusy(false);
    }
  }

  if (error)
    return (
      <section>
        <h1>Alert</h1>
        <ErrorLine error={error} />
        <a href="#/alerts">Back to the alerts</a>
      </section>
    );
  if (!alert) return <p className="muted">Loading…</p>;
  const client = clientOf(alert);
  const fields: [string, ReactNode][] = [
    ['Id', <code key="id">{alert.id}</code>],
    [
      'Severity',
      <span key="sev" className={`sev sev-${alert.severity}`}>
        {alert.severity}
      </span>,
    ],
    ['Status', alert.status],
    ['Time', formatTime(alert.time)],
    ['Rule', <code key="rule">{alert.ruleId}</code>],
    ['Detector', alert.detector],
    ['Client address', client ?? '—'],
    ['Account', alert.subject.accountId ?? '—'],
    ['Entity', alert.entity ? `${alert.entity.type} ${alert.entity.value}` : '—'],
    ['Detections', String(alert.count ?? 1)],
    ['First and last seen', `${formatTime(alert.firstSeen)} – ${formatTime(alert.lastSeen)}`],
    ['ATT&CK', alert.attack?.join(', ') || '—'],
    ['Tags', alert.tags.join(', ') || '—'],
  ];
  return (
    <section aria-labelledby="alert-title">
      <p>
        <a href="#/alerts">← Alerts</a>
      </p>
      <h1 id="alert-title">{alert.title}</h1>
      {alert.description && <p>{alert.description}</p>}
      <div className="grid">
        <article className="card">
          <h2>Fields</h2>
          <dl>
            {fields.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </article>
        <article className="card">
          <h2>Evidence</h2>
          <h3>Events ({alert.eventIds.length})</h3>
          {alert.eventIds.length === 0 ? (
            <p className="muted">No event ids.</p>
          ) : (
            <ul className="ids" aria-label="Evidence event ids">
              {alert.eventIds.map((eventId) => (
                <li key={eventId}>
                  <code>{eventId}</code>
                </li>
              ))}
            </ul>
          )}
          {alert.evidence && (
            <>
              <h3>Figures</h3>
              <dl>
                {Object.entries(alert.evidence).map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}</dt>
                    <dd>{String(value)}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </article>
        <article className="card">
          <h2>Respond</h2>
          {!client ? (
            <p className="muted">This alert names no client address to ban.</p>
          ) : !canAct ? (
            <p className="muted">Your role ({role}) can read alerts but not ban.</p>
          ) : (
            <form onSubmit={ban}>
              <label>
                Ban duration
                <select name="duration" defaultValue="4h">
                  <option value="1h">1 hour</option>
                  <option value="4h">4 hours</option>
                  <option value="24h">24 hours</option>
                  <option value="7d">7 days</option>
                </select>
              </label>
              <label>
                Reason
                <input name="reason" placeholder={`alert ${alert.id}`} maxLength={512} />
              </label>
              <button type="submit" disabled={busy}>
                Ban {client}
              </button>
            </form>
          )}
          <p role="status" data-testid="ban-result">
            {result}
          </p>
        </article>
        <OpenIncidentCard alert={alert} role={role} />
        <FalsePositiveCard alert={alert} role={role} onMarked={setAlert} />
      </div>
    </section>
  );
}
