/**
 * Result values of the ledger's verifiers and parsers (ledger, no I/O). Untrusted proofs,
 * checkpoints and notes never throw: they come back as `{ ok: false, reason }` so the API and
 * the CLI can show the reason and a witness can refuse to cosign.
 */

export type Verdict = { ok: true } | { ok: false; reason: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export const accepted: Verdict = Object.freeze({ ok: true });

export function rejected(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}
