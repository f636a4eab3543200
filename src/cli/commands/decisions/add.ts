/**
 * `ensuresec decisions add`: ban, throttle, challenge or allow a client.
 * @example ensuresec decisions add --ip 203.0.113.7 --action ban --duration 4h --reason "card testing"
 */
import { Option, type Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import {
  DECISION_ACTIONS,
  DECISION_SCOPES,
  type DecisionAction,
  type DecisionScope,
} from '../../../core/records/index.js';
import { action } from '../../action.js';
import type { NewDecision } from '../../../api/client.js';

interface AddFlags {
  ip?: string;
  cidr?: string;
  ja4?: string;
  user?: string;
  session?: string;
  action: DecisionAction;
  duration?: string;
  rate?: string;
  reason?: string;
}

function subjectOf(flags: AddFlags): { scope: DecisionScope; value: string } {
  const given = DECISION_SCOPES.filter((scope) => flags[scope] !== undefined);
  if (given.length !== 1) {
    throw new EnsuresecError('validation_failed', {
      detail: 'Give exactly one of --ip, --cidr, --ja4, --user, --session.',
    });
  }
  const scope = given[0] as DecisionScope;
  return { scope, value: flags[scope] as string };
}

export function register(parent: Command): void {
  parent
    .command('add')
    .description('add a decision the gateways enforce within a second')
    .option('--ip <address>', 'one client address')
    .option('--cidr <block>', 'a block of addresses, e.g. 203.0.113.0/24')
    .option('--ja4 <fingerprint>', 'a TLS client fingerprint')
    .option('--user <account>', 'a shop account id')
    .option('--session <id>', 'a shop session id')
    .addOption(new Option('--action <action>', 'what to do').choices(DECISION_ACTIONS).default('ban'))
    .option('--duration <duration>', 'how long, e.g. 30m, 4h, 7d (default: until deleted)')
    .option('--rate <perMinute>', 'requests per minute allowed (throttle)')
    .option('--reason <text>', 'why, for the record')
    .action(
      action(async (context, flags: AddFlags) => {
        const input: NewDecision = { ...subjectOf(flags), action: flags.action, origin: 'cli' };
        if (flags.duration) input.duration = flags.duration;
        if (flags.reason) input.reason = flags.reason;
        if (flags.rate !== undefined) {
          const rate = Number.parseInt(flags.rate, 10);
          if (!Number.isInteger(rate) || rate < 1) {
            throw new EnsuresecError('validation_failed', {
              detail: '--rate must be a whole number of requests per minute.',
            });
          }
          input.ratePerMinute = rate;
        }
        const decision = await context.client().decisions.add(input);
        context.output.result({ ...decision });
      }),
    );
}
