import type { SignalApi } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import type { Vmware2scwSignal } from '@internal/plugin-vmware2scw-common';

/** An in-memory signal bus: what the signals plugin delivers from the backend, emitted by the test. */
export class FakeSignals implements SignalApi {
  private readonly subscribers = new Map<
    string,
    Set<(message: JsonObject) => void>
  >();

  subscribe<TMessage extends JsonObject = JsonObject>(
    channel: string,
    onMessage: (message: TMessage) => void,
  ) {
    const set = this.subscribers.get(channel) ?? new Set();
    const handler = onMessage as (message: JsonObject) => void;
    set.add(handler);
    this.subscribers.set(channel, set);
    return { unsubscribe: () => set.delete(handler) };
  }

  emit(channel: string, message: Vmware2scwSignal) {
    for (const handler of this.subscribers.get(channel) ?? [])
      handler({ ...message } as unknown as JsonObject);
  }

  subscriberCount(channel: string): number {
    return this.subscribers.get(channel)?.size ?? 0;
  }
}
