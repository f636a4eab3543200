/**
 * Decisions: every ban, throttle and challenge in force (GET /decisions?active=true), adding one
 * on a client address for a duration with a reason (POST /decisions) and removing one
 * (DELETE /decisions/:id). Live: another operator's or a playbook's change shows at once.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, query, type Decision, type Page, type Role } from '../api';
import { formatTime } from '../format';
import { useLiveVersion } from '../live';
import { errorText } from '../hooks';
import { ErrorLine } from '../parts';

const ACTIONS = ['ban', 'throttle', 'challenge'] as const;

export function DecisionsPage({ role }: { role: Role }) {
  const version = useLiveVersion(['decision']);
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [action, setAction] = useState<(typeof ACTIONS)[number]>('ban');
  const [busy, setBusy] = useState(false);
  const canAct = role === 'admin' || role === 'analyst';

  const reload = useCallback(() => {
    api<Page<Decision>>('GET', `/decisions${query({ active: 'true', limit: '500' })}`)
      .then((page) => (setDecisions(page.items), setMore(page.nextCursor !== null), setError('')))
      .catch((caught: unknown) => setError(errorText(caught)));
  }, []);
  useEffect(reload, [reload, version]);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const value = String(form.get('value') ?? '').trim();
    const duration = String(form.get('duration') ?? '4h');
    const rate = Number(form.get('rate') ?? 0);
    setBusy(true);
    try {
      const decision = await api<Decision>('POST', '/decisions', {
        action,
        scope: 'ip',
        value,
        ...(duration ? { duration } : {}),
        reason: String(form.get('reason') ?? ''),
        ...(action === 'throttle' ? { ratePerMinute: rate } : {}),
      });
      setMessage(
        `Added: ${decision.action} ${decision.value} until ${decision.expiresAt ? formatTime(decision.expiresAt) : 'removed'} (${decision.id}).`,
      );
      formElement.reset();
      setAction('ban');
      reload();
    } catch (caught) {
      setMessage(`Not added: ${caught instanceof ApiError ? caught.message : String(caught)}`);
    } finally {
      setBusy(false);
    }
  }

  async function remove(decision: Decision) {
    try {
      await api('DELETE', `/decisions/${decision.id}`);
      setMessage(`Removed: ${decision.action} ${decision.value} (${decision.id}).`);
      reload();
    } catch (caught) {
      setMessage(`Not removed: ${caught instanceof ApiError ? caught.message : String(caught)}`);
    }
  }

  return (
    <section aria-labelledby="decisions-title">
      <h1 id="decisions-title">Decisions</h1>
      <p className="muted">
        What the gateway enforces now: bans, throttles and challenges, until they expire or are removed. Every
        change is recorded in the ledger with your name and reason.
      </p>
      {canAct && (
        <form className="card" onSubmit={(event) => void add(event)} aria-labelledby="add-title">
          <h2 id="add-title">Add a decision</h2>
          <div className="filters">
            <label>
              Action
              <select
                name="action"
                value={action}
                onChange={(event) => setAction(event.target.value as (typeof ACTIONS)[number])}
              >
                {ACTIONS.map((value) => (
                  <option key={value}>{value}</option>
                ))}
              </select>
            </label>
            <label>
              Client address
              <input name="value" required maxLength={256} placeholder="203.0.113.7" spellCheck={false} />
            </label>
            <label>
              For
              <select name="duration" defaultValue="4h">
                <option value="15m">15 minutes</option>
                <option value="1h">1 hour</option>
                <option value="4h">4 hours</option>
                <option value="24h">24 hours</option>
                <option value="7d">7 days</option>
                <option value="">until removed</option>
              </select>
            </label>
            {action === 'throttle' && (
              <label>
                Requests per minute
                <input name="rate" type="number" min={1} max={1_000_000} defaultValue={60} required />
              </label>
            )}
            <label>
              Reason
              <input name="reason" required maxLength={1024} />
            </label>
          </div>
          <button type="submit" disabled={busy}>
            Add decision
          </button>
        </form>
      )}
      <p role="status" data-testid="decision-result">
        {message}
      </p>
      <ErrorLine error={error} />
      {!decisions ? (
        <p className="muted">Loading…</p>
      ) : decisions.length === 0 ? (
        <p>No decision is in force.</p>
      ) : (
        <table aria-describedby="decisions-count">
          <caption id="decisions-count" className="muted">
            {decisions.length}
            {more ? '+ (the latest 500)' : ''} decision{decisions.length === 1 ? '' : 's'} in force, newest
            first
          </caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">On</th>
              <th scope="col">Until</th>
              <th scope="col">Reason</th>
              <th scope="col">By</th>
              {canAct && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {decisions.map((decision) => (
              <tr key={decision.id} data-testid={`decision-${decision.value}`}>
                <td>
                  {decision.action}
                  {decision.ratePerMinute ? ` (${decision.ratePerMinute}/min)` : ''}
                </td>
                <td className="nowrap">
                  <span className="muted">{decision.scope}</span> <code>{decision.value}</code>
                </td>
                <td>{decision.expiresAt ? formatTime(decision.expiresAt) : 'removed'}</td>
                <td>
                  {decision.reason || '—'}
                  {decision.alertId && (
                    <>
                      {' '}
                      <a href={`#/alerts/${decision.alertId}`}>alert</a>
                    </>
                  )}
                </td>
                <td>{decision.createdBy ?? '—'}</td>
                {canAct && (
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => void remove(decision)}
                      aria-label={`Remove ${decision.action} on ${decision.value}`}
                    >
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
