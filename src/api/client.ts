/**
 * The one typed API client (api): the CLI and remote gateways talk to a server through
 * it. Server errors come back as EnsuresecError with the server's code; a server that
 * does not answer becomes `server_unreachable`.
 *
 * @example
 * const api = new ApiClient({ baseUrl: 'http://127.0.0.1:8700', token });
 * await api.decisions.add({ action: 'ban', scope: 'ip', value: '203.0.113.7', duration: '4h', origin: 'cli' });
 */
import { request } from 'undici';
import type { JWK } from 'jose';
import type { PublicCertificateView } from '../scan/certificate/public-status.js';
import type { AcceptedVirtualPatch } from '../server/virtual-patches.js';
import { ERROR_CATALOGUE, EnsuresecError, type ErrorCode } from '../core/errors.js';
import type { Alert, Decision, DecisionAction, DecisionScope, SecurityEvent } from '../core/records/index.js';
import type { Role } from '../core/roles.js';
import type { ModeRecord, Page } from '../store/store.js';
import type { ModeView } from '../response/modes/service.js';
import type { PlaybookListing } from '../response/playbooks/service.js';
import type { AlertInput, PlaybookRun } from '../core/records/index.js';
import type { ConsistencyProofDocument, InclusionProofDocument } from '../ledger/index.js';
import type { LedgerCheckpointView, LedgerEntryView } from './routes/v1/ledger.js';
import type { NoticeView } from './routes/v1/notices.js';
import type { DecisionFeed } from './routes/v1/decision-feed.js';
import type { ModeFeed } from './routes/v1/mode-feed.js';
import type { ChallengeKey } from './routes/v1/gateway-keys.js';
import type { EventBatchResult } from './routes/v1/ingest.js';
import type { Finding, Incident, ScanRun } from '../core/records/index.js';
import type { RecordedScan as RecordedScanView } from '../scan/store/record-scan.js';
import type { CaseView } from '../incidents/case.js';
import type { ReportDraft } from '../incidents/reports/drafts.js';
import type { IncidentEntry } from '../core/records/index.js';
import type { IncidentReport } from '../core/records/incident-report.js';
import type { CustomerCommunication } from '../incidents/reports/customer-communication.js';
import type { Reminder } from '../incidents/reminders.js';
import type { MeasuresAssessment } from '../regulation/measures/assess.js';
import type { ReportStage } from '../regulation/deadlines.js';
import type { ApiStatus, CreatedToken, PublicToken, PublicUser } from './schemas.js';

export interface ApiClientOptions {
  /** e.g. `http://127.0.0.1:8700` (no `/api/v1`). */
  baseUrl: string;
  /** An API token `ens_…`. */
  token: string;
  /** Per request, headers and body together; default 30 000. */
  timeoutMs?: number;
}

export interface PageOptions {
  limit?: number;
  cursor?: string;
}

export interface NewDecision {
  action: DecisionAction;
  scope: DecisionScope;
  value: string;
  /** "30m", "4h", "7d"; or give `expiresAt`; neither: until deleted. */
  duration?: string;
  expiresAt?: string;
  reason?: string;
  ratePerMinute?: number;
  alertId?: string;
  origin?: 'api' | 'cli';
}

export interface NewIncident {
  title: string;
  severity: Incident['severity'];
  summary?: string;
  alertIds?: string[];
  detectedAt?: string;
  awareAt?: string;
}

export interface DecisionFilter extends PageOptions {
  active?: boolean;
  scope?: DecisionScope;
  value?: string;
  action?: DecisionAction;
  origin?: Decision['origin'];
}

export interface AlertFilter extends PageOptions {
  status?: Alert['status'];
  severity?: Alert['severity'];
  since?: string;
  ruleId?: string;
  detector?: string;
}

export interface ModeSwitchOn {
  /** e.g. `30m`; absent: until disabled. */
  ttl?: string;
  reason: string;
  /** End the mode once no alert of `ruleId` was raised for `quiet` (e.g. `15m`). */
  recovery?: { ruleId: string; quiet: string };
}

export interface EventFilter extends PageOptions {
  kind?: SecurityEvent['kind'];
  clientIp?: string;
  since?: string;
  until?: string;
}

export interface NoticeFilter extends PageOptions {
  status?: NoticeView['status'];
  channel?: NoticeView['channel'];
  audience?: NoticeView['audience'];
  /** The incident or alert id. */
  reference?: string;
}

export interface PlaybookRunFilter extends PageOptions {
  playbook?: string;
  status?: PlaybookRun['status'];
  alertId?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/** A frozen report version as lists show it. */
export interface ReportSummary {
  id: string;
  stage: string;
  version: number;
  frozenAt: string;
  frozenBy: string;
  missing: string[];
  indicators: number;
  sha256: string;
}

export interface IncidentFilter extends PageOptions {
  status?: Incident['status'];
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  status(): Promise<ApiStatus> {
    return this.call('GET', '/status');
  }

  readonly users = {
    list: (page: PageOptions = {}): Promise<Page<PublicUser>> =>
      this.call('GET', '/users', { query: { ...page } }),
    add: (input: {
      name: string;
      role: Role;
      password?: string;
    }): Promise<{ user: PublicUser; password?: string }> => this.call('POST', '/users', { body: input }),
  };

  readonly tokens = {
    list: (page: PageOptions & { userId?: string } = {}): Promise<Page<PublicToken>> =>
      this.call('GET', '/tokens', { query: { ...page } }),
    create: (input: { name: string; expiresInDays?: number; userId?: string }): Promise<CreatedToken> =>
      this.call('POST', '/tokens', { body: input }),
    revoke: (id: string): Promise<void> => this.call('DELETE', `/tokens/${encodeURIComponent(id)}`),
  };

  readonly decisions = {
    add: (input: NewDecision): Promise<Decision> => this.call('POST', '/decisions', { body: input }),
    list: (filter: DecisionFilter = {}): Promise<Page<Decision>> =>
      this.call('GET', '/decisions', {
        query: { ...filter, active: filter.active === undefined ? undefined : String(filter.active) },
      }),
    get: (id: string): Promise<Decision> => this.call('GET', `/decisions/${encodeURIComponent(id)}`),
    delete: (id: string): Promise<void> => this.call('DELETE', `/decisions/${encodeURIComponent(id)}`),
    /** Every decision in force now (what a gateway loads). */
    listActive: async (): Promise<Decision[]> =>
      (await this.call<{ items: Decision[] }>('GET', '/decisions/active')).items,
    /** The gateways' feed: without `since` everything in force, with it the changes after it. */
    feed: (since?: string): Promise<DecisionFeed> =>
      this.call('GET', '/decisions/feed', { query: { since } }),
  };

  /** Stored scans: `ensuresec scan URL --store` uploads its JSON report. */
  readonly scans = {
    store: (report: unknown): Promise<RecordedScanView & { revokedCertificates?: string[] }> =>
      this.call('POST', '/scans', { body: report }),
    list: (filter: PageOptions & { target?: string } = {}): Promise<Page<ScanRun>> =>
      this.call('GET', '/scans', { query: { ...filter } }),
    get: (id: string): Promise<ScanRun> => this.call('GET', `/scans/${encodeURIComponent(id)}`),
  };

  readonly findings = {
    list: (
      filter: PageOptions & { target?: string; status?: Finding['status'] } = {},
    ): Promise<Page<Finding>> => this.call('GET', '/findings', { query: { ...filter } }),
    get: (id: string): Promise<Finding> => this.call('GET', `/findings/${encodeURIComponent(id)}`),
    /** `accepted` (a risk taken; later scans keep it accepted) or `open` again, with the reason. */
    setStatus: (id: string, status: 'open' | 'accepted', reason: string): Promise<Finding> =>
      this.call('PATCH', `/findings/${encodeURIComponent(id)}`, { body: { status, reason } }),
  };

  readonly modes = {
    list: async (): Promise<ModeView[]> => (await this.call<{ items: ModeView[] }>('GET', '/modes')).items,
    enable: (name: string, input: ModeSwitchOn): Promise<ModeRecord> =>
      this.call('POST', `/modes/${encodeURIComponent(name)}/enable`, { body: input }),
    disable: (name: string, input: { reason: string }): Promise<ModeRecord> =>
      this.call('POST', `/modes/${encodeURIComponent(name)}/disable`, { body: input }),
    /**
     * The gateways' mode feed: the modes in force and a cursor. With `since` (that cursor) and
     * `wait` (ms, at most 30 000) the server holds the answer until a mode changes or `wait` passes.
     */
    feed: (input: { since?: string; wait?: number } = {}, signal?: AbortSignal): Promise<ModeFeed> =>
      this.call('GET', '/modes/feed', {
        query: { since: input.since, wait: input.wait },
        ...(signal ? { signal } : {}),
      }),
  };

  readonly playbooks = {
    /** The loaded playbooks and the files refused at load (`enabled` false: playbooks are off). */
    list: (): Promise<PlaybookListing & { enabled: boolean }> => this.call('GET', '/playbooks'),
    runs: (filter: PlaybookRunFilter = {}): Promise<Page<PlaybookRun>> =>
      this.call('GET', '/playbooks/runs', { query: { ...filter } }),
    run: (id: string): Promise<PlaybookRun> => this.call('GET', `/playbooks/runs/${encodeURIComponent(id)}`),
    approve: (id: string, reason?: string): Promise<PlaybookRun> =>
      this.call('POST', `/playbooks/runs/${encodeURIComponent(id)}/approve`, {
        body: reason ? { reason } : {},
      }),
    reject: (id: string, reason?: string): Promise<PlaybookRun> =>
      this.call('POST', `/playbooks/runs/${encodeURIComponent(id)}/reject`, {
        body: reason ? { reason } : {},
      }),
    /** What the playbook would do for the alert (`id` and `time` may be left out); changes nothing. */
    dryRun: (name: string, alert: Partial<AlertInput>): Promise<PlaybookRun> =>
      this.call('POST', `/playbooks/${encodeURIComponent(name)}/dry-run`, { body: alert }),
  };

  readonly alerts = {
    list: (filter: AlertFilter = {}): Promise<Page<Alert>> =>
      this.call('GET', '/alerts', { query: { ...filter } }),
    get: (id: string): Promise<Alert> => this.call('GET', `/alerts/${encodeURIComponent(id)}`),
  };

  readonly gateway = {
    /** The deployment's challenge key (role gateway or admin), for a remote gateway's challenge page and passes. */
    challengeKey: (): Promise<ChallengeKey> => this.call('GET', '/gateway/challenge-key'),
  };

  readonly incidents = {
    /** Opens a case; `detectedAt` / `awareAt` are recorded once as legal timestamps. */
    open: (input: NewIncident): Promise<Incident> => this.call('POST', '/incidents', { body: input }),
    list: (filter: IncidentFilter = {}): Promise<Page<Incident>> =>
      this.call('GET', '/incidents', { query: { ...filter } }),
    /** The case: timeline, legal timestamps, significance and deadline clocks. */
    show: (id: string): Promise<CaseView> => this.call('GET', `/incidents/${encodeURIComponent(id)}/case`),
    /** Re-assesses; with a decision, confirms or overrides the verdict with a reason. */
    assess: (id: string, decision?: { significant: 'yes' | 'no'; reason: string }): Promise<CaseView> =>
      this.call('POST', `/incidents/${encodeURIComponent(id)}/assess`, {
        body: decision ? { decision } : {},
      }),
    /** A report draft with its Markdown; missing fields are listed in `missing`. */
    report: (id: string, stage: ReportStage): Promise<ReportDraft & { markdown: string }> =>
      this.call('GET', `/incidents/${encodeURIComponent(id)}/reports/${stage}`),
    /** The draft as a PDF marked DRAFT. */
    draftPdf: (id: string, stage: ReportStage): Promise<Buffer> =>
      this.call('GET', `/incidents/${encodeURIComponent(id)}/reports/${stage}`, {
        query: { format: 'pdf' },
        binary: true,
      }),
    /** Replaces one draft field before freezing (`value: null` restores the case's value). */
    override: (
      id: string,
      stage: ReportStage,
      change: { field: string; value: unknown; reason?: string },
    ): Promise<ReportDraft & { markdown: string }> =>
      this.call('POST', `/incidents/${encodeURIComponent(id)}/reports/${stage}/overrides`, { body: change }),
    /** Freezes the draft into its next immutable version. */
    freeze: (id: string, stage: ReportStage): Promise<IncidentReport> =>
      this.call('POST', `/incidents/${encodeURIComponent(id)}/reports/${stage}/freeze`, { body: {} }),
    /** The incident's frozen versions, oldest first. */
    reports: (id: string): Promise<{ items: ReportSummary[] }> =>
      this.call('GET', `/incidents/${encodeURIComponent(id)}/reports`),
    /** A frozen version as JSON. */
    frozenReport: (reportId: string): Promise<IncidentReport> =>
      this.call('GET', `/incident-reports/${encodeURIComponent(reportId)}`),
    /** A frozen version as Markdown, PDF or its STIX 2.1 bundle (bytes). */
    exportReport: (reportId: string, format: 'md' | 'pdf' | 'stix'): Promise<Buffer> =>
      this.call('GET', `/incident-reports/${encodeURIComponent(reportId)}`, {
        query: { format },
        binary: true,
      }),
    /** Records the submission of a frozen version (download, or email to the CSIRT). */
    submit: (
      reportId: string,
      input: { channel: 'download' | 'email'; submittedAt?: string; memberState?: string },
    ): Promise<{ entry: IncidentEntry; reportId: string; sentTo?: string }> =>
      this.call('POST', `/incident-reports/${encodeURIComponent(reportId)}/submissions`, { body: input }),
    /** The customer communication drafted from the case (NIS2 Art. 23(1)-(2), GDPR Art. 34). */
    customerCommunication: (id: string, language?: string): Promise<CustomerCommunication> =>
      this.call('GET', `/incidents/${encodeURIComponent(id)}/customer-communication`, {
        query: { language },
      }),
    /** Deadlines of open cases that are due soon or overdue. */
    deadlines: (): Promise<{ items: Reminder[] }> => this.call('GET', '/incidents/deadlines'),
  };

  readonly nis2 = {
    /** The Art. 21(2) (a)-(j) self-assessment, with its Markdown. */
    measures: (): Promise<MeasuresAssessment & { markdown: string }> => this.call('GET', '/nis2/measures'),
  };

  readonly events = {
    list: (filter: EventFilter = {}): Promise<Page<SecurityEvent>> =>
      this.call('GET', '/events', { query: { ...filter } }),
    /** Sends 1-1000 events (permission write:events); each is accepted, a duplicate or rejected. */
    send: (events: SecurityEvent[]): Promise<EventBatchResult> =>
      this.call('POST', '/events', { body: { events } }),
  };

  readonly notices = {
    list: (filter: NoticeFilter = {}): Promise<Page<NoticeView>> =>
      this.call('GET', '/notices', { query: { ...filter } }),
    get: (id: string): Promise<NoticeView> => this.call('GET', `/notices/${encodeURIComponent(id)}`),
    /** A failed or dead notice is sent again now. */
    retry: (id: string): Promise<NoticeView> => this.call('POST', `/notices/${encodeURIComponent(id)}/retry`),
  };

  readonly ledger = {
    /** The latest signed checkpoint note, with the witnesses' cosignatures. */
    checkpoint: (): Promise<string> => this.call('GET', '/ledger/checkpoint', { text: true }),
    /** Admin: sign a checkpoint now. */
    signCheckpoint: (): Promise<LedgerCheckpointView> => this.call('POST', '/ledger/checkpoints'),
    checkpoints: (page: PageOptions = {}): Promise<Page<LedgerCheckpointView>> =>
      this.call('GET', '/ledger/checkpoints', { query: { ...page } }),
    entry: (index: number): Promise<LedgerEntryView> => this.call('GET', `/ledger/entries/${index}`),
    /** `size` defaults to the latest checkpoint's. */
    inclusionProof: (index: number, size?: number): Promise<InclusionProofDocument> =>
      this.call('GET', '/ledger/proofs/inclusion', { query: { index, size } }),
    /** `to` defaults to the latest checkpoint's size. */
    consistencyProof: (from: number, to?: number): Promise<ConsistencyProofDocument> =>
      this.call('GET', '/ledger/proofs/consistency', { query: { from, to } }),
    /** A witness hands back the checkpoint note with its cosignature. */
    submitCosignature: (note: string): Promise<LedgerCheckpointView> =>
      this.call('POST', '/ledger/cosignatures', { body: { note } }),
  };

  /** Scan certificates: registered for public verification, revoked (`ensuresec cert …`). */
  readonly certificates = {
    register: (jws: string, publicKey: JWK): Promise<PublicCertificateView> =>
      this.call('POST', '/certificates', { body: { jws, publicKey } }),
    revoke: (id: string, reason: string): Promise<PublicCertificateView> =>
      this.call('POST', `/certificates/${encodeURIComponent(id)}/revoke`, { body: { reason } }),
    /** The public status (no token needed by the server; sent anyway when the client has one). */
    status: (id: string): Promise<PublicCertificateView> =>
      this.call('GET', `/public/certificates/${encodeURIComponent(id)}`),
  };

  /** Virtual patches in the running WAF (`ensuresec waf patches …`). */
  readonly waf = {
    patches: async (): Promise<AcceptedVirtualPatch[]> =>
      (await this.call<{ items: AcceptedVirtualPatch[] }>('GET', '/waf/virtual-patches')).items,
    acceptPatches: (rules: string): Promise<{ accepted: AcceptedVirtualPatch[]; rules: number }> =>
      this.call('POST', '/waf/virtual-patches', { body: { rules } }),
    removePatch: (ruleId: number): Promise<{ removed: AcceptedVirtualPatch; rules: number }> =>
      this.call('DELETE', `/waf/virtual-patches/${ruleId}`),
  };

  private async call<T>(
    method: string,
    path: string,
    input: { query?: Query; body?: unknown; text?: boolean; binary?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [name, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: input.binary ? '*/*' : input.text ? 'text/plain, application/json' : 'application/json',
    };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await request(url, {
        method: method as 'GET',
        headers,
        ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      throw new EnsuresecError('server_unreachable', {
        detail: `${this.baseUrl}: ${String(error)}`,
        cause: error,
      });
    }
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const text = bytes.toString('utf8');
    if (response.statusCode >= 400) throw this.errorFrom(response.statusCode, text);
    if (input.binary) return bytes as T;
    if (input.text) return text as T;
    if (response.statusCode === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }

  private errorFrom(statusCode: number, text: string): EnsuresecError {
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; detail?: unknown; details?: unknown } };
      const code = body.error?.code;
      if (isErrorCode(code)) {
        const detail = typeof body.error?.detail === 'string' ? body.error.detail : undefined;
        return new EnsuresecError(code, {
          ...(detail ? { detail } : {}),
          ...(body.error?.details === undefined ? {} : { details: body.error.details }),
        });
      }
    } catch {
      // Not our error format (a proxy in between?): fall through to a generic error.
    }
    return new EnsuresecError(statusCode >= 500 ? 'internal' : 'bad_request', {
      detail: `HTTP ${statusCode} from ${this.baseUrl}: ${text.slice(0, 200)}`,
    });
  }
}
