import { Vm } from '@internal/plugin-vmware2scw-common';

export interface FolderRule {
  /** VM folder path from the datacenter (`/DC1/Production/Web`); matches that folder and those below it. */
  prefix: string;
  value: string;
}

/**
 * Where a VM's owner (or system) comes from, in this order: a vCenter tag of `tagCategory`, the custom
 * attribute `customAttribute`, the longest matching folder prefix, then `default`.
 */
export interface ValueRules {
  tagCategory?: string;
  customAttribute?: string;
  folders: FolderRule[];
  default?: string;
}

export interface ResolvedValue {
  value: string;
  /** Which rule gave it, shown on the entity so that a surprising owner can be traced: `folder:/DC1/Web`. */
  rule: string;
}

/** The value the rules give a VM, or `undefined` when none applies. */
export function resolveValue(
  vm: Vm,
  rules: ValueRules,
): ResolvedValue | undefined {
  if (rules.tagCategory) {
    const category = rules.tagCategory.toLowerCase();
    const tag = vm.tags.find(
      t => t.category?.toLowerCase() === category && entityRefValue(t.name),
    );
    if (tag)
      return {
        value: entityRefValue(tag.name)!,
        rule: `tag:${rules.tagCategory}`,
      };
  }
  if (rules.customAttribute) {
    const wanted = rules.customAttribute.toLowerCase();
    const entry = Object.entries(vm.customAttributes).find(
      ([k, v]) => k.toLowerCase() === wanted && entityRefValue(v),
    );
    if (entry)
      return {
        value: entityRefValue(entry[1])!,
        rule: `custom-attribute:${entry[0]}`,
      };
  }
  const folder = longestFolderMatch(vm.folderPath, rules.folders);
  if (folder) return { value: folder.value, rule: `folder:${folder.prefix}` };
  if (rules.default) return { value: rules.default, rule: 'default' };
  return undefined;
}

function longestFolderMatch(
  folderPath: string,
  rules: FolderRule[],
): FolderRule | undefined {
  const path = folderPath.toLowerCase();
  let best: FolderRule | undefined;
  for (const r of rules) {
    // vSphere folder names compare without case; a prefix matches whole path segments only.
    const prefix = r.prefix.replace(/\/+$/, '').toLowerCase();
    const matches =
      prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
    if (
      matches &&
      (!best || prefix.length > best.prefix.replace(/\/+$/, '').length)
    )
      best = r;
  }
  return best;
}

const ENTITY_REF =
  /^([a-z0-9]+:)?([a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * A tag or attribute value as an entity reference: people write `Team Web` where the catalog has
 * `team-web`, so case and inner spaces are folded; anything still not a reference is ignored.
 */
export function entityRefValue(raw: string): string | undefined {
  const v = raw.trim().toLowerCase().replace(/\s+/g, '-');
  return v.length <= 253 && ENTITY_REF.test(v) ? v : undefined;
}
