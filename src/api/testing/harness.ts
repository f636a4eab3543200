/**
 * Test harness for the API (tests only): a real SQLite store in a temp dir, the real
 * Ledger service over it (no log key: no checkpoints), the real MemoryBus, a manual clock, one user and one API token per role (unless `seedUsers: false`), and `call()` over
 * `app.inject`. `close()` removes everything it made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { Registry } from 'prom-client';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { ManualClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { ROLES, type Role } from '../../core/roles.js';
import { Ledger } from '../../ledger/index.js';
import { createEmailQueue } from '../../response/notices/email-queue.js';
import { openStore } from '../../store/index.js';
import type { Store, UserRecord } from '../../store/store.js';
import { issueApiToken } from '../auth/bootstrap.js';
import { hashPassword } from '../auth/passwords.js';
import { createApiServer } from '../server.js';
import type { ApiConfig, ApiDeps } from '../types.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple';

export interface CallOptions {
  token?: string;
  cookie?: string;
  csrf?: string;
  body?: unknown;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  remoteAddress?: string;
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  ledger: Ledger;
  bus: MemoryBus;
  clock: ManualClock;
  key: Buffer;
  users: Record<Role, UserRecord>;
  tokens: Record<Role, string>;
  addUser(name: string, role: Role, patch?: Partial<UserRecord>): Promise<UserRecord>;
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<LightMyRequestResponse>;
  /** Signs in and returns the cookie header value and the CSRF token. */
  login(name: string, password?: string, totp?: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export const DEFAULT_TEST_CONFIG: ApiConfig = {
  requireTotpForAdmins: false,
  sessionTtlMs: 3_600_000,
  secureCookies: 'auto',
  loginRateLimit: { maxAttempts: 5, windowMs: 60_000 },
  trustProxy: false,
  maxBodyBytes: 64 * 1024,
};

export async function startHarness(
  config: Partial<ApiConfig> = {},
  extra: Partial<Pick<ApiDeps, 'readiness' | 'statusProviders' | 'ingest' | 'entity' | 'partners'>> = {},
  /** `email`: reports can be emailed (queued in the outbox; no sender runs). */
  options: { seedUsers?: boolean; email?: boolean } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'ensuresec-api-'));
  const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
  const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') }, { clock });
  await store.migrate();
  const bus = new MemoryBus();
  const key = Buffer.from('test-pseudonymisation-key-32-byt');
  const ledger = await Ledger.open({ store, pseudonymisationKey: key, clock });
  const app = await createApiServer({
    store,
    ledger,
    bus,
    clock,
    logger: pino({ level: 'silent' }),
    config: { ...DEFAULT_TEST_CONFIG, ...config },
    pseudonymisationKey: key,
    version: '0.0.0-test',
    metricsRegistry: new Registry(),
    ...(options.email ? { mail: createEmailQueue({ ledger, clock, emailEnabled: true }) } : {}),
    ...extra,
  });
  const passwordHash = await hashPassword(TEST_PASSWORD);

  async function addUser(name: string, role: Role, patch: Partial<UserRecord> = {}): Promise<UserRecord> {
    const now = new Date(clock.nowMs()).toISOString();
    const user: UserRecord = {
      id: newId('usr'),
      name,
      role,
      passwordHash,
      totpSecret: null,
      totpEnabled: false,
      mustChangePassword: false,
      disabled: false,
      createdAt: now,
      updatedAt: now,
      ...patch,
    };
    await store.users.insert(user);
    return user;
  }

  const users = {} as Record<Role, UserRecord>;
  const tokens = {} as Record<Role, string>;
  for (const role of options.seedUsers === false ? [] : ROLES) {
    users[role] = await addUser(`${role}-user`, role);
    tokens[role] = (
      await issueApiToken(ledger, { userId: users[role].id, name: 'test', expiresAt: null }, clock)
    ).token;
  }

  async function call(method: InjectOptions['method'], url: string, options: CallOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (options.cookie) headers['cookie'] = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    const inject: InjectOptions = { method, url, headers };
    if (options.remoteAddress) inject.remoteAddress = options.remoteAddress;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      inject.payload = JSON.stringify(options.body);
    } else if (options.payload !== undefined) {
      inject.payload = options.payload;
    }
    return app.inject(inject);
  }

  async function login(name: string, password = TEST_PASSWORD, totp?: string) {
    const response = await call('POST', '/api/v1/auth/login', {
      body: { username: name, password, ...(totp ? { totp } : {}) },
    });
    if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
    const cookie = response.cookies.find((c) => c.name === 'ensuresec_session');
    if (!cookie) throw new Error('login set no session cookie');
    return {
      cookie: `ensuresec_session=${cookie.value}`,
      csrf: (response.json() as { csrfToken: string }).csrfToken,
    };
  }

  return {
    app,
    store,
    ledger,
    bus,
    clock,
    key,
    users,
    tokens,
    addUser,
    call,
    login,
    async close() {
      await app.close();
      await bus.close();
      await ledger.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A harness per test, closed after each: call in a test file's top level, then
 * `const t = await harness();` inside each test.
 */
export function useHarness(): (...args: Parameters<typeof startHarness>) => Promise<Harness> {
  let current: Harness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (...args) => {
    current = await startHarness(...args);
    return current;
  };
}
