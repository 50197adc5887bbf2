/**
 * bench:pipeline — the conversion runner's data path on a thin multi-GiB disk with known content:
 * export (datastore /folder over local HTTP) -> trim -> convert -> upload (local S3: Swift s3api),
 * driven through the runner's HTTP API, against one plain `qemu-img convert` of the same disk in
 * the same run. Guest adaptation and BIOS->UEFI are timed on the proof's VMware-style guest: they
 * cost a libguestfs appliance per VM, not time per byte.
 *
 * Run: yarn bench:pipeline   (as root; env BENCH_DISK_GIB, BENCH_USED_GIB, BENCH_DELETED_GIB,
 * BENCH_SKIP_GUEST=1 to skip adapt/uefi, VMWARE2SCW_CACHE_DIR for the cached disks)
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import execa from 'execa';
import { mkdtemp, rm, stat } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  libguestfsEnv,
  probeAccel,
} from '../packages/conversion-runner/src/accel/AccelProbe';
import { resolveRunnerConfig } from '../packages/conversion-runner/src/config/RunnerConfig';
import { startConversionRunner } from '../packages/conversion-runner/src/ConversionRunner';
import { JobRecord } from '../packages/conversion-runner/src/jobs/JobModel';
import { DatastoreHttpServer } from '../packages/conversion-runner/src/testing/DatastoreHttpServer';
import { RunnerClient } from '../packages/conversion-runner/src/testing/RunnerClient';
import { SwiftS3Server } from '../packages/conversion-runner/src/testing/SwiftS3Server';
import {
  guestCacheRoot,
  vmwareDebianGuest,
} from '../packages/conversion-runner/src/testing/VmwareDebianGuest';
import { createS3Client } from '../packages/conversion-runner/src/upload/S3DiskUpload';
import { thinBenchDisk } from './pipelineThinDisk';

const GiB = 1024 ** 3;
const log = (line: string) => process.stdout.write(`${line}\n`);
const gib = (bytes: number) => (bytes / GiB).toFixed(3);
const secondsOf = (job: JobRecord) =>
  (Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)) / 1000;

async function main() {
  const diskGiB = Number(process.env.BENCH_DISK_GIB ?? 4);
  const usedGiB = Number(process.env.BENCH_USED_GIB ?? 1.5);
  const deletedGiB = Number(process.env.BENCH_DELETED_GIB ?? 1);
  const work = await mkdtemp(
    join(process.env.BENCH_WORK_DIR ?? tmpdir(), 'vmware2scw-bench-'),
  );
  const cleanups: Array<() => Promise<unknown>> = [
    async () => rm(work, { recursive: true, force: true }),
  ];
  try {
    const accel = await probeAccel({ mode: 'auto', timeoutMs: 8000 });
    log(`accelerator: ${accel.mode} (${accel.reason})`);
    const disk = await thinBenchDisk({
      cacheRoot: guestCacheRoot(),
      diskGiB,
      usedGiB,
      deletedGiB,
      log,
    });
    const sourceAllocated = (await stat(disk.path)).blocks * 512;
    log(
      `source disk: ${gib(disk.diskBytes)} GiB thin, ${gib(
        disk.usedBytes,
      )} GiB in use in the filesystem (${gib(
        disk.fileBytes,
      )} GiB of files), ${gib(disk.deletedBytes)} GiB of deleted files, ${gib(
        sourceAllocated,
      )} GiB allocated`,
    );

    // Baseline: one plain qemu-img convert of the same disk on the same machine in the same run.
    const baselineOut = join(work, 'baseline.qcow2');
    let started = Date.now();
    await execa('qemu-img', [
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      disk.path,
      baselineOut,
    ]);
    const baselineSeconds = (Date.now() - started) / 1000;
    const baselineBytes = (await stat(baselineOut)).size;
    await rm(baselineOut);
    log(
      `baseline qemu-img convert: ${baselineSeconds.toFixed(1)} s, wrote ${gib(
        baselineBytes,
      )} GiB`,
    );

    const cookie = 'vmware_soap_session="bench"';
    const datastore = await DatastoreHttpServer.start({
      files: { 'bench/bench-flat.vmdk': disk.path },
      cookie,
    });
    cleanups.push(() => datastore.stop());
    const s3 = await SwiftS3Server.start();
    cleanups.push(() => s3.stop());
    await createS3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: s3.credentials,
    }).send(new CreateBucketCommand({ Bucket: 'bench' }));
    const token = 'bench-token-0123456789abcdef';
    const config = resolveRunnerConfig(
      {
        listen: { port: 0 },
        scratch: { dir: join(work, 'scratch'), reserveBytes: 0 },
        allowedHosts: ['127.0.0.1'],
        s3: {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyIdEnv: 'BENCH_S3_KEY',
          secretAccessKeyEnv: 'BENCH_S3_SECRET',
        },
      },
      {
        VMWARE2SCW_RUNNER_TOKEN: token,
        BENCH_S3_KEY: s3.credentials.accessKeyId,
        BENCH_S3_SECRET: s3.credentials.secretAccessKey,
      },
    );
    const runner = await startConversionRunner(config, { accel });
    cleanups.push(() => runner.close());
    const client = new RunnerClient(runner.url, token);
    const HOUR = 3600_000;

    const vm = 'vm-bench';
    const exported = await client.run(
      'export',
      {
        vm,
        disk: 'disk-0',
        source: {
          kind: 'datastore',
          url: datastore.folderUrl('bench/bench-flat.vmdk'),
          auth: { cookie },
        },
      },
      HOUR,
    );
    const ex = exported.result as { bytes: number; bytesWritten: number };
    log(
      `export:  ${secondsOf(exported).toFixed(1)} s  read ${gib(
        ex.bytes,
      )} GiB over HTTP, wrote ${gib(
        ex.bytesWritten,
      )} GiB (zero blocks left as holes)`,
    );

    const trimmed = await client.run('trim', { vm, disk: 'disk-0' }, HOUR);
    const tr = trimmed.result as {
      allocatedBefore: number;
      allocatedAfter: number;
    };
    log(
      `trim:    ${secondsOf(trimmed).toFixed(1)} s  allocated ${gib(
        tr.allocatedBefore,
      )} -> ${gib(tr.allocatedAfter)} GiB (libguestfs launch + fstrim)`,
    );

    const converted = await client.run('convert', { vm, disk: 'disk-0' }, HOUR);
    const cv = converted.result as { actualSize: number };
    log(
      `convert: ${secondsOf(converted).toFixed(1)} s  read ${gib(
        tr.allocatedAfter,
      )} GiB allocated, wrote ${gib(cv.actualSize)} GiB qcow2`,
    );

    const uploaded = await client.run(
      'upload',
      {
        vm,
        disk: 'disk-0',
        bucket: 'bench',
        key: `${vm}/disk-0.qcow2`,
        region: s3.region,
      },
      HOUR,
    );
    const up = uploaded.result as {
      size: number;
      partCount: number;
      partSize: number;
    };
    log(
      `upload:  ${secondsOf(uploaded).toFixed(1)} s  uploaded ${gib(
        up.size,
      )} GiB in ${up.partCount} part(s) of ${(up.partSize / 1024 ** 2).toFixed(
        0,
      )} MiB`,
    );

    let adaptSeconds = NaN;
    let uefiSeconds = NaN;
    if (process.env.BENCH_SKIP_GUEST !== '1') {
      const guest = await vmwareDebianGuest({
        libguestfsEnv: libguestfsEnv(accel.mode),
        log,
      });
      const guestStore = await DatastoreHttpServer.start({
        files: { 'g/g.vmdk': guest.vmdk },
        cookie,
      });
      cleanups.push(() => guestStore.stop());
      const gvm = 'vm-bench-guest';
      await client.run(
        'export',
        {
          vm: gvm,
          disk: 'disk-0',
          source: {
            kind: 'datastore',
            format: 'vmdk',
            url: guestStore.folderUrl('g/g.vmdk'),
            auth: { cookie },
          },
        },
        HOUR,
      );
      await client.run('convert', { vm: gvm, disk: 'disk-0' }, HOUR);
      const adapted = await client.run(
        'adapt_linux',
        { vm: gvm, disks: ['disk-0'] },
        HOUR,
      );
      adaptSeconds = secondsOf(adapted);
      log(
        `adapt_linux (proof guest): ${adaptSeconds.toFixed(
          1,
        )} s  steps ${JSON.stringify(
          (adapted.result as { stepSeconds: unknown }).stepSeconds,
        )}`,
      );
      const uefi = await client.run(
        'ensure_uefi',
        { vm: gvm, disk: 'disk-0' },
        HOUR,
      );
      uefiSeconds = secondsOf(uefi);
      log(`ensure_uefi (proof guest): ${uefiSeconds.toFixed(1)} s`);
    }

    const wall =
      secondsOf(exported) + secondsOf(converted) + secondsOf(uploaded);
    const result = {
      disk_gib: gib(disk.diskBytes),
      used_gib: gib(disk.usedBytes),
      uploaded_gib: gib(up.size),
      upload_ratio: (up.size / disk.usedBytes).toFixed(3),
      wall_s: wall.toFixed(1),
      baseline_convert_s: baselineSeconds.toFixed(1),
      wall_ratio: (wall / baselineSeconds).toFixed(2),
      trim_s: secondsOf(trimmed).toFixed(1),
      adapt_s: adaptSeconds.toFixed(1),
      uefi_s: uefiSeconds.toFixed(1),
    };
    log(
      `RESULT ${Object.entries(result)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch(() => undefined);
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
