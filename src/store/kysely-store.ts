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
import { alertSuppressionsCollection } from './collections/alert-suppressions.js';
import { deadLettersCollection } from './collections/dead-letters.js';
import { decisionsCollection } from './collections/decisions.js';
import { eventsCollection } from './collections/events.js';
import { findingsCollection, scanRunsCollection } from './collections/findings.js';
import { incidentsCollection } from './collections/incidents.js';
import { incidentEntriesCollection } from './collections/incident-entries.js';
import { incidentReportsCollection } from './collections/incident-reports.js';
import { wafCollectionsCollection } from './collections/waf-collections.js';
import { kvCollection } from './collections/kv.js';
import { ledgerCollection } from './collections/ledger.js';
import { modesCollection } from './collections/modes.js';
import { outboxCollection } from './collections/outbox.js';
import { playbookRunsCollection } from './collections/playbook-runs.js';
import { sessionsCollection } from './collections/sessions.js';
import { tokensCollection } from './collections/tokens.js';
import { usersCollection } from './collections/users.js';
import type { DialectAdapter } from './dialect-adapter.js';
import { MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './migrator.js';
import type { StoreContext } from './record-table.js';
import type { StoreDatabase } from './schema.js';
import type { Store, StoreCapabilities, StoreCollections, StoreTransaction } from './store.js';

export interface KyselyStoreOptions {
  db: Kysely<StoreDatabase>;
  adapter: DialectAdapter;
  /** Safe to show: never contains a password. */
  description: string;
  clock: Clock;
  /** Turns a driver error during `ping` into a readable reason without secrets. */
  describeError?: (error: unknown) => string;
}

function collectionsOf(ctx: StoreContext): StoreCollections {
  return {
    events: eventsCollection(ctx),
    deadLetters: deadLettersCollection(ctx),
    alerts: alertsCollection(ctx),
    alertSuppressions: alertSuppressionsCollection(ctx),
    decisions: decisionsCollection(ctx),
    incidents: incidentsCollection(ctx),
    incidentEntries: incidentEntriesCollection(ctx),
    incidentReports: incidentReportsCollection(ctx),
    findings: findingsCollection(ctx),
    scanRuns: scanRunsCollection(ctx),
    users: usersCollection(ctx),
    tokens: tokensCollection(ctx),
    sessions: sessionsCollection(ctx),
    kv: kvCollection(ctx),
    ledger: ledgerCollection(ctx),
    wafCollections: wafCollectionsCollection(ctx),
    modes: modesCollection(ctx),
    outbox: outboxCollection(ctx),
    playbookRuns: playbookRunsCollection(ctx),
  };
}

/** The collections bound to one connection inside a transaction, plus savepoints on it. */
function transactionOf(connection: Kysely<StoreDatabase>, adapter: DialectAdapter): StoreTransaction {
  // One name serves every savepoint: `rollback to` and `release` act on the latest of that name.
  const name = sql.raw('ensuresec_savepoint');
  return {
    ...collectionsOf({ db: connection, adapter }),
    async savepoint(work) {
      await sql`savepoint ${name}`.execute(connection);
      try {
        const result = await work();
        await sql`release savepoint ${name}`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback to savepoint ${name}`.execute(connection);
        await sql`release savepoint ${name}`.execute(connection);
        throw error;
      }
    },
  };
}

export class KyselyStore implements Store {
  readonly capabilities: StoreCapabilities;
  readonly description: string;
  readonly events: Store['events'];
  readonly deadLetters: Store['deadLetters'];
  readonly alerts: Store['alerts'];
  readonly alertSuppressions: Store['alertSuppressions'];
  readonly decisions: Store['decisions'];
  readonly incidents: Store['incidents'];
  readonly incidentEntries: Store['incidentEntries'];
  readonly incidentReports: Store['incidentReports'];
  readonly findings: Store['findings'];
  readonly scanRuns: Store['scanRuns'];
  readonly users: Store['users'];
  readonly tokens: Store['tokens'];
  readonly sessions: Store['sessions'];
  readonly kv: Store['kv'];
  readonly ledger: Store['ledger'];
  readonly wafCollections: Store['wafCollections'];
  readonly modes: Store['modes'];
  readonly outbox: Store['outbox'];
  readonly playbookRuns: Store['playbookRuns'];

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
    const collections = collectionsOf({ db: options.db, adapter: options.adapter });
    this.events = collections.events;
    this.deadLetters = collections.deadLetters;
    this.alerts = collections.alerts;
    this.alertSuppressions = collections.alertSuppressions;
    this.decisions = collections.decisions;
    this.incidents = collections.incidents;
    this.incidentEntries = collections.incidentEntries;
    this.incidentReports = collections.incidentReports;
    this.findings = collections.findings;
    this.scanRuns = collections.scanRuns;
    this.users = collections.users;
    this.tokens = collections.tokens;
    this.sessions = collections.sessions;
    this.kv = collections.kv;
    this.ledger = collections.ledger;
    this.wafCollections = collections.wafCollections;
    this.modes = collections.modes;
    this.outbox = collections.outbox;
    this.playbookRuns = collections.playbookRuns;
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const adapter = this.#adapter;
    return this.#db.connection().execute(async (connection) => {
      for (const statement of adapter.writeTransactionStart) await sql.raw(statement).execute(connection);
      try {
        const result = await work(transactionOf(connection, adapter));
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        // The original error matters more than a failed rollback (e.g. a dropped connection).
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
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
