/**
 * Opens the PostgreSQL store (store layer, chosen by the composition root for larger
 * deployments). A pg.Pool of `maxConnections`; with `schema`, the schema is created if
 * missing and every connection's search_path points at it, so several installations (or
 * test runs) can share one database. Nothing shown to users ever contains the password.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { KyselyStore } from '../kysely-store.js';
import type { StoreDatabase } from '../schema.js';
import type { Store, StoreConfig } from '../store.js';
import { postgresAdapter } from './postgres-adapter.js';

export const DEFAULT_MAX_CONNECTIONS = 10;
const MAX_CONNECTIONS_LIMIT = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Unquoted-identifier rules, so the name needs no escaping anywhere it is used. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

type PostgresConfig = Extract<StoreConfig, { dialect: 'postgres' }>;

function invalid(detail: string): EnsuresecError {
  return new EnsuresecError('config_invalid', { detail });
}

/** The connection string with any password replaced, for descriptions and logs. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    // Not a URL (key=value form): show nothing that might hold a secret.
    return 'postgres (connection string not shown)';
  }
}

function secretsOf(connectionString: string): string[] {
  const secrets: string[] = [];
  try {
    const url = new URL(connectionString);
    if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password));
  } catch {
    const match = /password\s*=\s*'?([^'\s]+)/i.exec(connectionString);
    if (match?.[1] !== undefined) secrets.push(match[1]);
  }
  return secrets;
}

/** A driver error as text without the password, even if a driver ever echoed it. */
function describer(connectionString: string): (error: unknown) => string {
  const secrets = secretsOf(connectionString);
  return (error) => {
    let text = error instanceof Error ? error.message : String(error);
    if (error instanceof AggregateError && error.errors.length > 0) {
      text = error.errors
        .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
        .join('; ');
    }
    for (const secret of secrets) text = text.split(secret).join('***');
    return text;
  };
}

function checkConfig(config: PostgresConfig): { maxConnections: number } {
  if (typeof config.connectionString !== 'string' || config.connectionString.trim() === '') {
    throw invalid(
      'store.connectionString must be a PostgreSQL connection string such as postgres://user@host:5432/db.',
    );
  }
  if (config.schema !== undefined && !SCHEMA_PATTERN.test(config.schema)) {
    throw invalid(
      'store.schema must be lower-case letters, digits and underscores (at most 63), starting with a letter.',
    );
  }
  const maxConnections = config.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT) {
    throw invalid(`store.maxConnections must be an integer from 1 to ${MAX_CONNECTIONS_LIMIT}.`);
  }
  return { maxConnections };
}

/** Opens the pool, creates the schema if asked, and checks the server answers; does not migrate. */
export async function openPostgresStore(config: PostgresConfig, clock: Clock): Promise<Store> {
  const { maxConnections } = checkConfig(config);
  const describeError = describer(config.connectionString);
  const description =
    `postgres ${redactConnectionString(config.connectionString)}` +
    (config.schema ? ` (schema ${config.schema})` : '');

  const pool = new pg.Pool({
    connectionString: config.connectionString,
    max: maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Set at connection start-up, so no query can ever run on the wrong schema.
    ...(config.schema ? { options: `-c search_path=${config.schema}` } : {}),
  });
  // An idle connection dropped by the server is removed by the pool; without a listener
  // the 'error' event would crash the process. The next query opens a new connection.
  pool.on('error', () => undefined);

  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (config.schema) await createSchemaIfMissing(db, config.schema);
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new EnsuresecError('not_ready', {
      detail: `PostgreSQL (${description}) is not reachable: ${describeError(error)}`,
      cause: error,
    });
  }
  return new KyselyStore({ db, adapter: postgresAdapter, description, clock, describeError });
}

async function createSchemaIfMissing(db: Kysely<StoreDatabase>, schema: string): Promise<void> {
  try {
    await db.schema.createSchema(schema).ifNotExists().execute();
  } catch (error) {
    // Two processes creating the same schema at once: the loser sees a duplicate, which is fine.
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}
