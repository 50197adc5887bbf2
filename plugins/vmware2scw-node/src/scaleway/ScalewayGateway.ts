import {
  MAX_VOLUMES_PER_INSTANCE,
  zoneSchema,
  type ScalewayZone,
} from '@internal/plugin-vmware2scw-common';
import { z } from 'zod';

/**
 * What the migration engine asks of Scaleway, stage by stage: `import_scw` (importDisks, createImage),
 * `verify` (createServer, verifyServer), and adoption and the leak guard (findByMigration, delete*).
 * Every call is idempotent: before creating anything it looks for what this migration already made
 * (by its tag `vmware2scw-migration=<id>` and name) and adopts it, so a crash between a call and the
 * record of its result never makes a second resource. Every call takes an AbortSignal and reports
 * progress; errors are `ScalewayGatewayError`s (code, message naming the disk or resource,
 * remediation, and Scaleway's own message), never with a secret in them.
 *
 * Requests and results are zod schemas: the engine records the results as stage outputs.
 */
export interface ScalewayGateway {
  /** `import_scw`, part 1: one Block snapshot per uploaded disk, each waited to `available`. */
  importDisks(
    request: ImportDisksRequest,
    options?: GatewayCallOptions,
  ): Promise<ImportDisksResult>;
  /** `import_scw`, part 2: an image whose root volume is the system disk's snapshot, the others extra volumes. */
  createImage(
    request: CreateImageRequest,
    options?: GatewayCallOptions,
  ): Promise<CreatedImage>;
  /** `verify`, part 1: a server of the target type from the image, powered on, waited to `running`. */
  createServer(
    request: CreateServerRequest,
    options?: GatewayCallOptions,
  ): Promise<CreatedServer>;
  /** `verify`, part 2: the checks; a failed check is a result (`ok: false`), not an exception. */
  verifyServer(
    request: VerifyServerRequest,
    options?: GatewayCallOptions,
  ): Promise<ServerVerification>;
  /** `verify` when the plan makes no server: the image is available and holds every disk at its size. */
  verifyImage(
    request: VerifyImageRequest,
    options?: GatewayCallOptions,
  ): Promise<ImageVerification>;
  /** Everything tagged with the migration (snapshots, images, servers) and the volumes named after it. */
  findByMigration(
    request: FindByMigrationRequest,
    options?: GatewayCallOptions,
  ): Promise<MigrationResources>;
  /** Stops and deletes the server, then deletes its Block volumes (`terminate` only detaches them). */
  deleteServer(
    request: { serverId: string; zone?: string },
    options?: GatewayCallOptions,
  ): Promise<DeletionResult>;
  deleteImage(
    request: { imageId: string; zone?: string },
    options?: GatewayCallOptions,
  ): Promise<DeletionResult>;
  /** Snapshots still linked to an image are refused: delete the image first. */
  deleteSnapshots(
    request: { snapshotIds: string[]; zone?: string },
    options?: GatewayCallOptions,
  ): Promise<DeletionResult>;
  /** Volumes left by a server deleted halfway (they carry the migration's name). */
  deleteVolumes(
    request: { volumeIds: string[]; zone?: string },
    options?: GatewayCallOptions,
  ): Promise<DeletionResult>;
}

export interface GatewayCallOptions {
  /** Stops the waits and the requests in flight; what Scaleway already accepted keeps going. */
  signal?: AbortSignal;
  onProgress?: (event: GatewayProgress) => void;
}

/** One step of a call: a request made, a resource adopted, a state read while waiting. */
export interface GatewayProgress {
  resource: 'snapshot' | 'image' | 'server' | 'volume';
  id?: string;
  diskId?: string;
  /** Scaleway's state (`creating`, `available`, `starting`, `running` ...) or `requested`, `adopted`, `deleted`. */
  state: string;
  message: string;
  /** Since the call started. */
  elapsedMs: number;
}

/** Migration ids become tags and names: no commas (tag lists are comma-separated), no spaces. */
export const migrationIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'expected letters, digits, dot, dash or underscore (64 at most)',
  );
const tagSchema = z
  .string()
  .min(1)
  .max(128)
  .refine(t => !t.includes(','), 'a Scaleway tag cannot contain a comma');
const idSchema = z.string().uuid();

export const gatewayDiskSchema = z.object({
  /** The disk's id within the migration (the upload stage's disk key); goes into a tag. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'expected a short disk id'),
  /** The name people know the disk by ("Hard disk 1"), for messages. */
  label: z.string().min(1),
  bucket: z.string().min(3),
  key: z.string().min(1),
  /** Virtual size of the qcow2, in bytes (the source disk's capacity). */
  sizeBytes: z.number().int().positive(),
  /** The disk the guest boots from: the image's root volume. Exactly one per VM. */
  system: z.boolean(),
});
export type GatewayDisk = z.infer<typeof gatewayDiskSchema>;

const onlyOneSystemDisk = (
  disks: Array<{ system: boolean }>,
  ctx: z.RefinementCtx,
) => {
  const system = disks.filter(d => d.system).length;
  if (system !== 1)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['disks'],
      message: `exactly one disk must be the system disk (found ${system})`,
    });
};

export const importDisksRequestSchema = z
  .object({
    migrationId: migrationIdSchema,
    vmName: z.string().min(1),
    /** Default: the configured zone. */
    zone: zoneSchema.optional(),
    disks: z.array(gatewayDiskSchema).min(1).max(MAX_VOLUMES_PER_INSTANCE),
    /** Plan defaults' tags and the VM's, added to the migration's own. */
    tags: z.array(tagSchema).default([]),
  })
  .superRefine((r, ctx) => onlyOneSystemDisk(r.disks, ctx));
export type ImportDisksRequest = z.input<typeof importDisksRequestSchema>;

export const importedDiskSchema = z.object({
  diskId: z.string(),
  system: z.boolean(),
  snapshotId: idSchema,
  snapshotName: z.string(),
  sizeBytes: z.number(),
  /** Found from an earlier attempt rather than created by this call. */
  adopted: z.boolean(),
  durationMs: z.number(),
});
export type ImportedDisk = z.infer<typeof importedDiskSchema>;

export const importDisksResultSchema = z.object({
  zone: zoneSchema,
  /** In the order of the request's disks. */
  disks: z.array(importedDiskSchema),
});
export type ImportDisksResult = z.infer<typeof importDisksResultSchema>;

export const createImageRequestSchema = z
  .object({
    migrationId: migrationIdSchema,
    vmName: z.string().min(1),
    zone: zoneSchema.optional(),
    /** `importDisks(...).disks`: the system disk's snapshot is the root, the others extra volumes in order. */
    disks: z
      .array(
        importedDiskSchema.pick({
          diskId: true,
          system: true,
          snapshotId: true,
        }),
      )
      .min(1)
      .max(MAX_VOLUMES_PER_INSTANCE),
    arch: z.enum(['x86_64', 'arm64']).default('x86_64'),
    tags: z.array(tagSchema).default([]),
  })
  .superRefine((r, ctx) => onlyOneSystemDisk(r.disks, ctx));
export type CreateImageRequest = z.input<typeof createImageRequestSchema>;

export const createdImageSchema = z.object({
  imageId: idSchema,
  imageName: z.string(),
  rootSnapshotId: idSchema,
  /** `"1"`, `"2"` ... → snapshot id, as the image holds them. */
  extraSnapshotIds: z.record(z.string(), idSchema),
  adopted: z.boolean(),
  durationMs: z.number(),
});
export type CreatedImage = z.infer<typeof createdImageSchema>;

export const ipExpectationSchema = z.enum(['public', 'private', 'none']);
export type IpExpectation = z.infer<typeof ipExpectationSchema>;

export const createServerRequestSchema = z.object({
  migrationId: migrationIdSchema,
  vmName: z.string().min(1),
  /** Instance name; default the VM's name. */
  name: z.string().min(1).max(255).optional(),
  zone: zoneSchema.optional(),
  imageId: idSchema,
  commercialType: z.string().regex(/^[A-Z0-9][A-Z0-9-]*$/),
  tags: z.array(tagSchema).default([]),
  /** `public`: a dynamic public IP at power-on; otherwise none (private networks are attached separately). */
  ip: ipExpectationSchema.default('public'),
});
export type CreateServerRequest = z.input<typeof createServerRequestSchema>;

export const serverVolumeSchema = z.object({
  index: z.string(),
  volumeId: idSchema,
  sizeBytes: z.number(),
});

export const createdServerSchema = z.object({
  serverId: idSchema,
  serverName: z.string(),
  state: z.string(),
  volumes: z.array(serverVolumeSchema),
  publicIps: z.array(z.string()),
  privateIp: z.string().nullable(),
  adopted: z.boolean(),
  durationMs: z.number(),
});
export type CreatedServer = z.infer<typeof createdServerSchema>;

export const verifyServerRequestSchema = z.object({
  serverId: idSchema,
  zone: zoneSchema.optional(),
  commercialType: z.string(),
  /** The source VM's disks (system disk first or flagged); only ids, labels, sizes and `system` are read. */
  disks: z
    .array(
      gatewayDiskSchema.pick({
        id: true,
        label: true,
        sizeBytes: true,
        system: true,
      }),
    )
    .min(1),
  ip: ipExpectationSchema.default('public'),
});
export type VerifyServerRequest = z.input<typeof verifyServerRequestSchema>;

export const verificationCheckSchema = z.object({
  id: z.enum([
    'state',
    'commercial_type',
    'volume_count',
    'volume_size',
    'ip',
    'boot_signal',
  ]),
  ok: z.boolean(),
  /** For per-disk checks. */
  diskId: z.string().optional(),
  expected: z.string(),
  actual: z.string(),
  message: z.string(),
});
export type VerificationCheck = z.infer<typeof verificationCheckSchema>;

export const serverVerificationSchema = z.object({
  serverId: idSchema,
  ok: z.boolean(),
  state: z.string(),
  stateDetail: z.string(),
  ips: z.object({
    public: z.array(z.string()),
    private: z.string().nullable(),
  }),
  checks: z.array(verificationCheckSchema),
});
export type ServerVerification = z.infer<typeof serverVerificationSchema>;

export const verifyImageRequestSchema = z.object({
  imageId: idSchema,
  zone: zoneSchema.optional(),
  disks: verifyServerRequestSchema.shape.disks,
});
export type VerifyImageRequest = z.input<typeof verifyImageRequestSchema>;

export const imageVerificationSchema = z.object({
  imageId: idSchema,
  ok: z.boolean(),
  state: z.string(),
  checks: z.array(verificationCheckSchema),
});
export type ImageVerification = z.infer<typeof imageVerificationSchema>;

export interface FindByMigrationRequest {
  migrationId: string;
  zone?: ScalewayZone;
}

export const migrationResourcesSchema = z.object({
  zone: zoneSchema,
  snapshots: z.array(
    z.object({
      id: idSchema,
      name: z.string(),
      status: z.string(),
      diskId: z.string().optional(),
      sizeBytes: z.number(),
    }),
  ),
  images: z.array(
    z.object({ id: idSchema, name: z.string(), state: z.string() }),
  ),
  servers: z.array(
    z.object({ id: idSchema, name: z.string(), state: z.string() }),
  ),
  volumes: z.array(
    z.object({
      id: idSchema,
      name: z.string(),
      status: z.string(),
      sizeBytes: z.number(),
      /** The server it is attached to, when it is. */
      serverId: z.string().optional(),
    }),
  ),
});
export type MigrationResources = z.infer<typeof migrationResourcesSchema>;

export const deletionResultSchema = z.object({
  deleted: z.array(z.string()),
  /** Already gone when asked: deleting is idempotent. */
  alreadyGone: z.array(z.string()),
});
export type DeletionResult = z.infer<typeof deletionResultSchema>;
