/**
 * Shared with partners: what a payment or delivery partner (role `partner`, permission
 * `read:partner`) may see — alerts and decisions in force, pseudonymised by the server (equal
 * values stay equal, so a partner can correlate without learning an address or an account).
 * The partner's dashboard shows this page and the ledger, nothing else; the server refuses the rest.
 */
import { useEffect, useState } from 'react';
import { api, query, SEVERITIES, type Alert, type Decision, type Page } from '../api';
import { formatTime } from '../format';
import { errorText } from '../hooks';
import { DataTable, ErrorLine, FilterSelect, Listing } from '../parts';

export function PartnerPage() {
  const [severity, setSeverity] = useState('');
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let current = true;
    Promise.all([
      api<Page<Alert>>('GET', `/partner/alerts${query({ severity, limit: '200' })}`),
      api<{ items: Decision[] }>('GET', '/partner/decisions'),
    ])
      .then(([alertPage, decisionList]) => {
        if (!current) return;
        setAlerts(alertPage.items);
        setDecisions(decisionList.items);
        setError('');
      })
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [severity]);

  return (
    <section aria-labelledby="shared-title">
      <h1 id="shared-title">Shared with you</h1>
      <p className="muted">
        Alerts and decisions the shop shares with its partners. Addresses and accounts are pseudonyms: the
        same value always has the same pseudonym.
      </p>
      <ErrorLine error={error} />
      <div className="grid">
        <article className="card wide" aria-labelledby="shared-alerts-title">
          <div className="card-head">
            <h2 id="shared-alerts-title">Alerts</h2>
            <FilterSelect label="Severity" value={severity} values={SEVERITIES} any onChange={setSeverity} />
          </div>
          <Listing items={alerts} empty="No alert shared.">
            {(shown) => (
              <DataTable testId="shared-alerts" columns={['Time', 'Severity', 'Alert', 'Client (pseudonym)']}>
                {shown.map((alert) => (
                  <tr key={alert.id}>
                    <td>{formatTime(alert.time)}</td>
                    <td>
                      <span className={`sev sev-${alert.severity}`}>{alert.severity}</span>
                    </td>
                    <td>
                      {alert.title}
                      <div className="muted">
                        <code>{alert.ruleId}</code>
                      </div>
                    </td>
                    <td>
                      <code>{alert.subject.ip ?? alert.entity?.value ?? '—'}</code>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </Listing>
        </article>
        <article className="card wide" aria-labelledby="shared-decisions-title">
          <h2 id="shared-decisions-title">Decisions in force</h2>
          <Listing items={decisions} empty="No decision in force.">
            {(shown) => (
              <DataTable columns={['Action', 'On (pseudonym)', 'Until']}>
                {shown.map((decision) => (
                  <tr key={decision.id}>
                    <td>{decision.action}</td>
                    <td>
                      {decision.scope} <code>{decision.value}</code>
                    </td>
                    <td>{decision.expiresAt ? formatTime(decision.expiresAt) : 'until removed'}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </Listing>
        </article>
      </div>
    </section>
  );
}
