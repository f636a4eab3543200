/**
 * `mode`: switch a fail-safe mode on for a time (and, optionally, until the alert's rule has
 * been quiet), through the ModeService: ledger-recorded with the playbook as author, in force
 * at every gateway within a second.
 *
 * @example
 *   - type: mode
 *     mode: login-shield
 *     ttl: 30m
 */
import { parseDurationMs } from '../../../core/duration.js';
import { EnsuresecError } from '../../../core/errors.js';
import { renderText } from '../template.js';
import type { StepHandler } from './types.js';

export const modeStep: StepHandler<'mode'> = {
  plan(step) {
    const recovery = step.recoverWhenQuiet
      ? ` (or until the rule is quiet for ${step.recoverWhenQuiet})`
      : '';
    return `switch on fail-safe mode ${step.mode} for ${step.ttl}${recovery}`;
  },

  async execute(step, ctx) {
    const modes = ctx.deps.modes;
    if (modes === undefined)
      throw new EnsuresecError('playbook_step_failed', { detail: 'Fail-safe modes are not available here.' });
    const reason = step.reason
      ? renderText(step.reason, ctx.variables)
      : `playbook ${ctx.playbook.name}: ${ctx.alert.title}`.slice(0, 1024);
    const record = await modes.enable({
      name: step.mode,
      ttlMs: parseDurationMs(step.ttl) as number,
      reason,
      author: ctx.author,
      recovery: step.recoverWhenQuiet
        ? { ruleId: ctx.alert.ruleId, quietMs: parseDurationMs(step.recoverWhenQuiet) as number }
        : null,
    });
    return {
      detail: `switched on ${record.name} until ${record.until ?? 'disabled'}`,
      output: { mode: record.name, until: record.until ?? '' },
    };
  },
};
