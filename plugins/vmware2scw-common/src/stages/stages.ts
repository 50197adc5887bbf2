import { z } from 'zod';

/**
 * The migration stages of the old tool, as data: the one place where stage ids are written. Everything
 * else (engine, estimate, API, scaffolder actions, UI) derives from this module.
 */
export const STAGE_IDS = [
  'validate',
  'snapshot',
  'export',
  'convert',
  'adapt_guest',
  'clean_tools',
  'inject_virtio',
  'fix_bootloader',
  'ensure_uefi',
  'upload_s3',
  'import_scw',
  'verify',
  'cleanup',
] as const;

export const stageIdSchema = z.enum(STAGE_IDS);
export type StageId = z.infer<typeof stageIdSchema>;

/** Where a stage's work happens: the backend itself (and vCenter), a conversion runner, or Scaleway's API. */
export type StageLocation = 'backend' | 'runner' | 'scaleway';

/**
 * Job kinds of the conversion runner (`POST /v1/jobs` `kind`). The Windows kinds are named here so that
 * the mapping is complete; `RUNNER_AVAILABLE_JOB_KINDS` says which ones a runner serves today.
 */
export const RUNNER_JOB_KINDS = [
  'export',
  'trim',
  'convert',
  'adapt_linux',
  'clean_tools',
  'inject_virtio',
  'fix_bootloader',
  'ensure_uefi',
  'upload',
  'cleanup',
] as const;
export const runnerJobKindSchema = z.enum(RUNNER_JOB_KINDS);
export type RunnerJobKind = z.infer<typeof runnerJobKindSchema>;

/** Kinds the conversion runner implements in this release. */
export const RUNNER_AVAILABLE_JOB_KINDS: readonly RunnerJobKind[] = [
  'export',
  'trim',
  'convert',
  'adapt_linux',
  'ensure_uefi',
  'upload',
  'cleanup',
];

/** The resource a stage holds while it runs, for the concurrency limits of a plan and the estimate. */
export type StageResource = 'worker' | 'export' | 'conversion' | 'upload';

export interface StageDefinition {
  id: StageId;
  /** Short human name, for the UI, the task log and the report. */
  title: string;
  description: string;
  runsOn: StageLocation;
  /**
   * Runner job kinds, in order, that make up the stage. `trim` belongs to convert: it runs before the
   * conversion when the export is a raw (datastore) image, so free blocks do not reach the qcow2.
   */
  runnerJobs: readonly RunnerJobKind[];
  /** The stage runs once per disk (export, convert, upload) rather than once per VM. */
  perDisk: boolean;
  /** Concurrency slot the stage takes beyond the VM's worker. */
  resource: StageResource;
  /** Names of the outputs the stage records, read by the later stages and the report. */
  outputs: readonly string[];
}

export const STAGES: Readonly<Record<StageId, StageDefinition>> = {
  validate: {
    id: 'validate',
    title: 'Validate',
    description:
      'Concern rules, the target type offered and available in the zone, disk limits.',
    runsOn: 'backend',
    runnerJobs: [],
    perDisk: false,
    resource: 'worker',
    outputs: ['concerns', 'targetType', 'zone', 'osFamily', 'disks'],
  },
  snapshot: {
    id: 'snapshot',
    title: 'Snapshot',
    description:
      'VMware snapshot named after the migration (an existing one of that name is reused).',
    runsOn: 'backend',
    runnerJobs: [],
    perDisk: false,
    resource: 'worker',
    outputs: ['snapshotMoref', 'snapshotName', 'snapshotDisks'],
  },
  export: {
    id: 'export',
    title: 'Export',
    description:
      'Disk bytes of the snapshot to a conversion runner (NFC lease or datastore /folder).',
    runsOn: 'runner',
    runnerJobs: ['export'],
    perDisk: true,
    resource: 'export',
    outputs: ['runner', 'disks'],
  },
  convert: {
    id: 'convert',
    title: 'Convert',
    description:
      'qemu-img convert to qcow2 (free blocks trimmed first on raw exports).',
    runsOn: 'runner',
    runnerJobs: ['trim', 'convert'],
    perDisk: true,
    resource: 'conversion',
    outputs: ['disks'],
  },
  adapt_guest: {
    id: 'adapt_guest',
    title: 'Adapt guest',
    description:
      'Linux: VMware tools removed, virtio drivers, fstab/GRUB by UUID, DHCP on any NIC, serial console.',
    runsOn: 'runner',
    runnerJobs: ['adapt_linux'],
    perDisk: false,
    resource: 'conversion',
    outputs: ['report'],
  },
  clean_tools: {
    id: 'clean_tools',
    title: 'Clean VMware Tools',
    description: 'Windows: VMware Tools removed.',
    runsOn: 'runner',
    runnerJobs: ['clean_tools'],
    perDisk: false,
    resource: 'conversion',
    outputs: ['report'],
  },
  inject_virtio: {
    id: 'inject_virtio',
    title: 'Inject virtio',
    description: 'Windows: vioscsi and netkvm from the virtio-win ISO.',
    runsOn: 'runner',
    runnerJobs: ['inject_virtio'],
    perDisk: false,
    resource: 'conversion',
    outputs: ['report'],
  },
  fix_bootloader: {
    id: 'fix_bootloader',
    title: 'Fix bootloader',
    description: 'Windows: boot configuration for KVM.',
    runsOn: 'runner',
    runnerJobs: ['fix_bootloader'],
    perDisk: false,
    resource: 'conversion',
    outputs: ['report'],
  },
  ensure_uefi: {
    id: 'ensure_uefi',
    title: 'Ensure UEFI',
    description:
      'BIOS to UEFI: MBR to GPT, an EFI system partition, an EFI bootloader (Scaleway boots UEFI only).',
    runsOn: 'runner',
    runnerJobs: ['ensure_uefi'],
    perDisk: false,
    resource: 'conversion',
    outputs: ['firmwareBefore', 'changed'],
  },
  upload_s3: {
    id: 'upload_s3',
    title: 'Upload',
    description: 'Multipart upload of each qcow2 to the transit bucket.',
    runsOn: 'runner',
    runnerJobs: ['upload'],
    perDisk: true,
    resource: 'upload',
    outputs: ['disks'],
  },
  import_scw: {
    id: 'import_scw',
    title: 'Import to Scaleway',
    description:
      'Block snapshot per disk from Object Storage, then an image with the data disks as extra volumes.',
    runsOn: 'scaleway',
    runnerJobs: [],
    perDisk: false,
    resource: 'worker',
    outputs: ['snapshots', 'imageId'],
  },
  verify: {
    id: 'verify',
    title: 'Verify',
    description:
      'Server from the image, powered on, checked (state, volumes, IPs).',
    runsOn: 'scaleway',
    runnerJobs: [],
    perDisk: false,
    resource: 'worker',
    outputs: ['serverId', 'ips', 'checks'],
  },
  cleanup: {
    id: 'cleanup',
    title: 'Clean up',
    description:
      'VMware snapshot, runner scratch files, transit objects; the plan’s post-migration actions.',
    runsOn: 'backend',
    runnerJobs: ['cleanup'],
    perDisk: false,
    resource: 'worker',
    outputs: ['removed', 'postMigration'],
  },
};

/** The old tool's Linux pipeline (its README counts 10 stages under a "9 étapes" heading). */
export const LINUX_PIPELINE: readonly StageId[] = [
  'validate',
  'snapshot',
  'export',
  'convert',
  'adapt_guest',
  'ensure_uefi',
  'upload_s3',
  'import_scw',
  'verify',
  'cleanup',
];

/** The old tool's Windows pipeline (12 stages). */
export const WINDOWS_PIPELINE: readonly StageId[] = [
  'validate',
  'snapshot',
  'export',
  'convert',
  'clean_tools',
  'inject_virtio',
  'fix_bootloader',
  'ensure_uefi',
  'upload_s3',
  'import_scw',
  'verify',
  'cleanup',
];

export type PipelineOsFamily = 'linux' | 'windows' | 'other';

/** The pipeline of a VM of that OS family (anything not Windows takes the Linux one). */
export function pipelineFor(osFamily: PipelineOsFamily): readonly StageId[] {
  return osFamily === 'windows' ? WINDOWS_PIPELINE : LINUX_PIPELINE;
}

/** The stages of a pipeline that hold a slot of that resource, in order. */
export function stagesHolding(
  pipeline: readonly StageId[],
  resource: StageResource,
): StageId[] {
  return pipeline.filter(id => STAGES[id].resource === resource);
}

/** Runner job kinds a pipeline needs that no runner serves yet (the Windows kinds today). */
export function unavailableRunnerJobs(
  pipeline: readonly StageId[],
): RunnerJobKind[] {
  const missing = new Set<RunnerJobKind>();
  for (const id of pipeline)
    for (const kind of STAGES[id].runnerJobs)
      if (!RUNNER_AVAILABLE_JOB_KINDS.includes(kind)) missing.add(kind);
  return [...missing];
}

/**
 * Scaffolder action id of a stage: `vmware2scw:` + the id with dashes (`adapt_guest` →
 * `vmware2scw:adapt-guest`).
 */
export function stageActionId(stage: StageId): string {
  return `vmware2scw:${stage.replace(/_/g, '-')}`;
}

/** The idempotency key of one runner job of a migration: `<migration>:<stage>:<disk>` (`vm` for VM-wide jobs). */
export function runnerJobKey(
  migrationId: string,
  stage: StageId,
  kind: RunnerJobKind,
  disk?: string,
): string {
  const job = STAGES[stage].runnerJobs.length > 1 ? `${stage}.${kind}` : stage;
  return `${migrationId}:${job}:${disk ?? 'vm'}`;
}
