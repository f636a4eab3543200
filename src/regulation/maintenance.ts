/**
 * Scheduled maintenance (regulation, no I/O): an interruption that was planned or contractually
 * agreed, or that lies wholly inside a maintenance window of the entity profile, is not a
 * significant incident (Regulation (EU) 2024/2690 Art. 3(2), recital 33). The availability
 * criteria then do not apply; the others (a breach during maintenance) still do.
 */
import type { ImpactFigures } from './description.js';
import type { EntityProfile } from './profile.js';

/** The reason the interruption is planned, or undefined when it is not. */
export function plannedInterruption(impact: ImpactFigures, profile: EntityProfile): string | undefined {
  if (impact.plannedInterruption === true) {
    return 'The interruption was planned or contractually agreed: not a significant incident (Regulation (EU) 2024/2690 Art. 3(2)).';
  }
  if (impact.unavailabilityStart === undefined || impact.unavailabilityEnd === undefined) return undefined;
  const startMs = Date.parse(impact.unavailabilityStart);
  const endMs = Date.parse(impact.unavailabilityEnd);
  const window = profile.maintenance.find(
    (candidate) => Date.parse(candidate.start) <= startMs && endMs <= Date.parse(candidate.end),
  );
  if (window === undefined) return undefined;
  return `The interruption lies inside the scheduled maintenance window ${window.start} to ${window.end}${window.description ? ` (${window.description})` : ''}: not a significant incident (Regulation (EU) 2024/2690 Art. 3(2)).`;
}
