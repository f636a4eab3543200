/**
 * Playbook routes (api/v1): every reader sees the loaded playbooks (with the files refused at
 * load) and the runs, step by step; analysts and admins (`write:security`, as for decisions and
 * modes) approve or reject a run waiting for them, and dry-run a playbook against an alert.
 * Without playbooks in this server (`playbooks.enabled` off) the lists are empty and the
 * writes answer `playbook_unknown`.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import {
  PLAYBOOK_RUN_STATUSES,
  alertSchema,
  playbookRunSchema,
  type Alert,
} from '../../../core/records/index.js';
import type { PlaybookService } from '../../../response/playbooks/service.js';
import { PLAYBOOK_NAME_PATTERN } from '../../../response/playbooks/schema.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';
import type { ResolvedApiDeps } from '../../types.js';

const problemSchema = z.object({
  file: z.string(),
  line: z.number().nullable(),
  key: z.string(),
  message: z.string(),
  text: z.string(),
});

const playbookViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  dryRun: z.boolean(),
  source: z.string(),
  builtin: z.boolean(),
  playbook: z.record(z.string(), z.unknown()),
});

function serviceOf(deps: ResolvedApiDeps): PlaybookService {
  if (deps.playbooks === undefined) {
    throw new EnsuresecError('playbook_unknown', {
      detail: 'Playbooks are off in this server: set playbooks.enabled: true in ensuresec.yaml.',
    });
  }
  return deps.playbooks;
}

const list = defineRoute('playbooks', {
  method: 'GET',
  url: '/playbooks',
  summary: 'The loaded playbooks, and the files refused at load with file:line and why',
  access: 'read',
  response: {
    schema: z.object({
      enabled: z.boolean(),
      items: z.array(playbookViewSchema),
      problems: z.array(problemSchema),
    }),
  },
  async handler({ deps }) {
    if (deps.playbooks === undefined) return { enabled: false, items: [], problems: [] };
    return { enabled: true, ...deps.playbooks.list() };
  },
});

const listRuns = defineRoute('playbooks', {
  method: 'GET',
  url: '/playbooks/runs',
  summary: 'Playbook runs, newest first, with their steps and outcomes',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    playbook: z.string().regex(PLAYBOOK_NAME_PATTERN).optional(),
    status: z.enum(PLAYBOOK_RUN_STATUSES).optional(),
    alertId: z.string().min(1).max(64).optional(),
  }),
  response: { schema: pageOf(playbookRunSchema) },
  async handler({ query, deps }) {
    if (deps.playbooks === undefined) return deps.store.playbookRuns.list(query);
    return deps.playbooks.listRuns(query);
  },
});

const getRun = defineRoute('playbooks', {
  method: 'GET',
  url: '/playbooks/runs/:id',
  summary: 'One playbook run, step by step',
  access: 'read',
  params: idParams('pbr'),
  response: { schema: playbookRunSchema },
  async handler({ params, deps }) {
    const run = await deps.store.playbookRuns.get(params.id);
    if (run === undefined)
      throw new EnsuresecError('not_found', { detail: `Playbook run ${params.id} does not exist.` });
    return run;
  },
});

const decisionBody = z.strictObject({ reason: z.string().min(1).max(1024).optional() });

function approvalRoute(decision: 'approve' | 'reject') {
  return defineRoute('playbooks', {
    method: 'POST',
    url: `/playbooks/runs/:id/${decision}`,
    summary:
      decision === 'approve'
        ? 'Approve a run waiting at an approval step; the run goes on and this answers how it ended or paused'
        : 'Reject a run waiting at an approval step; the run ends as rejected',
    access: 'write:security',
    params: idParams('pbr'),
    body: decisionBody,
    response: { schema: playbookRunSchema },
    async handler({ params, body, principal, deps }) {
      return serviceOf(deps).approve(
        params.id,
        decision,
        { id: principal.user.id, name: principal.user.name },
        body.reason,
      );
    },
  });
}

/** A dry run's alert: any alert; `id` and `time` may be left out. */
const dryRunAlert = alertSchema.partial({ id: true, time: true });

const dryRun = defineRoute('playbooks', {
  method: 'POST',
  url: '/playbooks/:name/dry-run',
  summary:
    'Record what the playbook would do for the alert in the body (its trigger is not checked); changes nothing',
  access: 'write:security',
  params: z.strictObject({ name: z.string().regex(PLAYBOOK_NAME_PATTERN, 'a playbook name') }),
  body: dryRunAlert,
  response: { status: 201, schema: playbookRunSchema },
  async handler({ params, body, deps }) {
    const nowMs = deps.clock.nowMs();
    const alert: Alert = {
      ...body,
      id: body.id ?? newId('alr', nowMs),
      time: body.time ?? new Date(nowMs).toISOString(),
    };
    return serviceOf(deps).dryRun(params.name, alert);
  },
});

export const playbookRoutes = [
  list,
  listRuns,
  getRun,
  approvalRoute('approve'),
  approvalRoute('reject'),
  dryRun,
];
