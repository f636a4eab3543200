/**
 * Playbooks in a running server (response stage): takes every new alert from the bus
 * (`TOPICS.alerts`, consumer group `playbooks`), starts a run of each enabled playbook whose
 * trigger takes it, and answers the API: the loaded playbooks and their load problems, runs,
 * approvals and dry runs. A run is stored with a unique (playbook, alert) key in the same
 * ledger commit as its `playbook.run` entry, so a redelivered alert never runs twice; after a
 * run for an entity, the playbook's cooldown keeps further alerts about it from starting more.
 * A ticker applies an approval's default when its time is up.
 *
 * @example
 *   const playbooks = new PlaybookService(deps, loadPlaybooks({ builtins: true, dirs: [] }));
 *   playbooks.start();
 *   await playbooks.approve('pbr_01…', 'approve', { id: user.id, name: user.name });
 */
import { TOPICS } from '../../bus/bus.js';
import { parseDurationMs } from '../../core/duration.js';
import { EnsuresecError } from '../../core/errors.js';
import { ulid } from '../../core/ids.js';
import type { Alert, PlaybookRun } from '../../core/records/index.js';
import type { Page, PlaybookRunQuery } from '../../store/store.js';
import {
  formatPlaybookProblem,
  type LoadedPlaybook,
  type LoadedPlaybooks,
  type PlaybookProblem,
} from './load.js';
import { PlaybookRunner, playbookAuthor, variablesOf } from './runner.js';
import type { Playbook } from './schema.js';
import type { PlaybookDeps } from './steps/index.js';
import { triggerMatches } from './trigger.js';

export interface PlaybookView {
  name: string;
  description: string;
  enabled: boolean;
  dryRun: boolean;
  source: string;
  builtin: boolean;
  playbook: Playbook;
}

export interface PlaybookListing {
  items: PlaybookView[];
  /** Files refused at load, as `file:line: key: message`. */
  problems: (PlaybookProblem & { text: string })[];
}

export interface Approver {
  id: string;
  name: string;
}

export interface PlaybookServiceOptions {
  /** How often runs waiting past their approval deadline get the default; default 1000. */
  approvalCheckIntervalMs?: number;
  /** Alerts handled at once; default 16. */
  concurrency?: number;
}

const SYSTEM: Approver = { id: 'system', name: 'system' };

export class PlaybookService {
  private readonly byName: Map<string, LoadedPlaybook>;
  private readonly runner: PlaybookRunner;
  private readonly entityLocks = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    private readonly deps: PlaybookDeps,
    private readonly loaded: LoadedPlaybooks,
    private readonly options: PlaybookServiceOptions = {},
  ) {
    this.byName = new Map(loaded.playbooks.map((entry) => [entry.playbook.name, entry]));
    this.runner = new PlaybookRunner(deps);
  }

  list(): PlaybookListing {
    return {
      items: this.loaded.playbooks.map(({ playbook, source, builtin }) => ({
        name: playbook.name,
        description: playbook.description,
        enabled: playbook.enabled,
        dryRun: playbook.dryRun,
        source,
        builtin,
        playbook,
      })),
      problems: this.loaded.problems.map((problem) => ({ ...problem, text: formatPlaybookProblem(problem) })),
    };
  }

  listRuns(query: PlaybookRunQuery): Promise<Page<PlaybookRun>> {
    return this.deps.store.playbookRuns.list(query);
  }

  async getRun(id: string): Promise<PlaybookRun> {
    const run = await this.deps.store.playbookRuns.get(id);
    if (run === undefined)
      throw new EnsuresecError('not_found', { detail: `Playbook run ${id} does not exist.` });
    return run;
  }

  /** Starts a run of every enabled playbook that takes the alert; returns the runs as they ended or paused. */
  async handleAlert(alert: Alert): Promise<PlaybookRun[]> {
    const variables = variablesOf({ name: '', description: '' } as Playbook, alert, null, null);
    const wanted = this.loaded.playbooks.filter(
      ({ playbook }) =>
        playbook.enabled &&
        triggerMatches(playbook.trigger, alert, { ...variables, playbook: { name: playbook.name } }),
    );
    const runs = await Promise.all(
      wanted.map(({ playbook }) => this.startRun(playbook, alert, playbook.dryRun)),
    );
    return runs.filter((run): run is PlaybookRun => run !== undefined);
  }

  /** Records what the playbook would do for `alert` (whether or not its trigger takes it); changes nothing. */
  async dryRun(name: string, alert: Alert): Promise<PlaybookRun> {
    const entry = this.byName.get(name);
    if (entry === undefined)
      throw new EnsuresecError('playbook_unknown', { detail: `"${name.slice(0, 64)}" is not loaded.` });
    return (await this.startRun(entry.playbook, alert, true)) as PlaybookRun;
  }

  private async startRun(
    playbook: Playbook,
    alert: Alert,
    dryRun: boolean,
  ): Promise<PlaybookRun | undefined> {
    const entityKey =
      alert.entity === undefined ? null : `${alert.entity.type}:${alert.entity.value}`.slice(0, 1100);
    const nowMs = this.deps.clock.nowMs();
    const now = new Date(nowMs).toISOString();
    const run: PlaybookRun = {
      id: `pbr_${ulid(nowMs)}`,
      playbook: playbook.name,
      alertId: alert.id,
      ruleId: alert.ruleId,
      entityKey,
      dryRun,
      status: 'running',
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      steps: [],
      approval: null,
    };
    const created = dryRun
      ? await this.insert(run, null)
      : await this.withEntityLock(`${playbook.name}\n${entityKey ?? alert.id}`, async () => {
          const cooldownMs = parseDurationMs(playbook.cooldown) ?? 0;
          if (entityKey !== null && cooldownMs > 0) {
            const recent = await this.deps.store.playbookRuns.latestForEntity(
              playbook.name,
              entityKey,
              nowMs - cooldownMs,
            );
            if (recent !== undefined) {
              this.deps.logger.info(
                { playbook: playbook.name, alertId: alert.id, previousRun: recent.id },
                'playbook in cooldown for this entity',
              );
              return false;
            }
          }
          return this.insert(run, `${playbook.name}\n${alert.id}`);
        });
    if (!created) return undefined;
    return this.runner.resume(playbook, alert, run, 0);
  }

  private async insert(run: PlaybookRun, dedupeKey: string | null): Promise<boolean> {
    const stored = await this.deps.ledger.commit({
      kind: 'playbook.run',
      actor: playbookAuthor({ name: run.playbook }).id,
      write: async (tx) => ((await tx.playbookRuns.insert(run, dedupeKey)) ? run : undefined),
    });
    return stored !== undefined;
  }

  /** One check-and-start at a time per playbook and entity, so two alerts at once do not both pass the cooldown. */
  private async withEntityLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.entityLocks.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.entityLocks.set(key, current);
    try {
      return await current;
    } finally {
      if (this.entityLocks.get(key) === current) this.entityLocks.delete(key);
    }
  }

  approve(
    runId: string,
    decision: 'approve' | 'reject',
    approver: Approver,
    reason?: string,
  ): Promise<PlaybookRun> {
    return this.decide(runId, decision, approver, reason);
  }

  private async decide(
    runId: string,
    decision: 'approve' | 'reject',
    approver: Approver,
    reason?: string,
  ): Promise<PlaybookRun> {
    if (approver.id.trim() === '' || approver.name.trim() === '')
      throw new EnsuresecError('validation_failed', { detail: 'An approval needs an author.' });
    const run = await this.getRun(runId);
    const approval = run.approval;
    if (run.status !== 'waiting' || approval === null)
      throw new EnsuresecError('playbook_run_not_waiting', { detail: `Run ${runId} is ${run.status}.` });
    const now = new Date(this.deps.clock.nowMs()).toISOString();
    const by = approver === SYSTEM ? 'the timeout default' : approver.name;
    const steps = run.steps.map((step) =>
      step.index === approval.stepIndex && step.status === 'waiting'
        ? {
            ...step,
            status: decision === 'approve' ? ('approved' as const) : ('rejected' as const),
            finishedAt: now,
            detail:
              `${decision === 'approve' ? 'approved' : 'rejected'} by ${by}${reason ? `: ${reason}` : ''}`.slice(
                0,
                2048,
              ),
          }
        : step,
    );
    const next: PlaybookRun = {
      ...run,
      steps,
      status: decision === 'approve' ? 'running' : 'rejected',
      updatedAt: now,
      finishedAt: decision === 'approve' ? null : now,
      approval: {
        ...approval,
        decision,
        decidedBy: approver.name,
        decidedAt: now,
        ...(reason === undefined ? {} : { reason: reason.slice(0, 1024) }),
      },
      ...(decision === 'reject' ? { reason: `the approval was rejected by ${by}` } : {}),
    };
    const committed = await this.deps.ledger.commit({
      kind: 'playbook.approval',
      actor: approver.id,
      write: async (tx) => ((await tx.playbookRuns.update(next, 'waiting')) ? next : undefined),
    });
    if (committed === undefined)
      throw new EnsuresecError('playbook_run_not_waiting', { detail: `Run ${runId} was decided meanwhile.` });
    if (decision === 'reject') return next;
    const entry = this.byName.get(run.playbook);
    const alert = await this.deps.store.alerts.get(run.alertId);
    if (entry === undefined || alert === undefined) {
      const failed: PlaybookRun = {
        ...next,
        status: 'failed',
        finishedAt: now,
        reason:
          entry === undefined
            ? `playbook ${run.playbook} is no longer loaded`
            : `alert ${run.alertId} is gone`,
      };
      await this.deps.ledger.commit({
        kind: 'playbook.run_finished',
        actor: approver.id,
        write: async (tx) => ((await tx.playbookRuns.update(failed)) ? failed : undefined),
      });
      return failed;
    }
    return this.runner.resume(entry.playbook, alert, next, approval.stepIndex + 1);
  }

  /** Applies the default to every run whose approval deadline passed; returns how many. */
  async expireApprovals(): Promise<number> {
    const nowMs = this.deps.clock.nowMs();
    let expired = 0;
    for (const run of await this.deps.store.playbookRuns.listWaiting(100)) {
      if (run.approval === null || Date.parse(run.approval.deadline) > nowMs) continue;
      try {
        await this.decide(run.id, run.approval.default, SYSTEM, 'no decision before the timeout');
        expired++;
      } catch (error) {
        if (!(error instanceof EnsuresecError && error.code === 'playbook_run_not_waiting')) throw error;
      }
    }
    return expired;
  }

  /** Subscribes to new alerts and starts the approval ticker. */
  start(): void {
    this.deps.bus.subscribe<Alert>(
      TOPICS.alerts,
      async (message) => {
        // Closing: acknowledge without acting, so a bus drain at shutdown never waits on us.
        if (!this.closing) await this.track(this.handleAlert(message.data));
      },
      { group: 'playbooks', concurrency: this.options.concurrency ?? 16 },
    );
    this.timer = setInterval(() => {
      void this.track(this.expireApprovals()).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'applying playbook approval defaults failed'),
      );
    }, this.options.approvalCheckIntervalMs ?? 1000);
    this.timer.unref();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /**
   * Stops acting on alerts and waits for the runs under way. The subscription stays (and
   * acknowledges) until the bus closes: a consumer group without members would hold messages
   * published during shutdown and keep a drain waiting.
   */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight]);
  }
}
