import { AsyncLocalStorage } from 'node:async_hooks';
import { fetch as undiciFetch } from 'undici';

/**
 * The HTTP client the Scaleway SDK calls (its `httpClient` setting), carrying the AbortSignal of the
 * gateway call in progress: the SDK's methods take no signal, so the gateway runs each call inside
 * `scope.run(signal, ...)` and every request made on its behalf is cancelled with it. Each request also
 * has its own deadline, so a silent connection cannot hold a stage forever.
 *
 * Requests go through undici (the same client in production and in tests, where Backstage's test setup
 * blocks the global `fetch`).
 */
export class SignalScopedHttpClient {
  private readonly scope = new AsyncLocalStorage<AbortSignal | undefined>();

  constructor(private readonly requestTimeoutMs = 60_000) {}

  /** Runs `fn` with `signal` attached to every SDK request it makes. */
  run<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return this.scope.run(signal, fn);
  }

  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const method = request.method.toUpperCase();
    const body =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : Buffer.from(await request.arrayBuffer());
    const signals = [AbortSignal.timeout(this.requestTimeoutMs)];
    const callSignal = this.scope.getStore();
    if (callSignal) signals.push(callSignal);
    const response = await undiciFetch(request.url, {
      method,
      headers: Object.fromEntries(request.headers),
      body: body && body.length ? body : undefined,
      signal: AbortSignal.any(signals),
    });
    return response as unknown as Response;
  }) as typeof fetch;
}
