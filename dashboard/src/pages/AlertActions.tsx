/**
 * An alert's actions beyond the ban: open an incident from it (POST /incidents with the alert's
 * id, then its case page) and mark it a false positive (POST /alerts/:id/false-positive): the
 * alert is closed and a tuning entry suppresses its rule for its entity, or for every entity,
 * from then on. Both are ledger entries with the analyst's name; readers see why they cannot act.
 */
import { useState, type FormEvent } from 'react';
import {
  api,
  ApiError,
  SEVERITIES,
  type Alert,
  type AlertSuppression,
  type Incident,
  type Role,
} from '../api';

function failure(caught: unknown): string {
  return caught instanceof ApiError ? caught.message : String(caught);
}

export function OpenIncidentCard({ alert, role }: { alert: Alert; role: Role }) {
  const [result, setResult] = useState<{ text: string; id?: string }>({ text: '' });
  const [busy, setBusy] = useState(false);
  const canAct = role === 'admin' || role === 'analyst';

  async function open(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      const incident = await api<Incident>('POST', '/incidents', {
        title: String(form.get('title') ?? '') || alert.title,
        severity: String(form.get('severity') ?? alert.severity),
        alertIds: [alert.id],
        detectedAt: alert.firstSeen ?? alert.time,
      });
      setResult({ text: `Incident ${incident.id} opened.`, id: incident.id });
    } catch (caught) {
      setResult({ text: `No incident opened: ${failure(caught)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card" aria-labelledby="open-incident-title">
      <h2 id="open-incident-title">Open an incident</h2>
      {!canAct ? (
        <p className="muted">Your role ({role}) can read alerts but not open incidents.</p>
      ) : (
        <form onSubmit={open}>
          <label>
            Incident title
            <input name="title" defaultValue={alert.title} maxLength={512} required />
          </label>
          <label>
            Incident severity
            <select name="severity" defaultValue={alert.severity}>
              {SEVERITIES.map((severity) => (
                <option key={severity}>{severity}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Open incident
          </button>
        </form>
      )}
      <p role="status" data-testid="incident-result">
        {result.text} {result.id && <a href={`#/incidents/${result.id}`}>Go to the incident</a>}
      </p>
    </article>
  );
}

export function FalsePositiveCard({
  alert,
  role,
  onMarked,
}: {
  alert: Alert;
  role: Role;
  onMarked: (alert: Alert) => void;
}) {
  const [result, setResult] = useState('');
  const [busy, setBusy] = useState(false);
  const canAct = role === 'admin' || role === 'analyst';
  const entity = alert.entity ?? (alert.subject.ip ? { type: 'ip', value: alert.subject.ip } : undefined);

  async function mark(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      const suppression = await api<AlertSuppression>('POST', `/alerts/${alert.id}/false-positive`, {
        reason: String(form.get('reason') ?? ''),
        scope: String(form.get('scope') ?? 'entity'),
      });
      const about = suppression.entity
        ? `${suppression.entity.type} ${suppression.entity.value}`
        : 'every entity';
      setResult(
        `Marked a false positive: rule ${suppression.ruleId} no longer alerts about ${about} (${suppression.id}).`,
      );
      onMarked({ ...alert, status: 'closed' });
    } catch (caught) {
      setResult(`Not marked: ${failure(caught)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card" aria-labelledby="fp-title">
      <h2 id="fp-title">False positive?</h2>
      {!canAct ? (
        <p className="muted">Your role ({role}) can read alerts but not tune detection.</p>
      ) : (
        <form onSubmit={mark}>
          <p className="muted">
            Closes the alert and stops rule <code>{alert.ruleId}</code> from raising new alerts about what you
            choose. Undo it under Settings → Tuning.
          </p>
          <fieldset>
            <legend>Suppress the rule for</legend>
            <label className="choice">
              <input
                type="radio"
                name="scope"
                value="entity"
                defaultChecked={entity !== undefined}
                disabled={!entity}
              />
              {entity ? `this ${entity.type} only (${entity.value})` : 'this entity (the alert names none)'}
            </label>
            <label className="choice">
              <input type="radio" name="scope" value="rule" defaultChecked={entity === undefined} />
              every entity
            </label>
          </fieldset>
          <label>
            Why is it a false positive?
            <input name="reason" required maxLength={512} placeholder="e.g. our own uptime monitor" />
          </label>
          <button type="submit" disabled={busy}>
            Mark false positive
          </button>
        </form>
      )}
      <p role="status" data-testid="fp-result">
        {result}
      </p>
    </article>
  );
}
