/**
 * Live updates: one `EventSource` on `/api/v1/stream` for the whole app. Pages subscribe to
 * the kinds they show; a new alert arrives with its record, decision, mode and incident changes
 * as a nudge to reload (an incident change names the incident, so a case page reloads only for
 * its own). A stream that fails is reopened by the browser; when the session is gone
 * the app signs out (see App).
 */
import { useEffect, useRef, useState } from 'react';
import type { Alert } from './api';

export type LiveKind = 'alert' | 'decision' | 'mode' | 'incident';
const LIVE_KINDS: readonly LiveKind[] = ['alert', 'decision', 'mode', 'incident'];
type Listener = (kind: LiveKind, data: unknown) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;

export type LiveState = 'connecting' | 'live' | 'offline';
const stateListeners = new Set<(state: LiveState) => void>();
let state: LiveState = 'connecting';

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

export function openLive(onError: () => void): () => void {
  source?.close();
  const stream = new EventSource('/api/v1/stream');
  source = stream;
  setState('connecting');
  stream.addEventListener('ready', () => setState('live'));
  for (const kind of LIVE_KINDS) {
    stream.addEventListener(kind, (event: MessageEvent<string>) => {
      const data: unknown = JSON.parse(event.data);
      for (const listener of listeners) listener(kind, data);
    });
  }
  stream.addEventListener('error', () => {
    setState(stream.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    onError();
  });
  return () => {
    stream.close();
    if (source === stream) source = null;
  };
}

/**
 * A counter that goes up on every live event of these kinds (and, with `matches`, only those
 * it accepts): a dependency for reloading.
 */
export function useLiveVersion(
  kinds: readonly LiveKind[],
  matches?: (kind: LiveKind, data: unknown) => boolean,
): number {
  const [version, setVersion] = useState(0);
  const wanted = useRef(kinds);
  const accepts = useRef(matches);
  accepts.current = matches;
  useEffect(() => {
    const listener: Listener = (kind, data) => {
      if (!wanted.current.includes(kind)) return;
      if (accepts.current && !accepts.current(kind, data)) return;
      setVersion((value) => value + 1);
    };
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return version;
}

/** Calls `handler` with every new alert as it arrives. */
export function useLiveAlerts(handler: (alert: Alert) => void): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const listener: Listener = (kind, data) => {
      if (kind === 'alert') current.current(data as Alert);
    };
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
}

export function useLiveState(): LiveState {
  const [value, setValue] = useState(state);
  useEffect(() => {
    stateListeners.add(setValue);
    return () => void stateListeners.delete(setValue);
  }, []);
  return value;
}
