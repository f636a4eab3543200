/**
 * Deadline clocks (regulation, no I/O). NIS2 Art. 23(4) runs from awareness of the significant
 * incident: early warning within 24 h, notification within 72 h (24 h for trust service
 * providers), final report one month after the notification was submitted, or a progress report
 * then if the incident is still being handled and the final report one month after handling;
 * intermediate reports when the CSIRT asks. GDPR Art. 33 runs separately: 72 h from awareness
 * of the breach. Every instant is computed in UTC and also shown in the entity's time zone.
 *
 * @example computeClocks({ awareAt: '2026-11-20T08:00:00Z', significant: 'yes', ... }).find((c) => c.stage === 'early_warning')?.dueAt
 *   // '2026-11-21T08:00:00.000Z'
 */
import { addMonthsUtc, HOUR_MS } from './calendar.js';
import { clock, firstSubmission, notRequired, type ClockInputs, type DeadlineClock } from './clock-state.js';

export { REPORT_STAGES } from './clock-state.js';
export type { ClockInputs, ClockState, DeadlineClock, ReportStage, Submission } from './clock-state.js';

const NIS2 = 'Directive (EU) 2022/2555 Art. 23(4)';

function nis2Clocks(inputs: ClockInputs): DeadlineClock[] {
  const stages = ['early_warning', 'notification', 'intermediate', 'progress', 'final'] as const;
  const reasonNot = !inputs.nis2Reporting
    ? 'NIS2 reporting does not apply to this entity (DORA).'
    : inputs.significant === 'no'
      ? 'The incident is not significant.'
      : undefined;
  if (reasonNot !== undefined) return stages.map((stage) => notRequired(stage, NIS2, reasonNot));
  const provisional = inputs.significant === 'undetermined';
  const awareMs = inputs.awareAt === undefined ? undefined : Date.parse(inputs.awareAt);
  const waitingForAwareness =
    awareMs === undefined
      ? 'Record when the entity became aware (awareAt): the clocks start there.'
      : undefined;
  const notificationHours = inputs.trustServiceProvider ? 24 : 72;
  const notificationSubmitted = firstSubmission(inputs, 'notification');
  const clocks: DeadlineClock[] = [
    clock(
      {
        stage: 'early_warning',
        reference: `${NIS2}(a)`,
        basis: 'awareAt + 24 h',
        dueMs: awareMs === undefined ? undefined : awareMs + 24 * HOUR_MS,
        leadMs: 6 * HOUR_MS,
        submittedMs: firstSubmission(inputs, 'early_warning'),
        provisional,
        ...(waitingForAwareness === undefined ? {} : { note: waitingForAwareness }),
      },
      inputs,
    ),
    clock(
      {
        stage: 'notification',
        reference: `${NIS2}(b)`,
        basis: `awareAt + ${notificationHours} h${inputs.trustServiceProvider ? ' (trust service provider)' : ''}`,
        dueMs: awareMs === undefined ? undefined : awareMs + notificationHours * HOUR_MS,
        leadMs: (notificationHours / 4) * HOUR_MS,
        submittedMs: notificationSubmitted,
        provisional,
        ...(waitingForAwareness === undefined ? {} : { note: waitingForAwareness }),
      },
      inputs,
    ),
  ];
  const requests = [...inputs.intermediateRequests].sort(
    (a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt),
  );
  clocks.push(
    ...(requests.length === 0
      ? [
          notRequired(
            'intermediate',
            `${NIS2}(c)`,
            'Only on request of the CSIRT or competent authority; none requested.',
          ),
        ]
      : requests.map((request) =>
          clock(
            {
              stage: 'intermediate',
              reference: `${NIS2}(c)`,
              basis:
                request.dueAt === undefined
                  ? 'on request, as the authority sets'
                  : 'the date the authority set',
              dueMs: request.dueAt === undefined ? undefined : Date.parse(request.dueAt),
              leadMs: 24 * HOUR_MS,
              submittedMs: firstSubmission(inputs, 'intermediate', Date.parse(request.requestedAt)),
              provisional,
              note: `Requested at ${request.requestedAt}.`,
            },
            inputs,
          ),
        )),
  );
  clocks.push(...finalAndProgress(inputs, notificationSubmitted, provisional));
  return clocks;
}

function finalAndProgress(
  inputs: ClockInputs,
  notificationSubmitted: number | undefined,
  provisional: boolean,
): DeadlineClock[] {
  const finalRef = `${NIS2}(d)`;
  const progressRef = `${NIS2}(e)`;
  const finalSubmitted = firstSubmission(inputs, 'final');
  const lead = 7 * 24 * HOUR_MS;
  if (notificationSubmitted === undefined) {
    const note = 'Starts when the incident notification is submitted.';
    return [
      clock(
        {
          stage: 'progress',
          reference: progressRef,
          basis: 'notification + 1 month, if still ongoing then',
          dueMs: undefined,
          leadMs: lead,
          provisional,
          note,
        },
        inputs,
      ),
      clock(
        {
          stage: 'final',
          reference: finalRef,
          basis: 'notification + 1 month',
          dueMs: undefined,
          leadMs: lead,
          submittedMs: finalSubmitted,
          provisional,
          note,
        },
        inputs,
      ),
    ];
  }
  const monthAfterNotification = addMonthsUtc(notificationSubmitted, 1);
  const handledMs = inputs.handledAt === undefined ? undefined : Date.parse(inputs.handledAt);
  const handledInTime = handledMs !== undefined && handledMs <= monthAfterNotification;
  const finalInTime = finalSubmitted !== undefined && finalSubmitted <= monthAfterNotification;
  if (handledInTime || finalInTime) {
    return [
      notRequired(
        'progress',
        progressRef,
        'The incident was handled within a month of the notification: the final report is due instead.',
      ),
      clock(
        {
          stage: 'final',
          reference: finalRef,
          basis: 'notification + 1 month',
          dueMs: monthAfterNotification,
          leadMs: lead,
          submittedMs: finalSubmitted,
          provisional,
        },
        inputs,
      ),
    ];
  }
  const ongoingAtMark = inputs.nowMs >= monthAfterNotification || handledMs !== undefined;
  const progress = clock(
    {
      stage: 'progress',
      reference: progressRef,
      basis: 'notification + 1 month, as the incident is still ongoing',
      dueMs: monthAfterNotification,
      leadMs: lead,
      submittedMs: firstSubmission(inputs, 'progress'),
      provisional,
      ...(ongoingAtMark
        ? {}
        : { note: 'Due instead of the final report if the incident is still ongoing then.', waiting: true }),
    },
    inputs,
  );
  const final = clock(
    {
      stage: 'final',
      reference: finalRef,
      basis: ongoingAtMark ? 'handledAt + 1 month (ongoing at the one-month mark)' : 'notification + 1 month',
      dueMs: ongoingAtMark
        ? handledMs === undefined
          ? undefined
          : addMonthsUtc(handledMs, 1)
        : monthAfterNotification,
      leadMs: lead,
      submittedMs: finalSubmitted,
      provisional,
      ...(ongoingAtMark && handledMs === undefined
        ? { note: 'Due one month after the incident is handled.' }
        : {}),
    },
    inputs,
  );
  return [progress, final];
}

function gdprClock(inputs: ClockInputs): DeadlineClock {
  const reference = 'Regulation (EU) 2016/679 Art. 33';
  if (inputs.gdprNotification === 'no' || inputs.gdprNotification === 'not_applicable') {
    return notRequired(
      'gdpr_notification',
      reference,
      inputs.gdprNotification === 'no'
        ? 'Unlikely to result in a risk: document it internally (Art. 33(5)).'
        : 'No personal data breach.',
    );
  }
  const awareAt = inputs.gdprAwareAt ?? inputs.awareAt;
  const awareMs = awareAt === undefined ? undefined : Date.parse(awareAt);
  const submittedMs = firstSubmission(inputs, 'gdpr_notification');
  const provisional = inputs.gdprNotification === 'undetermined';
  if (inputs.gdprProcessor) {
    return clock(
      {
        stage: 'gdpr_notification',
        reference: `${reference}(2)`,
        basis: 'without undue delay, to the controller',
        dueMs: undefined,
        leadMs: 0,
        submittedMs,
        provisional,
        note: 'As processor, notify the controller without undue delay.',
      },
      inputs,
    );
  }
  return clock(
    {
      stage: 'gdpr_notification',
      reference: `${reference}(1)`,
      basis: 'breach awareness + 72 h',
      dueMs: awareMs === undefined ? undefined : awareMs + 72 * HOUR_MS,
      leadMs: 18 * HOUR_MS,
      submittedMs,
      provisional,
      ...(awareMs === undefined ? { note: 'Record when the entity became aware of the breach.' } : {}),
    },
    inputs,
  );
}

/** Every clock of the incident, NIS2 stages first, then GDPR. */
export function computeClocks(inputs: ClockInputs): DeadlineClock[] {
  return [...nis2Clocks(inputs), gdprClock(inputs)];
}
