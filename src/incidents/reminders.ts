/**
 * Deadline reminders (incidents stage): every interval, each open case's clocks are checked and
 * a clock that turns `due_soon` or `overdue` is reported once: a warning line (component
 * `incidents`) and, when `entity.reportingTeam` lists people and email is configured, an email
 * to each of them through the persistent outbox (audience `team`). The outbox's idempotency key
 * (incident, stage, state, deadline, address) keeps a restarted server from sending it again.
 * The same states are on every case (`GET /incidents/:id/case`) and in `GET /incidents/deadlines`.
 *
 * @example const stop = startDeadlineReminders({ store, clock, profile, logger, mail, intervalMs: 60_000 });
 */
import type { Clock } from '../core/clock.js';
import type { EntityProfile } from '../regulation/profile.js';
import type { EmailQueue } from '../response/notices/email-queue.js';
import { escapeHtml, htmlDocument } from '../response/notices/text.js';
import type { Store } from '../store/store.js';
import { foldCase } from './case.js';

export interface ReminderLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface DeadlineRemindersOptions {
  store: Store;
  clock: Clock;
  profile: EntityProfile | undefined;
  logger: ReminderLogger;
  intervalMs: number;
  /** The outbox's email queue; without it (or without `entity.reportingTeam`) reminders are log lines only. */
  mail?: EmailQueue | undefined;
}

export interface Reminder {
  incidentId: string;
  title: string;
  stage: string;
  state: 'due_soon' | 'overdue';
  dueAt: string;
  dueLocal: string | null;
}

const PAGE = 200;

/** Finds the clocks of open cases that are due soon or overdue and were not reported yet (`seen` is updated). */
export async function dueReminders(
  options: Omit<DeadlineRemindersOptions, 'intervalMs' | 'logger'>,
  seen: Set<string>,
): Promise<Reminder[]> {
  const found: Reminder[] = [];
  let cursor: string | undefined;
  do {
    const page = await options.store.incidents.list({
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const incident of page.items) {
      if (incident.status === 'closed') continue;
      const view = foldCase(
        incident,
        await options.store.incidentEntries.listFor(incident.id),
        options.profile,
        options.clock.nowMs(),
      );
      for (const clock of view.clocks) {
        if ((clock.state !== 'due_soon' && clock.state !== 'overdue') || clock.dueAt === null) continue;
        const key = `${incident.id}:${clock.stage}:${clock.state}:${clock.dueAt}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({
          incidentId: incident.id,
          title: incident.title,
          stage: clock.stage,
          state: clock.state,
          dueAt: clock.dueAt,
          dueLocal: clock.dueLocal,
        });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return found;
}

/** The reminder email: what is due, when (in the entity's zone and UTC), and where to find the draft. */
export function reminderEmail(reminder: Reminder): { subject: string; text: string; html: string } {
  const when = reminder.dueLocal ?? reminder.dueAt;
  const stage = reminder.stage.replaceAll('_', ' ');
  const subject =
    reminder.state === 'overdue'
      ? `OVERDUE: ${stage} report for ${reminder.incidentId} was due ${when}`
      : `Due soon: ${stage} report for ${reminder.incidentId}, due ${when}`;
  const lines = [
    `Incident ${reminder.incidentId}: ${reminder.title}`,
    `Report: ${stage}`,
    `Deadline: ${when} (${reminder.dueAt} UTC)`,
    reminder.state === 'overdue'
      ? 'The deadline has passed: submit the report now, with the reasons for the delay.'
      : 'The deadline is near.',
    '',
    `Draft it with: ensuresec incidents report ${reminder.incidentId} ${reminder.stage}`,
    `Freeze and submit it with: ensuresec incidents report ${reminder.incidentId} ${reminder.stage} --freeze, then ensuresec incidents submit REPORT_ID --channel email|download`,
  ];
  const html = htmlDocument(
    'en',
    escapeHtml(subject),
    lines
      .filter((line) => line !== '')
      .map((line) => `<p>${escapeHtml(line)}</p>`)
      .join('\n'),
  );
  return { subject, text: lines.join('\n') + '\n', html };
}

async function emailReminder(
  options: Pick<DeadlineRemindersOptions, 'mail' | 'profile'>,
  reminder: Reminder,
): Promise<void> {
  const team = options.profile?.reportingTeam ?? [];
  if (options.mail === undefined || team.length === 0) return;
  const email = reminderEmail(reminder);
  for (const member of team) {
    await options.mail.queue({
      audience: 'team',
      reference: reminder.incidentId,
      recipient: member.email,
      ...email,
      attachments: [],
      idempotencyParts: [
        'reminder',
        reminder.incidentId,
        reminder.stage,
        reminder.state,
        reminder.dueAt,
        member.email,
      ],
      actor: 'system',
    });
  }
}

/** One round: finds the clocks to remind of, logs each and queues its emails; answers what it reminded of. */
export async function remindOnce(
  options: Omit<DeadlineRemindersOptions, 'intervalMs'>,
  seen: Set<string>,
): Promise<Reminder[]> {
  const reminders = await dueReminders(options, seen);
  for (const reminder of reminders) {
    options.logger.warn(
      reminder,
      `incident report ${reminder.state === 'overdue' ? 'overdue' : 'due soon'}: ${reminder.stage} for ${reminder.incidentId}, due ${reminder.dueLocal ?? reminder.dueAt}`,
    );
    await emailReminder(options, reminder).catch((error: unknown) =>
      options.logger.error(
        { err: error, incidentId: reminder.incidentId },
        'queuing a deadline reminder failed',
      ),
    );
  }
  return reminders;
}

export function startDeadlineReminders(options: DeadlineRemindersOptions): () => void {
  const seen = new Set<string>();
  const run = () =>
    remindOnce(options, seen).catch((error: unknown) =>
      options.logger.error({ err: error }, 'checking incident deadlines failed'),
    );
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
