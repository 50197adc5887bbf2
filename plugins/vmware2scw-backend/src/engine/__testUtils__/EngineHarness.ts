import type { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  offlineOffer,
  VM_SPEC_INVENTORY_KEY,
  type StageId,
  type Vm,
} from '@internal/plugin-vmware2scw-common';
import type { Knex } from 'knex';
import {
  DatabaseMigrationStore,
  MIGRATIONS_DIR,
} from '../../database/DatabaseMigrationStore';
import type { MigrationStore } from '../../database/MigrationStore';
import { CatalogInventory } from '../../inventory/CatalogInventory';
import { DryRun } from '../../service/DryRun';
import { MigrationService } from '../../service/MigrationService';
import { Engine } from '../Engine';
import { EngineNotifier } from '../EngineNotifier';
import { LeftoverCleaner } from '../services/LeftoverCleaner';
import { RunnerPool } from '../services/RunnerPool';
import { VcenterPool } from '../services/VcenterPool';
import {
  StageExecutorRegistry,
  type StageContext,
  type StageExecutor,
} from '../StageExecutor';

/** The catalog entity of a VM, as the catalog module writes it. */
export function vmEntity(vm: Vm, owner = 'group:default/team-web'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: vm.name.toLowerCase(), namespace: 'default' },
    spec: { type: 'virtual-machine', owner, [VM_SPEC_INVENTORY_KEY]: vm },
  };
}

export interface StandInCall {
  migrationId: string;
  vmName: string;
  stage: StageId;
  attempt: number;
  instance: string;
}

/**
 * Stand-in executors for engine tests and the engine benchmark: each stage sleeps (or runs a
 * behaviour the test gives), records that it ran, and returns small outputs. The real executors are
 * proven against vcsim and the runner elsewhere; these exercise the engine's scheduling alone.
 */
export function standInExecutors(options: {
  stages: readonly StageId[];
  calls: StandInCall[];
  instance: string;
  delayMs?: (stage: StageId) => number;
  behave?: (ctx: StageContext) => Promise<void> | void;
  /** Concurrency observed per resource, for the limit checks. */
  onConcurrency?: (stage: StageId, delta: 1 | -1) => void;
}): StageExecutor[] {
  return options.stages.map(stage => ({
    stage,
    async execute(ctx) {
      options.calls.push({
        migrationId: ctx.migration.id,
        vmName: ctx.migration.vmName,
        stage,
        attempt: ctx.run.attempt,
        instance: options.instance,
      });
      options.onConcurrency?.(stage, 1);
      try {
        const delay = options.delayMs?.(stage) ?? 5;
        ctx.progress({
          disks: [{ disk: 'disk-0', bytesDone: 0, bytesTotal: 100 }],
        });
        await abortableSleep(delay, ctx.signal);
        await options.behave?.(ctx);
        if (ctx.signal.aborted) throw ctx.signal.reason;
        ctx.progress({
          disks: [{ disk: 'disk-0', bytesDone: 100, bytesTotal: 100 }],
        });
        return { outputs: { stage, by: options.instance }, bytes: 100 };
      } finally {
        options.onConcurrency?.(stage, -1);
      }
    },
  }));
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: NodeJS.Timeout | undefined = undefined;
    function onAbort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** An engine + migration service over a real database, with stand-in executors and catalog VMs. */
export async function createEngineHarness(options: {
  knex: Knex;
  vms: Vm[];
  executors: StageExecutor[];
  instance?: string;
  leaseMs?: number;
  maxConcurrentStages?: number;
  migrate?: boolean;
  store?: MigrationStore;
  /** Outside jest (the benchmark), a logger of its own. */
  logger?: LoggerService;
  /** What the leak guard removes beyond vCenter and runner leftovers. */
  leftovers?: Pick<
    ConstructorParameters<typeof LeftoverCleaner>[0],
    'transit' | 'scaleway'
  >;
}) {
  const logger = options.logger ?? mockServices.logger.mock();
  if (options.migrate !== false) {
    await options.knex.migrate.latest({ directory: MIGRATIONS_DIR });
  }
  const store = options.store ?? new DatabaseMigrationStore(options.knex);
  const entities = options.vms.map(vm => vmEntity(vm));
  const inventory = new CatalogInventory(
    { getEntities: async () => ({ items: entities }) },
    {
      getOwnServiceCredentials: async () =>
        ({
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'service', subject: 'test' },
        } as any),
    },
    { cacheMs: 0 },
  );
  const notifier = new EngineNotifier(store, logger);
  const engine = new Engine({
    store,
    executors: new StageExecutorRegistry(options.executors),
    notifier,
    logger,
    instanceId: options.instance ?? 'engine-a',
    leaseMs: options.leaseMs ?? 30_000,
    maxConcurrentStages: options.maxConcurrentStages ?? 50,
    progressIntervalMs: 50,
  });
  const vcenters = new VcenterPool([], { logger, inventoryCacheMs: 1000 });
  const runners = new RunnerPool([], { logger });
  const catalog = async () => offlineOffer('fr-par-1')!;
  const service = new MigrationService({
    store,
    engine,
    notifier,
    inventory,
    runners,
    catalog,
    dryRun: new DryRun({ vcenters, runners, catalog, exportMethod: 'auto' }),
    cleaner: new LeftoverCleaner({ vcenters, runners, ...options.leftovers }),
    defaultZone: 'fr-par-1',
  });
  return { store, engine, service, inventory, logger };
}

/** Ticks the engines until `done` holds (or fails after `timeoutMs`). */
export async function runUntil(
  engines: Engine[],
  done: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await Promise.all(engines.map(e => e.tick()));
    if (await done()) return;
    if (Date.now() > deadline)
      throw new Error('engine did not reach the expected state in time');
    await new Promise(r => setTimeout(r, 20));
  }
}
