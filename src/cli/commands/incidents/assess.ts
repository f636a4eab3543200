/**
 * `ensuresec incidents assess ID [--significant yes|no --reason TEXT]`: re-assess a case on the
 * server, optionally confirming or overriding it. `ensuresec incidents assess --file FILE` reads an
 * incident description (docs/incidents.md) and assesses it here, without a server, against the
 * entity profile of ensuresec.yaml or `--profile FILE`.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { assessIncident } from '../../../regulation/assess.js';
import { computeClocks } from '../../../regulation/deadlines.js';
import { incidentDescriptionSchema } from '../../../regulation/description.js';
import {
  entityProfileSchema,
  isTrustServiceProvider,
  type EntityProfile,
} from '../../../regulation/profile.js';
import { action } from '../../action.js';
import type { CommandContext } from '../../context.js';
import { printAssessment, printClocks } from './print.js';

export interface AssessFlags {
  file?: string;
  profile?: string;
  awareAt?: string;
  significant?: 'yes' | 'no';
  reason?: string;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EnsuresecError('bad_request', {
      detail: `The ${what} ${path} cannot be read as JSON: ${(error as Error).message}`,
      cause: error,
    });
  }
}

function parsed<T>(
  result:
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  what: string,
): T {
  if (result.success) return result.data;
  throw new EnsuresecError('validation_failed', {
    detail: `The ${what} is invalid.`,
    details: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  });
}

function profileFor(context: CommandContext, flags: AssessFlags): EntityProfile {
  if (flags.profile)
    return parsed(entityProfileSchema.safeParse(readJson(flags.profile, 'entity profile')), 'entity profile');
  const configured = context.loadConfig().config.entity;
  if (configured === undefined) {
    throw new EnsuresecError('entity_profile_missing', {
      detail: 'Pass --profile FILE or add entity: to ensuresec.yaml.',
    });
  }
  return configured;
}

/** Assesses an incident description file here, without a server (also `ensuresec nis2 assess`). */
export function assessFile(context: CommandContext, file: string, flags: AssessFlags): void {
  const description = parsed(
    incidentDescriptionSchema.safeParse(readJson(file, 'incident description')),
    'incident description',
  );
  const profile = profileFor(context, flags);
  const assessment = assessIncident(description, profile);
  const clocks = computeClocks({
    ...(flags.awareAt ? { awareAt: flags.awareAt } : {}),
    submissions: [],
    intermediateRequests: [],
    significant: assessment.significant,
    nis2Reporting: assessment.nis2Reporting,
    gdprNotification: assessment.gdpr.notifyAuthority,
    gdprProcessor: profile.gdprRole === 'processor',
    trustServiceProvider: isTrustServiceProvider(profile),
    timeZone: profile.timeZone,
    nowMs: Date.now(),
  });
  if (context.output.json) return context.output.result({ assessment, clocks });
  printAssessment(context.output, assessment);
  printClocks(context.output, clocks);
}

export function register(parent: Command): void {
  parent
    .command('assess')
    .description('assess significance (NIS2, Regulation 2024/2690, GDPR) criterion by criterion')
    .argument('[id]', 'the incident id (inc_…) on the server')
    .option('--file <path>', 'assess an incident description (JSON) here, without a server')
    .option('--profile <path>', 'with --file: the entity profile (JSON); default: entity: in ensuresec.yaml')
    .option(
      '--aware-at <time>',
      'with --file: when the entity became aware (ISO 8601), to compute the deadlines',
    )
    .addOption(
      new Option('--significant <verdict>', 'confirm or override the verdict').choices(['yes', 'no']),
    )
    .option('--reason <text>', 'why (required with --significant)')
    .action(
      action(async (context, id: string | undefined, flags: AssessFlags) => {
        if (flags.file) return assessFile(context, flags.file, flags);
        if (!id) throw new EnsuresecError('bad_request', { detail: 'Give an incident id, or --file FILE.' });
        if (flags.significant && !flags.reason)
          throw new EnsuresecError('bad_request', { detail: '--significant needs --reason.' });
        const view = await context
          .client()
          .incidents.assess(
            id,
            flags.significant && flags.reason
              ? { significant: flags.significant, reason: flags.reason }
              : undefined,
          );
        if (context.output.json) return context.output.result({ ...view });
        if (view.assessment) printAssessment(context.output, view.assessment);
        printClocks(context.output, view.clocks);
      }),
    );
}
