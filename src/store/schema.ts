/**
 * The tables behind the Store, as Kysely sees them (store layer). Every record table keeps
 * the whole record as JSON text in `record` plus the columns that queries filter or sort
 * on. Times are epoch milliseconds so comparisons never depend on how an ISO string was
 * written (`Z` or `+02:00`); PostgreSQL hands `bigint` back as a string, which is why the
 * store never reads those columns back, only the JSON.
 */
type EpochMs = number | string;

export interface EventsTable {
  id: string;
  time_ms: EpochMs;
  kind: string;
  client_ip: string | null;
  record: string;
}

/** Since 005: sampled inputs a source refused; `record` is the whole DeadLetterRecord. */
export interface DeadLettersTable {
  id: string;
  time_ms: EpochMs;
  source: string;
  reason: string;
  record: string;
}

export interface AlertsTable {
  id: string;
  time_ms: EpochMs;
  status: string;
  severity: string;
  record: string;
  /** Since 006; null only on alerts written before it that had none. */
  rule_id: string | null;
  detector: string | null;
}

export interface DecisionsTable {
  id: string;
  created_ms: EpochMs;
  expires_ms: EpochMs | null;
  action: string;
  scope: string;
  value: string;
  origin: string;
  record: string;
}

/** Since 011: one row per decision created or deleted, `seq` in commit order (the feed's cursor). */
export interface DecisionChangesTable {
  seq: number | string;
  decision_id: string;
  kind: 'created' | 'deleted';
  time_ms: EpochMs;
}

export interface IncidentsTable {
  id: string;
  status: string;
  record: string;
}

/** Since 009: an incident's append-only timeline; `record` is the whole IncidentEntry. */
export interface IncidentEntriesTable {
  id: string;
  incident_id: string;
  kind: string;
  time_ms: EpochMs;
  record: string;
}

/** Since 012: frozen report versions; `record` is the whole IncidentReport. */
export interface IncidentReportsTable {
  id: string;
  incident_id: string;
  stage: string;
  version: number;
  frozen_ms: EpochMs;
  record: string;
}

export interface FindingsTable {
  id: string;
  target: string;
  status: string;
  record: string;
  /** Since 013; null for findings stored before. */
  fingerprint: string | null;
}

/** Since 013: one stored scan report's summary. */
export interface ScanRunsTable {
  id: string;
  target: string;
  record: string;
}

export interface UsersTable {
  id: string;
  name: string;
  record: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  record: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  expires_ms: EpochMs;
  record: string;
}

export interface KvTable {
  key: string;
  value: string;
}

/** One leaf of the audit ledger: the canonical entry text and the RFC 9162 leaf hash over it. */
export interface LedgerEntriesTable {
  index: number | string;
  kind: string;
  record_id: string;
  created_ms: EpochMs;
  /** RFC 8785 canonical JSON text, exactly the bytes the leaf hash covers. */
  entry: string;
  leaf_hash: Uint8Array;
}

/** Interior nodes (level ≥ 1) of the ledger's Merkle tree; level 0 lives in ledger_entries. */
export interface LedgerNodesTable {
  level: number;
  index: number | string;
  hash: Uint8Array;
}

export interface LedgerCheckpointsTable {
  tree_size: number | string;
  root_hash: Uint8Array;
  /** The signed note (C2SP tlog-checkpoint), as issued. */
  note: string;
  created_ms: EpochMs;
}

/** One random salt per data subject; deleting it makes that subject's ledger values unlinkable. */
export interface LedgerSaltsTable {
  subject: string;
  salt: Uint8Array;
  created_ms: EpochMs;
}

/** A trusted witness's cosignature of one checkpoint: its whole signature line. */
export interface LedgerCosignaturesTable {
  tree_size: number | string;
  /** `<key name>+<hex key id>` of the witness key. */
  witness: string;
  signature_line: string;
  timestamp_s: EpochMs;
  created_ms: EpochMs;
}

/** A WAF persistent collection record (initcol): its variables as JSON text. */
export interface WafCollectionsTable {
  collection: string;
  key: string;
  variables: string;
  expires_ms: EpochMs;
}

/** A fail-safe mode in force (since 007). */
export interface ModesTable {
  name: string;
  /** null: no end time. */
  until_ms: EpochMs | null;
  record: string;
}

/** A notice in the persistent outbox (since 008): delivery state as columns, what is sent in `record`. */
export interface OutboxTable {
  id: string;
  idempotency_key: string;
  channel: string;
  audience: string;
  reference: string;
  status: string;
  attempts: number;
  created_ms: EpochMs;
  updated_ms: EpochMs;
  next_attempt_ms: EpochMs;
  lease_token: string | null;
  lease_until_ms: EpochMs | null;
  delivered_ms: EpochMs | null;
  last_error: string | null;
  record: string;
}

/** Since 010: one row per playbook run; `record` is the whole PlaybookRun. */
export interface PlaybookRunsTable {
  id: string;
  playbook: string;
  alert_id: string;
  /** `playbook\nalertId`; null for dry runs. */
  dedupe_key: string | null;
  entity_key: string | null;
  status: string;
  created_ms: EpochMs;
  record: string;
}

/** Since 015: HTTP requests per minute (the traffic chart's rollup), written with the events. */
export interface TrafficMinutesTable {
  minute_ms: EpochMs;
  requests: number | string;
  blocked: number | string;
}

/** Since 015: tuning entries; `entity_key` is `type:value` or `*`, `record` the whole AlertSuppression. */
export interface AlertSuppressionsTable {
  id: string;
  rule_id: string;
  entity_key: string;
  record: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface StoreDatabase {
  events: EventsTable;
  dead_letters: DeadLettersTable;
  alerts: AlertsTable;
  decisions: DecisionsTable;
  decision_changes: DecisionChangesTable;
  incidents: IncidentsTable;
  incident_entries: IncidentEntriesTable;
  incident_reports: IncidentReportsTable;
  findings: FindingsTable;
  scan_runs: ScanRunsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  kv: KvTable;
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_salts: LedgerSaltsTable;
  ledger_cosignatures: LedgerCosignaturesTable;
  waf_collections: WafCollectionsTable;
  modes: ModesTable;
  outbox: OutboxTable;
  playbook_runs: PlaybookRunsTable;
  alert_suppressions: AlertSuppressionsTable;
  traffic_minutes: TrafficMinutesTable;
  ensuresec_migrations: MigrationsTable;
}
