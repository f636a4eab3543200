/**
 * Scans and certificates: the stored scans (GET /scans) with the attack classes each passed,
 * the findings tracked across them (GET /findings) with their status — analysts accept a risk
 * or reopen a finding with a reason (PATCH /findings/:id, a ledger entry) — and a scan
 * certificate verified in the browser against its issuer's public key.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, query, type Finding, type Page, type Role, type ScanRun } from '../api';
import { verifyCertificate, type CertificateCheck } from '../certificate-verify';
import { formatTime } from '../format';
import { errorText, useList } from '../hooks';
import { DataTable, ErrorLine, FilterSelect, Listing } from '../parts';

const FINDING_STATUSES = ['open', 'accepted', 'fixed'] as const;

export function ScansPage({ role }: { role: Role }) {
  const [scans, error] = useList<ScanRun>('/scans?limit=50');
  return (
    <section aria-labelledby="scans-title">
      <h1 id="scans-title">Scans and certificates</h1>
      <ErrorLine error={error} />
      <article className="card" aria-labelledby="history-title">
        <h2 id="history-title">Scan history</h2>
        <Listing
          items={scans}
          empty={
            <>
              No scan stored yet: run <code>ensuresec scan https://your-shop --store</code>.
            </>
          }
        >
          {(shown) => (
            <DataTable columns={['Finished', 'Target', 'Mode', 'Classes passed', 'Findings']}>
              {shown.map((scan) => (
                <tr key={scan.id}>
                  <td>{formatTime(scan.finishedAt)}</td>
                  <td>
                    <code>{scan.target}</code>
                  </td>
                  <td>{scan.mode}</td>
                  <td>
                    {scan.classes.filter((c) => c.result === 'pass').length} of {scan.classes.length}
                    <span className="muted">
                      {' '}
                      (
                      {scan.classes
                        .filter((c) => c.result === 'fail')
                        .map((c) => c.attackClass)
                        .join(', ') || 'none failed'}
                      )
                    </span>
                  </td>
                  <td>
                    {scan.changes.new} new, {scan.changes.seenAgain} again, {scan.changes.reopened} reopened,{' '}
                    {scan.changes.fixed} fixed
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Listing>
      </article>
      <FindingsCard role={role} />
      <CertificateCard />
    </section>
  );
}

function FindingsCard({ role }: { role: Role }) {
  const [status, setStatus] = useState<string>('open');
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const [version, setVersion] = useState(0);
  const canAct = role === 'admin' || role === 'analyst';
  useEffect(() => {
    let current = true;
    api<Page<Finding>>('GET', `/findings${query({ status, limit: '200' })}`)
      .then((page) => current && (setFindings(page.items), setError('')))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [status, version]);

  async function change(finding: Finding, next: 'open' | 'accepted', event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '');
    try {
      await api<Finding>('PATCH', `/findings/${finding.id}`, { status: next, reason });
      setResult(`${finding.title}: ${next === 'accepted' ? 'risk accepted' : 'reopened'}.`);
      setVersion((value) => value + 1);
    } catch (caught) {
      setResult(`Not changed: ${errorText(caught)}`);
    }
  }

  return (
    <article className="card" aria-labelledby="findings-title">
      <div className="card-head">
        <h2 id="findings-title">Findings</h2>
        <FilterSelect label="Status" value={status} values={FINDING_STATUSES} onChange={setStatus} />
      </div>
      <ErrorLine error={error} />
      <p role="status" data-testid="finding-result">
        {result}
      </p>
      <Listing items={findings} empty={`No ${status} finding.`}>
        {(shown) => (
          <DataTable columns={['Severity', 'Finding', 'Class', 'Last seen', 'Status']}>
            {shown.map((finding) => (
              <tr key={finding.id}>
                <td>
                  <span className={`sev sev-${finding.severity}`}>{finding.severity}</span>
                </td>
                <td>
                  {finding.title}
                  <div className="muted">
                    <code>{finding.url ?? finding.target}</code>
                    {finding.cwe ? ` · ${finding.cwe}` : ''}
                  </div>
                </td>
                <td>{finding.attackClass}</td>
                <td>
                  {formatTime(finding.lastSeen)}
                  {finding.seenCount ? ` (${finding.seenCount}×)` : ''}
                </td>
                <td>
                  {finding.status}
                  {finding.statusReason && <div className="muted">{finding.statusReason}</div>}
                  {canAct && finding.status !== 'fixed' && (
                    <form
                      className="inline"
                      onSubmit={(event) =>
                        void change(finding, finding.status === 'open' ? 'accepted' : 'open', event)
                      }
                    >
                      <label>
                        Reason
                        <input name="reason" required maxLength={1024} />
                      </label>
                      <button type="submit" className="secondary">
                        {finding.status === 'open' ? 'Accept risk' : 'Reopen'}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Listing>
    </article>
  );
}

function CertificateCard() {
  const [check, setCheck] = useState<CertificateCheck | null>(null);
  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setCheck(
      await verifyCertificate(
        String(form.get('certificate') ?? ''),
        String(form.get('key') ?? ''),
        Date.now(),
      ),
    );
  }
  const claims = check?.claims;
  return (
    <article className="card" aria-labelledby="cert-title">
      <h2 id="cert-title">Verify a certificate</h2>
      <p className="muted">
        Paste a certificate (<code>ensuresec scan --certify</code>) and its issuer's public key; the signature
        is checked in your browser.
      </p>
      <form onSubmit={(event) => void verify(event)}>
        <label>
          Certificate (compact JWS)
          <textarea name="certificate" className="note" required spellCheck={false} />
        </label>
        <label>
          Issuer's public key (JWK)
          <textarea
            name="key"
            className="note"
            required
            spellCheck={false}
            placeholder='{"kty":"OKP","crv":"Ed25519","x":"…"}'
          />
        </label>
        <button type="submit">Verify certificate</button>
      </form>
      {check && (
        <div role="status" data-testid="certificate-result">
          {check.ok ? (
            <p className={check.expired ? 'error' : 'ok'}>
              {check.expired
                ? `✗ Signature valid, but it expired ${formatTime(new Date(check.claims.exp * 1000).toISOString())}.`
                : `✓ Signature valid; valid until ${formatTime(new Date(check.claims.exp * 1000).toISOString())}.`}
            </p>
          ) : (
            <p className="error">✗ Not valid: {check.reason}</p>
          )}
          {claims && (
            <>
              <p>
                <code>{claims.target}</code> ({claims.mode} scan), issued{' '}
                {formatTime(new Date(claims.iat * 1000).toISOString())}, proof of control:{' '}
                {claims.proofOfControl}
              </p>
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">Attack class</th>
                    <th scope="col">Result</th>
                  </tr>
                </thead>
                <tbody>
                  {claims.classes.map((c) => (
                    <tr key={c.class}>
                      <td>{c.class}</td>
                      <td className={c.result === 'pass' ? 'ok' : c.result === 'fail' ? 'error' : undefined}>
                        {c.result}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </article>
  );
}
