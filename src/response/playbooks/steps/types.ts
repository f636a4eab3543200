/**
 * What a playbook step is (response / playbooks): a `plan` that says in one sentence what it
 * will do (rendering its variables, so a missing one fails before anything changes; a dry run
 * records exactly this) and an `execute` that does it and says what it made.
 */
import type { Logger } from 'pino';
import type { Bus } from '../../../bus/bus.js';
import type { Clock } from '../../../core/clock.js';
import type { Alert, PlaybookRun } from '../../../core/records/index.js';
import type { IncidentCases } from '../../../incidents/service.js';
import type { LedgerWriter } from '../../../ledger/service.js';
import type { Store } from '../../../store/store.js';
import type { ModeService } from '../../modes/service.js';
import type { Notifier } from '../../notices/notify.js';
import type { Playbook, PlaybookStepType, StepOf } from '../schema.js';

/** Where `call-shop` steps send their signed webhooks (`playbooks.shop` in ensuresec.yaml). */
export interface ShopCallSettings {
  url: string;
  /** `whsec_…`, resolved from the secret store; never logged or recorded. */
  secret: string;
  timeoutMs: number;
}

export interface PlaybookDeps {
  store: Store;
  ledger: LedgerWriter;
  bus: Bus;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Absent: `mode` steps fail (no fail-safe modes in this process). */
  modes?: ModeService;
  /** Absent: notify steps fail (no notices in this process). */
  notifier?: Notifier;
  incidents: IncidentCases;
  /** Absent: `call-shop` steps fail with `shop_call_failed`. */
  shop?: ShopCallSettings;
  /** The partners of role `carrier` that have a webhook (`call-carrier`); absent or empty: those steps fail. */
  carriers?: readonly { id: string; webhookUrl: string }[];
}

export interface StepContext {
  readonly playbook: Playbook;
  readonly alert: Alert;
  readonly run: PlaybookRun;
  /** The step's position in the playbook (0-based). */
  readonly stepIndex: number;
  /** `alert`, `playbook`, `run` and `incident` (null until a step opened or found one). */
  readonly variables: Record<string, unknown>;
  /** Who the playbook acts as, in decisions, modes, incidents and notices. */
  readonly author: { id: string; name: string };
  readonly deps: PlaybookDeps;
}

export interface StepResult {
  /** What the step did, in one sentence. */
  detail: string;
  /** Ids it made and short facts (never a customer's address). */
  output?: Record<string, string | number | boolean>;
  /** An incident step names the incident later steps refer to. */
  incidentId?: string;
}

export interface StepHandler<T extends PlaybookStepType> {
  plan(step: StepOf<T>, ctx: StepContext): string;
  execute(step: StepOf<T>, ctx: StepContext): Promise<StepResult>;
}
