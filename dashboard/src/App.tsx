/**
 * The dashboard shell: sign-in (and the password change a one-time password requires), the
 * header with navigation, who am I, theme and sign-out, and the page the hash names. The
 * navigation is the role's: a partner sees only what is shared with it (and the ledger); the
 * pages added later are loaded on first visit (React.lazy), so the first page stays small.
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, onSessionLost, setCsrfToken, type Role, type Session } from './api';
import { openLive, useLiveState } from './live';
import { AlertDetail, AlertsPage } from './pages/Alerts';
import { DecisionsPage } from './pages/Decisions';
import { IncidentDetail, IncidentsPage } from './pages/Incidents';
import { ModesPage } from './pages/Modes';
import { OverviewPage } from './pages/Overview';
import { useTheme } from './theme';

const LedgerPage = lazy(() => import('./pages/Ledger').then((m) => ({ default: m.LedgerPage })));
const PartnerPage = lazy(() => import('./pages/Partner').then((m) => ({ default: m.PartnerPage })));
const ScansPage = lazy(() => import('./pages/Scans').then((m) => ({ default: m.ScansPage })));
const SettingsPage = lazy(() => import('./pages/Settings').then((m) => ({ default: m.SettingsPage })));
const DeliveryPage = lazy(() => import('./pages/Delivery').then((m) => ({ default: m.DeliveryPage })));

type Route =
  | { page: 'overview' }
  | { page: 'alerts' }
  | { page: 'alert'; id: string }
  | { page: 'decisions' }
  | { page: 'incidents' }
  | { page: 'incident'; id: string }
  | { page: 'delivery' }
  | { page: 'modes' }
  | { page: 'scans' }
  | { page: 'ledger' }
  | { page: 'settings' }
  | { page: 'shared' };

type NavPage = Exclude<Route['page'], 'alert' | 'incident'>;

/** The pages in the navigation, by role; a partner's role grants only `read:partner`. */
function navFor(role: Role): readonly NavPage[] {
  if (role === 'partner') return ['shared', 'ledger'];
  return ['overview', 'alerts', 'decisions', 'incidents', 'delivery', 'modes', 'scans', 'ledger', 'settings'];
}

/** Whether the role may see the page the address names. */
function allowed(route: Route, role: Role): boolean {
  const page = route.page === 'alert' ? 'alerts' : route.page === 'incident' ? 'incidents' : route.page;
  return navFor(role).includes(page);
}

function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const alert = /^\/alerts\/(alr_[\w-]+)$/.exec(path);
  if (alert?.[1]) return { page: 'alert', id: alert[1] };
  if (path === '/alerts') return { page: 'alerts' };
  const incident = /^\/incidents\/(inc_[\w-]+)$/.exec(path);
  if (incident?.[1]) return { page: 'incident', id: incident[1] };
  if (path === '/incidents') return { page: 'incidents' };
  if (path === '/decisions') return { page: 'decisions' };
  if (path === '/delivery') return { page: 'delivery' };
  if (path === '/modes') return { page: 'modes' };
  if (path === '/scans') return { page: 'scans' };
  if (path === '/ledger') return { page: 'ledger' };
  if (path === '/settings') return { page: 'settings' };
  if (path === '/shared') return { page: 'shared' };
  return { page: 'overview' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

const PAGE_TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  alerts: 'Alerts',
  alert: 'Alert',
  decisions: 'Decisions',
  incidents: 'Incidents',
  incident: 'Incident',
  delivery: 'Delivery',
  modes: 'Modes',
  scans: 'Scans',
  ledger: 'Ledger',
  settings: 'Settings',
  shared: 'Shared with you',
};

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checked, setChecked] = useState(false);
  const [notice, setNotice] = useState('');
  const [password, setPassword] = useState('');

  const signedOut = useCallback((message: string) => {
    setCsrfToken('');
    setSession(null);
    setNotice(message);
  }, []);

  // A failing live stream may mean the session ended: asking who we are answers 401 then.
  const checkSession = useCallback(() => void api('GET', '/auth/me').catch(() => undefined), []);

  useEffect(() => {
    onSessionLost(() => signedOut('Your session has ended. Sign in again.'));
    api<Session>('GET', '/auth/me')
      .then((me) => {
        setCsrfToken(me.csrfToken);
        setSession(me);
      })
      .catch(() => undefined)
      .finally(() => setChecked(true));
  }, [signedOut]);

  if (!checked) return <p className="loading">Loading…</p>;
  if (!session)
    return (
      <Login
        notice={notice}
        onSignedIn={(next, typed) => {
          setCsrfToken(next.csrfToken);
          setPassword(typed);
          setNotice('');
          setSession(next);
        }}
      />
    );
  if (session.restrictions.includes('password_change'))
    return (
      <ChangePassword
        session={session}
        current={password}
        onChanged={() => {
          setPassword('');
          setSession({
            ...session,
            restrictions: session.restrictions.filter((r) => r !== 'password_change'),
          });
        }}
      />
    );
  return (
    <Shell
      session={session}
      onSignOut={async () => {
        await api('POST', '/auth/logout').catch(() => undefined);
        signedOut('You have signed out.');
      }}
      onSessionCheck={checkSession}
    />
  );
}

function Login({
  notice,
  onSignedIn,
}: {
  notice: string;
  onSignedIn: (session: Session, password: string) => void;
}) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    const totp = String(form.get('totp') ?? '');
    setBusy(true);
    setError('');
    try {
      const session = await api<Session>('POST', '/auth/login', {
        username: String(form.get('username') ?? ''),
        password,
        ...(totp ? { totp } : {}),
      });
      onSignedIn(session, password);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="auth">
      <h1>Ensuresec</h1>
      <form onSubmit={submit} className="card" aria-describedby="login-status">
        <h2>Sign in</h2>
        <p id="login-status" role="status" className={error ? 'error' : 'muted'}>
          {error || notice}
        </p>
        <label>
          User name
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <label>
          Two-factor code (if enrolled)
          <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

function ChangePassword({
  session,
  current,
  onChanged,
}: {
  session: Session;
  current: string;
  onChanged: () => void;
}) {
  const [error, setError] = useState('');
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = String(form.get('new') ?? '');
    if (next !== String(form.get('confirm') ?? '')) return setError('The two new passwords differ.');
    try {
      await api('POST', '/auth/password', { current: String(form.get('current') ?? ''), new: next });
      onChanged();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The server could not be reached.');
    }
  }
  return (
    <main className="auth">
      <h1>Ensuresec</h1>
      <form onSubmit={submit} className="card">
        <h2>Choose your password</h2>
        <p className="muted">
          {session.user.name}, you signed in with a one-time password: choose your own (12 to 256 characters).
        </p>
        <p role="status" className="error">
          {error}
        </p>
        <label>
          Current password
          <input
            name="current"
            type="password"
            defaultValue={current}
            autoComplete="current-password"
            required
          />
        </label>
        <label>
          New password
          <input name="new" type="password" minLength={12} autoComplete="new-password" required />
        </label>
        <label>
          New password again
          <input name="confirm" type="password" minLength={12} autoComplete="new-password" required />
        </label>
        <button type="submit">Change password</button>
      </form>
    </main>
  );
}

function Shell({
  session,
  onSignOut,
  onSessionCheck,
}: {
  session: Session;
  onSignOut: () => void;
  onSessionCheck: () => void;
}) {
  const role = session.user.role;
  const requested = useRoute();
  // A partner landing on the default page goes to what is shared with it.
  const route: Route = role === 'partner' && requested.page === 'overview' ? { page: 'shared' } : requested;
  const [theme, nextTheme] = useTheme();
  const live = useLiveState();
  // The live stream needs `read`, which a partner does not have.
  const streams = role !== 'partner';
  useEffect(() => (streams ? openLive(onSessionCheck) : undefined), [onSessionCheck, streams]);
  const firstRoute = useRef(true);
  useEffect(() => {
    document.title = `${PAGE_TITLES[route.page]} · Ensuresec`;
    // After a navigation (not on load) the keyboard continues in the new page's content.
    if (!firstRoute.current) document.getElementById('main')?.focus();
    firstRoute.current = false;
  }, [route]);
  const current = route.page === 'alert' ? 'alerts' : route.page === 'incident' ? 'incidents' : route.page;
  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Ensuresec</span>
        <nav aria-label="Main">
          <ul>
            {navFor(role).map((page) => (
              <li key={page}>
                <a href={`#/${page}`} aria-current={current === page ? 'page' : undefined}>
                  {PAGE_TITLES[page]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {streams && (
          <span className={`live live-${live}`} role="status" aria-label={`Live updates: ${live}`}>
            {live === 'live' ? '● Live' : live === 'connecting' ? '○ Connecting' : '○ Offline'}
          </span>
        )}
        <span className="whoami" data-testid="whoami">
          {session.user.name} <span className="role">{session.user.role}</span>
        </span>
        <button
          type="button"
          className="secondary"
          onClick={nextTheme}
          aria-label={`Theme: ${theme}. Change theme`}
        >
          Theme: {theme}
        </button>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!allowed(route, role) ? (
          <section aria-labelledby="denied-title">
            <h1 id="denied-title">Not shared with you</h1>
            <p data-testid="not-shared">
              Your role ({role}) does not include this page.{' '}
              <a href={`#/${navFor(role)[0] ?? ''}`}>Go back</a>
            </p>
          </section>
        ) : (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            {route.page === 'overview' && <OverviewPage />}
            {route.page === 'alerts' && <AlertsPage />}
            {route.page === 'alert' && <AlertDetail id={route.id} role={role} />}
            {route.page === 'decisions' && <DecisionsPage role={role} />}
            {route.page === 'incidents' && <IncidentsPage />}
            {route.page === 'incident' && <IncidentDetail id={route.id} />}
            {route.page === 'delivery' && <DeliveryPage />}
            {route.page === 'modes' && <ModesPage role={role} />}
            {route.page === 'scans' && <ScansPage role={role} />}
            {route.page === 'ledger' && <LedgerPage role={role} />}
            {route.page === 'settings' && <SettingsPage role={role} userId={session.user.id} />}
            {route.page === 'shared' && <PartnerPage />}
          </Suspense>
        )}
      </main>
    </>
  );
}
