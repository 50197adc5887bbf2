import { usePermission } from '@backstage/plugin-permission-react';
import { Button, Flex } from '@backstage/ui';
import {
  vmMigratePermission,
  type ApiModel,
} from '@internal/plugin-vmware2scw-common';

const RETRYABLE: ReadonlySet<ApiModel.MigrationState> = new Set([
  'failed',
  'cancelled',
]);
const CANCELLABLE: ReadonlySet<ApiModel.MigrationState> = new Set([
  'pending',
  'queued',
  'running',
  'waiting',
]);

/** Retry or cancel one VM: shown by its state, enabled by vmware2scw.vm.migrate on its entity. */
export function MigrationRowActions(props: {
  migration: ApiModel.Migration;
  busy: boolean;
  onRetry: () => void;
  onCancel: () => void;
}) {
  const { migration: m } = props;
  const permission = usePermission({
    permission: vmMigratePermission,
    resourceRef: m.entityRef,
  });
  const disabled = props.busy || !permission.allowed;
  return (
    <Flex gap="1">
      {RETRYABLE.has(m.state) && (
        <Button
          size="small"
          variant="secondary"
          isDisabled={disabled}
          aria-label={`Retry ${m.vmName}`}
          onPress={props.onRetry}
        >
          Retry
        </Button>
      )}
      {CANCELLABLE.has(m.state) && (
        <Button
          size="small"
          variant="tertiary"
          destructive
          isDisabled={disabled}
          aria-label={`Cancel ${m.vmName}`}
          onPress={props.onCancel}
        >
          Cancel
        </Button>
      )}
    </Flex>
  );
}
