import type { ScalewayOffer } from '@internal/plugin-vmware2scw-common';
import {
  ScalewayApiGateway,
  type ScalewayGateway,
  type Vmware2scwConfig,
} from '@internal/plugin-vmware2scw-node';
import type { StageContext, StageExecutor } from '../StageExecutor';
import type { RunnerPool } from '../services/RunnerPool';
import type { TransitBucket } from '../services/TransitBucket';
import type { VcenterPool } from '../services/VcenterPool';
import { createCleanupExecutor } from './cleanup';
import { createExportExecutor } from './exportDisks';
import {
  createAdaptGuestExecutor,
  createConvertExecutor,
  createEnsureUefiExecutor,
  createUploadExecutor,
} from './runnerStages';
import {
  createScalewayExecutors,
  type ScalewayStageDeps,
} from './scalewayStages';
import { createSnapshotExecutor } from './snapshot';
import { createValidateExecutor } from './validate';

export interface DefaultExecutorDeps {
  vcenters: VcenterPool;
  runners: RunnerPool;
  transit?: TransitBucket;
  catalog(zone: string): Promise<ScalewayOffer>;
  settings: Vmware2scwConfig;
  /** Between two reads of a runner job; default 1 s. */
  pollMs?: number;
  /** The Scaleway gateway; default: one on the SDK from `vmware2scw.scaleway`, when configured. */
  scaleway?: ScalewayGateway;
  /** What verify does; default `vmware2scw.scaleway.verify` (a server with a public IP, checked). */
  verify?: ScalewayStageDeps['verify'];
}

/** The gateway of `vmware2scw.scaleway`, if it is configured. */
export function scalewayGatewayOf(
  settings: Vmware2scwConfig,
): ScalewayGateway | undefined {
  return settings.scaleway
    ? ScalewayApiGateway.fromConfig(settings.scaleway)
    : undefined;
}

/** A Scaleway stage when no Scaleway account is configured: skipped, saying why and what to do. */
function scalewayNotConfigured(stage: 'import_scw' | 'verify'): StageExecutor {
  return {
    stage,
    async execute(_ctx: StageContext) {
      return {
        skipped:
          'Scaleway is not configured (vmware2scw.scaleway): nothing was imported; configure it and retry the migration from this stage',
      };
    },
  };
}

/** The executors of the Linux pipeline's stages, from the plugin's services and configuration. */
export function defaultStageExecutors(
  deps: DefaultExecutorDeps,
): StageExecutor[] {
  const { conversion, scaleway } = deps.settings;
  const gateway = deps.scaleway ?? scalewayGatewayOf(deps.settings);
  const runnerDeps = { runners: deps.runners, pollMs: deps.pollMs };
  return [
    createValidateExecutor({
      vcenters: deps.vcenters,
      catalog: deps.catalog,
      exportMethod: conversion.exportMethod,
    }),
    createSnapshotExecutor({ vcenters: deps.vcenters }),
    createExportExecutor({ vcenters: deps.vcenters, ...runnerDeps }),
    createConvertExecutor({
      ...runnerDeps,
      trim: conversion.trim,
      compress: conversion.compressQcow2,
    }),
    createAdaptGuestExecutor(runnerDeps),
    createEnsureUefiExecutor(runnerDeps),
    createUploadExecutor({
      ...runnerDeps,
      ...(scaleway
        ? { bucket: scaleway.transitBucket, region: scaleway.s3Region }
        : {}),
    }),
    ...(gateway
      ? createScalewayExecutors({
          gateway,
          verify: deps.verify ?? scaleway?.verify,
        })
      : [scalewayNotConfigured('import_scw'), scalewayNotConfigured('verify')]),
    createCleanupExecutor({
      vcenters: deps.vcenters,
      runners: deps.runners,
      transit: deps.transit,
      cleanupRunnerFiles: conversion.cleanupOnSuccess,
      pollMs: deps.pollMs,
    }),
  ];
}
