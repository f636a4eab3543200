/**
 * The incident workflow (incidents, no I/O): new → triaged → contained → eradicated →
 * recovered → closed. A case may also be closed straight from new or triaged (a false positive
 * or a duplicate, with a reason) and reopened from closed to triaged (with a reason); every
 * other move is refused with `incident_transition_invalid`.
 *
 * @example assertTransition('new', 'triaged') // ok; assertTransition('new', 'recovered') throws
 */
import { EnsuresecError } from '../core/errors.js';
import type { Incident } from '../core/records/index.js';

export type IncidentStatus = Incident['status'];

export const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  new: ['triaged', 'closed'],
  triaged: ['contained', 'closed'],
  contained: ['eradicated'],
  eradicated: ['recovered'],
  recovered: ['closed'],
  closed: ['triaged'],
};

/** Moves that skip the normal order need a reason on record. */
export function needsReason(from: IncidentStatus, to: IncidentStatus): boolean {
  return (to === 'closed' && from !== 'recovered') || (from === 'closed' && to === 'triaged');
}

export function assertTransition(from: IncidentStatus, to: IncidentStatus, reason?: string): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new EnsuresecError('incident_transition_invalid', {
      detail: `An incident cannot go from "${from}" to "${to}"; from "${from}" it can go to: ${TRANSITIONS[from].join(', ')}.`,
    });
  }
  if (needsReason(from, to) && (reason === undefined || reason.trim() === '')) {
    throw new EnsuresecError('incident_transition_invalid', {
      detail: `Moving an incident from "${from}" to "${to}" needs a reason (e.g. false positive, duplicate, reopened because …).`,
    });
  }
}

/** The incident is handled (for the final report's clock) once it reaches recovered or closed. */
export function isHandled(status: IncidentStatus): boolean {
  return status === 'recovered' || status === 'closed';
}
