/**
 * Running one playbook for one alert (response / playbooks): the steps in order, each after
 * its `if`, each recorded through the ledger as it ends (`playbook.step`), a failing step
 * going on or stopping the run as its `onError` says. An `approval` step pauses the run
 * (status `waiting`); `resume` goes on after it. In a dry run every step is only planned:
 * its variables are filled and what it would do is recorded; nothing else changes.
 */
import { parseDurationMs } from '../../core/duration.js';
import { EnsuresecError } from '../../core/errors.js';
import type { Alert, PlaybookRun, PlaybookStepRecord } from '../../core/records/index.js';
import { parseExpression } from './expression.js';
import { defaultStepName, VARIABLE_ROOTS, type Playbook, type PlaybookStep } from './schema.js';
import { STEP_HANDLERS, type PlaybookDeps, type StepContext, type StepResult } from './steps/index.js';
import { renderText } from './template.js';

export function playbookAuthor(playbook: Pick<Playbook, 'name'>): { id: string; name: string } {
  return { id: `playbook:${playbook.name}`, name: `playbook:${playbook.name}` };
}

export function variablesOf(
  playbook: Playbook,
  alert: Alert,
  run: Pick<PlaybookRun, 'id' | 'dryRun'> | null,
  incidentId: string | null,
): Record<string, unknown> {
  return {
    alert,
    playbook: { name: playbook.name, description: playbook.description },
    run: run === null ? null : { id: run.id, dryRun: run.dryRun },
    incident: incidentId === null ? null : { id: incidentId },
  };
}

/** The incident an earlier step of the run opened or found, if any. */
function incidentOf(run: PlaybookRun): string | null {
  for (const step of [...run.steps].reverse()) {
    const id = step.output['incidentId'];
    if (typeof id === 'string') return id;
  }
  return null;
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof EnsuresecError)
    return { code: error.code, message: (error.detail ?? error.message).slice(0, 2048) };
  return {
    code: 'playbook_step_failed',
    message: (error instanceof Error ? error.message : String(error)).slice(0, 2048),
  };
}

export class PlaybookRunner {
  constructor(private readonly deps: PlaybookDeps) {}

  private nowIso(): string {
    return new Date(this.deps.clock.nowMs()).toISOString();
  }

  /** Stores the run's new state and its ledger entry together. */
  private async record(kind: 'playbook.step' | 'playbook.run_finished', run: PlaybookRun): Promise<void> {
    await this.deps.ledger.commit({
      kind,
      actor: playbookAuthor({ name: run.playbook }).id,
      write: async (tx) => ((await tx.playbookRuns.update(run)) ? run : undefined),
    });
  }

  /** Runs the steps from `fromIndex` on; returns the run as it ended or paused. */
  async resume(
    playbook: Playbook,
    alert: Alert,
    started: PlaybookRun,
    fromIndex: number,
  ): Promise<PlaybookRun> {
    let run = started;
    for (let index = fromIndex; index < playbook.steps.length; index++) {
      const step = playbook.steps[index] as PlaybookStep;
      const outcome = await this.runStep(playbook, alert, run, step, index);
      run = { ...run, steps: [...run.steps, outcome.record], updatedAt: this.nowIso() };
      if (outcome.pause !== undefined) {
        run = { ...run, status: 'waiting', approval: outcome.pause };
        await this.record('playbook.step', run);
        return run;
      }
      await this.record('playbook.step', run);
      if (outcome.record.status === 'failed' && step.onError === 'stop') {
        run = {
          ...run,
          status: 'failed',
          reason:
            `step ${outcome.record.name} failed: ${outcome.record.error?.message ?? 'unknown error'}`.slice(
              0,
              2048,
            ),
        };
        return this.finish(run);
      }
    }
    return this.finish({ ...run, status: 'completed' });
  }

  private async finish(run: PlaybookRun): Promise<PlaybookRun> {
    const now = this.nowIso();
    const finished: PlaybookRun = { ...run, updatedAt: now, finishedAt: now };
    await this.record('playbook.run_finished', finished);
    return finished;
  }

  private async runStep(
    playbook: Playbook,
    alert: Alert,
    run: PlaybookRun,
    step: PlaybookStep,
    index: number,
  ): Promise<{ record: PlaybookStepRecord; pause?: NonNullable<PlaybookRun['approval']> }> {
    const startedAt = this.nowIso();
    const variables = variablesOf(playbook, alert, run, incidentOf(run));
    const base = { index, name: step.name ?? defaultStepName(index, step.type), type: step.type, startedAt };
    const done = (status: PlaybookStepRecord['status'], result: StepResult): PlaybookStepRecord => ({
      ...base,
      status,
      finishedAt: this.nowIso(),
      detail: result.detail.slice(0, 2048),
      output: result.output ?? {},
    });
    if (step.if !== undefined) {
      const parsed = parseExpression(step.if, VARIABLE_ROOTS);
      if (!parsed.ok || !parsed.expression.evaluate(variables))
        return { record: done('skipped', { detail: `skipped: "${step.if}" is false` }) };
    }
    try {
      if (step.type === 'approval') {
        const message = renderText(step.message, variables);
        const plan = `wait up to ${step.timeout} for an approval (then ${step.default}): ${message}`;
        if (run.dryRun) return { record: done('planned', { detail: `would ${plan}` }) };
        const deadlineMs = this.deps.clock.nowMs() + (parseDurationMs(step.timeout) as number);
        return {
          record: { ...done('waiting', { detail: plan }), finishedAt: null },
          pause: {
            stepIndex: index,
            requestedAt: startedAt,
            deadline: new Date(deadlineMs).toISOString(),
            default: step.default,
            message: message.slice(0, 2048),
          },
        };
      }
      const context: StepContext = {
        playbook,
        alert,
        run,
        stepIndex: index,
        variables,
        author: playbookAuthor(playbook),
        deps: this.deps,
      };
      // The registry maps each type to its handler; TypeScript cannot follow the pairing through the union.
      const handler = STEP_HANDLERS[step.type] as unknown as {
        plan(step: PlaybookStep, ctx: StepContext): string;
        execute(step: PlaybookStep, ctx: StepContext): Promise<StepResult>;
      };
      if (run.dryRun) {
        const detail = `would ${handler.plan(step, context)}`;
        // Later steps of a dry run refer to the incident this one would open as a placeholder.
        const output: Record<string, string> =
          step.type === 'incident' ? { incidentId: `(incident of step ${base.name})` } : {};
        return { record: done('planned', { detail, output }) };
      }
      return { record: done('succeeded', await handler.execute(step, context)) };
    } catch (error) {
      const failure = errorOf(error);
      this.deps.logger.warn(
        { playbook: playbook.name, runId: run.id, step: base.name, code: failure.code },
        'a playbook step failed',
      );
      return { record: { ...done('failed', { detail: `failed: ${failure.message}` }), error: failure } };
    }
  }
}
