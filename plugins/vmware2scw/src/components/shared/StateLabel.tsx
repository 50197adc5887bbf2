import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';

type AnyState =
  | ApiModel.BatchState
  | ApiModel.WaveState
  | ApiModel.MigrationState
  | ApiModel.StageRunState;

const STATUS_OF: Record<AnyState, typeof StatusOK> = {
  pending: StatusPending,
  queued: StatusPending,
  awaiting_approval: StatusWarning,
  waiting: StatusWarning,
  paused: StatusWarning,
  running: StatusRunning,
  succeeded: StatusOK,
  completed: StatusOK,
  skipped: StatusAborted,
  failed: StatusError,
  rejected: StatusError,
  cancelled: StatusAborted,
};

/** A batch, wave, migration or stage state with its status icon (`awaiting_approval` → "awaiting approval"). */
export function StateLabel(props: { state: AnyState }) {
  const Status = STATUS_OF[props.state] ?? StatusPending;
  return <Status>{props.state.replace(/_/g, ' ')}</Status>;
}
