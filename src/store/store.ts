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
  Decision,
  DecisionAction,
  DecisionScope,
  Finding,
  Incident,
  SecurityEvent,
} from '../core/records/index.js';
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
}

export interface DecisionQuery extends PageRequest {
  /** Only decisions in force at this instant (not expired); ISO time. */
  activeAt?: string;
  scope?: DecisionScope;
  value?: string;
  action?: DecisionAction;
  origin?: Decision['origin'];
}

export interface IncidentQuery extends PageRequest {
  status?: Incident['status'];
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
  | 'alerts'
  | 'decisions'
  | 'incidents'
  | 'findings'
  | 'users'
  | 'tokens'
  | 'sessions'
  | 'kv'
  | 'ledger'
  | 'wafCollections'
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
    insertMany(events: SecurityEvent[]): Promise<void>;
    get(id: string): Promise<SecurityEvent | undefined>;
    list(query: EventQuery): Promise<Page<SecurityEvent>>;
    /** Deletes raw events older than the instant (retention); returns how many. */
    purgeBefore(isoTime: string): Promise<number>;
    count(): Promise<number>;
  };
  alerts: {
    insert(alert: Alert): Promise<void>;
    get(id: string): Promise<Alert | undefined>;
    list(query: AlertQuery): Promise<Page<Alert>>;
    setStatus(id: string, status: Alert['status']): Promise<Alert | undefined>;
  };
  decisions: {
    insert(decision: Decision): Promise<void>;
    get(id: string): Promise<Decision | undefined>;
    list(query: DecisionQuery): Promise<Page<Decision>>;
    /** Every decision in force at the instant, unpaginated (gateways load these). */
    listActive(isoTime: string): Promise<Decision[]>;
    delete(id: string): Promise<boolean>;
  };
  incidents: {
    insert(incident: Incident): Promise<void>;
    get(id: string): Promise<Incident | undefined>;
    list(query: IncidentQuery): Promise<Page<Incident>>;
    /** Replaces the stored incident (same id); undefined when it does not exist. */
    update(incident: Incident): Promise<Incident | undefined>;
  };
  findings: {
    insert(finding: Finding): Promise<void>;
    get(id: string): Promise<Finding | undefined>;
    list(query: FindingQuery): Promise<Page<Finding>>;
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
