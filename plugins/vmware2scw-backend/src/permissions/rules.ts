import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import {
  AuthorizeResult,
  type ConditionalPolicyDecision,
  type PermissionCondition,
  type PermissionCriteria,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createPermissionResourceRef,
  type PermissionRule,
} from '@backstage/plugin-permission-node';
import {
  VMWARE2SCW_VM_RESOURCE_TYPE,
  VMWARE2SCW_WAVE_RESOURCE_TYPE,
} from '@internal/plugin-vmware2scw-common';
import type {
  StandardJSONSchemaV1,
  StandardSchemaV1,
} from '@standard-schema/spec';

/** A wave, as the permission rules judge it: who owns the VMs in it. */
export interface WaveResource {
  waveId: string;
  /** Owner entity refs (`group:default/team-web`) of every VM of the wave, one per VM. */
  owners: string[];
}

/** A VM entity, as the permission rules judge it. */
export interface VmResource {
  entityRef: string;
  owner?: string;
}

/** Filters a rule could apply to a query of waves or VMs (not used to list: decisions are per resource). */
export type OwnerQuery = { ownedByAnyOf: string[] };

export const waveResourceRef = createPermissionResourceRef<
  WaveResource,
  OwnerQuery
>().with({
  pluginId: 'vmware2scw',
  resourceType: VMWARE2SCW_WAVE_RESOURCE_TYPE,
});

export const vmResourceRef = createPermissionResourceRef<
  VmResource,
  OwnerQuery
>().with({ pluginId: 'vmware2scw', resourceType: VMWARE2SCW_VM_RESOURCE_TYPE });

type ClaimsParams = { claims: string[] };

const CLAIMS_JSON_SCHEMA = {
  type: 'object',
  required: ['claims'],
  additionalProperties: false,
  properties: {
    claims: {
      type: 'array',
      items: { type: 'string' },
      description: 'Entity refs the user is or belongs to (user:…, group:…)',
    },
  },
};

/**
 * The rules' parameters as a Standard Schema with its JSON Schema (what the permission framework
 * prefers over zod v3 schemas, which it deprecates).
 */
const claimsSchema: StandardSchemaV1<ClaimsParams> &
  StandardJSONSchemaV1<ClaimsParams> = {
  '~standard': {
    version: 1,
    vendor: 'vmware2scw',
    validate: value => {
      const claims = (value as { claims?: unknown } | null)?.claims;
      if (!Array.isArray(claims) || !claims.every(c => typeof c === 'string')) {
        return {
          issues: [
            { message: 'expected { claims: string[] }', path: ['claims'] },
          ],
        };
      }
      return { value: { claims } };
    },
    jsonSchema: {
      input: () => CLAIMS_JSON_SCHEMA,
      output: () => CLAIMS_JSON_SCHEMA,
    },
  },
};

const lower = (refs: readonly string[]) =>
  new Set(refs.map(r => r.toLocaleLowerCase('en-US')));

/** The owner of a catalog entity as a full entity ref (`team-web` → `group:default/team-web`). */
export function ownerRefOf(entity: Entity): string | undefined {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

export const isWaveOwner: PermissionRule<
  WaveResource,
  OwnerQuery,
  typeof VMWARE2SCW_WAVE_RESOURCE_TYPE,
  ClaimsParams
> = {
  name: 'IS_WAVE_OWNER',
  description: 'The user (or one of their groups) owns every VM of the wave',
  resourceType: VMWARE2SCW_WAVE_RESOURCE_TYPE,
  paramsSchema: claimsSchema,
  apply: (wave, { claims }) => {
    const mine = lower(claims);
    return wave.owners.length > 0 && wave.owners.every(o => mine.has(o));
  },
  toQuery: ({ claims }) => ({ ownedByAnyOf: claims }),
};

export const isVmOwner: PermissionRule<
  VmResource,
  OwnerQuery,
  typeof VMWARE2SCW_VM_RESOURCE_TYPE,
  ClaimsParams
> = {
  name: 'IS_VM_OWNER',
  description: 'The user (or one of their groups) owns the VM entity',
  resourceType: VMWARE2SCW_VM_RESOURCE_TYPE,
  paramsSchema: claimsSchema,
  apply: (vm, { claims }) => Boolean(vm.owner && lower(claims).has(vm.owner)),
  toQuery: ({ claims }) => ({ ownedByAnyOf: claims }),
};

/**
 * Conditions for permission policies (what `createConditionExports` makes, written out: its inferred
 * types go through two copies of zod here and do not compile).
 */
export const waveConditions = {
  isWaveOwner: (
    params: ClaimsParams,
  ): PermissionCondition<
    typeof VMWARE2SCW_WAVE_RESOURCE_TYPE,
    ClaimsParams
  > => ({
    rule: isWaveOwner.name,
    resourceType: VMWARE2SCW_WAVE_RESOURCE_TYPE,
    params,
  }),
};

export const vmConditions = {
  isVmOwner: (
    params: ClaimsParams,
  ): PermissionCondition<typeof VMWARE2SCW_VM_RESOURCE_TYPE, ClaimsParams> => ({
    rule: isVmOwner.name,
    resourceType: VMWARE2SCW_VM_RESOURCE_TYPE,
    params,
  }),
};

/** A conditional decision on a vmware2scw resource permission (wave approval, VM migration). */
export function createVmware2scwConditionalDecision(
  permission: ResourcePermission<
    typeof VMWARE2SCW_WAVE_RESOURCE_TYPE | typeof VMWARE2SCW_VM_RESOURCE_TYPE
  >,
  conditions: PermissionCriteria<PermissionCondition<string>>,
): ConditionalPolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'vmware2scw',
    resourceType: permission.resourceType,
    conditions,
  };
}
