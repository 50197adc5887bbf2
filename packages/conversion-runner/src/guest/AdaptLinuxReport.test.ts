import { parseAdaptReport } from './AdaptLinuxReport';

describe('parseAdaptReport', () => {
  it('turns the guest script lines into a report with per-step seconds', () => {
    const report = parseAdaptReport([
      'family debian t=0',
      'vmware_tools removed open-vm-tools t=46',
      'fstab /dev/sda1 UUID=6a3f1c52 t=48',
      'network ifupdown t=50',
      'initramfs update-initramfs t=241',
      'initramfs_modules virtio_pci,virtio_scsi,virtio_blk,virtio_net t=242',
      'bootloader update-grub t=278',
      'qemu_guest_agent not_installed none t=300',
      'grub_efi present t=300',
      'machine_id reset t=301',
    ]);
    expect(report).toMatchObject({
      family: 'debian',
      vmwareToolsRemoved: ['open-vm-tools'],
      fstab: [{ device: '/dev/sda1', now: 'UUID=6a3f1c52' }],
      initramfsModules: [
        'virtio_pci',
        'virtio_scsi',
        'virtio_blk',
        'virtio_net',
      ],
      machineIdReset: true,
      failures: [],
    });
    expect(report.stepSeconds.initramfs).toBe(241);
    expect(report.warnings.join('\n')).toMatch(
      /qemu-guest-agent is not installed/,
    );
  });

  it('fails when the rebuilt initramfs lacks a virtio driver', () => {
    const report = parseAdaptReport([
      'family debian t=0',
      'initramfs update-initramfs t=5',
      'initramfs_modules virtio_pci t=6',
    ]);
    expect(report.failures.join(' ')).toMatch(
      /lacks virtio_scsi, virtio_blk, virtio_net/,
    );
  });
});
