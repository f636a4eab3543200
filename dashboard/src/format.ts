/** Small display helpers. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** "2 h 05 min 09 s", or "overdue by …" for a time in the past. */
export function countdown(targetMs: number, nowMs: number): string {
  const remaining = targetMs - nowMs;
  const total = Math.floor(Math.abs(remaining) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const text = `${days > 0 ? `${days} d ` : ''}${hours} h ${String(minutes).padStart(2, '0')} min ${String(seconds).padStart(2, '0')} s`;
  return remaining < 0 ? `overdue by ${text}` : text;
}
