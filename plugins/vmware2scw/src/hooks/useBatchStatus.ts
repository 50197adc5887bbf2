import { useEffect, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  batchSignalChannel,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';
import { vmware2scwApiRef } from '../api';
import { useLiveQuery } from './useLiveQuery';
import { isBatchLive } from './liveStates';

/**
 * A batch with its waves and VMs, kept current through the batch's signal channel. Progress-only signals
 * do not refetch (a wave of many VMs would flood the API): they are kept per migration and shown as is.
 */
export function useBatchStatus(batchId: string) {
  const api = useApi(vmware2scwApiRef);
  const live = useLiveQuery<ApiModel.BatchStatus>({
    load: () => api.getBatchStatus({ batchId }),
    deps: [api, batchId],
    channel: batchSignalChannel(batchId),
    isLive: s => isBatchLive(s.batch),
    refetchOn: (signal, current) => {
      if (signal.progress === undefined || !signal.migrationId) return true;
      const m = current?.migrations.find(x => x.id === signal.migrationId);
      return !(
        m &&
        signal.stage === m.currentStage &&
        (signal.state === undefined || signal.state === m.state)
      );
    },
  });
  const [signalled, setSignalled] = useState<
    Record<string, ApiModel.StageProgress | undefined>
  >({});
  const { lastSignal, value } = live;
  useEffect(() => {
    if (lastSignal?.migrationId && lastSignal.progress) {
      const { migrationId, progress } = lastSignal;
      setSignalled(s => ({ ...s, [migrationId]: progress }));
    }
  }, [lastSignal]);
  // A fetch supersedes what signals said before it.
  useEffect(() => setSignalled({}), [value]);
  return { ...live, signalled };
}
