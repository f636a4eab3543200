/** Small hooks and helpers the pages share. */
import { useCallback, useEffect, useState } from 'react';
import { api } from './api';

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

/** Loads a list (`GET path` answering `{ items }`) and reloads it on demand; the error when the server refuses. */
export function useList<T>(path: string): [T[] | null, string, () => void] {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(() => {
    api<{ items: T[] }>('GET', path)
      .then((page) => (setItems(page.items), setError('')))
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [path]);
  useEffect(reload, [reload]);
  return [items, error, reload];
}
