/** Small hooks and helpers the pages share. */
import { useEffect, useState } from 'react';

/** The current time, refreshed every `periodMs` (for countdowns). */
export function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** The message to show for a failed request. */
export function errorText(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}
