import {
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
// The lab plugs stand-ins into the backend plugin's extension point: it needs the plugin's types.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  transitKey,
  vmware2scwStageExecutorsExtensionPoint,
  type StageContext,
  type StageExecutor,
  type StageOutcome,
  type ValidateOutputs,
} from '@internal/plugin-vmware2scw-backend';
import type { StageId } from '@internal/plugin-vmware2scw-common';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Stand-ins for the runner's stages (export, convert, adapt_guest, ensure_uefi, upload_s3), for the
 * browser and scaffolder end-to-end tests: the real conversion of the lab's guest is proven once, by
 * this package's migration.e2e.test.ts and the runner's boot proof; running it again for every
 * end-to-end test would not fit CI's time. Everything around them stays real: validate and snapshot
 * against vcsim, the engine, import_scw and verify against the Scaleway simulator, cleanup.
 *
 * The upload puts a real qcow2 (empty, of the disk's virtual size, made by qemu-img) in the transit
 * bucket, so that the simulator's import reads and checks a real image header.
 */
export interface StandInOptions {
  /** How long each stand-in stage takes, reporting progress meanwhile; default 2 s. */
  stageMs?: number;
}

function disksOf(ctx: StageContext) {
  const validate = ctx.outputs.validate as unknown as
    | ValidateOutputs
    | undefined;
  if (!validate) throw new Error('stand-in: validate has no outputs');
  return validate.disks;
}

async function pretend(
  ctx: StageContext,
  ms: number,
  disks: Array<{ name: string; capacityBytes: number }>,
) {
  const steps = 4;
  for (let i = 1; i <= steps; i++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await new Promise(r => setTimeout(r, ms / steps));
    ctx.progress({
      phase: `stand-in ${ctx.stage}`,
      disks: disks.map(d => ({
        disk: d.name,
        bytesDone: Math.round((d.capacityBytes * i) / steps),
        bytesTotal: d.capacityBytes,
      })),
      percent: (100 * i) / steps,
    });
  }
}

/** The stand-in executors, given where the transit bucket is. */
export function standInRunnerExecutors(options: {
  runnerId: string;
  s3: S3Client;
  bucket: string;
  region: string;
  stageMs?: number;
}): StageExecutor[] {
  const ms = options.stageMs ?? 2_000;
  const simple = (
    stage: StageId,
    outputs: (ctx: StageContext) => Record<string, unknown>,
  ): StageExecutor => ({
    stage,
    async execute(ctx): Promise<StageOutcome> {
      const disks = disksOf(ctx);
      if (stage === 'export') await ctx.placeOnRunner(options.runnerId);
      await pretend(ctx, ms, disks);
      return {
        outputs: { ...outputs(ctx), standIn: true },
        bytes: disks.reduce((s, d) => s + d.capacityBytes, 0),
      };
    },
  });
  return [
    simple('export', ctx => ({
      runner: options.runnerId,
      method: 'datastore',
      disks: disksOf(ctx).map(d => ({
        disk: d.name,
        format: 'raw',
        bytes: d.capacityBytes,
      })),
    })),
    simple('convert', ctx => ({
      disks: disksOf(ctx).map(d => ({
        disk: d.name,
        virtualSize: d.capacityBytes,
        actualSize: 0,
      })),
    })),
    simple('adapt_guest', () => ({})),
    simple('ensure_uefi', () => ({})),
    {
      stage: 'upload_s3',
      async execute(ctx): Promise<StageOutcome> {
        const disks = disksOf(ctx);
        await pretend(ctx, ms, disks);
        const uploaded = [];
        for (const d of disks) {
          const key = transitKey(ctx.migration.id, d.name);
          await ctx.recordLeftovers([
            {
              kind: 's3_object',
              id: key,
              where: `${options.region}/${options.bucket}`,
            },
          ]);
          // Idempotent as the runner's upload is: an object already there is not sent again.
          const there = await options.s3
            .send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }))
            .then(
              r => r.ContentLength ?? 0,
              () => undefined,
            );
          const bytes = there ?? (await putEmptyQcow2(options, key, d));
          uploaded.push({
            disk: d.name,
            bucket: options.bucket,
            key,
            region: options.region,
            bytes,
          });
        }
        return {
          outputs: { disks: uploaded, runner: options.runnerId, standIn: true },
          bytes: uploaded.reduce((s, d) => s + d.bytes, 0),
        };
      },
    },
  ];
}

async function putEmptyQcow2(
  options: { s3: S3Client; bucket: string },
  key: string,
  disk: { capacityBytes: number },
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'vmware2scw-standin-'));
  try {
    const file = join(dir, 'disk.qcow2');
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      file,
      String(disk.capacityBytes),
    ]);
    const body = await readFile(file);
    await options.s3.send(
      new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body }),
    );
    return body.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A backend module that gives the vmware2scw plugin the stand-in runner stages, reading the transit
 * bucket from `vmware2scw.scaleway` (as `Lab.config()` writes it) and the runner id from
 * `vmware2scw.conversion.runners[0]`.
 */
export function standInRunnerStagesModule(options: StandInOptions = {}) {
  return createBackendModule({
    pluginId: 'vmware2scw',
    moduleId: 'lab-stand-in-runner-stages',
    register(env) {
      env.registerInit({
        deps: {
          config: coreServices.rootConfig,
          stages: vmware2scwStageExecutorsExtensionPoint,
        },
        async init({ config, stages }) {
          const scw = config.getConfig('vmware2scw.scaleway');
          const region =
            scw.getOptionalString('s3Region') ??
            scw.getString('defaultZone').replace(/-\d+$/, '');
          const s3 = new S3Client({
            region,
            endpoint: scw.getString('s3Endpoint'),
            forcePathStyle: true,
            credentials: {
              accessKeyId:
                scw.getOptionalString('s3AccessKey') ??
                scw.getString('accessKey'),
              secretAccessKey:
                scw.getOptionalString('s3SecretKey') ??
                scw.getString('secretKey'),
            },
          });
          const executors = standInRunnerExecutors({
            runnerId: config
              .getConfigArray('vmware2scw.conversion.runners')[0]
              .getString('id'),
            s3,
            bucket: scw.getString('transitBucket'),
            region,
            stageMs: options.stageMs,
          });
          for (const e of executors) stages.addStageExecutor(e);
        },
      });
    },
  });
}
