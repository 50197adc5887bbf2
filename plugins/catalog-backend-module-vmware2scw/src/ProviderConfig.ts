import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import { Config, ConfigReader } from '@backstage/config';
import { formatKeyPath } from '@internal/plugin-vmware2scw-common';
import {
  configIssuesOf,
  readVmware2scwConfig,
  type VcenterConfig,
} from '@internal/plugin-vmware2scw-node';
import { z } from 'zod';
import { ProviderConfigError } from './ProviderConfigError';
import { ValueRules } from './OwnershipRules';

export const CONFIG_ROOT = 'catalog.providers.vmware2scw';
const ROOT_PATH = CONFIG_ROOT.split('.');

/** What a provider of one inventory source needs to turn its VMs into entities. */
export interface SourceSettings {
  id: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Prepended to entity names (`<prefix>-<vm>`), so that two sources never emit the same name. */
  entityNamePrefix: string;
  includeTemplates: boolean;
  owner: ValueRules;
  system: ValueRules;
}

export interface VcenterSourceSettings extends SourceSettings {
  vcenter: VcenterConfig;
}

export interface RvtoolsSourceSettings extends SourceSettings {
  /** Local path (relative to the backend's working directory), `file:` URL, or http(s) URL. */
  target: string;
}

export interface ProviderSettings {
  vcenters: VcenterSourceSettings[];
  rvtools: RvtoolsSourceSettings[];
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
};
const EMPTY_RULES: ValueRules = { folders: [] };
const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PREFIX = /^$|^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

const validator = makeValidator();

function isEntityRef(value: string): boolean {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
    return (
      validator.isValidKind(ref.kind) &&
      validator.isValidNamespace(ref.namespace) &&
      validator.isValidEntityName(ref.name)
    );
  } catch {
    return false;
  }
}

/**
 * A value that becomes `spec.owner` / `spec.system` of every matching VM: checked here, because a bad one would
 * make the catalog reject all of those entities, with errors far from this setting.
 */
const entityRefSetting = z.string().refine(isEntityRef, value => ({
  message: `"${value}" is not an entity reference: write a group or system name such as team-web, or a full reference such as group:default/team-web (letters, digits, - _ . only)`,
}));

/** What `Config.getOptionalBoolean` accepts: true/false, and yes/no, on/off, 1/0 from environment values. */
const configBoolean = z.preprocess(v => {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  const s = String(v).trim();
  if (/^(?:y|yes|true|1|on)$/i.test(s)) return true;
  if (/^(?:n|no|false|0|off)$/i.test(s)) return false;
  return v;
}, z.boolean({ invalid_type_error: 'not a boolean: use true or false' }));

const schedule = z.unknown().transform((value, ctx) => {
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(
      new ConfigReader(value as ConstructorParameters<typeof ConfigReader>[0]),
    );
  } catch (e) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${
        (e as Error).message
      }: use e.g. { frequency: { minutes: 30 }, timeout: { minutes: 10 } }, or frequency: { cron: "0 * * * *" }`,
    });
    return z.NEVER;
  }
});

const valueRules = z
  .object({
    tagCategory: z.string().optional(),
    customAttribute: z.string().optional(),
    folders: z
      .array(
        z
          .object({
            prefix: z.string().refine(
              p => p.startsWith('/'),
              p => ({
                message: `"${p}" is not a folder path: write the VM folder path from the datacenter, starting with a slash (/DC1/Production/Web)`,
              }),
            ),
            value: entityRefSetting,
          })
          .strict(),
      )
      .default([]),
    default: entityRefSetting.optional(),
  })
  .strict()
  .transform(
    (r): ValueRules => ({
      tagCategory: r.tagCategory,
      customAttribute: r.customAttribute,
      folders: r.folders,
      default: r.default,
    }),
  );

const sharedSettings = {
  schedule: schedule.optional(),
  includeTemplates: configBoolean.optional(),
  owner: valueRules.optional(),
  system: valueRules.optional(),
};

// false turns the prefix off (Backstage configuration has no empty strings).
const entityNamePrefix = z
  .unknown()
  .refine(
    v => v === false || (typeof v === 'string' && PREFIX.test(v)),
    v => ({
      message: `${JSON.stringify(
        v,
      )} is not a DNS-safe prefix: use up to 32 lower-case letters, digits and dashes, or false for none`,
    }),
  )
  .transform(v => (v === false ? '' : (v as string)))
  .optional();

const providerConfigSchema = z
  .object({
    ...sharedSettings,
    vcenters: z
      .record(
        z
          .object({
            ...sharedSettings,
            entityNamePrefix,
            enabled: configBoolean.optional(),
          })
          .strict(),
      )
      .default({}),
    rvtools: z
      .record(
        z
          .object({
            ...sharedSettings,
            entityNamePrefix,
            target: z
              .string({
                required_error:
                  'required: the RVTools export to read, a path such as ../../examples/inventory/rvtools-sample.xlsx, or an https URL',
              })
              .min(1, 'required: the RVTools export to read'),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

type SourceInput = z.infer<typeof providerConfigSchema>['rvtools'][string];

/**
 * Reads `catalog.providers.vmware2scw` together with the vCenters of `vmware2scw.vcenters`: one source per
 * vCenter (unless disabled) and one per RVTools export. Top-level `schedule`, `includeTemplates`, `owner` and
 * `system` apply to every source; a source's own value replaces them. Every bad key is reported at once, in one
 * {@link ProviderConfigError}.
 */
export function readProviderSettings(config: Config): ProviderSettings {
  const raw = config.getOptional<unknown>(CONFIG_ROOT) ?? {};
  const vcenterConfigs = readVmware2scwConfig(config).vcenters;
  const parsed = providerConfigSchema.safeParse(raw);
  const issues = parsed.success ? [] : configIssuesOf(parsed.error, ROOT_PATH);
  const at = (...path: string[]) => formatKeyPath([...ROOT_PATH, ...path]);

  // Source ids are keys, checked against vmware2scw.vcenters even when some value under them is bad.
  for (const id of keysOf(raw, 'vcenters')) {
    if (!vcenterConfigs.some(v => v.id === id)) {
      issues.push({
        key: at('vcenters', id),
        message: `no vCenter with id "${id}" in vmware2scw.vcenters (ids: ${
          vcenterConfigs.map(v => v.id).join(', ') || 'none'
        }): use the id of a vCenter declared under vmware2scw.vcenters, or remove this key`,
      });
    }
  }
  for (const id of keysOf(raw, 'rvtools')) {
    if (!ID.test(id)) {
      issues.push({
        key: at('rvtools', id),
        message: `"${id}" is not a valid source id: use lower-case letters, digits and dashes (it names the source in entity annotations)`,
      });
    } else if (vcenterConfigs.some(v => v.id === id)) {
      issues.push({
        key: at('rvtools', id),
        message: `"${id}" is also the id of a vCenter: give the RVTools source an id of its own, VMs of both would otherwise share entity names`,
      });
    }
  }
  if (!parsed.success || issues.length)
    throw ProviderConfigError.fromIssues(issues);

  const root = parsed.data;
  const defaults = {
    schedule: root.schedule ?? DEFAULT_SCHEDULE,
    includeTemplates: root.includeTemplates ?? false,
    owner: root.owner ?? EMPTY_RULES,
    system: root.system ?? EMPTY_RULES,
  };
  const source = (
    id: string,
    s: Omit<SourceInput, 'target'> | undefined,
  ): SourceSettings => ({
    id,
    schedule: s?.schedule ?? defaults.schedule,
    entityNamePrefix: s?.entityNamePrefix ?? id,
    includeTemplates: s?.includeTemplates ?? defaults.includeTemplates,
    owner: s?.owner ?? defaults.owner,
    system: s?.system ?? defaults.system,
  });
  const vcenters = vcenterConfigs.flatMap(vcenter => {
    const own = root.vcenters[vcenter.id];
    if (own?.enabled === false) return [];
    return [{ ...source(vcenter.id, own), vcenter }];
  });
  const rvtools = Object.entries(root.rvtools).map(([id, own]) => ({
    ...source(id, own),
    target: own.target,
  }));

  const prefixes = new Map<string, string>();
  for (const s of [...vcenters, ...rvtools]) {
    const other = prefixes.get(s.entityNamePrefix);
    if (other !== undefined) {
      issues.push({
        key: `${CONFIG_ROOT} (${s.id})`,
        message: `sources "${other}" and "${s.id}" have the same entityNamePrefix "${s.entityNamePrefix}": give each source its own prefix, so that their VMs never get the same entity name`,
      });
    } else prefixes.set(s.entityNamePrefix, s.id);
  }
  if (issues.length) throw ProviderConfigError.fromIssues(issues);
  return { vcenters, rvtools };
}

/** The keys of a mapping under `raw[name]`, whatever its values. */
function keysOf(raw: unknown, name: string): string[] {
  const section = (raw as Record<string, unknown> | null)?.[name];
  return section && typeof section === 'object' && !Array.isArray(section)
    ? Object.keys(section)
    : [];
}
