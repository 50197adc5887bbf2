import { useApi } from '@backstage/frontend-plugin-api';
import {
  entitySignalChannel,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../api';
import { useLiveQuery } from './useLiveQuery';
import { isMigrationLive } from './liveStates';

/**
 * The VM's latest migration, kept current through the entity's signal channel. A signal that only
 * carries progress of the stage already shown does not refetch: the bar moves from the signal itself.
 */
export function useVmMigrationStatus(entityRef: string) {
  const api = useApi(vmware2scwApiRef);
  return useLiveQuery<ApiModel.EntityMigrationStatus>({
    load: () => api.getVmMigrationStatus({ entityRef }),
    deps: [api, entityRef],
    channel: entitySignalChannel(entityRef),
    isLive: status =>
      status.migration !== undefined && isMigrationLive(status.migration),
    refetchOn: (signal, current) => {
      const m = current?.migration;
      const progressOnly =
        signal.progress !== undefined &&
        m !== undefined &&
        signal.migrationId === m.id &&
        signal.stage === m.currentStage &&
        (signal.state === undefined || signal.state === m.state);
      return !progressOnly;
    },
  });
}
