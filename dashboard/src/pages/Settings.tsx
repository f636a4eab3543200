/**
 * Settings: users and roles (admins: list, add, change role, disable — /users), your API tokens
 * (everyone; admins see everyone's: list, create with the secret shown once, revoke — /tokens),
 * the tuning entries made by "mark false positive" (list, remove — /alerts/suppressions), the
 * partners notices go to with their channels (read-only, configured in ensuresec.yaml), and the
 * playbooks, read-only, with a dry run against a chosen alert (POST /playbooks/:name/dry-run:
 * the steps it would take, nothing done). The server enforces every role rule shown here.
 */
import { useState, type FormEvent } from 'react';
import { api, type Alert, type AlertSuppression, type Role } from '../api';
import { formatTime } from '../format';
import { errorText, useList } from '../hooks';
import { DataTable, ErrorLine, Listing } from '../parts';

const ROLES: readonly Role[] = ['admin', 'analyst', 'viewer', 'partner', 'source', 'gateway', 'carrier'];

interface PublicUser {
  id: string;
  name: string;
  role: Role;
  totpEnabled: boolean;
  disabled: boolean;
  createdAt: string;
}

interface PublicToken {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface PartnerView {
  id: string;
  name: string;
  role: string;
  channels: string[];
  email?: string;
  webhookUrl?: string;
}

interface PlaybookView {
  name: string;
  description: string;
  enabled: boolean;
  dryRun: boolean;
  builtin: boolean;
}

interface PlaybookRun {
  id: string;
  status: string;
  steps: { index: number; name: string; type: string; status: string; detail: string }[];
  reason?: string;
}

export function SettingsPage({ role, userId }: { role: Role; userId: string }) {
  const canAct = role === 'admin' || role === 'analyst';
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <div className="grid halves">
        {role === 'admin' ? (
          <UsersCard selfId={userId} />
        ) : (
          <article className="card" aria-labelledby="users-title">
            <h2 id="users-title">Users and roles</h2>
            <p className="muted">Only admins manage users. Your role is {role}.</p>
          </article>
        )}
        <TokensCard admin={role === 'admin'} />
        <TuningCard canAct={canAct} />
        <PartnersCard />
        <PlaybooksCard canAct={canAct} />
      </div>
    </section>
  );
}

function UsersCard({ selfId }: { selfId: string }) {
  const [users, error, reload] = useList<PublicUser>('/users?limit=500');
  const [result, setResult] = useState('');
  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      const created = await api<{ user: PublicUser; password?: string }>('POST', '/users', {
        name: String(form.get('name') ?? ''),
        role: String(form.get('role') ?? 'viewer'),
      });
      setResult(
        `Added ${created.user.name} (${created.user.role}); one-time password, shown once: ${created.password ?? '—'}`,
      );
      formElement.reset();
      reload();
    } catch (caught) {
      setResult(`Not added: ${errorText(caught)}`);
    }
  }
  async function patch(user: PublicUser, change: { role?: Role; disabled?: boolean }) {
    try {
      await api('PATCH', `/users/${user.id}`, change);
      setResult(
        `${user.name}: ${change.role ? `role ${change.role}` : change.disabled ? 'disabled' : 'enabled'}.`,
      );
      reload();
    } catch (caught) {
      setResult(`Not changed: ${errorText(caught)}`);
    }
  }
  return (
    <article className="card" aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <ErrorLine error={error} />
      <p role="status" data-testid="users-result">
        {result}
      </p>
      {users && (
        <DataTable compact columns={['User', 'Role', 'State']}>
          {users.map((user) => (
            <tr key={user.id}>
              <td>
                {user.name}
                {user.totpEnabled && <span className="tag">2FA</span>}
              </td>
              <td>
                <select
                  aria-label={`Role of ${user.name}`}
                  value={user.role}
                  disabled={user.id === selfId}
                  onChange={(event) => void patch(user, { role: event.target.value as Role })}
                >
                  {ROLES.map((value) => (
                    <option key={value}>{value}</option>
                  ))}
                </select>
              </td>
              <td>
                {user.id === selfId ? (
                  <span className="muted">you</span>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void patch(user, { disabled: !user.disabled })}
                  >
                    {user.disabled ? `Enable ${user.name}` : `Disable ${user.name}`}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <form className="inline" onSubmit={add}>
        <label>
          New user name
          <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <button type="submit">Add user</button>
      </form>
    </article>
  );
}

function TokensCard({ admin }: { admin: boolean }) {
  const [tokens, error, reload] = useList<PublicToken>('/tokens?limit=500');
  const [secret, setSecret] = useState('');
  const [result, setResult] = useState('');
  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = Number(form.get('days') ?? 0);
    try {
      const created = await api<{ token: string; record: PublicToken }>('POST', '/tokens', {
        name: String(form.get('name') ?? ''),
        ...(days > 0 ? { expiresInDays: days } : {}),
      });
      setSecret(created.token);
      setResult(`Created ${created.record.name}.`);
      formElement.reset();
      reload();
    } catch (caught) {
      setResult(`Not created: ${errorText(caught)}`);
    }
  }
  async function revoke(token: PublicToken) {
    try {
      await api('DELETE', `/tokens/${token.id}`);
      setResult(`Revoked ${token.name}.`);
      reload();
    } catch (caught) {
      setResult(`Not revoked: ${errorText(caught)}`);
    }
  }
  return (
    <article className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">{admin ? 'API tokens (everyone’s)' : 'Your API tokens'}</h2>
      <ErrorLine error={error} />
      <p role="status">{result}</p>
      {secret && (
        <div className="secret" role="alert">
          <p>Copy the token now: it is shown only once.</p>
          <code data-testid="token-secret">{secret}</code>
          <p>
            <button type="button" className="secondary" onClick={() => setSecret('')}>
              I have copied it
            </button>
          </p>
        </div>
      )}
      {tokens && tokens.length > 0 && (
        <DataTable compact columns={['Name', 'Expires', 'Last used', 'State']}>
          {tokens.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>{token.expiresAt ? formatTime(token.expiresAt) : 'never'}</td>
              <td>{formatTime(token.lastUsedAt)}</td>
              <td>
                {token.revokedAt ? (
                  `revoked ${formatTime(token.revokedAt)}`
                ) : (
                  <button type="button" className="secondary" onClick={() => void revoke(token)}>
                    Revoke {token.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <form className="inline" onSubmit={create}>
        <label>
          Token name
          <input name="name" required maxLength={64} />
        </label>
        <label>
          Expires in days (0: never)
          <input name="days" type="number" min={0} max={3650} defaultValue={90} />
        </label>
        <button type="submit">Create token</button>
      </form>
    </article>
  );
}

function TuningCard({ canAct }: { canAct: boolean }) {
  const [entries, error, reload] = useList<AlertSuppression>('/alerts/suppressions?limit=500');
  const [result, setResult] = useState('');
  async function remove(entry: AlertSuppression) {
    try {
      await api('DELETE', `/alerts/suppressions/${entry.id}`);
      setResult(
        `Rule ${entry.ruleId} alerts again about ${entry.entity ? entry.entity.value : 'every entity'}.`,
      );
      reload();
    } catch (caught) {
      setResult(`Not removed: ${errorText(caught)}`);
    }
  }
  return (
    <article className="card" aria-labelledby="tuning-title">
      <h2 id="tuning-title">Tuning</h2>
      <p className="muted">Rules silenced for an entity when an alert was marked a false positive.</p>
      <ErrorLine error={error} />
      <p role="status">{result}</p>
      <Listing items={entries} loading={null} empty="No tuning entry.">
        {(shown) => (
          <DataTable compact columns={['Rule', 'About', 'Why', canAct && 'Undo']}>
            {shown.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <code>{entry.ruleId}</code>
                </td>
                <td>{entry.entity ? `${entry.entity.type} ${entry.entity.value}` : 'every entity'}</td>
                <td>
                  {entry.reason}
                  <div className="muted">
                    {formatTime(entry.createdAt)} · <a href={`#/alerts/${entry.alertId}`}>the alert</a>
                  </div>
                </td>
                {canAct && (
                  <td>
                    <button type="button" className="secondary" onClick={() => void remove(entry)}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </Listing>
    </article>
  );
}

function PartnersCard() {
  const [partners, error] = useList<PartnerView>('/partners');
  return (
    <article className="card" aria-labelledby="partners-title">
      <h2 id="partners-title">Partners</h2>
      <p className="muted">
        Who notices go to (<code>partners:</code> in ensuresec.yaml; read-only here).
      </p>
      <ErrorLine error={error} />
      <Listing items={partners} loading={null} empty="No partner configured.">
        {(shown) => (
          <DataTable compact columns={['Partner', 'Role', 'Channels']}>
            {shown.map((partner) => (
              <tr key={partner.id}>
                <td>
                  {partner.name} <code>{partner.id}</code>
                </td>
                <td>{partner.role}</td>
                <td>
                  {partner.channels.length === 0 && <span className="muted">none</span>}
                  {partner.email && <div>email {partner.email}</div>}
                  {partner.webhookUrl && (
                    <div>
                      webhook <code>{partner.webhookUrl}</code>
                    </div>
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

function PlaybooksCard({ canAct }: { canAct: boolean }) {
  const [playbooks, error] = useList<PlaybookView>('/playbooks');
  const [run, setRun] = useState<PlaybookRun | null>(null);
  const [runError, setRunError] = useState('');
  async function dryRun(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setRun(null);
    setRunError('');
    try {
      const alert = await api<Alert>('GET', `/alerts/${String(form.get('alert') ?? '').trim()}`);
      setRun(
        await api<PlaybookRun>('POST', `/playbooks/${String(form.get('playbook') ?? '')}/dry-run`, alert),
      );
    } catch (caught) {
      setRunError(errorText(caught));
    }
  }
  return (
    <article className="card" aria-labelledby="playbooks-title">
      <h2 id="playbooks-title">Playbooks</h2>
      <ErrorLine error={error} />
      {playbooks &&
        (playbooks.length === 0 ? (
          <p>No playbook loaded.</p>
        ) : (
          <ul>
            {playbooks.map((playbook) => (
              <li key={playbook.name}>
                <strong>{playbook.name}</strong> {playbook.enabled ? '' : '(disabled) '}
                {playbook.dryRun ? '(dry run only) ' : ''}— {playbook.description}
              </li>
            ))}
          </ul>
        ))}
      {canAct && playbooks && playbooks.length > 0 && (
        <form className="inline" onSubmit={dryRun}>
          <label>
            Playbook
            <select name="playbook">
              {playbooks.map((playbook) => (
                <option key={playbook.name}>{playbook.name}</option>
              ))}
            </select>
          </label>
          <label>
            Alert id
            <input name="alert" required pattern="alr_[0-9A-HJKMNP-TV-Z]{26}" placeholder="alr_…" />
          </label>
          <button type="submit">Dry run</button>
        </form>
      )}
      <ErrorLine error={runError} />
      {run && (
        <div role="status" data-testid="dry-run-result">
          <p>
            Dry run {run.id}: {run.status}
            {run.reason ? ` — ${run.reason}` : ''}. Nothing was done.
          </p>
          <ol>
            {run.steps.map((step) => (
              <li key={step.index}>
                <strong>{step.name}</strong> ({step.type}, {step.status}): {step.detail}
              </li>
            ))}
          </ol>
        </div>
      )}
    </article>
  );
}
