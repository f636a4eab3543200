/**
 * Deadline reminders (incidents stage): every interval, each open case's clocks are checked and
 * a clock that turns `due_soon` or `overdue` is logged once (a warning line with the incident,
 * the stage and the deadline). This is the stand-in until reminders go through the notice
 * channels; the same states are on every case (`GET /incidents/:id/case`).
 *
 * @example const stop = startDeadlineReminders({ store, clock, profile, logger, intervalMs: 60_000 });
 */
import type { Clock } from '../core/clock.js';
import type { EntityProfile } from '../regulation/profile.js';
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

export function startDeadlineReminders(options: DeadlineRemindersOptions): () => void {
  const seen = new Set<string>();
  const run = () =>
    dueReminders(options, seen).then(
      (reminders) => {
        for (const reminder of reminders) {
          options.logger.warn(
            reminder,
            `incident report ${reminder.state === 'overdue' ? 'overdue' : 'due soon'}: ${reminder.stage} for ${reminder.incidentId}, due ${reminder.dueLocal ?? reminder.dueAt}`,
          );
        }
      },
      (error: unknown) => options.logger.error({ err: error }, 'checking incident deadlines failed'),
    );
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
