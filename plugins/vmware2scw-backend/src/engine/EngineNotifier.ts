import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  batchSignalChannel,
  entitySignalChannel,
  type Vmware2scwSignal,
} from '@internal/plugin-vmware2scw-common';
import type { MigrationStore, NewEvent } from '../database/MigrationStore';

/** The part of Backstage's SignalsService the engine uses. */
export interface SignalPublisher {
  publish(signal: {
    recipients: { type: 'broadcast' };
    channel: string;
    message: Vmware2scwSignal;
  }): Promise<void>;
}

/**
 * Where the engine and the API say what happened: the audit trail (events, append-only) and the live
 * channels of the batch and of the VM's entity (signals). A failed publish is logged, never fatal.
 */
export class EngineNotifier {
  constructor(
    private readonly store: MigrationStore,
    private readonly logger: LoggerService,
    private readonly signals?: SignalPublisher,
  ) {}

  async event(event: NewEvent): Promise<void> {
    await this.store.appendEvent(event);
  }

  /** Publishes a change on the batch's channel and, for a VM, on its entity's channel. */
  signal(message: Vmware2scwSignal): void {
    if (!this.signals) return;
    const channels = [batchSignalChannel(message.batchId)];
    if (message.entityRef)
      channels.push(entitySignalChannel(message.entityRef));
    for (const channel of channels) {
      this.signals
        .publish({ recipients: { type: 'broadcast' }, channel, message })
        .catch(err =>
          this.logger.warn(
            `vmware2scw: could not publish on ${channel}: ${err}`,
          ),
        );
    }
  }
}
