import { z } from 'zod';

/**
 * Parameters of the duration and scratch-space model, with their defaults and why.
 *
 * Bytes moved per disk: `allocatedBytes` when the inventory knows it (exports move allocated blocks
 * only), else the full capacity. Each VM then goes through its pipeline (the old tool's stages):
 *
 * | stage                         | time                                              | limited by                        |
 * |-------------------------------|---------------------------------------------------|-----------------------------------|
 * | snapshot                      | `snapshotMinutes`                                 | a worker                          |
 * | export                        | bytes over the export link, shared by all exports | `max_exports_per_host` per ESXi host |
 * | convert                       | bytes ÷ `convertMBps`                             | `max_concurrent_conversions`      |
 * | adapt_guest / clean_tools, inject_virtio, fix_bootloader | fixed minutes (Linux / Windows) | `max_concurrent_conversions` |
 * | ensure_uefi (BIOS VMs only)   | fixed minutes (Linux / Windows)                   | `max_concurrent_conversions`      |
 * | upload_s3                     | bytes over the upload link, shared by all uploads | `max_concurrent_uploads`          |
 * | import_scw                    | `importFixedMinutes` + bytes ÷ `importMBps`       | Scaleway (not us)                 |
 * | verify, cleanup               | fixed minutes                                     | a worker                          |
 *
 * A VM holds one of `max_total_workers` from its snapshot to its cleanup. Links are shared
 * fairly between the transfers running on them (620 Mbit/s by default, the figure Red Hat's
 * migration planner assumes: ≈ 110 minutes per 500 GB). Waves run one after the other; the time a
 * wave waits for approval (`pause_after`) is not counted. Scratch space on the runners: a VM holds
 * `scratchFactor` × its bytes (the exported image and the qcow2 side by side) from the start of its
 * export to its cleanup; the peak of the sum over running VMs is compared to `availableDiskGb`.
 */
export const estimateModelSchema = z.object({
  /** Default for both links, Mbit/s. */
  linkMbps: z.number().positive().default(620),
  /** vSphere → runners, Mbit/s, shared by concurrent exports; defaults to `linkMbps`. */
  exportMbps: z.number().positive().optional(),
  /** Runners → Object Storage, Mbit/s, shared by concurrent uploads; defaults to `linkMbps`. */
  uploadMbps: z.number().positive().optional(),
  /** `qemu-img convert` on local disks, MB/s per conversion. */
  convertMBps: z.number().positive().default(200),
  /** Block Storage import after its fixed start-up (≈ 3.5 min observed for a tiny image). */
  importFixedMinutes: z.number().nonnegative().default(4),
  importMBps: z.number().positive().default(100),
  snapshotMinutes: z.number().nonnegative().default(1),
  adaptLinuxMinutes: z.number().nonnegative().default(6),
  /** clean_tools + inject_virtio (a QEMU boot of the guest) + fix_bootloader. */
  adaptWindowsMinutes: z.number().nonnegative().default(20),
  ensureUefiLinuxMinutes: z.number().nonnegative().default(3),
  ensureUefiWindowsMinutes: z.number().nonnegative().default(10),
  verifyMinutes: z.number().nonnegative().default(5),
  cleanupMinutes: z.number().nonnegative().default(1),
  /** Scratch bytes held per byte moved. */
  scratchFactor: z.number().positive().default(2),
  /** Free scratch space on the runners, GB (the old `--available-disk`). */
  availableDiskGb: z.number().nonnegative().optional(),
  /** Count one flexible IPv4 per Instance in the monthly cost. */
  publicIpv4PerVm: z.boolean().default(true),
});
export type EstimateModel = z.infer<typeof estimateModelSchema>;
export type EstimateModelInput = z.input<typeof estimateModelSchema>;
