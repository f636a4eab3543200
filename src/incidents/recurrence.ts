/**
 * Earlier incidents for the recurrence test of Regulation (EU) 2024/2690 Art. 4 (incidents, no
 * I/O): from other cases' timelines, each incident's apparent root cause (its latest root_cause
 * entry), direct loss (its latest impact figures), when it occurred (detected, else its first
 * entry) and whether it was significant on its own (a person's decision, else the assessment).
 */
import type { IncidentEntry } from '../core/records/index.js';
import type { RelatedIncident } from '../regulation/description.js';

interface Gathered {
  rootCause?: string;
  lossEur?: number;
  occurredAt?: string;
  firstAt: string;
  assessed?: string;
  decided?: string;
}

export function relatedIncidentsFrom(entries: readonly IncidentEntry[]): RelatedIncident[] {
  const byIncident = new Map<string, Gathered>();
  for (const entry of entries) {
    const gathered = byIncident.get(entry.incidentId) ?? { firstAt: entry.at };
    const data = entry.data;
    if (entry.kind === 'root_cause' && typeof data['key'] === 'string') gathered.rootCause = data['key'];
    if (entry.kind === 'impact') {
      const loss = (data['impact'] as { directFinancialLossEur?: unknown } | undefined)
        ?.directFinancialLossEur;
      if (typeof loss === 'number') gathered.lossEur = loss;
    }
    if (entry.kind === 'legal_time' && data['clock'] === 'detected' && typeof data['time'] === 'string')
      gathered.occurredAt = data['time'];
    if (entry.kind === 'assessment') {
      const significant = (data['assessment'] as { significant?: unknown } | undefined)?.significant;
      if (typeof significant === 'string') gathered.assessed = significant;
    }
    if (entry.kind === 'significance_decision' && typeof data['significant'] === 'string')
      gathered.decided = data['significant'];
    byIncident.set(entry.incidentId, gathered);
  }
  return [...byIncident.entries()].flatMap(([id, gathered]) =>
    gathered.rootCause === undefined
      ? []
      : [
          {
            id,
            occurredAt: gathered.occurredAt ?? gathered.firstAt,
            rootCause: gathered.rootCause,
            directFinancialLossEur: gathered.lossEur ?? 0,
            significant: (gathered.decided ?? gathered.assessed) === 'yes',
          },
        ],
  );
}
