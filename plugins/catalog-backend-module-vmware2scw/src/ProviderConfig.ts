import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  readVmware2scwConfig,
  VcenterConfig,
} from '@internal/plugin-vmware2scw-node';
import { ProviderConfigError } from './ProviderConfigError';
import { FolderRule, ValueRules } from './OwnershipRules';

export const CONFIG_ROOT = 'catalog.providers.vmware2scw';

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
const SOURCE_KEYS = [
  'schedule',
  'entityNamePrefix',
  'includeTemplates',
  'owner',
  'system',
];

/**
 * Reads `catalog.providers.vmware2scw` together with the vCenters of `vmware2scw.vcenters`: one source per
 * vCenter (unless disabled) and one per RVTools export. Top-level `schedule`, `includeTemplates`, `owner` and
 * `system` apply to every source; a source's own value replaces them.
 */
export function readProviderSettings(config: Config): ProviderSettings {
  const root = config.getOptionalConfig(CONFIG_ROOT);
  checkKeys(root, CONFIG_ROOT, [
    ...SOURCE_KEYS.filter(k => k !== 'entityNamePrefix'),
    'vcenters',
    'rvtools',
  ]);
  const defaults = {
    schedule: readSchedule(root, CONFIG_ROOT) ?? DEFAULT_SCHEDULE,
    includeTemplates:
      readBoolean(root, 'includeTemplates', CONFIG_ROOT) ?? false,
    owner:
      readRules(root?.getOptionalConfig('owner'), `${CONFIG_ROOT}.owner`) ??
      EMPTY_RULES,
    system:
      readRules(root?.getOptionalConfig('system'), `${CONFIG_ROOT}.system`) ??
      EMPTY_RULES,
  };

  const source = (
    id: string,
    c: Config | undefined,
    key: string,
  ): SourceSettings => {
    // false turns the prefix off (Backstage configuration has no empty strings).
    const raw = c?.getOptional<unknown>('entityNamePrefix') ?? id;
    const prefix = raw === false ? '' : raw;
    if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
      throw new ProviderConfigError(
        `${key}.entityNamePrefix`,
        `${JSON.stringify(prefix)} is not a DNS-safe prefix`,
        'Use up to 32 lower-case letters, digits and dashes, or false for none.',
      );
    }
    return {
      id,
      schedule: readSchedule(c, key) ?? defaults.schedule,
      entityNamePrefix: prefix,
      includeTemplates:
        readBoolean(c, 'includeTemplates', key) ?? defaults.includeTemplates,
      owner:
        readRules(c?.getOptionalConfig('owner'), `${key}.owner`) ??
        defaults.owner,
      system:
        readRules(c?.getOptionalConfig('system'), `${key}.system`) ??
        defaults.system,
    };
  };

  const vcenterConfigs = readVmware2scwConfig(config).vcenters;
  const overrides = root?.getOptionalConfig('vcenters');
  for (const id of overrides?.keys() ?? []) {
    if (!vcenterConfigs.some(v => v.id === id)) {
      throw new ProviderConfigError(
        `${CONFIG_ROOT}.vcenters.${id}`,
        `no vCenter with id "${id}" in vmware2scw.vcenters (ids: ${
          vcenterConfigs.map(v => v.id).join(', ') || 'none'
        })`,
        'Use the id of a vCenter declared under vmware2scw.vcenters, or remove this key.',
      );
    }
  }
  const vcenters = vcenterConfigs.flatMap(vcenter => {
    const key = `${CONFIG_ROOT}.vcenters.${vcenter.id}`;
    const c = overrides?.getOptionalConfig(vcenter.id);
    checkKeys(c, key, [...SOURCE_KEYS, 'enabled']);
    if (readBoolean(c, 'enabled', key) === false) return [];
    return [{ ...source(vcenter.id, c, key), vcenter }];
  });

  const rvtoolsRoot = root?.getOptionalConfig('rvtools');
  const rvtools = (rvtoolsRoot?.keys() ?? []).map(id => {
    const key = `${CONFIG_ROOT}.rvtools.${id}`;
    if (!ID.test(id)) {
      throw new ProviderConfigError(
        key,
        `"${id}" is not a valid source id`,
        'Use lower-case letters, digits and dashes (it names the source in entity annotations).',
      );
    }
    if (vcenterConfigs.some(v => v.id === id)) {
      throw new ProviderConfigError(
        key,
        `"${id}" is also the id of a vCenter`,
        'Give the RVTools source an id of its own: VMs of both would otherwise share entity names.',
      );
    }
    const c = rvtoolsRoot!.getConfig(id);
    checkKeys(c, key, [...SOURCE_KEYS, 'target']);
    const target = c.getOptionalString('target');
    if (!target) {
      throw new ProviderConfigError(
        `${key}.target`,
        'required',
        'Set the RVTools export to read: a path such as ../../examples/inventory/rvtools-sample.xlsx, or an https URL.',
      );
    }
    return { ...source(id, c, key), target };
  });

  const prefixes = new Map<string, string>();
  for (const s of [...vcenters, ...rvtools]) {
    const other = prefixes.get(s.entityNamePrefix);
    if (other !== undefined) {
      throw new ProviderConfigError(
        `${CONFIG_ROOT} (${s.id})`,
        `sources "${other}" and "${s.id}" have the same entityNamePrefix "${s.entityNamePrefix}"`,
        'Give each source its own prefix, so that their VMs never get the same entity name.',
      );
    }
    prefixes.set(s.entityNamePrefix, s.id);
  }
  return { vcenters, rvtools };
}

function readRules(c: Config | undefined, key: string): ValueRules | undefined {
  if (!c) return undefined;
  checkKeys(c, key, ['tagCategory', 'customAttribute', 'folders', 'default']);
  const folders: FolderRule[] = (c.getOptionalConfigArray('folders') ?? []).map(
    (f, i) => {
      const prefix = f.getString('prefix');
      if (!prefix.startsWith('/')) {
        throw new ProviderConfigError(
          `${key}.folders[${i}].prefix`,
          `"${prefix}" is not a folder path`,
          'Write the VM folder path from the datacenter, starting with a slash: /DC1/Production/Web.',
        );
      }
      return {
        prefix,
        value: entityRefSetting(
          f.getString('value'),
          `${key}.folders[${i}].value`,
        ),
      };
    },
  );
  const fallback = c.getOptionalString('default');
  return {
    tagCategory: c.getOptionalString('tagCategory'),
    customAttribute: c.getOptionalString('customAttribute'),
    folders,
    default:
      fallback === undefined
        ? undefined
        : entityRefSetting(fallback, `${key}.default`),
  };
}

const validator = makeValidator();

/**
 * A value that becomes `spec.owner` / `spec.system` of every matching VM: checked here, because a bad one would
 * make the catalog reject all of those entities, with errors far from this setting.
 */
function entityRefSetting(value: string, key: string): string {
  let valid = false;
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
    valid =
      validator.isValidKind(ref.kind) &&
      validator.isValidNamespace(ref.namespace) &&
      validator.isValidEntityName(ref.name);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ProviderConfigError(
      key,
      `"${value}" is not an entity reference`,
      'Write a group or system name such as team-web, or a full reference such as group:default/team-web (letters, digits, - _ . only).',
    );
  }
  return value;
}

function readSchedule(
  c: Config | undefined,
  key: string,
): SchedulerServiceTaskScheduleDefinition | undefined {
  if (!c?.has('schedule')) return undefined;
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(
      c.getConfig('schedule'),
    );
  } catch (e) {
    throw new ProviderConfigError(
      `${key}.schedule`,
      (e as Error).message,
      'Use e.g. { frequency: { minutes: 30 }, timeout: { minutes: 10 } }, or frequency: { cron: "0 * * * *" }.',
    );
  }
}

function readBoolean(
  c: Config | undefined,
  name: string,
  key: string,
): boolean | undefined {
  try {
    return c?.getOptionalBoolean(name);
  } catch {
    throw new ProviderConfigError(
      `${key}.${name}`,
      'not a boolean',
      'Use true or false.',
    );
  }
}

function checkKeys(
  c: Config | undefined,
  key: string,
  allowed: string[],
): void {
  const unknown = (c?.keys() ?? []).filter(k => !allowed.includes(k));
  if (unknown.length) {
    throw new ProviderConfigError(
      key,
      `unknown key(s) ${unknown.map(k => `"${k}"`).join(', ')}`,
      `Remove them or check the spelling; allowed here: ${allowed.join(', ')}.`,
    );
  }
}
