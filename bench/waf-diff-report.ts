/**
 * Tallies of the WAF differential test (bench/waf-diff.ts): each case's outcome (agree, we
 * block while ModSecurity passes, we pass while ModSecurity blocks, or another status on
 * either side), agreement per family and mode and per corpus file, and the disagreements
 * grouped by the rule ids that fired on one side only (the scoring rules left out).
 */
import type { DiffCase } from './waf-diff-cases.js';

export interface Answer {
  status: number;
  error?: string;
}

export type Kind = 'agree' | 'weBlock' | 'wePass' | 'other';

export interface Outcome {
  case: DiffCase;
  ours: Answer;
  anchor: Answer;
  kind: Kind;
}

/** Blocked (403) or passed (2xx); anything else is neither. */
function decision(answer: Answer): 'blocked' | 'passed' | 'other' {
  if (answer.status === 403) return 'blocked';
  return answer.status >= 200 && answer.status < 300 ? 'passed' : 'other';
}

export function kindOf(ours: Answer, anchor: Answer): Kind {
  const [a, b] = [decision(ours), decision(anchor)];
  if (a === 'other' || b === 'other') return 'other';
  if (a === b) return 'agree';
  return a === 'blocked' ? 'weBlock' : 'wePass';
}

export interface Tally {
  total: number;
  agree: number;
  weBlock: number;
  wePass: number;
  other: number;
  /** How many the anchor blocked (its own detection rate on this corpus). */
  anchorBlocked: number;
  oursBlocked: number;
}

const emptyTally = (): Tally => ({
  total: 0,
  agree: 0,
  weBlock: 0,
  wePass: 0,
  other: 0,
  anchorBlocked: 0,
  oursBlocked: 0,
});

export function tally(outcomes: Outcome[], keyOf: (o: Outcome) => string): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  for (const o of outcomes) {
    const key = keyOf(o);
    const t = tallies.get(key) ?? emptyTally();
    t.total++;
    t[o.kind]++;
    if (o.anchor.status === 403) t.anchorBlocked++;
    if (o.ours.status === 403) t.oursBlocked++;
    tallies.set(key, t);
  }
  return tallies;
}

/** Agreement among the cases both sides decided (403 or 2xx). */
export const agreement = (t: Tally): number => {
  const decided = t.agree + t.weBlock + t.wePass;
  return decided === 0 ? Number.NaN : (t.agree / decided) * 100;
};

export function printTallies(title: string, tallies: Map<string, Tally>, onlyDisagreeing = false): void {
  console.log(`\n${title}`);
  const head = ['cases', 'agree %', 'we block', 'we pass', 'other', 'anchor 403', 'ours 403'];
  console.log(`${''.padEnd(44)}${head.map((h) => h.padStart(11)).join('')}`);
  for (const [key, t] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    if (onlyDisagreeing && t.weBlock + t.wePass + t.other === 0) continue;
    const cells = [
      t.total,
      agreement(t).toFixed(2),
      t.weBlock,
      t.wePass,
      t.other,
      t.anchorBlocked,
      t.oursBlocked,
    ];
    console.log(`${key.padEnd(44)}${cells.map((c) => String(c).padStart(11)).join('')}`);
  }
}

/** Rules that only score or report (949 inbound, 959 outbound, 980 reporting): not a cause. */
const isScoring = (id: number): boolean => [949, 959, 980].includes(Math.floor(id / 1000));

export interface Explained {
  outcome: Outcome;
  oursRuleIds: number[];
  anchorRuleIds: number[];
  /** Statuses of the sequential replay that read the logs (a change means a flaky answer). */
  replay: { ours: number; anchor: number };
}

export function causeOf(e: Explained): string {
  const ours = new Set(e.oursRuleIds.filter((id) => !isScoring(id)));
  const theirs = new Set(e.anchorRuleIds.filter((id) => !isScoring(id)));
  const oursOnly = [...ours].filter((id) => !theirs.has(id));
  const anchorOnly = [...theirs].filter((id) => !ours.has(id));
  const direction =
    e.outcome.kind === 'weBlock'
      ? 'we block, ModSecurity passes'
      : e.outcome.kind === 'wePass'
        ? 'we pass, ModSecurity blocks'
        : 'same decision';
  return `${direction} | ours only: ${oursOnly.join(' ') || '-'} | ModSecurity only: ${anchorOnly.join(' ') || '-'}`;
}

/** Disagreements grouped by cause, largest first, each with its count and first example. */
export function groupByCause(
  explained: Explained[],
): Array<{ cause: string; count: number; example: Explained }> {
  const groups = new Map<string, { cause: string; count: number; example: Explained }>();
  for (const e of explained) {
    const cause = causeOf(e);
    const group = groups.get(cause) ?? { cause, count: 0, example: e };
    group.count++;
    groups.set(cause, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** How often each rule id fired on one side only (the scoring rules left out), most frequent first. */
export function oneSidedRules(explained: Explained[]): {
  oursOnly: Array<[number, number]>;
  modsecOnly: Array<[number, number]>;
} {
  const oursOnly = new Map<number, number>();
  const modsecOnly = new Map<number, number>();
  const bump = (map: Map<number, number>, id: number): void => {
    if (!isScoring(id)) map.set(id, (map.get(id) ?? 0) + 1);
  };
  for (const e of explained) {
    const ours = new Set(e.oursRuleIds);
    const theirs = new Set(e.anchorRuleIds);
    for (const id of ours) if (!theirs.has(id)) bump(oursOnly, id);
    for (const id of theirs) if (!ours.has(id)) bump(modsecOnly, id);
  }
  const sorted = (map: Map<number, number>): Array<[number, number]> => [...map].sort((a, b) => b[1] - a[1]);
  return { oursOnly: sorted(oursOnly), modsecOnly: sorted(modsecOnly) };
}

/** Same rule ids on both sides, the scoring rules left out. */
export const sameRules = (e: Explained): boolean => causeOf(e).endsWith('ours only: - | ModSecurity only: -');

/** A payload for a one-line display: non-printable bytes escaped, clipped. */
export function show(value: string, max = 120): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}...` : escaped;
}
