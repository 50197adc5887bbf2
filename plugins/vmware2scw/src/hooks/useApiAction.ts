import { useCallback, useState } from 'react';
import { describeApiError, type ApiErrorView } from '../format/apiError';

/**
 * Runs a mutating call (approve, retry, start…) and keeps what the view needs: which action is pending,
 * the error of the last one (shown beside the buttons), then a refresh of the view.
 */
export function useApiAction(onDone?: () => void) {
  const [pending, setPending] = useState<string | undefined>();
  const [error, setError] = useState<
    (ApiErrorView & { action: string }) | undefined
  >();
  const run = useCallback(
    async <T>(action: string, call: () => Promise<T>) => {
      setPending(action);
      setError(undefined);
      try {
        const result = await call();
        onDone?.();
        return result;
      } catch (e) {
        setError({ action, ...describeApiError(e) });
        return undefined;
      } finally {
        setPending(undefined);
      }
    },
    [onDone],
  );
  return { run, pending, error };
}
