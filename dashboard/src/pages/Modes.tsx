/**
 * Modes: every fail-safe mode with what it does and, when in force, who switched it on, why
 * and until when; switch one on (reason and TTL) or off (reason). Live: another operator's
 * switch shows at once.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Mode, type Role } from '../api';
import { formatTime } from '../format';
import { useLiveVersion } from '../live';
import { errorText } from '../hooks';
import { ErrorLine } from '../parts';

export function ModesPage({ role }: { role: Role }) {
  const version = useLiveVersion(['mode']);
  const [modes, setModes] = useState<Mode[] | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const canAct = role === 'admin' || role === 'analyst';

  const reload = useCallback(() => {
    api<{ items: Mode[] }>('GET', '/modes')
      .then((answer) => (setModes(answer.items), setError('')))
      .catch((caught: unknown) => setError(errorText(caught)));
  }, []);
  useEffect(reload, [reload, version]);

  async function submit(mode: Mode, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reason = String(form.get('reason') ?? '');
    try {
      if (mode.active) {
        await api('POST', `/modes/${mode.name}/disable`, { reason });
        setMessage(`${mode.name} is off.`);
      } else {
        const ttl = String(form.get('ttl') ?? '');
        await api('POST', `/modes/${mode.name}/enable`, { reason, ...(ttl ? { ttl } : {}) });
        setMessage(`${mode.name} is on${ttl ? ` for ${ttl}` : ' until switched off'}.`);
      }
      reload();
    } catch (caught) {
      setMessage(`${mode.name}: ${caught instanceof ApiError ? caught.message : String(caught)}`);
    }
  }

  return (
    <section aria-labelledby="modes-title">
      <h1 id="modes-title">Fail-safe modes</h1>
      <p className="muted">
        A mode changes what the gateway lets through for the whole shop, until its time is up or it is
        switched off. Every switch is recorded in the ledger with your name and reason.
      </p>
      <p role="status" data-testid="mode-result">
        {message}
      </p>
      <ErrorLine error={error} />
      {!modes ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="modes">
          {modes.map((mode) => (
            <li
              key={mode.name}
              className="card"
              data-testid={`mode-${mode.name}`}
              aria-labelledby={`m-${mode.name}`}
            >
              <h2 id={`m-${mode.name}`}>
                {mode.name}{' '}
                <span className={mode.active ? 'tag on' : 'tag'}>{mode.active ? 'in force' : 'off'}</span>
              </h2>
              <p>{mode.description}</p>
              <p className="muted">Effect: {mode.effect}</p>
              {mode.active && (
                <p>
                  On since {formatTime(mode.active.enabledAt)} by {mode.active.enabledBy}, until{' '}
                  {mode.active.until ? formatTime(mode.active.until) : 'switched off'}. Reason:{' '}
                  {mode.active.reason}
                </p>
              )}
              {canAct && (
                <form className="inline" onSubmit={(event) => void submit(mode, event)}>
                  <label>
                    Reason
                    <input name="reason" required maxLength={1024} />
                  </label>
                  {!mode.active && (
                    <label>
                      For
                      <select name="ttl" defaultValue="30m">
                        <option value="15m">15 minutes</option>
                        <option value="30m">30 minutes</option>
                        <option value="2h">2 hours</option>
                        <option value="1d">1 day</option>
                        <option value="">until switched off</option>
                      </select>
                    </label>
                  )}
                  <button type="submit" className={mode.active ? 'secondary' : undefined}>
                    {mode.active ? `Switch ${mode.name} off` : `Switch ${mode.name} on`}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
