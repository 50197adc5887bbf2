import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

/** Where a VM's owner or system comes from, first match wins in this order. */
interface Vmware2scwValueRules {
  /** vCenter tag category whose tag on the VM names the value (e.g. `Owner` → tag `team-web`). */
  tagCategory?: string;
  /** vCenter custom attribute (an RVTools vInfo column) whose value names it (e.g. `Owner`). */
  customAttribute?: string;
  /**
   * VM folder path prefixes from the datacenter (`/DC1/Production/Web`); the longest matching prefix wins.
   */
  folders?: Array<{ prefix: string; value: string }>;
  /** Value when no rule above applies (an entity reference such as `platform-team` or `group:default/ops`). */
  default?: string;
}

/** Settings shared by every inventory source, overridable per source. */
interface Vmware2scwSourceSettings {
  /** How often the source is read; default `{ frequency: { minutes: 30 }, timeout: { minutes: 10 } }`. */
  schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
  /** Emit entities for VM templates too (default false). */
  includeTemplates?: boolean;
  /** Rules for `spec.owner`; without any, VMs are owned by `unknown`. */
  owner?: Vmware2scwValueRules;
  /** Rules for `spec.system` (optional: no rule, no system). */
  system?: Vmware2scwValueRules;
}

export interface Config {
  catalog?: {
    providers?: {
      /**
       * vmware2scw entity providers: one per vCenter of `vmware2scw.vcenters` and one per RVTools export below.
       * The top-level settings apply to every source.
       */
      vmware2scw?: Vmware2scwSourceSettings & {
        /** Per-vCenter overrides, keyed by the vCenter id of `vmware2scw.vcenters`. */
        vcenters?: {
          [vcenterId: string]: Vmware2scwSourceSettings & {
            /** Set to false to keep this vCenter out of the catalog (it stays usable for migrations). */
            enabled?: boolean;
            /** Entity name prefix (default: the vCenter id); false for none. */
            entityNamePrefix?: string | false;
          };
        };
        /** RVTools exports, keyed by a source id of your choice (lower-case letters, digits, dashes). */
        rvtools?: {
          [sourceId: string]: Vmware2scwSourceSettings & {
            /**
             * The export: an `.xlsx` file, an `RVTools_tab<sheet>.csv` file (its sibling sheets are read with it)
             * or a directory of them. A local path (relative to the backend's working directory) or `file:` URL is
             * read from disk; an http(s) URL through the UrlReader (an integration or `backend.reading.allow`
             * must allow its host).
             */
            target: string;
            /** Entity name prefix (default: the source id); false for none. */
            entityNamePrefix?: string | false;
          };
        };
      };
    };
  };
}
