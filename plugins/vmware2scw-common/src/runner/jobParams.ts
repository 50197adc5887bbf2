import { z } from 'zod';
import type { RunnerJobKind } from '../stages';
import { runnerSafeNameSchema as name } from './safeName';

/**
 * The params of each conversion-runner job kind (`POST /v1/jobs` `params`): what the runner validates
 * and what the backend sends, one definition for both (packages/conversion-runner/openapi.yaml
 * documents them; its test compares the two).
 */
export const runnerExportParamsSchema = z
  .object({
    vm: name,
    disk: name,
    source: z
      .object({
        /** nfc: an HttpNfcLease device URL (streamOptimized VMDK); datastore: a /folder URL of a -flat.vmdk. */
        kind: z.enum(['nfc', 'datastore']),
        url: z.string().url(),
        /** What the bytes are: nfc -> vmdk (streamOptimized), datastore flat extent -> raw. */
        format: z.enum(['vmdk', 'raw']).optional(),
        /**
         * datastore only. download (default): the whole disk to scratch first. nbd: blocks fetched on
         * demand (nbdkit) under a qcow2 overlay; upload streams the in-use blocks as a qcow2.
         */
        access: z.enum(['download', 'nbd']).optional(),
        auth: z
          .object({
            /** A vSphere session cookie, e.g. "vmware_soap_session=...". */
            cookie: z.string().optional(),
            /** A generic service ticket (AcquireGenericServiceTicket), sent as the vmware_cgi_ticket cookie. */
            ticket: z.string().optional(),
          })
          .strict()
          .optional(),
        /** Pin the host certificate instead of verifying its chain (self-signed ESXi). */
        tlsThumbprint: z.string().optional(),
        /** Expected size, for the scratch check (e.g. the disk's committed bytes); defaults to Content-Length. */
        sizeBytes: z.number().int().nonnegative().optional(),
        expectedSha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/)
          .optional(),
        expectedSha1: z
          .string()
          .regex(/^[0-9a-fA-F]{40}$/)
          .optional(),
      })
      .strict(),
  })
  .strict();
export type RunnerExportParams = z.infer<typeof runnerExportParamsSchema>;

/** trim and ensure_uefi: one disk of one VM. */
export const runnerVmDiskParamsSchema = z
  .object({ vm: name, disk: name })
  .strict();
export type RunnerVmDiskParams = z.infer<typeof runnerVmDiskParamsSchema>;

export const runnerConvertParamsSchema = z
  .object({
    vm: name,
    disk: name,
    /** zlib-compressed clusters: smaller upload, slower convert and import. Never zstd. */
    compress: z.boolean().default(false),
    /** Drop the exported source once the qcow2 is complete (saves scratch space). */
    removeSource: z.boolean().default(false),
  })
  .strict();
export type RunnerConvertParams = z.infer<typeof runnerConvertParamsSchema>;

export const runnerAdaptLinuxParamsSchema = z
  .object({
    vm: name,
    /** All disks of the VM, boot disk first: fstab entries may live on any of them. */
    disks: z.array(name).min(1).max(16),
  })
  .strict();
export type RunnerAdaptLinuxParams = z.infer<
  typeof runnerAdaptLinuxParamsSchema
>;

export const runnerUploadParamsSchema = z
  .object({
    vm: name,
    disk: name,
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be a valid S3 bucket name',
      ),
    /** Scaleway's import wants a key ending in .qcow2. */
    key: z
      .string()
      .min(7)
      .max(1024)
      .regex(
        /^[A-Za-z0-9!_.*'()/-]+$/,
        "may only hold letters, digits and !_.*'()/-",
      )
      .refine(
        key => key.endsWith('.qcow2'),
        'must end with ".qcow2" (Scaleway imports only qcow2 objects)',
      )
      .refine(
        key => !key.split('/').includes('..') && !key.startsWith('/'),
        'must not contain ".." segments or start with "/"',
      ),
    /** Object Storage region of the target zone (fr-par, nl-ams, pl-waw, ...). */
    region: z.string().regex(/^[a-z]{2}-[a-z]{3}$/, 'must look like "fr-par"'),
  })
  .strict();
export type RunnerUploadParams = z.infer<typeof runnerUploadParamsSchema>;

export const runnerCleanupParamsSchema = z.object({ vm: name }).strict();
export type RunnerCleanupParams = z.infer<typeof runnerCleanupParamsSchema>;

/** The params schema of each kind a runner serves today. */
export const runnerJobParamsSchemas = {
  export: runnerExportParamsSchema,
  trim: runnerVmDiskParamsSchema,
  convert: runnerConvertParamsSchema,
  adapt_linux: runnerAdaptLinuxParamsSchema,
  ensure_uefi: runnerVmDiskParamsSchema,
  upload: runnerUploadParamsSchema,
  cleanup: runnerCleanupParamsSchema,
} satisfies Partial<Record<RunnerJobKind, z.ZodTypeAny>>;

export type RunnerServedJobKind = keyof typeof runnerJobParamsSchemas;
/** What a client sends as `params` for `kind` (defaults may be left out). */
export type RunnerJobParams<K extends RunnerServedJobKind> = z.input<
  (typeof runnerJobParamsSchemas)[K]
>;
