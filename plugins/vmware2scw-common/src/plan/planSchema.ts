import { z } from 'zod';
import { DEFAULT_ZONE, zoneSchema } from '../offer/zones';
import { sizingStrategySchema } from '../sizing/sizing';

/**
 * Plan YAML version 1: the old tool's batch plan format ("Format du plan batch"), key for key.
 * Keys are snake_case because they are the file's keys. Unknown keys are errors (a typo must not be
 * silently ignored). Section defaults are the old tool's; `metadata.catalog` is the one addition,
 * recording which Scaleway catalog priced the plan.
 */

const nonEmpty = (what: string) =>
  z.string().min(1, { message: `${what} must not be empty` });

/** Commercial type names are upper case: `POP2-4C-16G`, `PLAY2-NANO`. */
export const targetTypeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]*$/, {
  message:
    'expected a Scaleway commercial type in upper case, such as POP2-4C-16G',
});

export const pauseAfterSchema = z.enum(['pause', 'pause_on_failure', 'none']);
export type PauseAfter = z.infer<typeof pauseAfterSchema>;

export const planCatalogRecordSchema = z
  .object({
    source: z.enum(['live', 'snapshot']),
    /** ISO instant of the prices. */
    priced_at: z.string(),
    zone: zoneSchema,
  })
  .strict();

export const planMetadataSchema = z
  .object({
    generated_at: z.string().optional(),
    vcenter: z.string().optional(),
    generated_by: z.string().optional(),
    description: z.string().optional(),
    catalog: planCatalogRecordSchema.optional(),
  })
  .strict();

export const planDefaultsSchema = z
  .object({
    zone: zoneSchema.default(DEFAULT_ZONE),
    sizing_strategy: sizingStrategySchema.default('optimize'),
    /** `optimize`: percentile of measured utilisation to size from (default 95). */
    sizing_percentile: z
      .union([
        z.literal(50),
        z.literal(90),
        z.literal(95),
        z.literal(99),
        z.literal(100),
      ])
      .optional(),
    /** `optimize`: factor over measured utilisation (default 1.3). */
    comfort_factor: z.number().min(1).max(3).optional(),
    tags: z.array(nonEmpty('a tag')).default([]),
  })
  .strict();

const limit = (fallback: number) =>
  z.number().int().min(1).max(1000).default(fallback);

export const planConcurrencySchema = z
  .object({
    /** Exports at once from one ESXi host. */
    max_exports_per_host: limit(4),
    max_concurrent_conversions: limit(3),
    max_concurrent_uploads: limit(6),
    /** VMs in progress at once, across every stage. */
    max_total_workers: limit(10),
  })
  .strict();

/** `vm_name` or `vm_pattern`, exactly one: checked with positions by the parser. */
export const planMigrationSchema = z
  .object({
    vm_name: nonEmpty('vm_name').optional(),
    /** Glob (`*`, `?`, `[...]`) on VM names. */
    vm_pattern: nonEmpty('vm_pattern').optional(),
    target_type: targetTypeSchema.optional(),
    /** Lower runs earlier within a wave. */
    priority: z.number().int().min(0).max(1_000_000).optional(),
    wave: nonEmpty('wave').optional(),
  })
  .strict();
export type PlanMigration = z.infer<typeof planMigrationSchema>;

export const planExcludeSchema = z
  .object({
    vm_name: nonEmpty('vm_name').optional(),
    vm_pattern: nonEmpty('vm_pattern').optional(),
  })
  .strict();
export type PlanExclude = z.infer<typeof planExcludeSchema>;

export const planWaveSchema = z
  .object({
    name: nonEmpty('name'),
    /** Globs on VM names. */
    vms: z.array(nonEmpty('a VM pattern')).default([]),
    /** `pause`: always wait for approval after the wave; `pause_on_failure`: only if a VM failed. */
    pause_after: pauseAfterSchema.default('pause'),
  })
  .strict();
export type PlanWave = z.infer<typeof planWaveSchema>;

export const planPostMigrationSchema = z
  .object({
    /** Tag put on the source VM once migrated. */
    tag_source: z.string().optional(),
    power_off_source: z.boolean().default(false),
    delete_vmware_snapshot: z.boolean().default(true),
    delete_s3_transit: z.boolean().default(true),
  })
  .strict();

export const planV1Schema = z
  .object({
    version: z.literal(1),
    metadata: planMetadataSchema.default({}),
    defaults: planDefaultsSchema.default({}),
    concurrency: planConcurrencySchema.default({}),
    migrations: z.array(planMigrationSchema),
    exclude: z.array(planExcludeSchema).default([]),
    waves: z.array(planWaveSchema).default([]),
    post_migration: planPostMigrationSchema.default({}),
  })
  .strict();

export type PlanV1 = z.infer<typeof planV1Schema>;
export type PlanV1Input = z.input<typeof planV1Schema>;
/** The current plan format. */
export type Plan = PlanV1;

/** Top-level keys in the order the old tool writes them; the serializer follows it. */
export const PLAN_KEY_ORDER = [
  'version',
  'metadata',
  'defaults',
  'concurrency',
  'migrations',
  'exclude',
  'waves',
  'post_migration',
] as const;
