import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  clusterSchema,
  datastoreSchema,
  hostSchema,
  networkSchema,
  vmSchema,
  type Inventory,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import { ContainerView } from './ContainerView';
import {
  GRAPH_PROPERTIES,
  GRAPH_VIEW_TYPES,
  InventoryMapper,
  VM_PROPERTIES,
} from './InventoryMapper';
import {
  PerformanceStats,
  type PerformanceStatsOptions,
} from './PerformanceStats';
import type { PropertyCollector } from './PropertyCollector';
import type { SoapTransport } from './SoapTransport';
import type { TaggingClient } from './TaggingClient';
import type { ServiceContent } from './VcenterSession';
import { arrayItems, at, int, text } from './VimValue';

export interface ReadInventoryOptions {
  /** The configured vCenter id, stamped on every VM (`Vm.sourceId`). */
  vcenterId: string;
  signal?: AbortSignal;
  /** Read vSphere tags through the vAPI endpoint (default true). */
  includeTags?: boolean;
  /** VMs per RetrievePropertiesEx page (default 250). */
  pageSize?: number;
  /**
   * Read each running VM's utilisation from the vCenter's historical statistics (see
   * {@link PerformanceStats}); off by default. A failure leaves the VMs without utilisation and warns.
   */
  utilisation?: boolean | Omit<PerformanceStatsOptions, 'signal'>;
}

export interface InventoryReadResult {
  inventory: Inventory;
  /** Things the reader could not do but worked around (no tags, a VM that did not validate ...). */
  warnings: string[];
  /** VMs left out, with the reason (no readable configuration, invalid data). */
  skippedVms: string[];
  /**
   * Why vSphere tags could not be read, when they were asked for and failed: every VM then has no tags,
   * which callers deriving owners from tags must not mistake for "untagged".
   */
  tagsError?: string;
}

interface ReaderDeps {
  soap: SoapTransport;
  pc: PropertyCollector;
  tagging?: TaggingClient;
  logger?: LoggerService;
}

/**
 * Reads a whole vCenter into the inventory model: the parent graph (folders, datacenters, clusters,
 * hosts, pools, datastores, networks) through one container view, then the VMs through another, page
 * by page, mapping each page before asking for the next so that raw XML never piles up.
 */
export class InventoryReader {
  constructor(private readonly deps: ReaderDeps) {}

  async read(
    content: ServiceContent,
    opts: ReadInventoryOptions,
  ): Promise<InventoryReadResult> {
    const { soap, pc, logger } = this.deps;
    const { signal } = opts;
    const pageSize = opts.pageSize ?? 250;
    const warnings: string[] = [];
    const skippedVms: string[] = [];
    const warn = (msg: string) => {
      warnings.push(msg);
      logger?.warn(msg);
    };

    const customFieldNames = await this.customFieldNames(content, signal);

    const graph = await ContainerView.with(
      soap,
      content.viewManager,
      content.rootFolder,
      GRAPH_VIEW_TYPES,
      view =>
        pc.retrieveAll(
          {
            propSet: Object.entries(GRAPH_PROPERTIES).map(
              ([type, pathSet]) => ({ type, pathSet }),
            ),
            objectSet: [view.objectSpec()],
          },
          { maxObjects: pageSize * 4, signal },
        ),
      { signal },
    );
    const mapper = new InventoryMapper(graph, {
      vcenterId: opts.vcenterId,
      customFieldNames,
    });

    const vms: Vm[] = [];
    await ContainerView.with(
      soap,
      content.viewManager,
      content.rootFolder,
      ['VirtualMachine'],
      async view => {
        const pages = pc.retrievePages(
          {
            propSet: [{ type: 'VirtualMachine', pathSet: VM_PROPERTIES }],
            objectSet: [view.objectSpec()],
          },
          { maxObjects: pageSize, signal },
        );
        for await (const page of pages) {
          for (const [i, o] of page.entries()) {
            // Mapping thousands of VMs is CPU work: let the backend serve other requests meanwhile.
            if (i > 0 && i % 200 === 0)
              await new Promise(resolve => setImmediate(resolve));
            const mapped = mapper.mapVm(o);
            if ('skipped' in mapped) {
              skippedVms.push(mapped.skipped);
              continue;
            }
            const parsed = vmSchema.safeParse(mapped.vm);
            if (!parsed.success) {
              const issues = parsed.error.issues.map(
                issue => `${issue.path.join('.')}: ${issue.message}`,
              );
              skippedVms.push(
                `VM ${mapped.vm.name} (${o.obj.value}): ${issues.join('; ')}`,
              );
              continue;
            }
            vms.push(parsed.data);
          }
        }
      },
      { signal },
    );
    if (skippedVms.length) {
      warn(
        `${skippedVms.length} VM(s) left out of the inventory: ${skippedVms
          .slice(0, 5)
          .join(' | ')}`,
      );
    }

    let tagsError: string | undefined;
    if (opts.includeTags !== false && this.deps.tagging && vms.length) {
      try {
        const tags = await this.deps.tagging.attachedTags(
          vms.map(v => ({ type: 'VirtualMachine', value: v.moref })),
          { signal },
        );
        for (const vm of vms) vm.tags = tags.get(vm.moref) ?? [];
      } catch (err) {
        // A canceled read is not "no tags": stop like the rest of the read does.
        if (signal?.aborted) throw err;
        tagsError = String(err);
        warn(
          `vSphere tags could not be read, VMs have none in this inventory: ${String(
            err,
          )}`,
        );
      }
    }

    if (opts.utilisation && vms.length) {
      if (!content.perfManager) {
        warn('this vCenter has no PerformanceManager: VMs have no utilisation');
      } else {
        try {
          const stats = await new PerformanceStats(soap, pc).read(
            content.perfManager,
            vms,
            {
              ...(opts.utilisation === true ? {} : opts.utilisation),
              signal,
            },
          );
          for (const vm of vms) {
            const u = stats.byMoref.get(vm.moref);
            if (u) vm.utilization = u;
          }
          for (const w of stats.warnings) warn(w);
        } catch (err) {
          if (signal?.aborted) throw err;
          warn(
            `VM utilisation could not be read from the vCenter statistics, VMs are sized on allocation: ${String(
              err,
            )}`,
          );
        }
      }
    }

    return {
      inventory: {
        source: {
          kind: 'vcenter',
          id: opts.vcenterId,
          name: soap.sdkUrl.hostname,
          collectedAt: new Date().toISOString(),
          version: content.about.apiVersion,
        },
        vms,
        hosts: mapper.hosts().map(h => hostSchema.parse(h)),
        clusters: mapper.clusters().map(c => clusterSchema.parse(c)),
        datastores: mapper.datastores().map(d => datastoreSchema.parse(d)),
        networks: mapper.networks().map(n => networkSchema.parse(n)),
      },
      warnings,
      skippedVms,
      ...(tagsError ? { tagsError } : {}),
    };
  }

  private async customFieldNames(
    content: ServiceContent,
    signal?: AbortSignal,
  ): Promise<Map<number, string>> {
    const names = new Map<number, string>();
    if (!content.customFieldsManager) return names;
    const o = await this.deps.pc.retrieveOne(
      content.customFieldsManager,
      ['field'],
      { signal },
    );
    for (const def of arrayItems(o?.props.field, 'CustomFieldDef')) {
      const key = int(at(def, 'key'));
      const name = text(at(def, 'name'));
      if (key !== undefined && name) names.set(key, name);
    }
    return names;
  }
}
