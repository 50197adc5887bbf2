import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  vmMigratePermission,
  vmware2scwPermissions,
  waveApprovePermission,
} from '@internal/plugin-vmware2scw-common';
import {
  readVmware2scwConfig,
  ScalewayCatalog,
} from '@internal/plugin-vmware2scw-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { version } from '../package.json';
import { DatabaseMigrationStore } from './database/DatabaseMigrationStore';
import { Engine } from './engine/Engine';
import { EngineNotifier, type SignalPublisher } from './engine/EngineNotifier';
import { LeftoverCleaner } from './engine/services/LeftoverCleaner';
import { RunnerPool } from './engine/services/RunnerPool';
import { TransitBucket } from './engine/services/TransitBucket';
import { VcenterPool } from './engine/services/VcenterPool';
import {
  defaultStageExecutors,
  scalewayGatewayOf,
} from './engine/stages/defaultStageExecutors';
import { StageExecutorRegistry } from './engine/StageExecutor';
import { CatalogInventory } from './inventory/CatalogInventory';
import {
  ownerRefOf,
  vmResourceRef,
  waveResourceRef,
  isVmOwner,
  isWaveOwner,
} from './permissions/rules';
import { Assessment } from './service/Assessment';
import { BatchReport } from './service/BatchReport';
import { DryRun } from './service/DryRun';
import { MigrationService } from './service/MigrationService';
import { createRouter } from './service/router';
import { vmware2scwStageExecutorsExtensionPoint } from './extensions';
import type { StageExecutor } from './engine/StageExecutor';

/**
 * The vmware2scw backend plugin: migration API, store and engine. `plugin.ts` only wires: the
 * configuration, the store, the vCenter/runner/Scaleway services, the stage executors, the engine on
 * the scheduler, the permission resources and the router.
 *
 * @public
 */
export const vmware2scwPlugin = createBackendPlugin({
  pluginId: 'vmware2scw',
  register(env) {
    const addedExecutors: StageExecutor[] = [];
    env.registerExtensionPoint(vmware2scwStageExecutorsExtensionPoint, {
      addStageExecutor(executor) {
        addedExecutors.push(executor);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
      },
      async init(deps) {
        const { logger, httpRouter, permissionsRegistry } = deps;
        // Throws with every bad key named: the backend must not start on a half-valid configuration.
        const settings = readVmware2scwConfig(deps.config);
        const { engine: engineConfig, conversion, scaleway } = settings;

        const store = await DatabaseMigrationStore.create(deps.database);
        const inventory = new CatalogInventory(deps.catalog, deps.auth);
        const vcenters = new VcenterPool(settings.vcenters, {
          logger,
          inventoryCacheMs: engineConfig.inventoryCacheSeconds * 1000,
        });
        const runners = new RunnerPool(conversion.runners, { logger });
        const scalewayCatalog = ScalewayCatalog.fromConfig(scaleway, {
          logger,
        });
        const catalogOf = (zone: string) => scalewayCatalog.getCatalog(zone);
        const transit = scaleway
          ? new TransitBucket(scaleway.transitBucket, scaleway.s3Region, {
              ...(scaleway.s3Endpoint ? { endpoint: scaleway.s3Endpoint } : {}),
              accessKeyId: scaleway.s3AccessKey ?? scaleway.accessKey,
              secretAccessKey: scaleway.s3SecretKey ?? scaleway.secretKey,
            })
          : undefined;
        const scalewayGateway = scalewayGatewayOf(settings);

        const notifier = new EngineNotifier(
          store,
          logger,
          deps.signals as unknown as SignalPublisher,
        );
        const executors = new StageExecutorRegistry(
          defaultStageExecutors({
            vcenters,
            runners,
            transit,
            catalog: catalogOf,
            settings,
            scaleway: scalewayGateway,
          }),
        );
        for (const executor of addedExecutors) {
          executors.register(executor);
          logger.info(
            `vmware2scw: stage ${executor.stage} runs the executor a backend module added`,
          );
        }
        const engine = new Engine({
          store,
          executors,
          notifier,
          logger,
          instanceId: `${hostname()}-${process.pid}-${randomUUID().slice(
            0,
            8,
          )}`,
          leaseMs: engineConfig.leaseSeconds * 1000,
          maxConcurrentStages: engineConfig.maxConcurrentStages,
          stageTimeoutMs: stage => {
            const minutes = engineConfig.stageTimeoutMinutes[stage];
            return minutes ? minutes * 60_000 : undefined;
          },
        });
        const cleaner = new LeftoverCleaner({
          vcenters,
          runners,
          transit,
          scaleway: scalewayGateway,
        });
        const service = new MigrationService({
          store,
          engine,
          notifier,
          inventory,
          runners,
          catalog: catalogOf,
          dryRun: new DryRun({
            vcenters,
            runners,
            catalog: catalogOf,
            exportMethod: conversion.exportMethod,
            ...(scaleway ? { transitBucket: scaleway.transitBucket } : {}),
          }),
          cleaner,
          defaultZone: scaleway?.defaultZone ?? 'fr-par-1',
        });
        const assessment = new Assessment({
          inventory,
          store,
          catalog: catalogOf,
          defaultZone: scaleway?.defaultZone ?? 'fr-par-1',
        });

        permissionsRegistry.addPermissions(vmware2scwPermissions);
        permissionsRegistry.addResourceType({
          resourceRef: waveResourceRef,
          permissions: [waveApprovePermission],
          rules: [isWaveOwner],
          getResources: async waveIds => {
            const vms = await inventory.list();
            const owners = new Map(
              vms.map(v => [v.entityRef, ownerRefOf(v.entity)]),
            );
            return Promise.all(
              waveIds.map(async waveId => {
                const wave = await store.getWave(waveId);
                if (!wave) return undefined;
                const refs = await service.waveEntityRefs(waveId);
                return {
                  waveId,
                  owners: refs.map(r => owners.get(r) ?? `unknown:${r}`),
                };
              }),
            );
          },
        });
        permissionsRegistry.addResourceType({
          resourceRef: vmResourceRef,
          permissions: [vmMigratePermission],
          rules: [isVmOwner],
          getResources: async entityRefs => {
            const vms = new Map(
              (await inventory.list()).map(v => [v.entityRef, v]),
            );
            return entityRefs.map(ref => {
              const vm = vms.get(ref.toLocaleLowerCase('en-US'));
              return vm
                ? { entityRef: vm.entityRef, owner: ownerRefOf(vm.entity) }
                : undefined;
            });
          },
        });

        httpRouter.use(
          await createRouter({
            settings,
            version,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            logger,
            service,
            assessment,
            runners,
            report: new BatchReport(service, { catalog: catalogOf }),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        await deps.scheduler.scheduleTask({
          id: 'vmware2scw-engine',
          scope: 'local',
          frequency: { seconds: engineConfig.tickSeconds },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 1 },
          fn: () => engine.tick(),
        });
        deps.lifecycle.addShutdownHook(async () => {
          await engine.stop();
          await vcenters.close();
          transit?.destroy();
        });

        logger.info(
          `vmware2scw ${version}: ${settings.vcenters.length} vCenter(s), ${
            conversion.runners.length
          } conversion runner(s), Scaleway ${
            scaleway ? `zone ${scaleway.defaultZone}` : 'not configured'
          }; engine ${engine.instanceId}`,
        );
      },
    });
  },
});
