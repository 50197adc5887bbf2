import type { Config } from '@backstage/config';
import {
  isLoopbackHostname,
  parseThumbprint,
  SCALEWAY_ZONES,
  STAGE_IDS,
  zoneRegion,
} from '@internal/plugin-vmware2scw-common';
import { z } from 'zod';
import {
  ConfigError,
  configErrorOptions,
  configIssuesOf,
  type ConfigIssue,
} from './ConfigError';

/**
 * The `vmware2scw:` section of app-config: what the old tool's `migration.yaml` held (vCenters, Scaleway,
 * conversion). Read once at start-up; an invalid value stops the backend with the key path and what is
 * expected. Secret values never appear in those messages.
 */

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const id = (what: string) =>
  z
    .string({ required_error: `required: a short id for this ${what}` })
    .regex(
      ID,
      `expected lower-case letters, digits and dashes (a DNS-safe id for this ${what})`,
    );

/** A true/false setting. */
const flag = (fallback: boolean) =>
  z.boolean({ invalid_type_error: 'expected true or false' }).default(fallback);

/** One of a few words, the error listing them. */
const oneOf = <const T extends string>(
  values: readonly [T, ...T[]],
  fallback: T,
) =>
  z
    .enum(values, {
      errorMap: () => ({
        message: `expected ${values.slice(0, -1).join(', ')} or ${
          values[values.length - 1]
        }`,
      }),
    })
    .default(fallback);

function parseUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

/**
 * An http(s) URL without credentials in it. Plain http only to this machine (tests, a runner beside the
 * backend): anything else would carry passwords, tokens and session cookies in clear.
 */
const httpUrl = (what: string) =>
  z
    .string({ required_error: `required: the ${what} URL` })
    .refine(v => {
      const u = parseUrl(v);
      return (
        !!u &&
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        !u.username &&
        !u.password
      );
    }, `expected an https URL of the ${what}, without credentials in it`)
    .refine(v => {
      const u = parseUrl(v);
      return !u || u.protocol !== 'http:' || isLoopbackHostname(u.hostname);
    }, `expected https: plain http is only accepted for localhost, credentials would cross the network in clear`);

const secret = (envHint: string) =>
  z
    .string({
      required_error: `required: set it from the environment, e.g. \${${envHint}}`,
      invalid_type_error: `expected a string, e.g. \${${envHint}}`,
    })
    .min(
      1,
      `must not be empty: set it from the environment, e.g. \${${envHint}}`,
    );

export const vcenterConfigSchema = z
  .object({
    id: id('vCenter'),
    url: httpUrl('vCenter (https://vcenter.example.com or its /sdk endpoint)'),
    username: z
      .string({ required_error: 'required: the vCenter user name' })
      .min(1),
    password: secret('VCENTER_PASSWORD'),
    /** Accept a certificate no CA vouches for, but only the one whose SHA-256 fingerprint is pinned. */
    insecure: flag(false),
    /** Checked on every connection, with or without `insecure` (with it, instead of the CA chain). */
    thumbprint: z
      .string()
      .refine(
        v => parseThumbprint(v, 'sha256') !== undefined,
        'expected the SHA-256 fingerprint of the vCenter certificate: 64 hex digits, colons allowed (openssl x509 -noout -fingerprint -sha256)',
      )
      .optional(),
    /**
     * Read each running VM's utilisation (CPU, memory, disk, network) from the vCenter's historical
     * statistics with the inventory, for right-sizing; one QueryPerf per 50 VMs.
     */
    utilisation: z
      .boolean({ invalid_type_error: 'expected true or false' })
      .default(true),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.insecure && !v.thumbprint) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['thumbprint'],
        message:
          'required when insecure is true: pin the SHA-256 fingerprint of the vCenter certificate instead of trusting any certificate',
      });
    }
  });
export type VcenterConfig = z.infer<typeof vcenterConfigSchema>;

export const scalewayConfigSchema = z
  .object({
    accessKey: secret('SCW_ACCESS_KEY').refine(
      v => /^SCW[A-Z0-9]{17}$/i.test(v),
      'expected a Scaleway access key (SCW followed by 17 letters or digits)',
    ),
    secretKey: secret('SCW_SECRET_KEY').refine(
      v => UUID.test(v),
      'expected a Scaleway secret key (a UUID)',
    ),
    organizationId: z
      .string()
      .regex(UUID, 'expected the organization id (a UUID)')
      .optional(),
    projectId: z
      .string({
        required_error:
          'required: the project id (a UUID) that receives the instances',
      })
      .regex(UUID, 'expected the project id (a UUID)'),
    defaultZone: z.enum(SCALEWAY_ZONES, {
      errorMap: () => ({
        message: `expected one of ${SCALEWAY_ZONES.join(', ')}`,
      }),
    }),
    /** Region of the transit bucket; it must be the default zone's region (imports read the bucket in-region). */
    s3Region: z
      .string()
      .regex(/^[a-z]{2}-[a-z]{3}$/, 'expected a region such as fr-par')
      .optional(),
    transitBucket: z
      .string({
        required_error:
          'required: the Object Storage bucket used to carry qcow2 images',
      })
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'expected a bucket name: 3-63 lower-case letters, digits, dots and dashes',
      ),
    /** Overrides for tests or private endpoints. */
    s3Endpoint: httpUrl('Object Storage endpoint').optional(),
    /** Keys of the transit bucket when they are not the API keys (another S3 service, tests). */
    s3AccessKey: secret('S3_ACCESS_KEY').optional(),
    s3SecretKey: secret('S3_SECRET_KEY').optional(),
    apiUrl: httpUrl('Scaleway API')
      .refine(v => !v.endsWith('/'), 'must not end with a slash')
      .optional(),
    /**
     * What the verify stage does: create a server of the target type from the image and check it
     * (default), or only check the image; and which IP the server must have.
     */
    verify: z
      .object({
        createServer: flag(true),
        ip: oneOf(['public', 'private', 'none'], 'public'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .transform(v => ({ ...v, s3Region: v.s3Region ?? zoneRegion(v.defaultZone) }))
  .superRefine((v, ctx) => {
    if (v.s3Region !== zoneRegion(v.defaultZone)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['s3Region'],
        message: `must be the region of defaultZone ${
          v.defaultZone
        } (${zoneRegion(
          v.defaultZone,
        )}): Block Storage imports read the bucket in the same region`,
      });
    }
  });
export type ScalewayConfig = z.infer<typeof scalewayConfigSchema>;

export const runnerConfigSchema = z
  .object({
    id: id('runner'),
    url: httpUrl('conversion runner'),
    token: secret('RUNNER_TOKEN').refine(
      v => v.length >= 16,
      'must be at least 16 characters',
    ),
  })
  .strict();
export type RunnerConfig = z.infer<typeof runnerConfigSchema>;

export const conversionConfigSchema = z
  .object({
    runners: z.array(runnerConfigSchema).default([]),
    workDir: z
      .string()
      .startsWith('/', 'expected an absolute path on the runners')
      .default('/var/lib/vmware2scw/work'),
    compressQcow2: flag(true),
    virtioWinIso: z
      .string()
      .startsWith('/', 'expected an absolute path on the runners')
      .optional(),
    cleanupOnSuccess: flag(true),
    /**
     * How disks leave vSphere: `datastore` reads the flat extent over the datastore /folder URL (only
     * consistent when the VM had no snapshot before the migration's), `nfc` an export lease; `auto`
     * picks datastore when it is consistent, NFC otherwise.
     */
    exportMethod: oneOf(['auto', 'datastore', 'nfc'], 'auto'),
    /** Free blocks of raw (datastore) exports become holes before convert (virt-sparsify). */
    trim: flag(true),
  })
  .strict();
export type ConversionConfig = z.infer<typeof conversionConfigSchema>;

const positiveSeconds = (what: string, fallback: number) =>
  z
    .number({ invalid_type_error: `expected ${what} in seconds (a number)` })
    .positive(`expected ${what} in seconds, above 0`)
    .default(fallback);

export const engineConfigSchema = z
  .object({
    /** How often each backend instance looks for work when nothing woke it, seconds. */
    tickSeconds: positiveSeconds('the tick', 5),
    /** A claimed stage is given back when its backend stops renewing it for this long, seconds. */
    leaseSeconds: positiveSeconds('the lease', 60),
    /** Stages one backend instance runs at once (most wait on a runner, vCenter or Scaleway). */
    maxConcurrentStages: z
      .number({ invalid_type_error: 'expected a number' })
      .int('expected a whole number')
      .min(1, 'expected at least 1')
      .default(20),
    /** How long a VM read from a vCenter is reused by validate, seconds. */
    inventoryCacheSeconds: positiveSeconds('the inventory cache', 60),
    /** Per-stage time limits, minutes (e.g. `export: 720`); a stage over its limit fails with STAGE_TIMEOUT. */
    stageTimeoutMinutes: z
      .record(
        z.enum(STAGE_IDS, {
          errorMap: () => ({
            message: `expected a stage: ${STAGE_IDS.join(', ')}`,
          }),
        }),
        z.number().positive('expected minutes above 0'),
      )
      .default({}),
  })
  .strict();
export type EngineConfig = z.infer<typeof engineConfigSchema>;

const ENTITY_REF =
  /^(user|group):([a-z0-9][a-z0-9._-]*\/)?[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

export const permissionsConfigSchema = z
  .object({
    /**
     * Users and groups allowed to create plans, run batches and approve waves (the platform team).
     * Everyone signed in may read.
     */
    admins: z
      .array(
        z
          .string()
          .regex(
            ENTITY_REF,
            'expected an entity reference such as group:default/platform-team or user:default/jane',
          ),
      )
      .default([]),
  })
  .strict();
export type PermissionsConfig = z.infer<typeof permissionsConfigSchema>;

export const vmware2scwConfigSchema = z
  .object({
    vcenters: z.array(vcenterConfigSchema).default([]),
    scaleway: scalewayConfigSchema.optional(),
    conversion: conversionConfigSchema.default({}),
    permissions: permissionsConfigSchema.default({}),
    engine: engineConfigSchema.default({}),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const [key, list] of [
      ['vcenters', v.vcenters],
      ['conversion', v.conversion.runners],
    ] as const) {
      const seen = new Map<string, number>();
      list.forEach((item, i) => {
        const first = seen.get(item.id);
        if (first !== undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path:
              key === 'vcenters'
                ? ['vcenters', i, 'id']
                : ['conversion', 'runners', i, 'id'],
            message: `duplicate id "${item.id}" (also at index ${first}): ids must be unique`,
          });
        } else seen.set(item.id, i);
      });
    }
  });
export type Vmware2scwConfig = z.infer<typeof vmware2scwConfigSchema>;

/** The `vmware2scw:` section cannot be used; `issues` list each bad key with what is expected. */
export class Vmware2scwConfigError extends ConfigError {
  static fromIssues(issues: ConfigIssue[]): Vmware2scwConfigError {
    return new Vmware2scwConfigError(
      configErrorOptions(
        'VMWARE2SCW_CONFIG_INVALID',
        'vmware2scw',
        'plugins/vmware2scw-backend/config.d.ts',
        issues,
      ),
    );
  }
}

/** Reads and validates `vmware2scw:`; an absent section is a valid empty configuration. */
export function readVmware2scwConfig(config: Config): Vmware2scwConfig {
  const raw = config.getOptional<unknown>('vmware2scw') ?? {};
  const result = vmware2scwConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw Vmware2scwConfigError.fromIssues(
    configIssuesOf(result.error, ['vmware2scw']),
  );
}
