import { useEffect, useRef, type DependencyList } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import type { Vmware2scwSignal } from '@internal/plugin-vmware2scw-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';

/** Polling while something runs: a safety net when signals flow, the only source when they do not. */
export const POLL_WITH_SIGNALS_MS = 30_000;
export const POLL_WITHOUT_SIGNALS_MS = 5_000;

export interface LiveQuery<T> {
  value?: T;
  error?: Error;
  /** True only while nothing has been loaded yet: a refresh keeps showing the last value. */
  loading: boolean;
  refresh: () => void;
  /** The last signal received on the channel (its progress can be shown before the refetch lands). */
  lastSignal?: Vmware2scwSignal;
  signalsAvailable: boolean;
}

/**
 * Loads what a view shows from the API and keeps it current: refetches when the engine publishes on
 * `channel` (Backstage signals) and polls while `isLive` says the state can still change.
 */
export function useLiveQuery<T>(options: {
  load: () => Promise<T>;
  deps: DependencyList;
  channel: string;
  isLive: (value: T) => boolean;
  /** Whether a signal calls for a refetch; default yes. */
  refetchOn?: (signal: Vmware2scwSignal, current: T | undefined) => boolean;
}): LiveQuery<T> {
  const { load, deps, channel, isLive, refetchOn } = options;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const state = useAsyncRetry(load, deps);
  const { lastSignal, isSignalsAvailable } = useSignal<
    Vmware2scwSignal & JsonObject
  >(channel);

  // A failed refresh keeps the last good value on screen, with the error beside it.
  const lastGood = useRef<T | undefined>(undefined);
  if (state.value !== undefined) lastGood.current = state.value;
  const value = state.value ?? lastGood.current;
  const { retry } = state;
  useEffect(() => {
    if (lastSignal && (refetchOn?.(lastSignal, value) ?? true)) retry();
    // Only a new signal triggers this; value and retry change on every load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSignal]);

  const live = value !== undefined && isLive(value);
  const pollMs = isSignalsAvailable
    ? POLL_WITH_SIGNALS_MS
    : POLL_WITHOUT_SIGNALS_MS;
  useInterval(retry, live ? pollMs : null);

  return {
    value,
    error: state.error,
    loading: state.loading && value === undefined,
    refresh: retry,
    lastSignal: lastSignal ?? undefined,
    signalsAvailable: isSignalsAvailable,
  };
}
