/**
 * The Store interface: every stage persists records through it. Two implementations,
 * chosen only by the composition root: SQLite (embedded default, one file in the data
 * directory) and PostgreSQL (larger deployments). One contract suite runs on both.
 *
 * Rules every implementation keeps:
 * - a write that resolved is durable (it survives `kill -9` of the process the next instant);
 * - lists are newest first, paginated by an opaque cursor (`nextCursor` null at the end);
 * - records are stored whole (validated by the caller) plus the columns queries need.
 */
import type {
  Alert,
  AlertSuppression,
  Decision,
  DecisionAction,
  DecisionScope,
  Finding,
  ScanRun,
  Incident,
  IncidentEntry,
  PlaybookRun,
  SecurityEvent,
} from '../core/records/index.js';
import type { IncidentReport } from '../core/records/incident-report.js';
import type { Role } from '../core/roles.js';

export interface PageRequest {
  /** 1..500, default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EventQuery extends PageRequest {
  kind?: SecurityEvent['kind'];
  clientIp?: string;
  since?: string;
  until?: string;
}

export interface AlertQuery extends PageRequest {
  status?: Alert['status'];
  severity?: Alert['severity'];
  since?: string;
  ruleId?: string;
  detector?: string;
}

/** Requests and blocked requests (banned, throttled, rate limited, rejected, blocked) in one time bucket. */
export interface TrafficBucket {
  /** The bucket's start, epoch ms. */
  startMs: number;
  requests: number;
  blocked: number;
}

/** How many alerts of one status and severity there are. */
export interface AlertCount {
  status: Alert['status'];
  severity: Alert['severity'];
  count: number;
}

export interface AlertSuppressionQuery extends PageRequest {
  ruleId?: string;
}

/** What a grouped alert takes in from more detections; its status and the rest stay as they are. */
export type AlertGroupUpdate = Pick<Alert, 'eventIds'> &
  Partial<Pick<Alert, 'severity' | 'count' | 'lastSeen' | 'evidence'>>;

export interface DecisionQuery extends PageRequest {
  /** Only decisions in force at this instant (not expired); ISO time. */
  activeAt?: string;
  scope?: DecisionScope;
  value?: string;
  action?: DecisionAction;
  origin?: Decision['origin'];
}

/** One row of the decision feed: a decision created or deleted, `seq` in commit order. */
export interface DecisionChangeEntry {
  seq: number;
  kind: 'created' | 'deleted';
  decisionId: string;
  /** For `created`, the decision if it is still stored; undefined once deleted. */
  decision?: Decision;
}

/** A sampled input a source could not turn into an event (ingest's dead letters), as stored. */
export interface DeadLetterRecord {
  /** `dlt_<ULID>`: sorts by when it was refused. */
  id: string;
  /** The source's configured name. */
  source: string;
  /** A stable word, e.g. `bad_time`; see src/ingest/sources/dead-letter.ts. */
  reason: string;
  /** The input as read, already cut to a bounded length by the source. */
  input: string;
  /** Where it came from: `file:offset`, `udp 10.0.0.5:514`, … */
  location?: string;
  /** When it was refused (ISO 8601). */
  time: string;
}

export interface DeadLetterQuery extends PageRequest {
  source?: string;
  reason?: string;
}

export interface IncidentQuery extends PageRequest {
  status?: Incident['status'];
}

export interface ScanRunQuery extends PageRequest {
  target?: string;
}

export interface FindingQuery extends PageRequest {
  target?: string;
  status?: Finding['status'];
}

export interface UserRecord {
  id: string;
  name: string;
  role: Role;
  passwordHash: string;
  /** Base32 TOTP secret once the user enrolled a second factor; pending until confirmed. */
  totpSecret: string | null;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  /** SHA-256 of the token, hex; the token itself is shown once and never stored. */
  tokenHash: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface SessionRecord {
  /** SHA-256 of the cookie value, hex. */
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** One leaf of the audit ledger as stored. */
export interface LedgerEntryRow {
  index: number;
  /** e.g. `decision.created`. */
  kind: string;
  recordId: string;
  createdMs: number;
  /** RFC 8785 canonical JSON text: exactly the bytes the leaf hash covers. */
  entry: string;
  leafHash: Uint8Array;
}

/** A node of the ledger's Merkle tree: (level, index) roots the leaves [index·2^level, (index+1)·2^level). */
export interface LedgerNodeRow {
  level: number;
  index: number;
  hash: Uint8Array;
}

export interface LedgerCheckpointRow {
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed checkpoint note (C2SP tlog-checkpoint) as issued. */
  note: string;
  createdMs: number;
}

/** A trusted witness's cosignature of the checkpoint of `treeSize`. */
export interface LedgerCosignatureRow {
  treeSize: number;
  /** `<key name>+<hex key id>` of the witness key. */
  witness: string;
  /** The note signature line `— <name> <base64>` (without its newline). */
  signatureLine: string;
  timestampSeconds: number;
  createdMs: number;
}

export interface LedgerSaltRow {
  /** A keyed pseudonym of the subject (never the personal value itself). */
  subject: string;
  salt: Uint8Array;
  createdMs: number;
}

/**
 * The audit ledger's tables. Appends go through the Ledger service (src/ledger/service.ts),
 * inside `store.transaction` with `lockForAppend()` first; everything else only reads.
 */
export interface LedgerCollection {
  /** The number of leaves: the highest index + 1, 0 when empty. */
  size(): Promise<number>;
  /** Inside a transaction: holds off every other appender until it ends. */
  lockForAppend(): Promise<void>;
  /** Inserts leaves (consecutive indexes from `size()`) and interior nodes; `conflict` when an index is taken. */
  append(entries: readonly LedgerEntryRow[], nodes: readonly LedgerNodeRow[]): Promise<void>;
  /** Node hashes in the order asked (level 0 = leaf hashes); undefined where none is stored. */
  readNodes(addresses: readonly { level: number; index: number }[]): Promise<(Uint8Array | undefined)[]>;
  /** Leaf hashes [firstIndex, firstIndex + count), ascending, skipping any index not stored. */
  readLeafHashes(firstIndex: number, count: number): Promise<Uint8Array[]>;
  /** Entries with index ≥ fromIndex, ascending, at most `limit` (the audit's scan). */
  listEntries(fromIndex: number, limit: number): Promise<LedgerEntryRow[]>;
  /** Interior nodes of one level with index ≥ fromIndex, ascending, at most `limit`. */
  listNodes(level: number, fromIndex: number, limit: number): Promise<LedgerNodeRow[]>;
  /** How many interior nodes of `level` have an index ≥ fromIndex (the audit's check for extras). */
  countNodesFrom(level: number, fromIndex: number): Promise<number>;
  /** The highest level that holds a node, -1 when none. */
  maxNodeLevel(): Promise<number>;
  /** Every entry that logged the record, oldest first. */
  entriesForRecord(recordId: string): Promise<LedgerEntryRow[]>;
  /** Stores a checkpoint; false when one of that size exists already (kept as it was). */
  insertCheckpoint(checkpoint: LedgerCheckpointRow): Promise<boolean>;
  latestCheckpoint(): Promise<LedgerCheckpointRow | undefined>;
  /** Checkpoints with treeSize ≥ fromSize, ascending, at most `limit`. */
  listCheckpoints(fromSize: number, limit: number): Promise<LedgerCheckpointRow[]>;
  /** Stores a witness's cosignature; false when that witness already cosigned that size (kept as it was). */
  insertCosignature(cosignature: LedgerCosignatureRow): Promise<boolean>;
  /** Cosignatures of checkpoints with fromSize ≤ treeSize ≤ toSize, by size then witness. */
  listCosignatures(fromSize: number, toSize: number): Promise<LedgerCosignatureRow[]>;
  /** The salts of the subjects that have one. */
  saltsFor(subjects: readonly string[]): Promise<Map<string, Uint8Array>>;
  insertSalts(salts: readonly LedgerSaltRow[]): Promise<void>;
  /** Erasure: forgets a subject's salt; true when there was one. */
  deleteSalt(subject: string): Promise<boolean>;
}

export interface StoreCapabilities {
  /** Several processes may write at once (PostgreSQL); SQLite serialises writers in one process. */
  concurrentWriters: boolean;
  /** Listening for changes across processes is available (PostgreSQL LISTEN/NOTIFY). */
  crossProcessNotify: boolean;
}

/** The collections, as seen inside a transaction. */
export type StoreCollections = Pick<
  Store,
  | 'events'
  | 'deadLetters'
  | 'alerts'
  | 'alertSuppressions'
  | 'decisions'
  | 'incidents'
  | 'incidentEntries'
  | 'incidentReports'
  | 'findings'
  | 'scanRuns'
  | 'users'
  | 'tokens'
  | 'sessions'
  | 'kv'
  | 'ledger'
  | 'wafCollections'
  | 'modes'
  | 'outbox'
  | 'playbookRuns'
>;

export interface StoreTransaction extends StoreCollections {
  /**
   * Runs `work` in a savepoint: when it throws, only its own writes are undone and the
   * transaction goes on (PostgreSQL would otherwise refuse every later statement).
   */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
}

export interface Store {
  readonly capabilities: StoreCapabilities;
  /** A short human description, e.g. `sqlite /var/lib/ensuresec/ensuresec.db` (never a password). */
  readonly description: string;

  /** Applies pending versioned migrations in order, each in its own transaction; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Resolves when the database answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `work` in one write transaction: everything it writes through `tx` commits together
   * or not at all. Inside, use only `tx` (on SQLite the store's one connection is held, so a
   * call on the store itself would wait for the transaction to end).
   *
   * @example await store.transaction(async (tx) => { await tx.alerts.insert(a); await tx.ledger.append(…) });
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;

  events: {
    /**
     * Stores the events in one transaction, skipping ids already stored (events are
     * idempotent by id, so a resent batch is harmless); returns how many were new.
     */
    insertMany(events: SecurityEvent[]): Promise<number>;
    /**
     * As insertMany, but returns the ids this call stored (in batch order): the events to publish.
     * `records`: each event's `JSON.stringify` text, when the caller already has it.
     */
    insertNew(events: readonly SecurityEvent[], options?: { records?: readonly string[] }): Promise<string[]>;
    get(id: string): Promise<SecurityEvent | undefined>;
    list(query: EventQuery): Promise<Page<SecurityEvent>>;
    /** Deletes raw events older than the instant (retention); returns how many. */
    purgeBefore(isoTime: string): Promise<number>;
    count(): Promise<number>;
    /**
     * Since 015: HTTP requests stored for [sinceMs, untilMs) summed per bucket of `bucketMs`, ascending,
     * empty buckets left out; all three in whole minutes (they are counted per minute as they are stored).
     */
    trafficBuckets(sinceMs: number, untilMs: number, bucketMs: number): Promise<TrafficBucket[]>;
  };
  /** Sampled inputs the sources refused, with the reason; purged by retention like raw events. */
  deadLetters: {
    insertMany(letters: readonly DeadLetterRecord[]): Promise<void>;
    list(query: DeadLetterQuery): Promise<Page<DeadLetterRecord>>;
    count(filter?: Pick<DeadLetterQuery, 'source' | 'reason'>): Promise<number>;
    /** Deletes dead letters refused before the instant; returns how many. */
    purgeBefore(isoTime: string): Promise<number>;
  };
  alerts: {
    insert(alert: Alert): Promise<void>;
    get(id: string): Promise<Alert | undefined>;
    list(query: AlertQuery): Promise<Page<Alert>>;
    setStatus(id: string, status: Alert['status']): Promise<Alert | undefined>;
    /** Folds more detections into a grouped alert (keeps its status); undefined when it does not exist. */
    updateGroup(id: string, update: AlertGroupUpdate): Promise<Alert | undefined>;
    /** Since 015: the number of alerts by status and severity (pairs with none left out). */
    countByStatusAndSeverity(): Promise<AlertCount[]>;
  };
  /** Since 015: tuning entries from alerts marked false positive (detect stage; writes go through the ledger). */
  alertSuppressions: {
    /** Rejects with EnsuresecError('conflict') when that rule and entity are suppressed already. */
    insert(suppression: AlertSuppression): Promise<void>;
    get(id: string): Promise<AlertSuppression | undefined>;
    list(query: AlertSuppressionQuery): Promise<Page<AlertSuppression>>;
    /** The entry that suppresses `ruleId` for the entity key (`type:value`), or for every entity. */
    matches(ruleId: string, entityKey: string): Promise<AlertSuppression | undefined>;
    delete(id: string): Promise<boolean>;
  };
  decisions: {
    insert(decision: Decision): Promise<void>;
    get(id: string): Promise<Decision | undefined>;
    list(query: DecisionQuery): Promise<Page<Decision>>;
    /** Every decision in force at the instant, unpaginated (gateways load these). */
    listActive(isoTime: string): Promise<Decision[]>;
    delete(id: string): Promise<boolean>;
    /** The feed's position: the seq of the last change, 0 when there is none. */
    lastChangeSeq(): Promise<number>;
    /** Changes after `seq`, oldest first, at most `limit`. */
    changesAfter(seq: number, limit: number): Promise<DecisionChangeEntry[]>;
    /** Ids of stored decisions whose expiry falls in (afterMs, untilMs]. */
    expiredBetween(afterMs: number, untilMs: number): Promise<string[]>;
  };
  incidents: {
    insert(incident: Incident): Promise<void>;
    get(id: string): Promise<Incident | undefined>;
    list(query: IncidentQuery): Promise<Page<Incident>>;
    /** Replaces the stored incident (same id); undefined when it does not exist. */
    update(incident: Incident): Promise<Incident | undefined>;
  };
  /** Incident timelines (since 009): append-only; there is no update and no delete. */
  incidentEntries: {
    /** Rejects with EnsuresecError('conflict') when the id is taken. */
    append(entry: IncidentEntry): Promise<void>;
    /** One incident's entries, oldest first. */
    listFor(incidentId: string): Promise<IncidentEntry[]>;
    /** Entries of these kinds recorded at or after the instant, across incidents, oldest first (at most 10,000). */
    listByKinds(kinds: readonly IncidentEntry['kind'][], sinceIso: string): Promise<IncidentEntry[]>;
  };
  /** Frozen report versions (since 012): inserted once, never changed or deleted. */
  incidentReports: {
    /** Rejects with EnsuresecError('conflict') when that incident, stage and version exist. */
    insert(report: IncidentReport): Promise<void>;
    get(id: string): Promise<IncidentReport | undefined>;
    /** One incident's frozen reports, oldest first. */
    listFor(incidentId: string): Promise<IncidentReport[]>;
    /** The highest version frozen for the incident and stage; 0 when none. */
    latestVersion(incidentId: string, stage: string): Promise<number>;
  };
  findings: {
    /** Rejects with EnsuresecError('conflict') when the id, or the target and fingerprint, exist. */
    insert(finding: Finding): Promise<void>;
    get(id: string): Promise<Finding | undefined>;
    list(query: FindingQuery): Promise<Page<Finding>>;
    /** Since 013: the finding of `target` with that fingerprint. */
    getByFingerprint(target: string, fingerprint: string): Promise<Finding | undefined>;
    /** Since 013: replaces a stored finding (same id); false when there is none. */
    update(finding: Finding): Promise<boolean>;
    /** Since 013: every finding of `target` with that status, unpaginated, oldest first. */
    listByStatus(target: string, status: Finding['status']): Promise<Finding[]>;
  };
  /** Since 013: stored scan reports (their summaries), inserted once. */
  scanRuns: {
    insert(run: ScanRun): Promise<void>;
    get(id: string): Promise<ScanRun | undefined>;
    list(query: ScanRunQuery): Promise<Page<ScanRun>>;
  };
  users: {
    /** Rejects with EnsuresecError('conflict') when the name is taken. */
    insert(user: UserRecord): Promise<void>;
    get(id: string): Promise<UserRecord | undefined>;
    getByName(name: string): Promise<UserRecord | undefined>;
    list(query: PageRequest): Promise<Page<UserRecord>>;
    update(user: UserRecord): Promise<UserRecord | undefined>;
    count(): Promise<number>;
  };
  tokens: {
    insert(token: TokenRecord): Promise<void>;
    get(id: string): Promise<TokenRecord | undefined>;
    getByHash(tokenHash: string): Promise<TokenRecord | undefined>;
    list(query: PageRequest & { userId?: string }): Promise<Page<TokenRecord>>;
    revoke(id: string, isoTime: string): Promise<boolean>;
    touch(id: string, isoTime: string): Promise<void>;
  };
  sessions: {
    insert(session: SessionRecord): Promise<void>;
    get(idHash: string): Promise<SessionRecord | undefined>;
    delete(idHash: string): Promise<void>;
    deleteExpired(isoTime: string): Promise<number>;
    /** Ends every session of a user (password changed, user disabled), but the one kept; returns how many. */
    deleteForUser(userId: string, keepIdHash?: string): Promise<number>;
  };
  /** Small settings and state (e.g. `bootstrap.completed`), JSON values. */
  kv: {
    get<T = unknown>(key: string): Promise<T | undefined>;
    set(key: string, value: unknown): Promise<void>;
  };
  ledger: LedgerCollection;
  /** The WAF's persistent collections (initcol): whole records, last write wins. */
  wafCollections: {
    /** Every record not expired at `nowMs` (gateways load them at start and at intervals). */
    listLive(nowMs: number): Promise<WafCollectionRecord[]>;
    /** Inserts or replaces records, in one statement per record, atomically. */
    upsertMany(records: readonly WafCollectionRecord[]): Promise<void>;
    /** Deletes records expired at `nowMs`; returns how many. */
    purgeExpired(nowMs: number): Promise<number>;
  };
  /** Fail-safe modes in force (gateways load them; changes go through the ledger). */
  modes: {
    /** Modes whose `until` is null or after `nowMs`, by name. */
    listActive(nowMs: number): Promise<ModeRecord[]>;
    get(name: string): Promise<ModeRecord | undefined>;
    /** Inserts or replaces the mode's record. */
    put(record: ModeRecord): Promise<void>;
    /** true when the mode was stored. */
    delete(name: string): Promise<boolean>;
  };
  /** The persistent outbox of notices (response stage; see src/response/outbox/). */
  outbox: OutboxCollection;
  /** Playbook runs, step by step (response stage; see src/response/playbooks/). */
  playbookRuns: PlaybookRunCollection;
}

export interface PlaybookRunQuery extends PageRequest {
  playbook?: string;
  status?: PlaybookRun['status'];
  alertId?: string;
}

export interface PlaybookRunCollection {
  /**
   * Stores a new run; false (nothing written) when `dedupeKey` is taken: the playbook already
   * ran for that alert. Dry runs pass null and are always stored.
   */
  insert(run: PlaybookRun, dedupeKey: string | null): Promise<boolean>;
  /** Replaces the run's record; with `expectedStatus`, only while it still has that status (false otherwise). */
  update(run: PlaybookRun, expectedStatus?: PlaybookRun['status']): Promise<boolean>;
  get(id: string): Promise<PlaybookRun | undefined>;
  list(query: PlaybookRunQuery): Promise<Page<PlaybookRun>>;
  /** The newest run (not a dry run) of `playbook` for `entityKey` created at or after `sinceMs`. */
  latestForEntity(playbook: string, entityKey: string, sinceMs: number): Promise<PlaybookRun | undefined>;
  /** Runs waiting for an approval, oldest first. */
  listWaiting(limit: number): Promise<PlaybookRun[]>;
}

/**
 * A fail-safe mode in force (response stage): who switched it on, why, since when and until
 * when. Only modes in force are stored; their history is the ledger's `mode.*` entries.
 */
export interface ModeRecord {
  /** The mode's name as ensuresec.yaml defines it, e.g. `checkout-freeze`. */
  name: string;
  enabledAt: string;
  /** The author's user name (or `playbook:<id>`). */
  enabledBy: string;
  reason: string;
  /** null: until disabled by hand or by its recovery condition. */
  until: string | null;
  /** Ends the mode once no alert of `ruleId` was raised for `quietMs`. */
  recovery: { ruleId: string; quietMs: number } | null;
  /** Set on the record logged by `mode.disabled` (never stored). */
  disabledAt?: string;
  disabledBy?: string;
  disabledReason?: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'failed' | 'dead';

/** What a notice sends: a rendered email, or a webhook's exact body (the bytes it signs). */
export type OutboxContent =
  | {
      kind: 'email';
      subject: string;
      text: string;
      html: string;
      /** `encoding: 'base64'` for binary content (a PDF); text otherwise. */
      attachments: { filename: string; contentType: string; content: string; encoding?: 'base64' }[];
    }
  | { kind: 'webhook'; url: string; body: string };

/** A notice in the persistent outbox: what it sends, to whom, and how its delivery went. */
export interface OutboxMessage {
  /** `ntc_<ULID>`; also the email's Message-ID and the webhook's `webhook-id`, so a resend is recognisable. */
  id: string;
  /** Unique: enqueueing a second message with the same key writes nothing. */
  idempotencyKey: string;
  channel: 'email' | 'webhook';
  /** customers and partners: notices; authorities: reports to a CSIRT; team: the entity's own people (deadline reminders). */
  audience: 'customers' | 'partners' | 'authorities' | 'team';
  /** The incident or alert the notice is about, e.g. `inc_…`. */
  reference: string;
  /** An email address (personal data) for email, the partner's id for webhooks; a customer's becomes its pseudonym once delivered. */
  recipient: string;
  partnerId: string | null;
  /** null once delivered: the outbox keeps no copy of what a customer was sent. */
  content: OutboxContent | null;
  status: OutboxStatus;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  nextAttemptAt: string;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface OutboxQuery extends PageRequest {
  status?: OutboxStatus;
  channel?: OutboxMessage['channel'];
  audience?: OutboxMessage['audience'];
  reference?: string;
}

/** How a claimed attempt ended. */
export type OutboxOutcome =
  /** `recipient`, when given, replaces the stored one (e.g. by its pseudonym: it is no longer needed). */
  | { status: 'delivered'; atMs: number; recipient?: string }
  | { status: 'failed'; atMs: number; error: string; nextAttemptMs: number }
  | { status: 'dead'; atMs: number; error: string };

export interface OutboxCollection {
  /** Stores a new message; false (nothing written) when its idempotency key is taken. */
  enqueue(message: OutboxMessage): Promise<boolean>;
  get(id: string): Promise<OutboxMessage | undefined>;
  list(query: OutboxQuery): Promise<Page<OutboxMessage>>;
  /**
   * Claims up to `limit` messages due at `nowMs` (pending or failed and due, or sending with an
   * expired lease) for `leaseMs`: each becomes `sending` under `leaseToken`, attempts + 1. A row
   * is claimed by one conditional update, so two processes never claim the same message.
   */
  claimDue(claim: {
    nowMs: number;
    limit: number;
    leaseMs: number;
    leaseToken: string;
  }): Promise<OutboxMessage[]>;
  /** Ends a claimed attempt while `leaseToken` still holds it; undefined when the lease was lost. */
  settle(id: string, leaseToken: string, outcome: OutboxOutcome): Promise<OutboxMessage | undefined>;
  /** A failed or dead message back to pending, due at `nowMs`; undefined when it is neither. */
  requeue(id: string, nowMs: number): Promise<OutboxMessage | undefined>;
}

export interface WafCollectionRecord {
  /** `IP`, `GLOBAL`, `SESSION`... as initcol names it. */
  collection: string;
  key: string;
  variables: Record<string, string>;
  expiresMs: number;
}

export type StoreConfig =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string; schema?: string; maxConnections?: number };
