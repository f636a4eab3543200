/**
 * The one Store implementation, written once on Kysely and used by every dialect (store
 * layer). A dialect folder (sqlite/, postgres/) opens the connection, hands over a Kysely
 * instance and a DialectAdapter, and this class does the rest; differences between
 * databases live in the adapter's flags, never in branches here.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { alertsCollection } from './collections/alerts.js';
import { decisionsCollection } from './collections/decisions.js';
import { eventsCollection } from './collections/events.js';
import { findingsCollection } from './collections/findings.js';
import { incidentsCollection } from './collections/incidents.js';
import { kvCollection } from './collections/kv.js';
import { sessionsCollection } from './collections/sessions.js';
import { tokensCollection } from './collections/tokens.js';
import { usersCollection } from './collections/users.js';
import type { DialectAdapter } from './dialect-adapter.js';
import { MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './migrator.js';
import type { StoreContext } from './record-table.js';
import type { StoreDatabase } from './schema.js';
import type { Store, StoreCapabilities } from './store.js';

export interface KyselyStoreOptions {
  db: Kysely<StoreDatabase>;
  adapter: DialectAdapter;
  /** Safe to show: never contains a password. */
  description: string;
  clock: Clock;
  /** Turns a driver error during `ping` into a readable reason without secrets. */
  describeError?: (error: unknown) => string;
}

export class KyselyStore implements Store {
  readonly capabilities: StoreCapabilities;
  readonly description: string;
  readonly events: Store['events'];
  readonly alerts: Store['alerts'];
  readonly decisions: Store['decisions'];
  readonly incidents: Store['incidents'];
  readonly findings: Store['findings'];
  readonly users: Store['users'];
  readonly tokens: Store['tokens'];
  readonly sessions: Store['sessions'];
  readonly kv: Store['kv'];

  readonly #db: Kysely<StoreDatabase>;
  readonly #adapter: DialectAdapter;
  readonly #clock: Clock;
  readonly #describeError: (error: unknown) => string;
  #closing: Promise<void> | undefined;

  constructor(options: KyselyStoreOptions) {
    this.#db = options.db;
    this.#adapter = options.adapter;
    this.#clock = options.clock;
    this.#describeError =
      options.describeError ?? ((error) => (error instanceof Error ? error.message : String(error)));
    this.capabilities = options.adapter.capabilities;
    this.description = options.description;
    const ctx: StoreContext = { db: options.db, adapter: options.adapter };
    this.events = eventsCollection(ctx);
    this.alerts = alertsCollection(ctx);
    this.decisions = decisionsCollection(ctx);
    this.incidents = incidentsCollection(ctx);
    this.findings = findingsCollection(ctx);
    this.users = usersCollection(ctx);
    this.tokens = tokensCollection(ctx);
    this.sessions = sessionsCollection(ctx);
    this.kv = kvCollection(ctx);
  }

  migrate(): Promise<string[]> {
    return runMigrations(this.#db, this.#adapter, MIGRATIONS, this.#clock);
  }

  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.#db);
    } catch (error) {
      throw new EnsuresecError('not_ready', {
        detail: `The store (${this.description}) does not answer: ${this.#describeError(error)}`,
        cause: error,
      });
    }
  }

  /** Idempotent: a second call waits for the first. */
  close(): Promise<void> {
    this.#closing ??= this.#db.destroy();
    return this.#closing;
  }
}
