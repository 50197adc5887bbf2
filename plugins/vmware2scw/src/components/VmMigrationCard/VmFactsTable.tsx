import { StructuredMetadataTable } from '@backstage/core-components';
import { formatBytes } from '../../format/quantities';
import type { VmFacts } from './vmFacts';

/** The VM as vSphere describes it, from the entity's annotations (no API call). */
export function VmFactsTable(props: { facts: VmFacts }) {
  const vm = props.facts;
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
    <StructuredMetadataTable
      metadata={metadata}
      options={{ titleFormat: key => key }}
    />
  );
}
