import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { formatBytes, vmFactsOf } from './vmFacts';

/** Card on a VM's catalog page: what the VM is on vSphere, as the migration will see it. */
export const VmMigrationCard = () => {
  const { entity } = useEntity();
  const vm = vmFactsOf(entity);
  const metadata: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') metadata[k] = v;
  };
  put('Source', [vm.source, vm.moref].filter(Boolean).join(' / ') || undefined);
  put('Guest OS', vm.guestOs ?? vm.osFamily);
  put('Power state', vm.powerState);
  put('Firmware', vm.firmware?.toUpperCase());
  put('vCPU', vm.vcpu?.toString());
  put(
    'Memory',
    vm.memoryMiB === undefined
      ? undefined
      : formatBytes(vm.memoryMiB * 2 ** 20),
  );
  put(
    'Disks',
    vm.diskTotalBytes === undefined
      ? undefined
      : `${formatBytes(vm.diskTotalBytes)}${
          vm.diskCount === undefined
            ? ''
            : ` in ${vm.diskCount} disk${vm.diskCount === 1 ? '' : 's'}`
        }`,
  );
  put('NICs', vm.nicCount?.toString());
  put('Placement', vm.location.join(' / ') || undefined);
  return (
    <InfoCard title={`Migration to Scaleway: ${vm.name}`}>
      <StructuredMetadataTable
        metadata={metadata}
        options={{ titleFormat: key => key }}
      />
    </InfoCard>
  );
};
